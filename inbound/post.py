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
from typing import Any, cast

from sqlalchemy import select

from gateway import metrics
from gateway.celery_app import MAX_BROKER_COUNTDOWN_S
from gateway.jobs import job
from gateway.odoo.errors import OdooError, ShipmentNotFound
from gateway.odoo.posting import InvoiceItem, PostResult, StatusItem
from gateway.odoo.rules import OdooRules
from gateway.runtime import Runtime
from gateway.store import Document, DocumentState, Interchange, locked
from gateway.store.journal import open_exception, transition
from inbound.process import queue_for
from partner_profiles.schema import PartnerProfile, RetryPolicy
from translators.canonical.models import (
    MODELS,
    CanonicalRecord,
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
    """Post one document, and with it the other due documents of the same type from the same
    interchange (one batch: few Odoo calls). Interpretation queues one such job per batch;
    a job that still comes for a sibling (the sweep, a retry) finds it posted."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    retries: list[tuple[int, float]] = []
    with runtime.db.session() as session:
        doc = locked(session, Document, document_id)
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
        siblings = _due_siblings(session, doc, now)
        more = len(siblings) > BATCH_LIMIT - 1  # the rest go to the next job
        batch = [doc, *siblings[: BATCH_LIMIT - 1]]
        for member in batch:
            member.attempts += 1
        outcomes = _post(runtime, profile, batch, ic, runtime.blobs.read(ic.blob_key))
        for member, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, OdooError):
                wait = _failed(session, member, profile, outcome, now)
                if wait is not None:
                    retries.append((member.id, wait))
            else:
                _posted(session, member, profile, outcome)
        posted = sum(member.state == DocumentState.POSTED for member in batch)
        state, doc_type, received_at = doc.state, doc.doc_type or "?", ic.received_at
        next_batch = siblings[BATCH_LIMIT - 1].id if more else None
    if next_batch is not None:
        runtime.enqueue("inbound.post_document", next_batch, queue=queue_for(profile, doc_type))
    for member_id, wait in retries:
        # a short wait goes back to the broker; a long one waits in the database for the sweep
        runtime.enqueue("inbound.post_document", member_id, countdown=wait)
    if posted:
        metrics.DOCUMENTS.labels(profile.id, doc_type, "posted").inc(posted)
        metrics.STAGE_SECONDS.labels("post").observe(time.perf_counter() - started)
        latency = (datetime.now(UTC) - received_at).total_seconds()
        for _ in range(posted):
            metrics.INTAKE_TO_POSTED_SECONDS.observe(latency)
    return state


BATCH_LIMIT = 50


def _due_siblings(session: Any, doc: Document, now: datetime) -> list[Document]:
    """Other documents of the same type in the same interchange that are due now and not
    being worked on by another job (SKIP LOCKED): up to a batch, plus one to tell whether
    more are waiting."""
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.interchange_id == doc.interchange_id,
                Document.id != doc.id,
                Document.doc_type == doc.doc_type,
                Document.state.in_(POSTABLE),
                (Document.next_attempt_at.is_(None)) | (Document.next_attempt_at <= now),
            )
            .order_by(Document.position)
            .limit(BATCH_LIMIT)
            .with_for_update(skip_locked=True, key_share=True)
        )
    )


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
    runtime: Runtime,
    profile: PartnerProfile,
    batch: list[Document],
    ic: Interchange,
    raw: bytes,
) -> list[PostResult | OdooError]:
    """Post documents of one type from one interchange; one outcome per document."""
    rules = OdooRules.from_profile(profile)
    poster = runtime.odoo
    records = [_record(d) for d in batch]
    statuses = [r for r in records if isinstance(r, ShipmentStatus)]
    invoices = [r for r in records if isinstance(r, FreightInvoice)]
    try:
        if len(statuses) == len(records):
            name = f"{profile.id}-{ic.control_number or ic.id}.edi"
            return poster.post_statuses(
                [StatusItem(r, raw, ic.control_number, name) for r in statuses], rules
            )
        if len(invoices) == len(records):
            return poster.post_invoices(
                [InvoiceItem(r, raw, ic.control_number) for r in invoices], rules
            )
        outcomes: list[PostResult | OdooError] = []
        for record in records:
            if not isinstance(record, TenderResponse):
                outcomes.append(OdooError(f"no Odoo posting rule for a {record.record_type}"))
                continue
            try:
                outcomes.append(poster.post_tender_response(record, rules))
            except OdooError as exc:
                outcomes.append(exc)
        return outcomes
    except OdooError as exc:  # the whole batch failed (e.g. Odoo unreachable)
        return [exc for _ in batch]


def _record(doc: Document) -> CanonicalRecord:
    assert doc.canonical is not None  # only translated documents are queued for posting
    record = MODELS[doc.canonical["record_type"]].model_validate(doc.canonical)
    return cast(CanonicalRecord, record)


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
