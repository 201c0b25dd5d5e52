"""Closing a batch window now (`edigw messages release --partner ID [--type 210]`).

Invoices wait in the database for the profile's `batch_window` (`queued` with a "not before"
time, see `process.route`); the sweep hands them out when the window closes. Finance's batch
run, or an operator who wants them posted now, releases them instead: each held document of
the partner (of one type, when asked) becomes due at once, gets a `batch_window_closed`
event, and is handed to posting on its queue. Retries waiting for their backoff are not
batch holds and are left alone. Should the hand-over be lost, the document is due, so the
sweep takes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from gateway.runtime import Runtime
from gateway.store import Document, DocumentState, Interchange
from gateway.store.journal import note
from gateway.store.models import Direction
from inbound.process import queue_for


class ReleaseError(Exception):
    """Nothing can be released for what was asked (e.g. the partner is not loaded)."""


@dataclass
class Released:
    document_id: int
    interchange_id: int
    doc_type: str
    control_number: str | None
    held_until: datetime
    queue: str


def release_held(
    runtime: Runtime, partner_id: str, *, doc_type: str | None = None, by: str
) -> list[Released]:
    """Make the partner's held documents (of `doc_type`, when given) due now and hand them to
    posting; returns what was released, oldest first (empty when nothing was held)."""
    profile = runtime.profiles.get(partner_id)
    if profile is None:
        raise ReleaseError(f"partner profile {partner_id!r} is not loaded")
    now = datetime.now(UTC)
    released: list[Released] = []
    with runtime.db.session() as session:
        query = (
            select(Document)
            .join(Interchange, Document.interchange_id == Interchange.id)
            .where(
                Interchange.partner_id == partner_id,
                Interchange.direction == Direction.INBOUND,
                Document.state == DocumentState.QUEUED,
                Document.next_attempt_at > now,
            )
            .order_by(Document.id)
            .with_for_update(key_share=True, of=Document)
        )
        if doc_type:
            query = query.where(Document.doc_type == doc_type)
        for doc in session.scalars(query):
            held_until = doc.next_attempt_at
            assert held_until is not None
            kind = doc.doc_type or "?"
            doc.next_attempt_at = now
            queue = queue_for(profile, kind)
            note(
                session,
                actor=by,
                kind="batch_window_closed",
                interchange_id=doc.interchange_id,
                document_id=doc.id,
                detail={"held_until": held_until.isoformat(), "by": by, "queue": queue},
            )
            released.append(
                Released(doc.id, doc.interchange_id, kind, doc.control_number, held_until, queue)
            )
    for item in released:
        runtime.enqueue("inbound.post_document", item.document_id, queue=item.queue)
    return released
