"""Posting a translated document into Odoo, with retries, backoff and exceptions.

The document's state decides: a job for a document that is already posted, or whose next
attempt is not due yet, does nothing. Odoo's own external ids make a repeated post find
the record it made the first time, so even a job that ran halfway before a crash cannot
post twice. Transient failures (Odoo down, 5xx, serialisation conflicts) retry with
exponential backoff from the partner's SLA; the wait lives in `next_attempt_at` and the
sweep hands the document out again. After the retry budget, or on an error no retry can
cure, the document becomes an exception a person can fix and replay."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from gateway import metrics
from gateway.celery_app import MAX_BROKER_COUNTDOWN_S
from gateway.jobs import job
from gateway.odoo.errors import OdooError, ShipmentNotFound
from gateway.odoo.posting import PostResult
from gateway.odoo.rules import OdooRules
from gateway.runtime import Runtime
from gateway.store import Document, DocumentState, Interchange
from gateway.store.journal import open_exception, transition
from partner_profiles.schema import PartnerProfile, RetryPolicy
from translators.canonical.models import (
    MODELS,
    FreightInvoice,
    ShipmentStatus,
    TenderResponse,
)

ACTOR = "poster"
POSTABLE = (DocumentState.QUEUED, DocumentState.RETRYING)


def backoff(policy: RetryPolicy, attempts: int) -> timedelta:
    """Delay before attempt `attempts + 1`: first_delay * multiplier^(attempts-1), capped."""
    seconds = policy.first_delay.total_seconds() * policy.multiplier ** max(attempts - 1, 0)
    return min(timedelta(seconds=seconds), policy.max_delay)


@job("inbound.post_document", queue="realtime")
def post_document(runtime: Runtime, document_id: int) -> str:
    started = time.perf_counter()
    now = datetime.now(UTC)
    retry_in: float | None = None
    with runtime.db.session() as session:
        doc = session.scalars(
            select(Document).where(Document.id == document_id).with_for_update(key_share=True)
        ).one_or_none()
        if doc is None or doc.state not in POSTABLE:
            return doc.state if doc else "missing"
        if doc.next_attempt_at is not None and doc.next_attempt_at > now:
            return doc.state  # not due: the sweep brings it back
        ic = session.get(Interchange, doc.interchange_id)
        assert ic is not None
        profile = runtime.profiles.get(ic.partner_id or "")
        if profile is None:
            transition(session, doc, DocumentState.EXCEPTION, actor=ACTOR)
            open_exception(
                session,
                kind="profile_missing",
                subject_type="document",
                subject_id=doc.id,
                partner_id=ic.partner_id,
                document_id=doc.id,
                message=f"partner profile {ic.partner_id!r} is not loaded (removed or broken)",
                next_action="restore the profile, then replay the document",
            )
            return doc.state
        doc.attempts += 1
        try:
            result = _post(runtime, profile, doc, ic, runtime.blobs.read(ic.blob_key))
        except OdooError as exc:
            retry_in = _failed(session, doc, profile, exc, now)
        else:
            _posted(session, doc, profile, result)
        state, doc_type, received_at = doc.state, doc.doc_type or "?", ic.received_at
    if retry_in is not None:
        # a short wait goes back to the broker; a long one waits in the database for the sweep
        runtime.enqueue("inbound.post_document", document_id, countdown=retry_in)
    if state == DocumentState.POSTED:
        metrics.DOCUMENTS.labels(profile.id, doc_type, "posted").inc()
        metrics.STAGE_SECONDS.labels("post").observe(time.perf_counter() - started)
        metrics.INTAKE_TO_POSTED_SECONDS.observe((datetime.now(UTC) - received_at).total_seconds())
    return state


def _posted(session: Any, doc: Document, profile: PartnerProfile, result: PostResult) -> None:
    doc.odoo_model, doc.odoo_id = _main_record(result)
    doc.next_attempt_at = None
    doc.last_error = None
    transition(
        session,
        doc,
        DocumentState.POSTED,
        actor=ACTOR,
        detail={"odoo": result.as_dict(), "attempt": doc.attempts},
    )
    if result.mismatch is None:
        return
    mismatch = result.mismatch.as_dict()
    open_exception(
        session,
        kind="invoice_mismatch",
        subject_type="document",
        subject_id=doc.id,
        partner_id=profile.id,
        document_id=doc.id,
        detail=mismatch,
        message=(
            f"invoice {mismatch['invoice_number']}: {mismatch['reason']}; "
            f"bill {mismatch['bill_id']} kept as draft"
        ),
        next_action="review the bill; resolving the exception posts it",
    )


def _post(
    runtime: Runtime, profile: PartnerProfile, doc: Document, ic: Interchange, raw: bytes
) -> PostResult:
    assert doc.canonical is not None
    model = MODELS[doc.canonical["record_type"]]
    record = model.model_validate(doc.canonical)
    rules = OdooRules.from_profile(profile)
    poster = runtime.odoo
    if isinstance(record, ShipmentStatus):
        return poster.post_status(
            record,
            rules,
            raw=raw,
            interchange=ic.control_number,
            filename=f"{profile.id}-{ic.control_number or ic.id}.edi",
        )
    if isinstance(record, FreightInvoice):
        return poster.post_invoice(record, rules, raw=raw, interchange=ic.control_number)
    if isinstance(record, TenderResponse):
        return poster.post_tender_response(record, rules)
    raise OdooError(f"no Odoo posting rule for a {doc.canonical['record_type']}")


def _main_record(result: PostResult) -> tuple[str | None, int | None]:
    preferred = ("account.move", "stock.picking", "stock.landed.cost")
    for model in preferred:
        for touched in result.records:
            if touched.model == model:
                return touched.model, touched.id
    return (result.records[0].model, result.records[0].id) if result.records else (None, None)


def _failed(
    session: Any, doc: Document, profile: PartnerProfile, exc: OdooError, now: datetime
) -> float | None:
    """Record a failed attempt; returns the countdown when a quick retry is due."""
    doc.last_error = f"{type(exc).__name__}: {exc}"
    policy = _retry_policy(profile, doc.doc_type)
    if exc.retryable and doc.attempts < policy.max_attempts:
        delay = backoff(policy, doc.attempts)
        doc.next_attempt_at = now + delay
        transition(
            session,
            doc,
            DocumentState.RETRYING,
            actor=ACTOR,
            kind="post_failed",
            detail={
                "error": exc.as_dict(),
                "attempt": doc.attempts,
                "next_attempt_at": doc.next_attempt_at.isoformat(),
            },
        )
        metrics.DOCUMENTS.labels(profile.id, doc.doc_type or "?", "failed").inc()
        seconds = delay.total_seconds()
        return seconds if seconds <= MAX_BROKER_COUNTDOWN_S else None
    kind = "unknown_shipment" if isinstance(exc, ShipmentNotFound) else "post_failed"
    transition(
        session,
        doc,
        DocumentState.EXCEPTION,
        actor=ACTOR,
        kind=kind,
        detail={"error": exc.as_dict(), "attempts": doc.attempts},
    )
    open_exception(
        session,
        kind=kind,
        subject_type="document",
        subject_id=doc.id,
        partner_id=profile.id,
        document_id=doc.id,
        message=str(exc),
        detail=exc.as_dict() | {"attempts": doc.attempts},
        next_action=(
            "add a reference rule to the partner profile (or fix the picking), then replay"
            if kind == "unknown_shipment"
            else "fix the cause in Odoo or the profile, then replay the document"
        ),
    )
    metrics.DOCUMENTS.labels(profile.id, doc.doc_type or "?", "exception").inc()
    return None


def _retry_policy(profile: PartnerProfile, doc_type: str | None) -> RetryPolicy:
    sla = profile.sla.get(doc_type or "")
    return sla.retry if sla is not None else RetryPolicy()
