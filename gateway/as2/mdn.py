"""MDNs (RFC 3798 as profiled by RFC 4130): build one, signed on request, and read one.

An MDN is small, so it is built and parsed in memory."""

from __future__ import annotations

import base64
import email
import email.policy
import email.utils
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from gateway.as2 import cms
from gateway.as2.config import KeyPair
from gateway.as2.errors import MalformedMessage, ReceiveError
from gateway.as2.mime import Entity, Span, headers_from_mapping, parse_entity, split_multipart
from gateway.as2.unwrap import UnwrapReport, unwrap

USER_AGENT = "edigw AS2"
AUTOMATIC = "automatic-action/MDN-sent-automatically"


def disposition_for(error: ReceiveError | None) -> str:
    if error is None:
        return f"{AUTOMATIC}; processed"
    return f"{AUTOMATIC}; processed/error: {error.modifier}"


def new_message_id(as2_id: str) -> str:
    host = re.sub(r"[^A-Za-z0-9.-]", "_", as2_id) or "edigw"
    return f"<{uuid.uuid4().hex}@{host}>"


def _boundary() -> str:
    return f"----=_edigw_{uuid.uuid4().hex}"


@dataclass(frozen=True)
class BuiltMdn:
    """An MDN ready to send: HTTP headers (name, value) and body bytes."""

    message_id: str
    headers: list[tuple[str, str]]
    body: bytes
    disposition: str
    signed: bool
    mic: str | None
    mic_algorithm: str | None


def build_mdn(
    *,
    original_message_id: str,
    our_as2_id: str,
    partner_as2_id: str,
    error: ReceiveError | None,
    mic: str | None,
    mic_algorithm: str | None,
    signer: KeyPair | None = None,
    sign_algorithm: str = "sha256",
    explanation: str | None = None,
) -> BuiltMdn:
    disposition = disposition_for(error)
    text = explanation or (
        f"The AS2 message {original_message_id} from {partner_as2_id} to {our_as2_id} was "
        "received and stored. This receipt says it was stored, not that its content was "
        "processed."
        if error is None
        else f"The AS2 message {original_message_id} could not be accepted: {error}"
    )
    fields = [
        ("Reporting-UA", USER_AGENT),
        ("Original-Recipient", f"rfc822; {our_as2_id}"),
        ("Final-Recipient", f"rfc822; {our_as2_id}"),
        ("Original-Message-ID", original_message_id),
        ("Disposition", disposition),
    ]
    if mic and mic_algorithm and error is None:
        fields.append(("Received-Content-MIC", f"{mic}, {cms.micalg_name(mic_algorithm)}"))
    report_boundary = _boundary()
    notification = "".join(f"{k}: {v}\r\n" for k, v in fields)
    report_body = (
        f"--{report_boundary}\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\n"
        f"{text}\r\n"
        f"--{report_boundary}\r\n"
        "Content-Type: message/disposition-notification\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\n"
        f"{notification}\r\n"
        f"--{report_boundary}--\r\n"
    ).encode()
    report_type = (
        f'multipart/report; report-type=disposition-notification; boundary="{report_boundary}"'
    )
    message_id = new_message_id(our_as2_id)
    headers = [
        ("AS2-Version", "1.2"),
        ("AS2-From", quote_id(our_as2_id)),
        ("AS2-To", quote_id(partner_as2_id)),
        ("Message-ID", message_id),
        ("Date", email.utils.formatdate(usegmt=True)),
        ("Subject", "Message Disposition Notification"),
        ("Mime-Version", "1.0"),
        ("Server", USER_AGENT),
    ]
    if signer is None:
        return BuiltMdn(
            message_id,
            [*headers, ("Content-Type", report_type)],
            report_body,
            disposition,
            False,
            mic,
            mic_algorithm,
        )
    signed_entity = f"Content-Type: {report_type}\r\n\r\n".encode() + report_body
    digest = cms.new_hash(sign_algorithm)
    digest.update(signed_entity)
    signature = cms.sign_detached(digest.digest(), sign_algorithm, signer)
    outer = _boundary()
    body = (
        f"--{outer}\r\n".encode()
        + signed_entity
        + f"\r\n--{outer}\r\n".encode()
        + b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
        + b"Content-Transfer-Encoding: base64\r\n"
        + b"Content-Disposition: attachment; filename=smime.p7s\r\n\r\n"
        + base64.encodebytes(signature).replace(b"\n", b"\r\n")
        + f"\r\n--{outer}--\r\n".encode()
    )
    content_type = (
        'multipart/signed; protocol="application/pkcs7-signature"; '
        f'micalg={cms.micalg_name(cms.normalise_digest_name(sign_algorithm))}; boundary="{outer}"'
    )
    return BuiltMdn(
        message_id,
        [*headers, ("Content-Type", content_type)],
        body,
        disposition,
        True,
        mic,
        mic_algorithm,
    )


