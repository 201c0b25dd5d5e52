"""The inbound stages after intake, for one stored interchange: envelope and partner
resolution, duplicate detection, validation with the partner's overlay, acknowledgement,
translation, and routing of each document to its posting queue.

The interpretation itself is the onboarding dry-run (`partner_profiles.dryrun.dry_run`): the
gateway does with a live file exactly what `edigw partner test` shows for a sample, and
this module only persists the outcome and hands out the follow-up work. Everything is
decided from the database, so a redelivered job finds the interchange no longer `received`
and does nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import metrics
from gateway.jobs import job
from gateway.runtime import Runtime
from gateway.store import Document, DocumentState, Interchange, locked, next_control_number
from gateway.store.journal import note, open_exception, transition
from gateway.store.models import Acknowledgement, AckStatus, Direction, InterchangeStatus
from outbound.deliver import store_outbound
from partner_profiles.dryrun import FileResult, TransactionResult, dry_run
from partner_profiles.errors import PartnerResolutionError
from partner_profiles.schema import PartnerProfile
from translators import engine
from translators.core.issues import NotEdiError
from translators.core.report import AnalysisReport, InterchangeReport

ACTOR = "inbound"
ACK_TYPES = frozenset({"997", "999", "TA1", "CONTRL", "APERAK"})
FINANCE_TYPES = frozenset({"210", "INVOIC"})


def queue_for(profile: PartnerProfile, doc_type: str) -> str:
    sla = profile.sla.get(doc_type)
    if sla is not None:
        return sla.queue
    return "finance" if doc_type in FINANCE_TYPES else "realtime"


@job("inbound.process_interchange", queue="intake")
def process_interchange(runtime: Runtime, interchange_id: int) -> str:
    """Interpret one received interchange; returns its new status (for logs and tests)."""
    started = time.perf_counter()
    follow_up: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    with runtime.db.session() as session:
        ic = locked(session, Interchange, interchange_id)
        if ic is None or ic.status != InterchangeStatus.RECEIVED:
            return ic.status if ic else "missing"
        data = runtime.blobs.read(ic.blob_key)
        status = _interpret(runtime, session, ic, data, follow_up)
    for name, args, options in follow_up:
        runtime.enqueue(name, *args, **options)
    metrics.STAGE_SECONDS.labels("interpret").observe(time.perf_counter() - started)
    return status


def _interpret(
    runtime: Runtime,
    session: Session,
    ic: Interchange,
    data: bytes,
    follow_up: list[tuple[str, tuple[Any, ...], dict[str, Any]]],
) -> str:
    try:
        report = engine.analyse(data)
    except NotEdiError as exc:
        return _refuse(session, ic, "not_edi", f"not an X12 or EDIFACT file: {exc}")
    except Exception as exc:  # an engine defect on unforeseen input: keep the file, tell someone
        return _refuse(session, ic, "engine_error", f"the EDI engine failed: {exc!r}")
    ic.standard = report.standard
    if not report.interchanges:
        return _refuse(session, ic, "no_interchange", "no interchange found in the file")
    if len(report.interchanges) > 1:
        cuts = engine.interchange_cuts(data, report)
        if cuts:
            return _split(runtime, session, ic, data, cuts, report, follow_up)
    first = report.interchanges[0]
    _record_envelope(ic, report, first)
    profile = _resolve(runtime, session, ic, first)
    if profile is None:
        return ic.status
    ic.partner_id = profile.id
    earlier = _earlier_copy(session, ic)
    if earlier is not None:
        ic.duplicate_of = earlier
        transition(
            session,
            ic,
            InterchangeStatus.DUPLICATE,
            actor=ACTOR,
            kind="duplicate_interchange",
            detail={"control_number": ic.control_number, "first_seen_as": earlier},
        )
        metrics.INTERCHANGES.labels("in", profile.id, "duplicate").inc()
        return ic.status

    ack_number = _ack_control_number(session, profile)
    result = dry_run(profile, data, name=f"interchange {ic.id}", ack_control_number=ack_number)
    transition(
        session,
        ic,
        InterchangeStatus.ENVELOPED,
        actor=ACTOR,
        kind="enveloped",
        detail={
            "partner": profile.id,
            "profile_version": profile_version(runtime, profile.id),
            "interchanges_in_file": len(report.interchanges),
        },
    )
    for finding in result.findings:
        note(
            session,
            actor=ACTOR,
            kind=f"finding:{finding.stage}",
            interchange_id=ic.id,
            detail=finding.to_dict(),
        )
    _store_documents(session, ic, profile, result, follow_up)
    if result.acknowledgement:
        ack_id = _store_acknowledgement(runtime, session, ic, profile, result, ack_number)
        follow_up.append(("outbound.deliver", (ack_id,), {}))
    final = (
        InterchangeStatus.REJECTED
        if result.transactions and all(t.rejected for t in result.transactions)
        else InterchangeStatus.PROCESSED
    )
    transition(session, ic, final, actor=ACTOR)
    metrics.INTERCHANGES.labels("in", profile.id, final).inc()
    return ic.status


def _split(
    runtime: Runtime,
    session: Session,
    ic: Interchange,
    data: bytes,
    cuts: list[int],
    report: AnalysisReport,
    follow_up: FollowUp,
) -> str:
    """A file holding several interchanges becomes one row per interchange, each taken
    through the stages on its own: its own partner, duplicate check by its own control
    number, and acknowledgement. (Judged as one, a resent file whose first interchange was
    seen before would hide the new ones behind it.)"""
    numbers = [i.control_number for i in report.interchanges]
    children = []
    for piece, (start, end) in enumerate(zip([0, *cuts], [*cuts, len(data)], strict=True), 1):
        blob = runtime.blobs.put_bytes(data[start:end])
        child = Interchange(
            direction=Direction.INBOUND,
            partner_id=ic.partner_id,
            transport=ic.transport,
            transport_ref=ic.transport_ref,
            sha256=blob.key,
            size=blob.size,
            blob_key=blob.key,
            status=InterchangeStatus.RECEIVED,
            meta={"split_from": ic.id, "piece": piece, "bytes": [start, end]},
        )
        session.add(child)
        children.append(child)
    session.flush()
    for child in children:
        note(
            session,
            actor=ACTOR,
            kind="received",
            interchange_id=child.id,
            detail={"split_from": ic.id, "piece": child.meta["piece"], "size": child.size},
        )
        follow_up.append(("inbound.process_interchange", (child.id,), {}))
    ic.meta = {**ic.meta, "control_numbers": numbers, "split_into": [c.id for c in children]}
    transition(
        session,
        ic,
        InterchangeStatus.SPLIT,
        actor=ACTOR,
        detail={"interchanges": [c.id for c in children], "control_numbers": numbers},
    )
    return ic.status


def _store_acknowledgement(
    runtime: Runtime,
    session: Session,
    ic: Interchange,
    profile: PartnerProfile,
    result: FileResult,
    control_number: int,
) -> int:
    """Keep the acknowledgement as an outbound interchange of its own, to be delivered over
    the partner's transport like any other file (and found again in its timeline)."""
    assert result.acknowledgement is not None
    verdicts = {t.rejected for t in result.transactions}
    verdict = (
        AckStatus.ACCEPTED
        if verdicts <= {False}
        else AckStatus.REJECTED
        if verdicts == {True}
        else AckStatus.PARTIALLY_ACCEPTED
    )
    ack_type = profile.acknowledgements.send
    out = store_outbound(
        runtime,
        session,
        profile,
        result.acknowledgement,
        control_number=f"{control_number:09d}"
        if profile.standard == "x12"
        else str(control_number),
        meta={"acknowledges": ic.id, "ack_type": ack_type},
    )
    session.add(
        Acknowledgement(
            direction=Direction.OUTBOUND,
            ack_type=ack_type,
            interchange_id=out.id,
            acked_interchange_id=ic.id,
            acked_control_number=ic.control_number,
            status=verdict,
        )
    )
    note(
        session,
        actor=ACTOR,
        kind="acknowledgement_rendered",
        interchange_id=ic.id,
        detail={"ack_type": ack_type, "ack_interchange": out.id, "status": verdict},
    )
    return out.id


