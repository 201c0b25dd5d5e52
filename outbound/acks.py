"""Matching inbound acknowledgements (997/999/TA1/CONTRL/APERAK) to what we sent.

An acknowledgement names the interchange (TA1-01, UCI 0020) or the group (AK1-02, UCF
0048) it answers, and often each transaction. The outbound interchange takes the verdict
(accepted, partially accepted, rejected), each acknowledged outbound document turns
accepted or rejected, a rejection opens an exception with the partner's error codes, and
an acknowledgement that arrives after the due time still closes the overdue exception."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.jobs import job
from gateway.runtime import Runtime
from gateway.store import (
    Acknowledgement,
    Document,
    DocumentState,
    ExceptionRecord,
    Interchange,
    locked,
)
from gateway.store.journal import note, open_exception, resolve_exception, transition
from gateway.store.models import AckStatus, Direction, ExceptionStatus
from translators.canonical.models import FunctionalAck
from translators.canonical.vocab import AckStatus as Verdict

ACTOR = "acks"

VERDICT_TO_STATUS = {
    Verdict.ACCEPTED: AckStatus.ACCEPTED,
    Verdict.ACCEPTED_WITH_ERRORS: AckStatus.ACCEPTED,
    Verdict.RECEIVED: AckStatus.ACCEPTED,
    Verdict.PARTIALLY_ACCEPTED: AckStatus.PARTIALLY_ACCEPTED,
    Verdict.REJECTED: AckStatus.REJECTED,
}


def _same_number(a: str | None, b: str | None) -> bool:
    """Control numbers compare numerically when both are digits (000000042 == 42)."""
    a, b = (a or "").strip(), (b or "").strip()
    if a.isdecimal() and b.isdecimal():
        return int(a) == int(b)
    return bool(a) and a == b


def find_acknowledged(
    session: Session, partner_id: str | None, ack: FunctionalAck
) -> Interchange | None:
    """The outbound interchange an acknowledgement answers, newest first."""
    candidates = session.scalars(
        select(Interchange)
        .where(Interchange.direction == Direction.OUTBOUND, Interchange.partner_id == partner_id)
        .order_by(Interchange.id.desc())
        .limit(500)
    ).all()
    if ack.interchange_control_number:
        for candidate in candidates:
            if _same_number(candidate.control_number, ack.interchange_control_number):
                return candidate
    if ack.group_control_number:
        for candidate in candidates:
            if _same_number(candidate.meta.get("group_control_number"), ack.group_control_number):
                return candidate
    return None


@job("outbound.reconcile_acknowledgement", queue="acks")
def reconcile(runtime: Runtime, document_id: int) -> str:
    with runtime.db.session() as session:
        doc = locked(session, Document, document_id)
        if doc is None or doc.state != DocumentState.QUEUED or doc.canonical is None:
            return doc.state if doc else "missing"
        inbound = session.get(Interchange, doc.interchange_id)
        assert inbound is not None
        ack = FunctionalAck.model_validate(doc.canonical)
        target = find_acknowledged(session, inbound.partner_id, ack)
        if target is None:
            transition(session, doc, DocumentState.EXCEPTION, actor=ACTOR, kind="ack_unmatched")
            open_exception(
                session,
                kind="ack_unmatched",
                subject_type="document",
                subject_id=doc.id,
                partner_id=inbound.partner_id,
                document_id=doc.id,
                message=(
                    f"{ack.ack_type} for interchange {ack.interchange_control_number or '-'} "
                    f"group {ack.group_control_number or '-'} matches nothing we sent"
                ),
                next_action="check the partner's control numbers; resolve when understood",
            )
            return doc.state
        status = VERDICT_TO_STATUS.get(ack.status, AckStatus.ACCEPTED)
        _apply(session, doc, inbound, target, ack, status)
        transition(
            session,
            doc,
            DocumentState.POSTED,
            actor=ACTOR,
            kind="ack_reconciled",
            detail={"acknowledges": target.id, "status": status},
        )
        return doc.state


def _apply(
    session: Session,
    doc: Document,
    inbound: Interchange,
    target: Interchange,
    ack: FunctionalAck,
    status: AckStatus,
) -> None:
    was_overdue = target.ack_status == AckStatus.OVERDUE
    target.ack_status = status
    errors = [e.model_dump(mode="json", exclude_none=True) for e in ack.errors]
    session.add(
        Acknowledgement(
            direction=Direction.INBOUND,
            ack_type=ack.ack_type,
            interchange_id=inbound.id,
            acked_interchange_id=target.id,
            acked_control_number=ack.interchange_control_number or target.control_number,
            acked_group_control_number=ack.group_control_number,
            status=status,
            detail={"document": doc.id, "status_code": ack.status_code, "errors": errors},
        )
    )
    note(
        session,
        actor=ACTOR,
        kind=f"acknowledged:{status}",
        interchange_id=target.id,
        detail={"by": ack.ack_type, "inbound_interchange": inbound.id, "late": was_overdue},
    )
    rejected: list[dict[str, Any]] = []
    outbound_docs = {d.control_number: d for d in target.documents}
    for acked in ack.transactions:
        match = next(
            (d for n, d in outbound_docs.items() if _same_number(n, acked.control_number)), None
        )
        verdict = VERDICT_TO_STATUS.get(acked.status, AckStatus.ACCEPTED)
        if match is not None:
            state = (
                DocumentState.REJECTED if verdict == AckStatus.REJECTED else DocumentState.ACCEPTED
            )
            transition(session, match, state, actor=ACTOR, detail={"by": ack.ack_type})
        if verdict == AckStatus.REJECTED:
            rejected.append(
                {
                    "control_number": acked.control_number,
                    "type": acked.type,
                    "code": acked.status_code,
                    "errors": [e.model_dump(mode="json", exclude_none=True) for e in acked.errors],
                }
            )
    if not ack.transactions and status != AckStatus.REJECTED:
        for outbound_doc in target.documents:
            if outbound_doc.state == DocumentState.SENT:
                transition(session, outbound_doc, DocumentState.ACCEPTED, actor=ACTOR)
    if status in (AckStatus.REJECTED, AckStatus.PARTIALLY_ACCEPTED):
        open_exception(
            session,
            kind="ack_rejected",
            subject_type="interchange",
            subject_id=target.id,
            partner_id=target.partner_id,
            interchange_id=target.id,
            detail={"ack_type": ack.ack_type, "transactions": rejected, "errors": errors},
            message=(
                f"{target.partner_id} {status.replace('_', ' ')} interchange "
                f"{target.control_number} ({len(rejected)} transaction(s) rejected)"
            ),
            next_action="correct the rejected documents and send them again",
        )
    if was_overdue:
        for exc in session.scalars(
            select(ExceptionRecord).where(
                ExceptionRecord.kind == "ack_overdue",
                ExceptionRecord.subject_type == "interchange",
                ExceptionRecord.subject_id == str(target.id),
                ExceptionRecord.status == ExceptionStatus.OPEN,
            )
        ):
            resolve_exception(
                session, exc, by=ACTOR, note_text=f"late {ack.ack_type} received: {status}"
            )
