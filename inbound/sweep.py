"""The periodic sweep: finds work the queues lost or postponed and hands it out again.

Durable state decides: an interchange still `received` long after intake, a document
`queued` that no worker finished, a retry whose "not before" time has come, an invoice
whose batch window closed. Running the sweep twice only re-enqueues idempotent jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gateway.as2 import client as as2_client
from gateway.as2 import receive as as2_receive
from gateway.jobs import job
from gateway.runtime import Runtime
from gateway.store import Document, DocumentState, Interchange
from gateway.store.models import Direction, InterchangeStatus
from outbound import deliver, sla


@job("pipeline.sweep", queue="acks")
def sweep(runtime: Runtime, now_iso: str | None = None) -> dict[str, int]:
    now = datetime.fromisoformat(now_iso) if now_iso else datetime.now(UTC)
    stuck_before = now - timedelta(seconds=runtime.settings.stuck_after_seconds)
    counts = {"interchanges": 0, "documents": 0, "deliveries": 0, "overdue": 0}
    with runtime.db.session() as session:
        interchange_ids = session.scalars(
            select(Interchange.id).where(
                Interchange.direction == Direction.INBOUND,
                Interchange.status == InterchangeStatus.RECEIVED,
                Interchange.updated_at < stuck_before,
            )
        ).all()
        due_documents = session.scalars(
            select(Document.id).where(
                (
                    (Document.state == DocumentState.QUEUED)
                    & (
                        (Document.next_attempt_at.is_(None) & (Document.updated_at < stuck_before))
                        | (Document.next_attempt_at <= now)
                    )
                )
                | ((Document.state == DocumentState.RETRYING) & (Document.next_attempt_at <= now))
            )
        ).all()
        # outbound files not yet taken by their transport (a lost job, or a retry now due;
        # the delivery job itself checks the retry time)
        undelivered = session.scalars(
            select(Interchange.id).where(
                Interchange.direction == Direction.OUTBOUND,
                (
                    (Interchange.status == InterchangeStatus.RENDERED)
                    & (Interchange.updated_at < stuck_before)
                )
                | (Interchange.status == InterchangeStatus.SEND_FAILED),
            )
        ).all()
    for interchange_id in interchange_ids:
        runtime.enqueue("inbound.process_interchange", interchange_id)
    for interchange_id in undelivered:
        runtime.enqueue("outbound.deliver", interchange_id)
    for document_id in due_documents:
        runtime.enqueue("inbound.post_document", document_id)
    counts["interchanges"] = len(interchange_ids)
    counts["documents"] = len(due_documents)
    counts["deliveries"] = len(undelivered)
    counts["overdue"] = sla.mark_overdue(runtime, now)
    # AS2 upkeep: async MDNs we owe partners whose delivery failed, and async MDNs we are
    # owed that are now overdue
    counts["mdns_resent"] = as2_receive.resend_pending_mdns(runtime)
    overdue = as2_client.mark_overdue(runtime, now=now)
    for late in overdue:
        if late.interchange_id is not None:
            deliver.mdn_outcome(
                runtime, late.interchange_id, late.message_id, "no MDN by its due time"
            )
    counts["mdns_overdue"] = len(overdue)
    return counts
