"""Build an outbound AS2 message: payload MIME entity, then compress / sign / encrypt in the
partner's order, the AS2 headers, and the MIC the partner's MDN must return.

Every layer streams from one spool to the next (in memory up to 1 MiB, on disk beyond), so a
large payload is never held more than once by the builder."""

from __future__ import annotations

import base64
import email.utils
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gateway.as2 import cms
from gateway.as2.config import DIGEST_ALGORITHMS, PartnerAs2Config
from gateway.as2.mdn import new_message_id, quote_id
from gateway.as2.mime import Span, new_spool, parse_entity


def _boundary() -> str:
    return f"----=_edigw_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class OutboundMessage:
    message_id: str
    headers: list[tuple[str, str]]  # HTTP headers (AS2 + the outer Content-Type)
    body: bytes
    mic: str  # what the MDN's Received-Content-MIC must say
    mic_algorithm: str
    signed: bool
    encrypted: bool
    compressed: bool
    # the MIC under every digest we support, so an MDN that answers with another algorithm
    # than the one asked for can still be checked
    mics: dict[str, str]


@dataclass(frozen=True)
class SpooledMessage:
    """An outbound message whose body is a span of a spool file (the caller closes it)."""

    message_id: str
    headers: list[tuple[str, str]]
    body: Span
    mic: str
    mic_algorithm: str
    signed: bool
    encrypted: bool
    compressed: bool
    mics: dict[str, str]

    def close(self) -> None:
        self.body.fh.close()


def _header_block(headers: list[tuple[str, str]]) -> bytes:
    return b"".join(f"{k}: {v}\r\n".encode() for k, v in headers) + b"\r\n"


def _spool_of(parts: Iterable[bytes], workdir: Path | None) -> Span:
    spool = new_spool(workdir)
    for part in parts:
        spool.write(part)
    return Span.of_file(spool)


def _payload_entity(
    chunks: Iterable[bytes], content_type: str, filename: str | None, workdir: Path | None
) -> tuple[Span, int]:
    headers = [("Content-Type", content_type), ("Content-Transfer-Encoding", "binary")]
    if filename:
        headers.append(("Content-Disposition", f'attachment; filename="{filename}"'))
    head = _header_block(headers)
    return _spool_of(_chain([head], chunks), workdir), len(head)


def _compressed(entity: Span, workdir: Path | None) -> Span:
    spool = new_spool(workdir)
    spool.write(
        _header_block(
            [
                (
                    "Content-Type",
                    'application/pkcs7-mime; smime-type=compressed-data; name="smime.p7z"',
                ),
                ("Content-Transfer-Encoding", "binary"),
                ("Content-Disposition", 'attachment; filename="smime.p7z"'),
            ]
        )
    )
    scratch = new_spool(workdir)
    try:
        cms.compress_stream(entity.chunks(), spool.write, scratch)
    finally:
        scratch.close()
    return Span.of_file(spool)


