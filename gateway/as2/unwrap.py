"""Open an AS2 message layer by layer (encrypted, signed, compressed, in any allowed order),
verify it, and compute its MIC exactly per RFC 4130 7.3.1 and RFC 5402 4.1.

MIC rules: a signed message's MIC is over the signed MIME part (headers and content, in the
form whose digest the signature verified: canonical or raw line ends), whatever lies inside
it (compressed or not). An unsigned message that was encrypted or compressed: over the
innermost payload MIME entity, headers included. A plain message: over its content alone."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from gateway.as2 import cms
from gateway.as2.config import KeyPair
from gateway.as2.errors import AuthenticationFailed, MalformedMessage, ReceiveError
from gateway.as2.mime import (
    Entity,
    Span,
    canonical_chunks,
    decode_transfer,
    new_spool,
    parse_entity,
    split_multipart,
    spool_chunks,
)

PKCS7_MIME = ("application/pkcs7-mime", "application/x-pkcs7-mime")
MAX_SIGNATURE_BYTES = 1 << 20
MAX_LAYERS = 8


@dataclass
class UnwrapReport:
    """What was learned while opening a message; filled in as layers are opened, so that a
    failure still tells what was found before it."""

    layers: list[str] = field(default_factory=list)  # outermost first
    encryption_algorithm: str | None = None
    key_transport: str | None = None
    signature_algorithm: str | None = None
    signature_valid: bool | None = None
    signed_raw_line_ends: bool = False  # the signature covered non-canonical bytes
    signer: x509.Certificate | None = None
    mic: str | None = None
    mic_algorithm: str | None = None
    payload: Span | None = None
    payload_entity: Entity | None = None
    error: ReceiveError | None = None

    @property
    def signed(self) -> bool:
        return "signed" in self.layers

    @property
    def encrypted(self) -> bool:
        return "encrypted" in self.layers

    @property
    def compressed(self) -> bool:
        return "compressed" in self.layers

    @property
    def filename(self) -> str | None:
        if self.payload_entity is None:
            return None
        name = self.payload_entity.headers.get_filename()
        return str(name) if name else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "layers": list(self.layers),
            "signed": self.signed,
            "encrypted": self.encrypted,
            "compressed": self.compressed,
            "encryption_algorithm": self.encryption_algorithm,
            "key_transport": self.key_transport,
            "signature_algorithm": self.signature_algorithm,
            "signature_valid": self.signature_valid,
            "signed_raw_line_ends": self.signed_raw_line_ends,
            "mic": self.mic,
            "mic_algorithm": self.mic_algorithm and cms.micalg_name(self.mic_algorithm),
        }


def choose_mic_algorithm(requested: Sequence[str], fallback: str) -> str:
    """The first algorithm the sender asked for that we support, else `fallback`."""
    for name in requested:
        try:
            return cms.normalise_digest_name(name)
        except MalformedMessage:
            continue
    return cms.normalise_digest_name(fallback)


def _digests(span: Span, names: Sequence[str], raw_first: bool) -> list[dict[str, bytes]]:
    """Digests of a span in two forms (canonical CRLF and raw bytes), in one pass."""
    forms = ["raw", "canonical"] if raw_first else ["canonical", "raw"]
    hashers = {form: {n: cms.new_hash(n) for n in set(names)} for form in forms}
    canon = canonical_chunks(_tee(span, hashers["raw"]))
    for chunk in canon:
        for h in hashers["canonical"].values():
            h.update(chunk)
    return [{n: h.digest() for n, h in hashers[form].items()} for form in forms]


def _tee(span: Span, hashers: dict[str, Any]) -> Any:
    for chunk in span.chunks():
        for h in hashers.values():
            h.update(chunk)
        yield chunk


def _digest_of(span: Span, name: str) -> bytes:
    h = cms.new_hash(name)
    for chunk in span.chunks():
        h.update(chunk)
    return bytes(h.digest())


def unwrap(
    top: Entity,
    *,
    our_keys: Sequence[KeyPair],
    partner_certificates: Sequence[x509.Certificate],
    mic_algorithms: Sequence[str] = (),
    raw_line_ends_first: bool = False,
    max_bytes: int | None = None,
    workdir: Path | None = None,
    report: UnwrapReport | None = None,
    verify_signatures: bool = True,
) -> UnwrapReport:
    """Open every layer of `top`; raise a `ReceiveError` naming the failure (the report
    passed in keeps what was found up to then). The caller closes `workdir` spools."""
    report = report if report is not None else UnwrapReport()
    entity = top
    for _ in range(MAX_LAYERS):
        content_type = entity.content_type
        if content_type == "multipart/signed":
            entity = _open_signed(
                entity,
                report,
                partner_certificates,
                mic_algorithms,
                raw_line_ends_first,
                verify_signatures,
            )
        elif content_type in PKCS7_MIME:
            smime_type = (entity.param("smime-type") or "").lower()
            name = (entity.param("name") or "").lower()
            body = decode_transfer(entity.body.chunks(), entity.transfer_encoding)
            spool = new_spool(workdir)
            if smime_type == "compressed-data" or name.endswith(".p7z"):
                report.layers.append("compressed")
                cms.decompress_stream(body, spool.write, max_bytes)
            elif smime_type in ("enveloped-data", "authenveloped-data", "") or name.endswith(
                ".p7m"
            ):
                report.layers.append("encrypted")
                info = cms.decrypt_stream(body, our_keys, spool.write, max_bytes)
                report.encryption_algorithm = info.algorithm
                report.key_transport = info.key_transport
            else:
                raise MalformedMessage(f"unsupported S/MIME type {smime_type!r}")
            entity = parse_entity(Span.of_file(spool))
        else:
            break
    else:
        raise MalformedMessage(f"more than {MAX_LAYERS} nested S/MIME layers")
    report.payload_entity = entity
    encoding = entity.transfer_encoding
    if encoding in ("binary", "8bit", "7bit"):
        report.payload = entity.body
    else:
        report.payload = spool_chunks(decode_transfer(entity.body.chunks(), encoding), workdir)
    if not report.signed:
        report.mic_algorithm = choose_mic_algorithm(mic_algorithms, "sha256")
        covered = entity.whole if (report.encrypted or report.compressed) else entity.body
        report.mic = base64.b64encode(_digest_of(covered, report.mic_algorithm)).decode()
    return report


def _open_signed(
    entity: Entity,
    report: UnwrapReport,
    partner_certificates: Sequence[x509.Certificate],
    mic_algorithms: Sequence[str],
    raw_first: bool,
    verify: bool = True,
) -> Entity:
    boundary = entity.param("boundary")
    if not boundary:
        raise MalformedMessage("multipart/signed without a boundary")
    report.layers.append("signed")
    parts = split_multipart(entity.body, boundary)
    if len(parts) != 2:
        raise MalformedMessage(f"multipart/signed has {len(parts)} parts, not 2")
    signed_part, signature_part = parts
    signature_entity = parse_entity(signature_part)
    if len(signature_entity.body) > MAX_SIGNATURE_BYTES:
        raise MalformedMessage("signature part is too large")
    signature = b"".join(
        decode_transfer(signature_entity.body.chunks(), signature_entity.transfer_encoding)
    )

    try:
        digest_name = cms.signature_digest_algorithm(signature)
    except AuthenticationFailed:
        report.signature_valid = False
        raise
    report.signature_algorithm = digest_name
    outermost = report.mic is None
    # asked-for algorithm first, then what the sender says it used (micalg), then the digest
    # the signature actually uses
    mic_name = choose_mic_algorithm([*mic_algorithms, entity.param("micalg") or ""], digest_name)
    forms = _digests(signed_part, [digest_name, mic_name], raw_first)
    if not verify:  # inspection without the signer's certificate: MIC of the canonical form
        canonical = forms[1] if raw_first else forms[0]
        if outermost:
            report.mic_algorithm = mic_name
            report.mic = base64.b64encode(canonical[mic_name]).decode()
        return parse_entity(signed_part)
    try:
        index, signer = cms.verify_detached(
            signature, [f[digest_name] for f in forms], partner_certificates
        )
    except ReceiveError:
        report.signature_valid = False
        raise
    report.signature_valid = True
    report.signer = signer
    report.signed_raw_line_ends = (index == 0) == raw_first
    if outermost:
        report.mic_algorithm = mic_name
        report.mic = base64.b64encode(forms[index][mic_name]).decode()
    return parse_entity(signed_part)