def _refuse(session: Session, ic: Interchange, kind: str, message: str) -> str:
    transition(
        session, ic, InterchangeStatus.FAILED, actor=ACTOR, kind=kind, detail={"message": message}
    )
    open_exception(
        session,
        kind=kind,
        subject_type="interchange",
        subject_id=ic.id,
        message=message,
        partner_id=ic.partner_id,
        interchange_id=ic.id,
        next_action="check the file with `edigw translate`; the raw file is kept",
    )
    return ic.status


def _record_envelope(ic: Interchange, report: AnalysisReport, first: InterchangeReport) -> None:
    ic.sender_id = (first.sender_id or "").strip() or None
    ic.receiver_id = (first.receiver_id or "").strip() or None
    ic.control_number = (first.control_number or "").strip() or None
    if len(report.interchanges) > 1:
        ic.meta = {
            **ic.meta,
            "control_numbers": [i.control_number for i in report.interchanges],
        }


def _group_sender(first: InterchangeReport) -> str | None:
    return next((g.sender_id for g in first.groups if g.sender_id and not g.implicit), None)


def _resolve(
    runtime: Runtime, session: Session, ic: Interchange, first: InterchangeReport
) -> PartnerProfile | None:
    try:
        return runtime.profiles.resolve(
            first.standard, first.sender_id, first.sender_qualifier, _group_sender(first)
        )
    except PartnerResolutionError as exc:
        transition(
            session,
            ic,
            InterchangeStatus.UNKNOWN_PARTNER,
            actor=ACTOR,
            kind="unknown_partner",
            detail={"sender": exc.sender, "message": str(exc)},
        )
        open_exception(
            session,
            kind="unknown_partner",
            subject_type="interchange",
            subject_id=ic.id,
            message=str(exc),
            detail={"sender": exc.sender, "standard": exc.standard},
            interchange_id=ic.id,
            next_action="fix the envelope ids in the partner profile, then replay the interchange",
        )
        return None


