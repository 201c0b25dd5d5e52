"""Resolving an exception, and what resolving means for its kind.

Most kinds are closed with a note. Some carry a decision the gateway must act on: a freight
invoice held as a draft bill (`invoice_mismatch`) is posted in Odoo when finance resolves
the exception. The follow-up runs first; if Odoo refuses, the exception stays open with
the reason, and running it again is safe (a posted bill is left as it is)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.odoo.rules import OdooRules
from gateway.runtime import Runtime
from gateway.store import ExceptionRecord
from gateway.store.journal import note, resolve_exception
from gateway.store.models import ExceptionStatus


class ResolveError(Exception):
    """The exception cannot be resolved (unknown, already resolved, follow-up refused)."""


def _post_held_bill(runtime: Runtime, record: ExceptionRecord) -> dict[str, Any]:
    """Post the draft bill (and its landed cost, when the profile books freight that way)."""
    profile = runtime.profiles.get(record.partner_id or "")
    if profile is None:
        raise ResolveError(f"partner profile {record.partner_id!r} is not loaded")
    bill_id = int(record.detail["bill_id"])
    result = runtime.odoo.release_bill(bill_id, OdooRules.from_profile(profile))
    (bill,) = runtime.odoo.client.read("account.move", [bill_id], ["name", "state"])
    return {"odoo": result.as_dict(), "bill": bill["name"], "state": bill["state"]}


FOLLOW_UPS: dict[str, Callable[[Runtime, ExceptionRecord], dict[str, Any]]] = {
    "invoice_mismatch": _post_held_bill,
}


def resolve(runtime: Runtime, exception_id: int, *, by: str, note_text: str) -> dict[str, Any]:
    """Run the kind's follow-up, then close the exception; returns what the follow-up did."""
    with runtime.db.session() as session:
        record = session.get(ExceptionRecord, exception_id)
        if record is None:
            raise ResolveError(f"no exception {exception_id}")
        if record.status == ExceptionStatus.RESOLVED:
            raise ResolveError(f"exception {exception_id} is already resolved")
    follow_up = FOLLOW_UPS.get(record.kind)
    outcome: dict[str, Any] = {}
    if follow_up is not None:
        try:
            outcome = follow_up(runtime, record)
        except Exception as exc:
            raise ResolveError(f"the follow-up of {record.kind} failed, still open: {exc}") from exc
    with runtime.db.session() as session:
        record = session.get(ExceptionRecord, exception_id)
        assert record is not None
        resolve_exception(session, record, by=by, note_text=note_text)
        if outcome:
            document_id = int(record.subject_id) if record.subject_type == "document" else None
            note(
                session,
                actor=by,
                kind=f"follow_up:{record.kind}",
                document_id=document_id,
                detail=outcome,
            )
    return outcome
