"""Receive one AS2 message: store the raw request, answer a repeat with its stored MDN,
open and verify the message, hand the payload to intake, store the MDN, then return it.

Every outcome is an MDN (or, when none was asked for, a short plain answer); nothing that
failed verification reaches intake."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select, text

from gateway.as2 import metrics
from gateway.as2.config import As2Directory
from gateway.as2.errors import (
    InsufficientSecurity,
    MalformedMessage,
    MessageTooLarge,
    ReceiveError,
    UnknownPartner,
)
from gateway.as2.mdn import BuiltMdn, build_mdn, unquote_id
from gateway.as2.mime import Entity, Span, headers_from_mapping, render_headers
from gateway.as2.unwrap import UnwrapReport, choose_mic_algorithm, unwrap
from gateway.intake import take_in
from gateway.runtime import Runtime
from gateway.store.models import Direction, TransportReceipt

log = logging.getLogger(__name__)

TRANSPORT = "as2"
# headers worth keeping with the interchange (the raw request blob keeps all of them)
KEPT_HEADERS = (
    "as2-from",
    "as2-to",
    "message-id",
    "subject",
    "date",
    "content-type",
    "disposition-notification-to",
    "disposition-notification-options",
    "receipt-delivery-option",
    "user-agent",
    "server",
    "as2-version",
)


@dataclass(frozen=True)
class MdnRequest:
    mode: str  # sync | async | none
    url: str | None
    signed: bool
    mic_algorithms: list[str]


def parse_mdn_request(headers: Any) -> MdnRequest:
    """What the sender asked for: Disposition-Notification-To/-Options,
    Receipt-Delivery-Option (RFC 4130 7.3)."""
    options = headers.get("Disposition-Notification-Options") or ""
    signed = False
    micalgs: list[str] = []
    for parameter in str(options).split(";"):
        name, _, value = parameter.partition("=")
        items = [item.strip() for item in value.split(",")]
        values = [v.lower() for v in items[1:]] if len(items) > 1 else []
        if name.strip().lower() == "signed-receipt-protocol":
            signed = "pkcs7-signature" in values
        elif name.strip().lower() == "signed-receipt-micalg":
            micalgs = values
    async_url = headers.get("Receipt-Delivery-Option")
    if async_url:
        return MdnRequest("async", str(async_url).strip(), signed, micalgs)
    if headers.get("Disposition-Notification-To"):
        return MdnRequest("sync", None, signed, micalgs)
    return MdnRequest("none", None, signed, micalgs)


@dataclass
class ReceiveOutcome:
    """What the HTTP layer sends back, and what to deliver afterwards (async MDN)."""

    status_code: int
    headers: list[tuple[str, str]]
    body: bytes
    message_id: str | None = None
    disposition: str | None = None
    error: str | None = None
    duplicate: bool = False
    interchange_id: int | None = None
    receipt_id: int | None = None
    async_url: str | None = None
    report: dict[str, Any] = field(default_factory=dict)


def _raw_request_chunks(headers: Sequence[tuple[str, str]], body: Span | None) -> Iterator[bytes]:
    yield render_headers(headers) + b"\r\n"
    if body is not None:
        yield from body.chunks()


def _stored_mdn(runtime: Runtime, message_id: str) -> TransportReceipt | None:
    with runtime.db.session() as session:
        rows = session.scalars(
            select(TransportReceipt)
            .where(
                TransportReceipt.transport == TRANSPORT,
                TransportReceipt.kind == "mdn",
                TransportReceipt.direction == Direction.OUTBOUND,
                TransportReceipt.message_id == message_id,
            )
            .order_by(TransportReceipt.id)
        ).all()
        for row in rows:
            # only a message that was taken in counts as delivered; a failed attempt may be
            # sent again (e.g. after the partner fixed its certificate) and is processed
            if row.detail.get("status") == "processed":
                session.expunge(row)
                return row
    return None


def receive_message(
    runtime: Runtime,
    directory: As2Directory,
    request_headers: Sequence[tuple[str, str]],
    body: Span | None,
    *,
    received_bytes: int,
    too_large: bool = False,
    workdir: Path | None = None,
) -> ReceiveOutcome:
    """Handle one POSTed AS2 message (body spooled already; None when it was over the cap)."""
    started = time.monotonic()
    headers = headers_from_mapping(list(request_headers))
    message_id = str(headers.get("Message-ID") or "").strip()
    as2_from = unquote_id(headers.get("AS2-From"))
    as2_to = unquote_id(headers.get("AS2-To"))
    request = parse_mdn_request(headers)
    raw = runtime.blobs.put_chunks(_raw_request_chunks(request_headers, body))
    # a sender that retries while its first attempt is still being processed must not get
    # the file taken in twice: deliveries of one Message-ID are handled one at a time
    with delivery_lock(runtime, message_id or raw.key):
        return _receive_locked(
            runtime,
            directory,
            request_headers,
            body,
            headers,
            raw.key,
            request,
            message_id,
            as2_from,
            as2_to,
            received_bytes,
            too_large,
            workdir,
            started,
        )


# key -> (lock, number of deliveries holding or waiting for it)
_LOCAL_LOCKS: dict[str, tuple[threading.Lock, int]] = {}
_LOCAL_LOCKS_GUARD = threading.Lock()


@contextmanager
def delivery_lock(runtime: Runtime, key: str) -> Iterator[None]:
    """Serialise work on one delivery: a PostgreSQL advisory lock (so it holds across
    gateway processes and machines), or a process-local lock on the embedded SQLite store."""
    if runtime.db.engine.dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(f"as2:{key}".encode()).digest()[:8], "big")
        lock_id -= 1 << 63  # into the signed bigint range
        with runtime.db.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
                conn.commit()
        return
    with _LOCAL_LOCKS_GUARD:
        lock, users = _LOCAL_LOCKS.get(key, (threading.Lock(), 0))
        _LOCAL_LOCKS[key] = (lock, users + 1)
    try:
        with lock:
            yield
    finally:
        with _LOCAL_LOCKS_GUARD:
            lock, users = _LOCAL_LOCKS[key]
            if users == 1:
                del _LOCAL_LOCKS[key]
            else:
                _LOCAL_LOCKS[key] = (lock, users - 1)


def _receive_locked(
    runtime: Runtime,
    directory: As2Directory,
    request_headers: Sequence[tuple[str, str]],
    body: Span | None,
    headers: Any,
    raw_key: str,
    request: MdnRequest,
    message_id: str,
    as2_from: str,
    as2_to: str,
    received_bytes: int,
    too_large: bool,
    workdir: Path | None,
    started: float,
) -> ReceiveOutcome:
    if message_id:
        previous = _stored_mdn(runtime, message_id)
        if previous is not None and previous.detail.get("as2_from") == as2_from:
            metrics.MESSAGES.labels(result="duplicate").inc()
            return _replay(runtime, previous, request, raw_key)

    config = directory.lookup(as2_from, as2_to) if as2_from and as2_to else None
    report = UnwrapReport()
    error: ReceiveError | None = None
    interchange_id: int | None = None
    try:
        if not message_id:
            raise MalformedMessage("the message has no Message-ID header")
        if config is None:
            raise UnknownPartner(f"no AS2 partner {as2_from!r} sending to {as2_to!r}")
        limit = config.max_message_bytes
        if too_large or body is None or received_bytes > limit:
            raise MessageTooLarge(f"message of {received_bytes} bytes exceeds the limit {limit}")
        top = Entity(headers, body, body)
        unwrap(
            top,
            our_keys=config.our_keys,
            partner_certificates=config.partner_certificates,
            mic_algorithms=request.mic_algorithms,
            raw_line_ends_first=config.binary_signing,
            max_bytes=limit,
            workdir=workdir,
            report=report,
        )
        if config.require_signed and not report.signed:
            raise InsufficientSecurity(f"partner {config.partner_id} must sign its messages")
        if config.require_encrypted and not report.encrypted:
            raise InsufficientSecurity(f"partner {config.partner_id} must encrypt its messages")
        assert report.payload is not None
        intake = take_in(
            runtime,
            report.payload.chunks(),
            transport=TRANSPORT,
            transport_ref=message_id,
            delivery_key=message_id,
            partner_id=config.partner_id,
            meta={
                "as2": {k: str(v) for k, v in headers.items() if k.lower() in KEPT_HEADERS},
                "filename": report.filename,
                "raw_request_blob": raw_key,
                "security": report.as_dict(),
            },
        )
        interchange_id = intake.interchange_id
    except ReceiveError as exc:
        error = exc
    except Exception as exc:  # a bug must still answer with an MDN, never a bare 500
        log.exception("AS2 message %s: unexpected failure", message_id)
        error = ReceiveError(f"unexpected processing error ({exc.__class__.__name__})")
    our_id = config.our_as2_id if config else as2_to
    partner_id = config.partner_as2_id if config else as2_from
    signer = config.our_key if (config and request.signed) else None
    mdn = (
        build_mdn(
            original_message_id=message_id or "<unknown>",
            our_as2_id=our_id or "edigw",
            partner_as2_id=partner_id or "unknown",
            error=error,
            mic=report.mic,
            mic_algorithm=report.mic_algorithm,
            signer=signer,
            sign_algorithm=choose_mic_algorithm(request.mic_algorithms, "sha256"),
        )
        if request.mode != "none"
        else None
    )
    status = "processed" if error is None else "failed"
    detail = {
        "status": status,
        "error": str(error) if error else None,
        "modifier": error.modifier if error else None,
        "as2_from": as2_from,
        "as2_to": as2_to,
        "partner_id": config.partner_id if config else None,
        "mode": request.mode,
        "async_url": request.url,
        "request_blob": raw_key,
        "request_size": received_bytes,
        "mdn_headers": mdn.headers if mdn else None,
        "security": report.as_dict(),
        "seconds": round(time.monotonic() - started, 3),
    }
    mdn_blob = runtime.blobs.put_bytes(mdn.body) if mdn else None
    with runtime.db.session() as session:
        receipt = TransportReceipt(
            interchange_id=interchange_id,
            transport=TRANSPORT,
            kind="mdn",
            direction=Direction.OUTBOUND,
            message_id=message_id or None,
            blob_key=mdn_blob.key if mdn_blob else None,
            signed=bool(mdn and mdn.signed),
            mic=report.mic,
            mic_algorithm=report.mic_algorithm,
            disposition=mdn.disposition if mdn else status,
            detail=detail,
        )
        session.add(receipt)
        session.flush()
        receipt_id = receipt.id
    metrics.MESSAGES.labels(result=error.modifier if error else "processed").inc()
    outcome = ReceiveOutcome(
        status_code=200,
        headers=[],
        body=b"",
        message_id=message_id,
        disposition=mdn.disposition if mdn else status,
        error=str(error) if error else None,
        interchange_id=interchange_id,
        receipt_id=receipt_id,
        report=report.as_dict(),
    )
    if config is None and request.mode == "async":
        # never POST to a URL that an unidentified sender chose: answer in the response
        request = MdnRequest("sync", None, request.signed, request.mic_algorithms)
    _answer(outcome, mdn, request, error)
    return outcome


def last_resort_answer(
    request_headers: Sequence[tuple[str, str]], exc: BaseException
) -> ReceiveOutcome:
    """When even storing or answering failed (store down, disk full): an unsigned MDN saying
    so, or a plain 503 when no MDN was asked for, so the sender retries later."""
    headers = headers_from_mapping(list(request_headers))
    message_id = str(headers.get("Message-ID") or "<unknown>").strip()
    error = ReceiveError(f"the gateway could not store the message ({exc.__class__.__name__})")
    if parse_mdn_request(headers).mode == "none":
        body = f"AS2 message not stored: {error}\n".encode()
        return ReceiveOutcome(503, [("Content-Type", "text/plain; charset=utf-8")], body)
    mdn = build_mdn(
        original_message_id=message_id,
        our_as2_id=unquote_id(headers.get("AS2-To")) or "edigw",
        partner_as2_id=unquote_id(headers.get("AS2-From")) or "unknown",
        error=error,
        mic=None,
        mic_algorithm=None,
    )
    return ReceiveOutcome(200, list(mdn.headers), mdn.body, message_id, mdn.disposition, str(error))


def _answer(outcome: ReceiveOutcome, mdn: BuiltMdn | None, request: MdnRequest, error: Any) -> None:
    if mdn is None:
        # no MDN asked for: success is an empty 200; a refusal says why in plain text
        if error is not None:
            outcome.status_code = 400
            outcome.headers = [("Content-Type", "text/plain; charset=utf-8")]
            outcome.body = f"AS2 message refused: {error.modifier}: {error}\n".encode()
        return
    if request.mode == "async":
        outcome.async_url = request.url
        outcome.headers = [("Content-Type", "text/plain; charset=utf-8")]
        outcome.body = b"Message received; the MDN follows asynchronously.\n"
        return
    outcome.headers = list(mdn.headers)
    outcome.body = mdn.body


def _replay(
    runtime: Runtime, previous: TransportReceipt, request: MdnRequest, raw_key: str
) -> ReceiveOutcome:
    """A repeated Message-ID: the stored MDN again, nothing processed again."""
    headers = [tuple(h) for h in previous.detail.get("mdn_headers") or []]
    body = runtime.blobs.read(previous.blob_key) if previous.blob_key else b""
    with runtime.db.session() as session:
        row = session.get(TransportReceipt, previous.id)
        if row is not None:
            repeats = list(row.detail.get("repeats", []))
            repeats.append({"request_blob": raw_key})
            row.detail = {**row.detail, "repeats": repeats}
    outcome = ReceiveOutcome(
        status_code=200,
        headers=[(str(k), str(v)) for k, v in headers],
        body=body,
        message_id=previous.message_id,
        disposition=previous.disposition,
        duplicate=True,
        interchange_id=previous.interchange_id,
        receipt_id=previous.id,
    )
    if not headers:  # the first delivery asked for no MDN
        outcome.headers, outcome.body = [], b""
    elif request.mode == "async":
        outcome.async_url = request.url
        outcome.headers = [("Content-Type", "text/plain; charset=utf-8")]
        outcome.body = b"Message received before; its MDN follows asynchronously.\n"
    return outcome


def deliver_async_mdn(
    runtime: Runtime,
    receipt_id: int,
    url: str,
    *,
    attempts: int = 4,
    backoff_seconds: float = 1.0,
    timeout_seconds: float = 30.0,
) -> bool:
    """POST a stored MDN to the sender's Receipt-Delivery-Option URL, retrying with backoff.
    The outcome is recorded on the receipt; `resend_pending_mdns` retries later ones."""
    with runtime.db.session() as session:
        row = session.get(TransportReceipt, receipt_id)
        if row is None or not row.blob_key:
            return False
        headers = [(str(k), str(v)) for k, v in row.detail.get("mdn_headers") or []]
        blob_key = row.blob_key
    body = runtime.blobs.read(blob_key)
    last_error = None
    delivered = False
    tries = 0
    for attempt in range(attempts):
        tries = attempt + 1
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=timeout_seconds)
            if response.status_code < 300:
                delivered = True
                break
            last_error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            last_error = f"{exc.__class__.__name__}: {exc}"
        if attempt + 1 < attempts:
            time.sleep(backoff_seconds * (2**attempt))
    with runtime.db.session() as session:
        row = session.get(TransportReceipt, receipt_id)
        if row is not None:
            history = list(row.detail.get("async_attempts", []))
            history.append({"tries": tries, "delivered": delivered, "error": last_error})
            row.detail = {
                **row.detail,
                "async_status": "delivered" if delivered else "pending",
                "async_attempts": history,
            }
    metrics.ASYNC_MDNS.labels(result="delivered" if delivered else "failed").inc()
    if not delivered:
        log.warning("async MDN %s to %s not delivered: %s", receipt_id, url, last_error)
    return delivered


def resend_pending_mdns(runtime: Runtime, *, max_rounds: int = 10) -> int:
    """For a periodic sweep: deliver async MDNs whose earlier attempts all failed."""
    with runtime.db.session() as session:
        rows = session.scalars(
            select(TransportReceipt).where(
                TransportReceipt.transport == TRANSPORT,
                TransportReceipt.kind == "mdn",
                TransportReceipt.direction == Direction.OUTBOUND,
            )
        ).all()
        pending = [
            (r.id, r.detail.get("async_url"))
            for r in rows
            if r.detail.get("async_status") == "pending"
            and r.detail.get("async_url")
            and len(r.detail.get("async_attempts", [])) < max_rounds
        ]
    return sum(deliver_async_mdn(runtime, rid, str(url), attempts=1) for rid, url in pending)
