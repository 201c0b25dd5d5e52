"""Acknowledgement SLAs: an outbound interchange that expects an acknowledgement carries a
due time; when it passes with no acknowledgement the interchange turns overdue and an
exception opens. A late acknowledgement still closes both (see outbound/acks.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from gateway.runtime import Runtime
from gateway.store import Interchange
from gateway.store.journal import note, open_exception
from gateway.store.models import AckStatus, Direction


def mark_overdue(runtime: Runtime, now: datetime) -> int:
    """Turn every pending interchange whose ack due time has passed overdue; return how many."""
    with runtime.db.session() as session:
        rows = session.scalars(
            select(Interchange)
            .where(
                Interchange.direction == Direction.OUTBOUND,
                Interchange.ack_status == AckStatus.PENDING,
                Interchange.ack_due_at <= now,
            )
            .with_for_update(skip_locked=True, key_share=True)
        ).all()
        for row in rows:
            row.ack_status = AckStatus.OVERDUE
            note(
                session,
                actor="sla",
                kind="ack_overdue",
                interchange_id=row.id,
                detail={"due": row.ack_due_at.isoformat() if row.ack_due_at else None},
            )
            open_exception(
                session,
                kind="ack_overdue",
                subject_type="interchange",
                subject_id=row.id,
                partner_id=row.partner_id,
                interchange_id=row.id,
                message=(
                    f"no acknowledgement for outbound interchange {row.control_number} "
                    f"to {row.partner_id} (due {row.ack_due_at:%Y-%m-%d %H:%M} UTC)"
                ),
                next_action="ask the partner to resend its 997/999/CONTRL, or resend the file",
            )
        return len(rows)
