"""State changes with their audit trail: every transition writes an `event` row, and
exceptions are opened and resolved here, so no stage can change state silently."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.store.models import Document, Event, ExceptionRecord, ExceptionStatus, Interchange


def transition(
    session: Session,
    subject: Interchange | Document,
    to_state: str,
    *,
    actor: str,
    kind: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Event:
    """Move an interchange (its `status`) or a document (its `state`) and record the event."""
    if isinstance(subject, Interchange):
        from_state = subject.status
        subject.status = to_state
        interchange_id, document_id = subject.id, None
    else:
        from_state = subject.state
        subject.state = to_state
        interchange_id, document_id = subject.interchange_id, subject.id
    event = Event(
        actor=actor,
        kind=kind or to_state,
        interchange_id=interchange_id,
        document_id=document_id,
        from_state=from_state,
        to_state=to_state,
        detail=detail or {},
    )
    session.add(event)
    return event


def note(
    session: Session,
    *,
    actor: str,
    kind: str,
    interchange_id: int | None = None,
    document_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> Event:
    """An event that is not a state change (an ack sent, an Odoo record touched...)."""
    event = Event(
        actor=actor,
        kind=kind,
        interchange_id=interchange_id,
        document_id=document_id,
        detail=detail or {},
    )
    session.add(event)
    return event


def open_exception(
    session: Session,
    *,
    kind: str,
    subject_type: str,
    subject_id: int | str,
    message: str,
    partner_id: str | None = None,
    detail: dict[str, Any] | None = None,
    next_action: str | None = None,
    interchange_id: int | None = None,
    document_id: int | None = None,
) -> ExceptionRecord:
    """Open an exception, or return the open one of the same kind for the same subject
    (a stage that runs twice must not open two)."""
    existing = session.scalars(
        select(ExceptionRecord).where(
            ExceptionRecord.kind == kind,
            ExceptionRecord.subject_type == subject_type,
            ExceptionRecord.subject_id == str(subject_id),
            ExceptionRecord.status == ExceptionStatus.OPEN,
        )
    ).first()
    if existing is not None:
        return existing
    record = ExceptionRecord(
        kind=kind,
        partner_id=partner_id,
        subject_type=subject_type,
        subject_id=str(subject_id),
        message=message,
        detail=detail or {},
        next_action=next_action,
    )
    session.add(record)
    session.flush()
    note(
        session,
        actor="system",
        kind="exception_opened",
        interchange_id=interchange_id,
        document_id=document_id,
        detail={"exception_id": record.id, "kind": kind, "message": message},
    )
    return record


def resolve_exception(
    session: Session, record: ExceptionRecord, *, by: str, note_text: str
) -> None:
    record.status = ExceptionStatus.RESOLVED
    record.resolved_by = by
    record.resolution_note = note_text
    record.resolved_at = datetime.now(UTC)
    note(
        session,
        actor=by,
        kind="exception_resolved",
        detail={"exception_id": record.id, "kind": record.kind, "note": note_text},
    )