def _earlier_copy(session: Session, ic: Interchange) -> int | None:
    """The first interchange from this partner with the same control number, if any."""
    if not ic.control_number:
        return None
    return session.scalars(
        select(Interchange.id)
        .where(
            Interchange.direction == Direction.INBOUND,
            Interchange.partner_id == ic.partner_id,
            Interchange.control_number == ic.control_number,
            Interchange.id != ic.id,
            Interchange.duplicate_of.is_(None),
            Interchange.status.in_(
                (
                    InterchangeStatus.ENVELOPED,
                    InterchangeStatus.PROCESSED,
                    InterchangeStatus.REJECTED,
                )
            ),
        )
        .order_by(Interchange.id)
        .limit(1)
    ).first()


def _ack_control_number(session: Session, profile: PartnerProfile) -> int:
    kind = "isa" if profile.standard == "x12" else "unb"
    return next_control_number(session, profile.id, kind)


def profile_version(runtime: Runtime, partner_id: str) -> int | None:
    """The version number of the profile being served (recorded on interchange events)."""
    served = runtime.profiles.served(partner_id)
    return served.version if served else None


FollowUp = list[tuple[str, tuple[Any, ...], dict[str, Any]]]


def new_document(
    ic: Interchange,
    position: int,
    tx: TransactionResult,
    findings: list[Any],
    replay_of: int | None = None,
) -> Document:
    """The row for one interpreted transaction, before any state change."""
    return Document(
        interchange_id=ic.id,
        position=position,
        group_control_number=tx.group,
        doc_type=tx.type,
        version=tx.version,
        control_number=tx.control_number,
        state=DocumentState.RECEIVED,
        validation_errors=[i.to_dict() for i in tx.report.issues] + [f.to_dict() for f in findings],
        canonical=tx.canonical,
        replay_of=replay_of,
    )


