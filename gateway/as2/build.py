"""Build an outbound AS2 message: payload MIME entity, then compress / sign / encrypt in the
partner's order, the AS2 headers, and the MIC the partner's MDN must return."""

from __future__ import annotations

import base64
import email.utils
import uuid
from dataclasses import dataclass

from gateway.as2 import cms
from gateway.as2.config import DIGEST_ALGORITHMS, PartnerAs2Config
from gateway.as2.mdn import new_message_id, quote_id


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


def _entity(headers: list[tuple[str, str]], body: bytes) -> bytes:
    return b"".join(f"{k}: {v}\r\n".encode() for k, v in headers) + b"\r\n" + body


def payload_entity(content: bytes, content_type: str, filename: str | None) -> bytes:
    headers = [("Content-Type", content_type), ("Content-Transfer-Encoding", "binary")]
    if filename:
        headers.append(("Content-Disposition", f'attachment; filename="{filename}"'))
    return _entity(headers, content)


def compressed_entity(entity: bytes) -> bytes:
    return _entity(
        [
            (
                "Content-Type",
                'application/pkcs7-mime; smime-type=compressed-data; name="smime.p7z"',
            ),
            ("Content-Transfer-Encoding", "binary"),
            ("Content-Disposition", 'attachment; filename="smime.p7z"'),
        ],
        cms.compress(entity),
    )


def signed_entity(entity: bytes, config: PartnerAs2Config) -> bytes:
    digest = cms.new_hash(config.sign_algorithm)
    digest.update(entity)
    signature = cms.sign_detached(digest.digest(), config.sign_algorithm, config.our_key)
    boundary = _boundary()
    micalg = cms.micalg_name(cms.normalise_digest_name(config.sign_algorithm))
    body = (
        f"--{boundary}\r\n".encode()
        + entity
        + f"\r\n--{boundary}\r\n".encode()
        + b'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
        + b"Content-Transfer-Encoding: base64\r\n"
        + b'Content-Disposition: attachment; filename="smime.p7s"\r\n\r\n'
        + base64.encodebytes(signature).replace(b"\n", b"\r\n")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = (
        f'multipart/signed; protocol="application/pkcs7-signature"; micalg={micalg}; '
        f'boundary="{boundary}"'
    )
    return _entity([("Content-Type", content_type)], body)


def encrypted_entity(entity: bytes, config: PartnerAs2Config) -> bytes:
    if not config.partner_certificates:
        raise ValueError(f"partner {config.partner_id}: no certificate to encrypt for")
    # during a rollover the newest certificate is the one the partner can decrypt with
    recipient = max(config.partner_certificates, key=lambda c: c.not_valid_before_utc)
    smime_type = (
        "authenveloped-data" if config.encryption_algorithm.endswith("gcm") else ("enveloped-data")
    )
    return _entity(
        [
            ("Content-Type", f'application/pkcs7-mime; smime-type={smime_type}; name="smime.p7m"'),
            ("Content-Transfer-Encoding", "binary"),
            ("Content-Disposition", 'attachment; filename="smime.p7m"'),
        ],
        cms.encrypt(entity, recipient, config.encryption_algorithm, config.key_transport),
    )


def _split(entity: bytes) -> tuple[list[tuple[str, str]], bytes]:
    head, _, body = entity.partition(b"\r\n\r\n")
    headers = []
    for line in head.decode().split("\r\n"):
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return headers, body


def build_message(
    config: PartnerAs2Config,
    content: bytes,
    filename: str | None = None,
    *,
    message_id: str | None = None,
    subject: str | None = None,
) -> OutboundMessage:
    message_id = message_id or new_message_id(config.our_as2_id)
    entity = payload_entity(content, config.content_type, filename)
    payload = entity
    if config.compress and (config.compress_before_sign or not config.sign):
        entity = compressed_entity(entity)
    mic_algorithm = cms.normalise_digest_name(config.sign_algorithm)
    if config.sign:
        mic_content = entity
        entity = signed_entity(entity, config)
        if config.compress and not config.compress_before_sign:
            entity = compressed_entity(entity)
    else:
        # RFC 4130 7.3.1 / RFC 5402 4.1: unsigned and wrapped -> the payload entity with its
        # headers; unsigned and plain -> the content alone
        mic_content = payload if (config.encrypt or config.compress) else content
    if config.encrypt:
        entity = encrypted_entity(entity, config)
    mics = {}
    for name in DIGEST_ALGORITHMS:
        digest = cms.new_hash(name)
        digest.update(mic_content)
        mics[name] = base64.b64encode(digest.digest()).decode()
    mime_headers, body = _split(entity)
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
    headers.extend(mime_headers)
    return OutboundMessage(
        message_id=message_id,
        headers=headers,
        body=body,
        mic=mics[mic_algorithm],
        mic_algorithm=mic_algorithm,
        signed=config.sign,
        encrypted=config.encrypt,
        compressed=config.compress,
        mics=mics,
    )
