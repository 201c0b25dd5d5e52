"""Submitting outbound documents and delivering outbound interchanges.

`submit` renders canonical records for a partner (control numbers from its counters),
stores the interchange and its documents, and enqueues delivery. `deliver` sends a stored
interchange over the partner's outbound transport (AS2, its hosted SFTP mailbox, or its
own SFTP server), records the receipt and, when the partner is expected to acknowledge,
the due time the SLA sweep watches. Failed deliveries retry with backoff; then they
become an exception (`edigw messages resend`, outbound/resend.py, sends it again now). A
redelivered job finds the interchange already sent and stops."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.jobs import job
from gateway.partners import remote_config
from gateway.runtime import Runtime
from gateway.sftp.errors import SftpError
from gateway.store import Document, DocumentState, ExceptionRecord, Interchange, locked
from gateway.store.journal import note, open_exception, resolve_exception, transition
from gateway.store.models import AckStatus, Direction, ExceptionStatus, InterchangeStatus
from outbound.render import render
from partner_profiles.schema import PartnerProfile
from translators.canonical.models import CanonicalRecord

ACTOR = "outbound"
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)


class DeliveryError(Exception):
    """The transport did not take the file (retried)."""


def store_outbound(
    runtime: Runtime,
    session: Session,
    profile: PartnerProfile,
    data: bytes,
    *,
    control_number: str,
    meta: dict[str, object],
    transport_ref: str | None = None,
) -> Interchange:
    """Keep an outbound file (a rendered document or an acknowledgement) as an interchange
    `rendered` for the partner's outbound transport; `deliver` takes it from there."""
    blob = runtime.blobs.put_bytes(data)
    ic = Interchange(
        direction=Direction.OUTBOUND,
        partner_id=profile.id,
        standard=profile.standard,
        transport=profile.transports.outbound_transport() or "none",
        transport_ref=transport_ref,
        control_number=control_number,
        sha256=blob.key,
        size=blob.size,
        blob_key=blob.key,
        status=InterchangeStatus.RENDERED,
        meta=meta,
    )
    session.add(ic)
    session.flush()
    return ic


def submit(
    runtime: Runtime,
    profile: PartnerProfile,
    records: Sequence[CanonicalRecord],
    *,
    source: str = "api",
    transport_ref: str | None = None,
) -> int:
    """Render and store one outbound interchange for `records`; returns its id."""
    with runtime.db.session() as session:
        rendered = render(session, profile, records)
        ic = store_outbound(
            runtime,
            session,
            profile,
            rendered.data,
            control_number=rendered.control_number,
            transport_ref=transport_ref,
            meta={"group_control_number": rendered.group_control_number, "source": source},
        )
        note(
            session,
            actor=source,
            kind="rendered",
            interchange_id=ic.id,
            detail={"version": rendered.version, "documents": len(rendered.documents)},
        )
        for position, doc in enumerate(rendered.documents):
            session.add(
                Document(
                    interchange_id=ic.id,
                    position=position,
                    group_control_number=rendered.group_control_number,
                    doc_type=doc.doc_type,
                    version=rendered.version,
                    control_number=doc.control_number,
                    state=DocumentState.RENDERED,
                    canonical=doc.canonical,
                )
            )
        interchange_id = ic.id
    runtime.enqueue("outbound.deliver", interchange_id)
    return interchange_id


def _file_name(ic: Interchange) -> str:
    extension = "x12" if ic.standard == "x12" else "edi"
    kind = "ack" if ic.meta.get("acknowledges") else "out"
    return f"{ic.partner_id}_{kind}_{ic.control_number or ic.id}_{ic.id}.{extension}"


def _send(
    runtime: Runtime, profile: PartnerProfile, ic: Interchange, data: bytes
) -> dict[str, object]:
    """Hand the file to the partner's outbound transport; returns what the receipt says."""
    transport = profile.transports.outbound_transport()
    name = _file_name(ic)
    if transport == "as2":
        from gateway.as2.client import send as as2_send

        config = runtime.as2_partners.get(profile.id)
        if config is None:
            problem = runtime.as2_partners.problems.get(profile.id)
            raise DeliveryError(problem or f"partner {profile.id} has no AS2 configuration")
        # linked to the interchange, so its MDN (an async one too) is in its story
        result = as2_send(runtime, config, data, name, interchange_id=ic.id)
        if not result.ok and result.status != "awaiting_mdn":
            raise DeliveryError(f"AS2 {result.status}: {result.error or 'no detail'}")
        return {"transport": "as2", "message_id": result.message_id, "status": result.status}
    if transport == "sftp_mailbox":
        from gateway.sftp.server import deliver_to_mailbox

        try:
            path = deliver_to_mailbox(runtime, profile.id, name, data, interchange_id=ic.id)
        except SftpError as exc:  # e.g. another file already waits under that name
            raise DeliveryError(str(exc)) from exc
        return {"transport": "sftp_mailbox", "path": str(path.name)}
    if transport == "sftp_remote":
        from gateway.sftp.poller import push_file

        remote = remote_config(profile)
        assert remote is not None
        try:
            pushed = push_file(runtime, remote, name, data, interchange_id=ic.id)
        except SftpError as exc:
            raise DeliveryError(str(exc)) from exc
        return {"transport": "sftp_remote", "path": pushed.remote_path}
    raise DeliveryError(f"partner {profile.id} has no outbound transport configured")