def route(
    session: Session,
    doc: Document,
    profile: PartnerProfile,
    tx: TransactionResult,
    rejected: bool,
    findings: list[Any],
    follow_up: FollowUp,
    *,
    actor: str = ACTOR,
    hold: bool = True,
) -> None:
    """Take a stored document through its states to where it waits for work: rejected,
    untranslated, queued for reconciliation (acknowledgements) or for posting on its queue.
    With `hold`, an invoice waits for the profile's batch window (a replay goes at once)."""
    doc_type = tx.type or "?"
    metrics.DOCUMENTS.labels(profile.id, doc_type, "received").inc()
    if rejected:
        transition(
            session,
            doc,
            DocumentState.REJECTED,
            actor=actor,
            detail={"reason": _reason(tx, findings)},
        )
        metrics.DOCUMENTS.labels(profile.id, doc_type, "rejected").inc()
        return
    transition(session, doc, DocumentState.VALIDATED, actor=actor)
    if tx.canonical is None:
        note(
            session,
            actor=actor,
            kind="not_translated",
            document_id=doc.id,
            detail={"type": doc_type, "why": "no map for this type"},
        )
        return
    transition(session, doc, DocumentState.TRANSLATED, actor=actor)
    if doc_type in ACK_TYPES:
        transition(session, doc, DocumentState.QUEUED, actor=actor, kind="routed:acks")
        follow_up.append(("outbound.reconcile_acknowledgement", (doc.id,), {}))
        return
    queue = queue_for(profile, doc_type)
    sla = profile.sla.get(doc_type)
    if hold and sla is not None and sla.batch_window:
        # held in the database until the window closes; the sweep hands it out then
        doc.next_attempt_at = datetime.now(UTC) + sla.batch_window
        transition(
            session,
            doc,
            DocumentState.QUEUED,
            actor=actor,
            kind=f"routed:{queue}",
            detail={"held_until": doc.next_attempt_at.isoformat()},
        )
        return
    transition(session, doc, DocumentState.QUEUED, actor=actor, kind=f"routed:{queue}")
    follow_up.append(("inbound.post_document", (doc.id,), {"queue": queue}))


def _store_documents(
    session: Session,
    ic: Interchange,
    profile: PartnerProfile,
    result: FileResult,
    follow_up: FollowUp,
) -> None:
    # all rows in one batched insert, then their transitions (events in one batch too)
    rows = []
    for position, tx in enumerate(result.transactions):
        rejected, findings = result.verdict(tx)
        rows.append((new_document(ic, position, tx, findings), tx, rejected, findings))
    session.add_all([doc for doc, *_ in rows])
    session.flush()
    routed: FollowUp = []
    for doc, tx, rejected, findings in rows:
        route(session, doc, profile, tx, rejected, findings, routed)
    follow_up.extend(_one_post_job_per_batch(routed, {doc.id: doc for doc, *_ in rows}))


def _one_post_job_per_batch(routed: FollowUp, docs: dict[int, Document]) -> FollowUp:
    """A posting job takes every due document of its type from its interchange along
    (`inbound.post.post_document`), so one job per type and queue is enough; the others
    would only find their documents posted."""
    seen: set[tuple[str | None, Any]] = set()
    kept: FollowUp = []
    for name, args, options in routed:
        if name == "inbound.post_document":
            key = (docs[args[0]].doc_type, options.get("queue"))
            if key in seen:
                continue
            seen.add(key)
        kept.append((name, args, options))
    return kept


def _reason(tx: TransactionResult, findings: list[Any]) -> str:
    return tx.summary() or next((f.message for f in findings), "rejected")
