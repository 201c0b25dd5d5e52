"""Intake: the first and only thing a transport does with received bytes.

Store the raw payload durably (blob first, then the `interchange` row and its event, in one
commit), and only then ask for processing. A transport's receipt (AS2 MDN, SFTP close) says
"stored", never "processed". A delivery seen before (same transport and delivery key) is
recorded as a duplicate of the first and not processed again. If the enqueue after the
commit is lost, the stuck-work sweeper finds the `received` row and enqueues it again."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gateway.runtime import Runtime
from gateway.store import BlobRef, Event, Interchange
from gateway.store.models import Direction, InterchangeStatus

log = logging.getLogger(__name__)

PROCESS_TASK = "inbound.process_interchange"


@dataclass(frozen=True)
class IntakeResult:
    interchange_id: int
    blob: BlobRef
    duplicate_of: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    enqueued: bool = False

    @property
    def duplicate(self) -> bool:
        return self.duplicate_of is not None


def _record(
    runtime: Runtime,
    blob: BlobRef,
    transport: str,
    transport_ref: str | None,
    delivery_key: str | None,
    partner_id: str | None,
    meta: dict[str, Any] | None,
    actor: str | None,
) -> tuple[int | None, int]:
    """Insert the interchange row (and its event); returns (first delivery id, new id)."""
    with runtime.db.session() as session:
        first = None
        if delivery_key is not None:
            first = session.scalars(
                select(Interchange.id)
                .where(
                    Interchange.direction == Direction.INBOUND,
                    Interchange.transport == transport,
                    Interchange.delivery_key == delivery_key,
                    Interchange.duplicate_of.is_(None),
                )
                .order_by(Interchange.id)
                .limit(1)
            ).first()
        status = InterchangeStatus.DUPLICATE if first else InterchangeStatus.RECEIVED
        record = Interchange(
            direction=Direction.INBOUND,
            partner_id=partner_id,
            transport=transport,
            transport_ref=transport_ref,
            delivery_key=delivery_key,
            sha256=blob.key,
            size=blob.size,
            blob_key=blob.key,
            status=status,
            duplicate_of=first,
            meta=dict(meta or {}),
        )
        session.add(record)
        session.flush()
        session.add(
            Event(
                actor=actor or f"transport:{transport}",
                kind="duplicate_delivery" if first else "received",
                interchange_id=record.id,
                to_state=status,
                detail={"size": blob.size, "sha256": blob.key, "transport_ref": transport_ref}
                | ({"duplicate_of": first} if first else {}),
            )
        )
        return first, record.id


def take_in(
    runtime: Runtime,
    payload: bytes | Iterable[bytes],
    *,
    transport: str,
    transport_ref: str | None = None,
    delivery_key: str | None = None,
    partner_id: str | None = None,
    meta: dict[str, Any] | None = None,
    actor: str | None = None,
) -> IntakeResult:
    """Store one received payload and record it; enqueue processing unless it is a repeat.

    `payload` may be bytes or an iterable of chunks (streamed to the blob store, never held
    whole). `delivery_key` identifies the delivery for duplicate detection; without one, every
    call is a new delivery."""
    chunks = [payload] if isinstance(payload, bytes) else payload
    blob = runtime.blobs.put_chunks(chunks)
    for _ in range(2):
        try:
            first, interchange_id = _record(
                runtime, blob, transport, transport_ref, delivery_key, partner_id, meta, actor
            )
            break
        except IntegrityError:
            # a concurrent delivery with the same key was recorded first: record this one
            # again, now as its duplicate
            continue
    else:  # pragma: no cover - the second attempt always sees the first row
        raise RuntimeError(f"could not record delivery {delivery_key!r}")
    enqueued = False
    if first is None:
        try:
            runtime.enqueue(PROCESS_TASK, interchange_id)
            enqueued = True
        except Exception:  # the file is stored: the sender gets its receipt all the same
            log.warning("interchange %s stored, enqueue failed; the sweeper will pick it up",
                        interchange_id, exc_info=True)  # fmt: skip
    return IntakeResult(interchange_id, blob, first, dict(meta or {}), enqueued)
