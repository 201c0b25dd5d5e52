"""Resolving an exception, and what resolving means for its kind.

Most kinds are closed with a note. Some carry a decision the gateway must act on:
- a freight invoice held as a draft bill (`invoice_mismatch`) is posted in Odoo;
- an outbound file whose delivery ran out of retries (`send_failed`) is sent again now
  (outbound/resend.py, the same as `edigw messages resend`), unchanged, over the partner's
  current transport; the delivery resolves the exception with the operator's note.
The follow-up runs first; if it fails (Odoo refuses, the transport still refuses), the
exception stays open with the reason, and running it again is safe (a posted bill is left
as it is, a delivered file is not sent twice). `action=False` closes the exception without
its follow-up (the operator sent the file another way, or finance rejects the bill), and
says so in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.odoo.rules import OdooRules
from gateway.runtime import Runtime
from gateway.store import ExceptionRecord, Interchange
from gateway.store.journal import note, resolve_exception
from gateway.store.models import ExceptionStatus, InterchangeStatus


class ResolveError(Exception):
    """The exception cannot be resolved (unknown, already resolved, follow-up refused)."""


def _post_held_bill(
    runtime: Runtime, record: ExceptionRecord, by: str, note_text: str
) -> dict[str, Any]:
    """Post the draft bill (and its landed cost, when the profile books freight that way)."""
    profile = runtime.profiles.get(record.partner_id or "")
    if profile is None:
        raise ResolveError(f"partner profile {record.partner_id!r} is not loaded")
    bill_id = int(record.detail["bill_id"])
    result = runtime.odoo.release_bill(bill_id, OdooRules.from_profile(profile))
    (bill,) = runtime.odoo.client.read("account.move", [bill_id], ["name", "state"])
    return {"odoo": result.as_dict(), "bill": bill["name"], "state": bill["state"]}


def _delivery_status(runtime: Runtime, interchange_id: int) -> str | None:
    with runtime.db.session() as session:
        ic = session.get(Interchange, interchange_id)
        return ic.status if ic is not None else None


def _send_again(
    runtime: Runtime, record: ExceptionRecord, by: str, note_text: str
) -> dict[str, Any]:
    """Deliver the interchange whose retries ran out, now. Already delivered meanwhile (a
    `messages resend`, or a retry after an earlier failed resend): nothing is sent again."""
    from outbound.resend import ResendError, resend

    if record.subject_type != "interchange":
        raise ResolveError(f"exception {record.id} names no interchange to send again")
    interchange_id = int(record.subject_id)
    if _delivery_status(runtime, interchange_id) == InterchangeStatus.SENT:
        return {"interchange": interchange_id, "resent": False, "status": "sent"}
    try:
        # resolves this exception itself once the file is delivered, with the operator's note
        result = resend(runtime, interchange_id, by=by, note_text=note_text)
    except ResendError as exc:
        if _delivery_status(runtime, interchange_id) == InterchangeStatus.SENT:
            # delivered by a concurrent resend between our look and its lock
            return {"interchange": interchange_id, "resent": False, "status": "sent"}
        raise ResolveError(str(exc)) from exc
    if not result.delivered:
        raise ResolveError(
            f"interchange {interchange_id} was not delivered over {result.transport}: "
            f"{result.error}; it stays {result.status} and the gateway retries it"
        )
    return {
        "interchange": interchange_id,
        "resent": True,
        "transport": result.transport,
        "status": result.status,
    }


FollowUp = Callable[[Runtime, ExceptionRecord, str, str], dict[str, Any]]

FOLLOW_UPS: dict[str, FollowUp] = {
    "invoice_mismatch": _post_held_bill,
    "send_failed": _send_again,
}


def resolve(
    runtime: Runtime, exception_id: int, *, by: str, note_text: str, action: bool = True
) -> dict[str, Any]:
    """Run the kind's follow-up (unless `action` is false), then close the exception;
    returns what the follow-up did."""
    with runtime.db.session() as session:
        record = session.get(ExceptionRecord, exception_id)
        if record is None:
            raise ResolveError(f"no exception {exception_id}")
        if record.status == ExceptionStatus.RESOLVED:
            raise ResolveError(f"exception {exception_id} is already resolved")
    follow_up = FOLLOW_UPS.get(record.kind)
    outcome: dict[str, Any] = {}
    if follow_up is not None and action:
        try:
            outcome = follow_up(runtime, record, by, note_text)
        except Exception as exc:
            raise ResolveError(f"the follow-up of {record.kind} failed, still open: {exc}") from exc
    with runtime.db.session() as session:
        record = session.get(ExceptionRecord, exception_id)
        assert record is not None
        if record.status != ExceptionStatus.RESOLVED:  # the follow-up may have closed it
            resolve_exception(session, record, by=by, note_text=note_text)
        document_id = int(record.subject_id) if record.subject_type == "document" else None
        interchange_id = int(record.subject_id) if record.subject_type == "interchange" else None
        if outcome:
            note(
                session,
                actor=by,
                kind=f"follow_up:{record.kind}",
                document_id=document_id,
                interchange_id=interchange_id,
                detail=outcome,
            )
        elif follow_up is not None and not action:
            note(
                session,
                actor=by,
                kind=f"follow_up_skipped:{record.kind}",
                document_id=document_id,
                interchange_id=interchange_id,
                detail={"exception_id": exception_id, "note": note_text},
            )
    return outcome
