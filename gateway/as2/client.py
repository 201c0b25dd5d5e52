"""Send AS2 messages to partners and check what comes back: POST with retries and backoff
(same Message-ID on every retry, so the partner can recognise a repeat), verify the MDN's
signature and MIC, or wait for the async MDN until the partner's SLA runs out."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from gateway.as2 import cms, metrics
from gateway.as2.build import SpooledMessage, build_spooled
from gateway.as2.config import As2Directory, PartnerAs2Config
from gateway.as2.errors import As2Error, MalformedMessage, ReceiveError
from gateway.as2.mdn import ParsedMdn, parse_mdn, unquote_id
from gateway.as2.mime import Entity, Span, headers_from_mapping, render_headers
from gateway.runtime import Runtime
from gateway.store.models import Direction, TransportReceipt

log = logging.getLogger(__name__)

TRANSPORT = "as2"
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass
class SendResult:
    message_id: str
    # delivered: MDN verified, processed, MIC matches | sent: no MDN asked for |
    # awaiting_mdn: async MDN not yet here | mdn_overdue: async MDN missed its SLA |
    # failed: the MDN reports a failure or does not prove delivery | send_failed: not sent
    status: str
    mic: str
    mic_algorithm: str
    attempts: int = 0
    http_status: int | None = None
    mdn: ParsedMdn | None = None
    error: str | None = None
    receipt_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("delivered", "sent")

    def as_dict(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "status": self.status,
            "ok": self.ok,
            "mic": self.mic,
            "mic_algorithm": cms.micalg_name(self.mic_algorithm),
            "attempts": self.attempts,
            "http_status": self.http_status,
            "error": self.error,
            "mdn": self.mdn.as_dict() if self.mdn else None,
        }


def evaluate_mdn(
    mdn: ParsedMdn, message_id: str, mics: dict[str, str], mic_due: bool
) -> str | None:
    """Why an MDN does not prove delivery, or None when it does."""
    if mdn.original_message_id and mdn.original_message_id.strip() != message_id:
        return f"MDN answers {mdn.original_message_id}, not {message_id}"
    if not mdn.processed_ok:
        return f"partner reports: {mdn.disposition}"
    if mdn.mic is None:
        return "MDN carries no Received-Content-MIC" if mic_due else None
    try:
        algorithm = cms.normalise_digest_name(mdn.mic_algorithm or "")
    except MalformedMessage:
        return f"MDN MIC algorithm {mdn.mic_algorithm!r} is not supported"
    expected = mics.get(algorithm)
    if expected is None or expected != mdn.mic:
        return f"MIC mismatch: MDN says {mdn.mic} ({mdn.mic_algorithm}), we sent {expected}"
    return None


def mic_matches(mdn: ParsedMdn, mics: dict[str, str]) -> bool | None:
    """Whether the MIC the MDN returns is the one we computed (None: it returns none)."""
    if mdn.mic is None:
        return None
    try:
        algorithm = cms.normalise_digest_name(mdn.mic_algorithm or "")
    except MalformedMessage:
        return False
    return mics.get(algorithm) == mdn.mic


def send(
    runtime: Runtime,
    config: PartnerAs2Config,
    payload: bytes | Iterable[bytes],
    filename: str | None = None,
    *,
    message_id: str | None = None,
    subject: str | None = None,
    wait_for_async_mdn: bool = False,
    http_client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    interchange_id: int | None = None,
) -> SendResult:
    """Build, store, POST (with retries) one message to `config.url`, and check the MDN.
    `payload` may be bytes or an iterable of chunks (a large file is never held whole).
    `interchange_id`: the stored outbound interchange this message carries; its receipts
    (the message and the partner's MDN, an async one too) are linked to it, so they are
    part of its story. Without it (`edigw as2 send`) they stand alone."""
    if not config.url:
        raise As2Error(f"partner {config.partner_id} has no AS2 URL to send to")
    workdir = runtime.settings.var_dir / "as2-spool"
    workdir.mkdir(parents=True, exist_ok=True)
    message = build_spooled(
        config, payload, filename, message_id=message_id, subject=subject, workdir=workdir
    )
    try:
        return _send_built(
            runtime, config, message, filename, wait_for_async_mdn, http_client, sleep,
            interchange_id,
        )  # fmt: skip
    finally:
        message.close()


def _send_built(
    runtime: Runtime,
    config: PartnerAs2Config,
    message: SpooledMessage,
    filename: str | None,
    wait_for_async_mdn: bool,
    http_client: httpx.Client | None,
    sleep: Callable[[float], None],
    interchange_id: int | None,
) -> SendResult:
    head = render_headers(message.headers) + b"\r\n"
    blob = runtime.blobs.put_chunks(itertools.chain([head], message.body.chunks()))
    due = (
        datetime.now(UTC) + timedelta(seconds=config.mdn_timeout_seconds)
        if config.mdn_mode == "async"
        else None
    )
    with runtime.db.session() as session:
        receipt = TransportReceipt(
            interchange_id=interchange_id,
            transport=TRANSPORT,
            kind="message",
            direction=Direction.OUTBOUND,
            message_id=message.message_id,
            blob_key=blob.key,
            signed=message.signed,
            mic=message.mic,
            mic_algorithm=message.mic_algorithm,
            detail={
                "status": "sending",
                "partner_id": config.partner_id,
                "as2_from": config.our_as2_id,
                "as2_to": config.partner_as2_id,
                "url": config.url,
                "filename": filename,
                "mdn_mode": config.mdn_mode,
                "mdn_signed": config.mdn_signed,
                "mics": message.mics,
                "mdn_due_at": due.isoformat() if due else None,
            },
        )
        session.add(receipt)
        session.flush()
        receipt_id = receipt.id
    result = SendResult(message.message_id, "sending", message.mic, message.mic_algorithm)
    result.receipt_id = receipt_id
    own_client = http_client is None
    client = http_client or httpx.Client(timeout=config.http_timeout_seconds)
    try:
        response = _post_with_retries(client, config, message, result, sleep)
    finally:
        if own_client:
            client.close()
    if response is None:
        _finish(runtime, receipt_id, result)
        return result
    result.http_status = response.status_code
    if config.mdn_mode == "async":
        if response.status_code >= 300:
            result.status, result.error = "send_failed", f"HTTP {response.status_code}"
        else:
            result.status = "awaiting_mdn"
        _finish(runtime, receipt_id, result)
        if wait_for_async_mdn and result.status == "awaiting_mdn":
            return wait_for_mdn(runtime, message.message_id, sleep=sleep)
        return result
    if config.mdn_mode == "none":
        ok = response.status_code < 300
        result.status = "sent" if ok else "send_failed"
        result.error = None if ok else f"HTTP {response.status_code}"
        _finish(runtime, receipt_id, result)
        return result
    # sync MDN in the response body
    response_headers = list(response.headers.multi_items())
    try:
        mdn = _parse_response_mdn(response_headers, response.content, config)
    except (ReceiveError, MalformedMessage) as exc:
        result.status = "failed"
        result.error = f"MDN not acceptable (HTTP {response.status_code}): {exc}"
        _store_mdn(
            runtime, result, response_headers, response.content, None, config,
            message.mics, interchange_id,
        )  # fmt: skip
        _finish(runtime, receipt_id, result)
        return result
    result.mdn = mdn
    problem = evaluate_mdn(mdn, message.message_id, message.mics, _mic_due(config))
    result.status = "failed" if problem else "delivered"
    result.error = problem
    _store_mdn(
        runtime, result, response_headers, response.content, mdn, config,
        message.mics, interchange_id,
    )  # fmt: skip
    _finish(runtime, receipt_id, result)
    return result


def _mic_due(config: PartnerAs2Config) -> bool:
    # a signed receipt for a signed message must say what it received (RFC 4130 7.3.1)
    return config.mdn_signed or config.sign


def _post_with_retries(
    client: httpx.Client,
    config: PartnerAs2Config,
    message: SpooledMessage,
    result: SendResult,
    sleep: Callable[[float], None],
) -> httpx.Response | None:
    assert config.url
    last_error = "not attempted"
    for attempt in range(max(1, config.send_attempts)):
        result.attempts = attempt + 1
        try:
            # streamed from the spool with its length, not chunked: AS2 servers expect it
            response = client.post(
                config.url,
                content=message.body.chunks(),
                headers=[*message.headers, ("Content-Length", str(len(message.body)))],
            )
            if response.status_code not in RETRYABLE_STATUS:
                return response
            last_error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last_error = f"{exc.__class__.__name__}: {exc}"
        if attempt + 1 < config.send_attempts:
            delay = config.retry_backoff_seconds * (2**attempt)
            log.info(
                "AS2 %s to %s: %s; retrying in %.1fs",
                message.message_id,
                config.url,
                last_error,
                delay,
            )
            sleep(delay)
    result.status = "send_failed"
    result.error = f"not delivered after {result.attempts} attempts: {last_error}"
    return None


def _parse_response_mdn(
    headers: Sequence[tuple[str, str]], body: bytes, config: PartnerAs2Config
) -> ParsedMdn:
    span = Span.of_bytes(body)
    try:
        entity = Entity(headers_from_mapping(list(headers)), span, span)
        return parse_mdn(entity, config.partner_certificates, require_signature=config.mdn_signed)
    finally:
        span.fh.close()


def _store_mdn(
    runtime: Runtime,
    result: SendResult,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    mdn: ParsedMdn | None,
    config: PartnerAs2Config,
    mics: dict[str, str],
    interchange_id: int | None,
) -> None:
    blob = runtime.blobs.put_chunks([render_headers(headers), b"\r\n", body])
    with runtime.db.session() as session:
        session.add(
            TransportReceipt(
                interchange_id=interchange_id,
                transport=TRANSPORT,
                kind="mdn",
                direction=Direction.INBOUND,
                message_id=result.message_id,
                blob_key=blob.key,
                signed=bool(mdn and mdn.signed),
                mic=mdn.mic if mdn else None,
                mic_algorithm=mdn.mic_algorithm if mdn else None,
                disposition=mdn.disposition if mdn else None,
                detail={
                    "partner_id": config.partner_id,
                    "verdict": result.status,
                    "error": result.error,
                    "signature_valid": mdn.signature_valid if mdn else None,
                    "mic_ok": mic_matches(mdn, mics) if mdn else None,
                },
            )
        )


def _finish(runtime: Runtime, receipt_id: int, result: SendResult) -> None:
    with runtime.db.session() as session:
        row = session.get(TransportReceipt, receipt_id)
        if row is not None:
            row.detail = {
                **row.detail,
                "status": result.status,
                "error": result.error,
                "attempts": result.attempts,
                "http_status": result.http_status,
                "mdn": result.mdn.as_dict() if result.mdn else row.detail.get("mdn"),
            }
    metrics.SENT.labels(result=result.status).inc()


def _message_receipt(session: Any, message_id: str) -> TransportReceipt | None:
    row: TransportReceipt | None = session.scalars(
        select(TransportReceipt)
        .where(
            TransportReceipt.transport == TRANSPORT,
            TransportReceipt.kind == "message",
            TransportReceipt.direction == Direction.OUTBOUND,
            TransportReceipt.message_id == message_id,
        )
        .order_by(TransportReceipt.id.desc())
        .limit(1)
    ).first()
    return row


def result_of(runtime: Runtime, message_id: str) -> SendResult | None:
    """The current state of a sent message (e.g. once its async MDN came in)."""
    with runtime.db.session() as session:
        row = _message_receipt(session, message_id)
        if row is None:
            return None
        detail = row.detail
        mdn = None
        if detail.get("mdn"):
            mdn = ParsedMdn(**{k: v for k, v in detail["mdn"].items() if k != "fields"})
        return SendResult(
            message_id=message_id,
            status=str(detail.get("status")),
            mic=row.mic or "",
            mic_algorithm=row.mic_algorithm or "sha256",
            attempts=int(detail.get("attempts") or 0),
            http_status=detail.get("http_status"),
            mdn=mdn,
            error=detail.get("error"),
            receipt_id=row.id,
        )


# how far back the sweep looks for messages still awaiting an async MDN: one due longer ago
# than this was marked overdue by an earlier sweep already
MDN_LOOKBACK = timedelta(days=30)


@dataclass(frozen=True)
class OverdueMdn:
    message_id: str
    interchange_id: int | None  # the interchange the message carried, if any


def mark_overdue(runtime: Runtime, *, now: datetime | None = None) -> list[OverdueMdn]:
    """For a periodic sweep: messages whose async MDN missed its due time -> mdn_overdue."""
    now = now or datetime.now(UTC)
    overdue = []
    with runtime.db.session() as session:
        rows = session.scalars(
            select(TransportReceipt).where(
                TransportReceipt.transport == TRANSPORT,
                TransportReceipt.kind == "message",
                TransportReceipt.direction == Direction.OUTBOUND,
                TransportReceipt.created_at >= now - MDN_LOOKBACK,
            )
        ).all()
        for row in rows:
            due = row.detail.get("mdn_due_at")
            if (
                row.detail.get("status") == "awaiting_mdn"
                and due
                and datetime.fromisoformat(due) <= now
            ):
                row.detail = {**row.detail, "status": "mdn_overdue", "error": f"no MDN by {due}"}
                overdue.append(OverdueMdn(str(row.message_id), row.interchange_id))
    for _ in overdue:
        metrics.SENT.labels(result="mdn_overdue").inc()
    return overdue


def wait_for_mdn(
    runtime: Runtime,
    message_id: str,
    *,
    poll_seconds: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """Wait until the async MDN of a sent message arrives or its due time passes."""
    while True:
        current = result_of(runtime, message_id)
        if current is None:
            raise As2Error(f"no sent AS2 message {message_id}")
        if current.status != "awaiting_mdn":
            return current
        with runtime.db.session() as session:
            row = _message_receipt(session, message_id)
            due = row.detail.get("mdn_due_at") if row else None
        if due and datetime.fromisoformat(due) <= datetime.now(UTC):
            mark_overdue(runtime)
            continue
        sleep(poll_seconds)


@dataclass(frozen=True)
class AsyncMdnAnswer:
    status_code: int
    text: str
    # when the MDN answered a message that carried one of our interchanges
    interchange_id: int | None = None
    message_id: str | None = None
    problem: str | None = None  # why it does not prove delivery; None when it does


def receive_async_mdn(
    runtime: Runtime,
    directory: As2Directory,
    request_headers: Sequence[tuple[str, str]],
    body: Span,
) -> AsyncMdnAnswer:
    """An MDN a partner POSTs for a message we sent with an async MDN request."""
    headers = headers_from_mapping(list(request_headers))
    as2_from = unquote_id(headers.get("AS2-From"))
    as2_to = unquote_id(headers.get("AS2-To"))
    config = directory.lookup(as2_from, as2_to)
    head = render_headers(request_headers) + b"\r\n"
    raw = runtime.blobs.put_chunks(itertools.chain([head], body.chunks()))
    if config is None:
        return AsyncMdnAnswer(400, f"unknown AS2 partner {as2_from!r} -> {as2_to!r}\n")
    try:
        mdn = parse_mdn(
            Entity(headers, body, body),
            config.partner_certificates,
            require_signature=config.mdn_signed,
        )
    except (ReceiveError, MalformedMessage) as exc:
        return AsyncMdnAnswer(400, f"MDN not acceptable: {exc}\n")
    original = (mdn.original_message_id or "").strip()
    with runtime.db.session() as session:
        row = _message_receipt(session, original)
        if row is None or row.detail.get("partner_id") != config.partner_id:
            return AsyncMdnAnswer(400, f"no message {original} was sent to this partner\n")
        mics = dict(row.detail.get("mics") or {})
        problem = evaluate_mdn(mdn, original, mics, _mic_due(config))
        status = "failed" if problem else "delivered"
        row.detail = {**row.detail, "status": status, "error": problem, "mdn": mdn.as_dict()}
        session.add(
            TransportReceipt(
                interchange_id=row.interchange_id,  # the interchange the message carried
                transport=TRANSPORT,
                kind="mdn",
                direction=Direction.INBOUND,
                message_id=original,
                blob_key=raw.key,
                signed=mdn.signed,
                mic=mdn.mic,
                mic_algorithm=mdn.mic_algorithm,
                disposition=mdn.disposition,
                detail={
                    "partner_id": config.partner_id,
                    "verdict": status,
                    "error": problem,
                    "signature_valid": mdn.signature_valid,
                    "mic_ok": mic_matches(mdn, mics),
                    "async": True,
                },
            )
        )
        interchange_id = row.interchange_id
    metrics.SENT.labels(result=status).inc()
    return AsyncMdnAnswer(
        200, f"MDN for {original} recorded: {status}\n", interchange_id, original, problem
    )