def quote_id(as2_id: str) -> str:
    return f'"{as2_id}"' if re.search(r"[\s\"(),:;<>@\[\\\]]", as2_id) else as2_id


def unquote_id(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


@dataclass
class ParsedMdn:
    original_message_id: str | None = None
    disposition: str | None = None
    disposition_type: str | None = None  # processed | failed
    modifier: str | None = None  # e.g. 'error: decryption-failed'
    mic: str | None = None
    mic_algorithm: str | None = None
    text: str | None = None
    signed: bool = False
    signature_valid: bool | None = None
    signature_algorithm: str | None = None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def processed_ok(self) -> bool:
        return self.disposition_type == "processed" and not (
            self.modifier and self.modifier.lower().startswith(("error", "failure"))
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "original_message_id": self.original_message_id,
            "disposition": self.disposition,
            "disposition_type": self.disposition_type,
            "modifier": self.modifier,
            "mic": self.mic,
            "mic_algorithm": self.mic_algorithm,
            "signed": self.signed,
            "signature_valid": self.signature_valid,
            "signature_algorithm": self.signature_algorithm,
        }


def is_mdn(entity: Entity) -> bool:
    """An MDN is a multipart/report, possibly inside a multipart/signed."""
    if entity.content_type == "multipart/report":
        return True
    if entity.content_type == "multipart/signed":
        boundary = entity.param("boundary")
        if not boundary:
            return False
        head = entity.body.read(8192)
        first = head.find(b"--" + boundary.encode("latin-1"))
        line_end = head.find(b"\n", first) if first != -1 else -1
        if line_end == -1:
            return False
        try:
            inner = parse_entity(entity.body.sub(line_end + 1))
        except MalformedMessage:
            return False
        return inner.content_type == "multipart/report"
    return False


def parse_mdn(
    top: Entity,
    partner_certificates: Sequence[x509.Certificate],
    *,
    require_signature: bool = False,
    verify: bool = True,
) -> ParsedMdn:
    """Read (and verify, when signed) an MDN. A bad signature raises a `ReceiveError`;
    `verify=False` reads a signed MDN without checking its signature (inspection)."""
    result = ParsedMdn()
    report = UnwrapReport()
    if top.content_type == "multipart/signed":
        result.signed = True
        try:
            unwrap(
                top,
                our_keys=[],
                partner_certificates=partner_certificates,
                report=report,
                verify_signatures=verify,
            )
        finally:
            result.signature_valid = report.signature_valid
            result.signature_algorithm = report.signature_algorithm
        entity = report.payload_entity
        assert entity is not None
    elif require_signature:
        raise MalformedMessage("a signed MDN was requested; this one is not signed")
    else:
        entity = top
    if entity.content_type != "multipart/report":
        raise MalformedMessage(f"MDN is {entity.content_type}, not multipart/report")
    boundary = entity.param("boundary")
    if not boundary:
        raise MalformedMessage("multipart/report without a boundary")
    for part_span in split_multipart(entity.body, boundary):
        part = parse_entity(part_span)
        if part.content_type == "message/disposition-notification":
            _read_fields(part.body.read(), result)
        elif part.content_type == "text/plain" and result.text is None:
            result.text = part.body.read().decode("utf-8", "replace").strip()
    if result.disposition is None:
        raise MalformedMessage("MDN has no disposition-notification part")
    return result


def _read_fields(block: bytes, result: ParsedMdn) -> None:
    message = email.message_from_bytes(block.lstrip(b"\r\n"), policy=email.policy.compat32)
    for name, value in message.items():
        result.fields[name.lower()] = " ".join(str(value).split())
    result.original_message_id = result.fields.get("original-message-id")
    disposition = result.fields.get("disposition")
    result.disposition = disposition
    if disposition:
        _, _, status = disposition.partition(";")
        kind, _, modifier = status.strip().partition("/")
        result.disposition_type = kind.strip().lower() or None
        result.modifier = modifier.strip() or None
    mic_field = result.fields.get("received-content-mic")
    if mic_field:
        value, _, algorithm = mic_field.partition(",")
        result.mic = value.strip()
        result.mic_algorithm = algorithm.strip().lower() or None


def parse_mdn_bytes(
    headers: Sequence[tuple[str, str]],
    body: bytes,
    partner_certificates: Sequence[x509.Certificate],
    *,
    require_signature: bool = False,
) -> ParsedMdn:
    top_headers = headers_from_mapping(list(headers))
    span = Span.of_bytes(body)
    try:
        entity = Entity(top_headers, span, span)
        return parse_mdn(entity, partner_certificates, require_signature=require_signature)
    finally:
        span.fh.close()