def _signed(entity: Span, config: PartnerAs2Config, workdir: Path | None) -> Span:
    digest = cms.new_hash(config.sign_algorithm)
    for chunk in entity.chunks():
        digest.update(chunk)
    signature = cms.sign_detached(digest.digest(), config.sign_algorithm, config.our_key)
    boundary = _boundary()
    micalg = cms.micalg_name(cms.normalise_digest_name(config.sign_algorithm))
    content_type = (
        f'multipart/signed; protocol="application/pkcs7-signature"; micalg={micalg}; '
        f'boundary="{boundary}"'
    )
    signature_part = (
        f"\r\n--{boundary}\r\n".encode()
        + b'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
        + b"Content-Transfer-Encoding: base64\r\n"
        + b'Content-Disposition: attachment; filename="smime.p7s"\r\n\r\n'
        + base64.encodebytes(signature).replace(b"\n", b"\r\n")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    opening = _header_block([("Content-Type", content_type)]) + f"--{boundary}\r\n".encode()
    return _spool_of(_chain([opening], entity.chunks(), [signature_part]), workdir)


def _chain(*parts: Iterable[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield from part


def _encrypted(entity: Span, config: PartnerAs2Config, workdir: Path | None) -> Span:
    if not config.partner_certificates:
        raise ValueError(f"partner {config.partner_id}: no certificate to encrypt for")
    # during a rollover the newest certificate is the one the partner can decrypt with
    recipient = max(config.partner_certificates, key=lambda c: c.not_valid_before_utc)
    gcm = config.encryption_algorithm.endswith("gcm")
    smime_type = "authenveloped-data" if gcm else "enveloped-data"
    spool = new_spool(workdir)
    spool.write(
        _header_block(
            [
                (
                    "Content-Type",
                    f'application/pkcs7-mime; smime-type={smime_type}; name="smime.p7m"',
                ),
                ("Content-Transfer-Encoding", "binary"),
                ("Content-Disposition", 'attachment; filename="smime.p7m"'),
            ]
        )
    )
    cms.encrypt_stream(
        entity.chunks(),
        len(entity),
        recipient,
        config.encryption_algorithm,
        config.key_transport,
        spool.write,
    )
    return Span.of_file(spool)


def build_spooled(
    config: PartnerAs2Config,
    content: bytes | Iterable[bytes],
    filename: str | None = None,
    *,
    message_id: str | None = None,
    subject: str | None = None,
    workdir: Path | None = None,
) -> SpooledMessage:
    """Build a message into spools; `content` may be bytes or an iterable of chunks."""
    message_id = message_id or new_message_id(config.our_as2_id)
    chunks = [content] if isinstance(content, bytes) else content
    payload, header_length = _payload_entity(chunks, config.content_type, filename, workdir)
    spans = [payload]  # every intermediate spool, closed at the end but the last
    entity = payload
    if config.compress and (config.compress_before_sign or not config.sign):
        entity = _compressed(entity, workdir)
        spans.append(entity)
    mic_algorithm = cms.normalise_digest_name(config.sign_algorithm)
    if config.sign:
        mic_content = entity
        entity = _signed(entity, config, workdir)
        spans.append(entity)
        if config.compress and not config.compress_before_sign:
            entity = _compressed(entity, workdir)
            spans.append(entity)
    else:
        # RFC 4130 7.3.1 / RFC 5402 4.1: unsigned and wrapped -> the payload entity with its
        # headers; unsigned and plain -> the content alone
        wrapped = config.encrypt or config.compress
        mic_content = payload if wrapped else payload.sub(header_length)
    if config.encrypt:
        entity = _encrypted(entity, config, workdir)
        spans.append(entity)
    hashers = {name: cms.new_hash(name) for name in DIGEST_ALGORITHMS}
    for chunk in mic_content.chunks():
        for hasher in hashers.values():
            hasher.update(chunk)
    mics = {name: base64.b64encode(h.digest()).decode() for name, h in hashers.items()}
    for span in spans[:-1]:
        span.fh.close()
    outer = parse_entity(entity)
    headers = [
        ("AS2-Version", "1.2"),
        ("AS2-From", quote_id(config.our_as2_id)),
        ("AS2-To", quote_id(config.partner_as2_id)),
        ("Message-ID", message_id),
        ("Date", email.utils.formatdate(usegmt=True)),
        ("Subject", subject or (filename or "AS2 message")),
        ("Mime-Version", "1.0"),
        ("EDIINT-Features", "multiple-attachments, CEM"),
        ("User-Agent", "edigw AS2"),
    ]
    if config.mdn_mode != "none":
        headers.append(("Disposition-Notification-To", config.async_mdn_url or "edigw"))
        if config.mdn_signed:
            micalg = cms.micalg_name(mic_algorithm)
            headers.append(
                (
                    "Disposition-Notification-Options",
                    "signed-receipt-protocol=optional, pkcs7-signature; "
                    f"signed-receipt-micalg=optional, {micalg}",
                )
            )
        if config.mdn_mode == "async":
            assert config.async_mdn_url
            headers.append(("Receipt-Delivery-Option", config.async_mdn_url))
    headers.extend(config.extra_headers.items())
    headers.extend((str(k), str(v)) for k, v in outer.headers.items())
    return SpooledMessage(
        message_id=message_id,
        headers=headers,
        body=outer.body,
        mic=mics[mic_algorithm],
        mic_algorithm=mic_algorithm,
        signed=config.sign,
        encrypted=config.encrypt,
        compressed=config.compress,
        mics=mics,
    )


def build_message(
    config: PartnerAs2Config,
    content: bytes,
    filename: str | None = None,
    *,
    message_id: str | None = None,
    subject: str | None = None,
) -> OutboundMessage:
    """`build_spooled` with the body read into memory (small messages, tests)."""
    spooled = build_spooled(config, content, filename, message_id=message_id, subject=subject)
    try:
        body = spooled.body.read()
    finally:
        spooled.close()
    return OutboundMessage(
        spooled.message_id,
        spooled.headers,
        body,
        spooled.mic,
        spooled.mic_algorithm,
        spooled.signed,
        spooled.encrypted,
        spooled.compressed,
        spooled.mics,
    )


def payload_entity(content: bytes, content_type: str, filename: str | None) -> bytes:
    """The payload MIME entity as bytes (for tests and tools)."""
    span, _ = _payload_entity([content], content_type, filename, None)
    try:
        return span.read()
    finally:
        span.fh.close()


def signed_entity(entity: bytes, config: PartnerAs2Config) -> bytes:
    """`entity` wrapped in multipart/signed, as bytes (for tests and tools)."""
    source = Span.of_bytes(entity)
    signed = _signed(source, config, None)
    try:
        return signed.read()
    finally:
        source.fh.close()
        signed.fh.close()