@job("outbound.deliver", queue="outbound")
def deliver(runtime: Runtime, interchange_id: int, *, claimed: bool = False) -> str:
    """Send one stored interchange when it is due. `claimed`: an operator's resend, which
    holds the retry time in the future so that no queued job sends it meanwhile, sends it
    anyway (outbound/resend.py); queued jobs never pass it."""
    now = datetime.now(UTC)
    with runtime.db.session() as session:
        ic = locked(session, Interchange, interchange_id)
        if ic is None or ic.direction != Direction.OUTBOUND:
            return "missing"
        if ic.status not in (InterchangeStatus.RENDERED, InterchangeStatus.SEND_FAILED):
            return ic.status
        due = ic.meta.get("next_attempt_at")
        if due and datetime.fromisoformat(due) > now and not claimed:
            return ic.status
        profile = runtime.profiles.get(ic.partner_id or "")
        attempts = int(ic.meta.get("attempts", 0)) + 1
        ic.meta = {**ic.meta, "attempts": attempts}
        try:
            if profile is None:
                raise DeliveryError(f"partner profile {ic.partner_id!r} is not loaded")
            receipt = _send(runtime, profile, ic, runtime.blobs.read(ic.blob_key))
        except Exception as exc:  # any transport failure: keep the file, retry, then escalate
            _delivery_failed(session, ic, exc, attempts, now)
            return ic.status
        _delivered(session, ic, profile, receipt, now)
        if not claimed:  # an operator's resend closes them itself, with the operator's note
            close_delivery_exceptions(session, ic.id, by=ACTOR, why="delivered by a retry")
        return ic.status


def mdn_outcome(runtime: Runtime, interchange_id: int, message_id: str, problem: str | None) -> str:
    """What an async MDN (or its absence past the due time) says of a file we sent: a
    refusal or a missing MDN turns the interchange `failed` with a `send_failed` exception
    (resolving it, or `edigw messages resend`, sends the file again). Only the latest
    attempt counts: an MDN for an earlier message of a file sent again changes nothing."""
    with runtime.db.session() as session:
        ic = locked(session, Interchange, interchange_id)
        if ic is None or ic.direction != Direction.OUTBOUND:
            return "missing"
        if problem is None or ic.status != InterchangeStatus.SENT:
            return ic.status
        if ic.meta.get("message_id") != message_id:
            return ic.status
        _give_up(
            session,
            ic,
            f"AS2 message {message_id}: {problem}",
            f"the partner did not confirm delivery: {problem}",
            {"message_id": message_id},
            "check with the partner or fix the cause",
        )
        return ic.status


def _delivered(
    session: Session,
    ic: Interchange,
    profile: PartnerProfile,
    receipt: dict[str, object],
    now: datetime,
) -> None:
    is_ack = bool(ic.meta.get("acknowledges"))
    expected = profile.acknowledgements.expect
    if not is_ack and expected != "none":
        ic.ack_status = AckStatus.PENDING
        within = profile.acknowledgements.expect_within
        ic.ack_due_at = now + within if within else None
    ic.meta = {k: v for k, v in ic.meta.items() if k != "next_attempt_at"}
    if receipt.get("message_id"):
        ic.meta = {**ic.meta, "message_id": receipt["message_id"]}  # whose MDN counts
    transition(
        session,
        ic,
        InterchangeStatus.SENT,
        actor=ACTOR,
        kind="sent",
        detail={
            **receipt,
            "ack_expected": None if is_ack else expected,
            "ack_due_at": ic.ack_due_at.isoformat() if ic.ack_due_at else None,
        },
    )
    for doc in ic.documents:
        if doc.state == DocumentState.RENDERED:
            transition(session, doc, DocumentState.SENT, actor=ACTOR)


def _delivery_failed(
    session: Session, ic: Interchange, exc: Exception, attempts: int, now: datetime
) -> None:
    error = f"{type(exc).__name__}: {exc}"
    if attempts < MAX_ATTEMPTS:
        wait = FIRST_RETRY * 2 ** (attempts - 1)
        ic.meta = {**ic.meta, "next_attempt_at": (now + wait).isoformat(), "last_error": error}
        transition(
            session,
            ic,
            InterchangeStatus.SEND_FAILED,
            actor=ACTOR,
            kind="send_failed",
            detail={"error": error, "attempt": attempts, "retry_at": (now + wait).isoformat()},
        )
        return
    ic.meta = {**ic.meta, "next_attempt_at": None}
    _give_up(
        session,
        ic,
        error,
        f"could not deliver: {error}",
        {"attempts": attempts},
        "fix the transport settings or the partner's endpoint",
    )


def close_delivery_exceptions(
    session: Session, interchange_id: int, *, by: str, why: str
) -> list[int]:
    """Resolve the open `send_failed` exceptions of an interchange that got through."""
    closed = []
    for record in session.scalars(
        select(ExceptionRecord).where(
            ExceptionRecord.kind == "send_failed",
            ExceptionRecord.subject_type == "interchange",
            ExceptionRecord.subject_id == str(interchange_id),
            ExceptionRecord.status == ExceptionStatus.OPEN,
        )
    ):
        resolve_exception(session, record, by=by, note_text=why)
        closed.append(record.id)
    return closed


def _give_up(
    session: Session,
    ic: Interchange,
    error: str,
    message: str,
    detail: dict[str, object],
    first: str,
) -> None:
    """No more automatic attempts: the interchange turns `failed` and a person gets a
    `send_failed` exception (resolving it, or `edigw messages resend`, sends it again)."""
    ic.meta = {**ic.meta, "last_error": error}
    transition(
        session,
        ic,
        InterchangeStatus.FAILED,
        actor=ACTOR,
        kind="send_failed",
        detail={"error": error, **detail},
    )
    open_exception(
        session,
        kind="send_failed",
        subject_type="interchange",
        subject_id=ic.id,
        partner_id=ic.partner_id,
        interchange_id=ic.id,
        message=message,
        detail=detail,
        next_action=(
            f"{first}, then send it again now with `edigw messages resend {ic.id}` "
            "(or resolve this exception, which does the same)"
        ),
    )
