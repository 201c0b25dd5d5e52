"""`edigw as2`: inspect saved AS2 messages and MDNs, send a file as a partner would."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from gateway.cli._base import EXIT_UNAVAILABLE, open_runtime


@click.group()
def as2() -> None:
    """AS2: inspect saved messages and MDNs, send a file as a partner would."""


def _fail(message: str) -> None:
    click.echo(f"edigw: {message}", err=True)
    sys.exit(EXIT_UNAVAILABLE)


@as2.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", type=click.Path(exists=True), help="our private key (PEM/DER) to decrypt")
@click.option("--key-password", help="reference to the key's password (env:NAME or file:PATH)")
@click.option("--cert", type=click.Path(exists=True), help="our certificate (PEM/DER)")
@click.option(
    "--partner-cert",
    type=click.Path(exists=True),
    multiple=True,
    help="the partner's certificate(s), to verify signatures (repeat during a rollover)",
)
@click.option("--binary", is_flag=True, help="the signer did not canonicalise line ends")
@click.option("--micalg", default=None, help="MIC algorithm to report (default: as signed)")
def inspect(
    file: str,
    key: str | None,
    key_password: str | None,
    cert: str | None,
    partner_cert: tuple[str, ...],
    binary: bool,
    micalg: str | None,
) -> None:
    """Read a saved AS2 message or MDN (HTTP headers, blank line, body) and print JSON:
    kind, layers, algorithms, signature validity, MIC, disposition, payload sha256 and size.
    Exit status 1 when the message or MDN does not verify."""
    from gateway.as2.config import ConfigError, KeyPair, load_certificates, load_private_key
    from gateway.as2.errors import ReceiveError
    from gateway.as2.mdn import is_mdn, parse_mdn
    from gateway.as2.mime import Span, parse_entity
    from gateway.as2.unwrap import UnwrapReport, unwrap

    try:
        keys: list[KeyPair] = []
        if key:
            certificate = load_certificates(cert)[0] if cert else _certificate_in(key)
            keys.append(KeyPair(load_private_key(key, key_password), certificate))
        partner_certs = [c for path in partner_cert for c in load_certificates(path)]
    except ConfigError as exc:
        _fail(str(exc))
    with open(file, "rb") as fh:
        top = parse_entity(Span.of_file(fh))
        out: dict[str, Any] = {
            "file": file,
            "message_id": top.headers.get("Message-ID"),
            "as2_from": top.headers.get("AS2-From"),
            "as2_to": top.headers.get("AS2-To"),
        }
        ok = True
        if is_mdn(top):
            out["kind"] = "mdn"
            try:
                mdn = parse_mdn(top, partner_certs, verify=bool(partner_certs))
                out.update(
                    signed=mdn.signed,
                    encrypted=False,
                    compressed=False,
                    algorithms={"signature_digest": mdn.signature_algorithm},
                    signature_valid=mdn.signature_valid if partner_certs else None,
                    mic=mdn.mic,
                    mic_algorithm=mdn.mic_algorithm,
                    disposition=mdn.disposition,
                    original_message_id=mdn.original_message_id,
                    payload=None,
                )
            except ReceiveError as exc:
                ok = False
                out.update(signature_valid=False, error=_error(exc))
        else:
            out["kind"] = "message"
            report = UnwrapReport()
            try:
                unwrap(
                    top,
                    our_keys=keys,
                    partner_certificates=partner_certs,
                    mic_algorithms=[micalg] if micalg else [],
                    raw_line_ends_first=binary,
                    report=report,
                    verify_signatures=bool(partner_certs),
                )
            except ReceiveError as exc:
                ok = False
                out["error"] = _error(exc)
            out.update(
                signed=report.signed,
                encrypted=report.encrypted,
                compressed=report.compressed,
                layers=report.layers,
                algorithms={
                    "encryption": report.encryption_algorithm,
                    "key_transport": report.key_transport,
                    "signature_digest": report.signature_algorithm,
                },
                signature_valid=report.signature_valid,
                signed_raw_line_ends=report.signed_raw_line_ends if report.signed else None,
                mic=report.mic,
                mic_algorithm=report.as_dict()["mic_algorithm"],
                disposition=None,
                filename=report.filename,
                payload=_digest(report.payload) if report.payload is not None else None,
            )
    click.echo(json.dumps(out, indent=2))
    sys.exit(0 if ok else 1)


def _certificate_in(path: str) -> Any:
    from gateway.as2.config import ConfigError, load_certificates

    try:
        return load_certificates(path)[0]
    except ConfigError:
        _fail(f"{path} holds no certificate; give --cert")


def _error(exc: Exception) -> dict[str, str]:
    return {
        "modifier": getattr(exc, "modifier", "unexpected-processing-error"),
        "message": str(exc),
    }


def _digest(span: Any) -> dict[str, Any]:
    digest = hashlib.sha256()
    for chunk in span.chunks():
        digest.update(chunk)
    return {"sha256": digest.hexdigest(), "size": len(span)}


@as2.command(name="send")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--partner", required=True, help="partner id (recorded with the message)")
@click.option("--url", help="the partner's AS2 URL")
@click.option("--as2-from", help="our AS2 id")
@click.option("--as2-to", help="the partner's AS2 id")
@click.option("--key", type=click.Path(exists=True), help="our private key (signs, decrypts)")
@click.option("--key-password", help="reference to the key's password (env:NAME or file:PATH)")
@click.option("--cert", type=click.Path(exists=True), help="our certificate")
@click.option(
    "--partner-cert", type=click.Path(exists=True), multiple=True, help="partner's certificate"
)
@click.option("--sign/--no-sign", default=True, show_default=True)
@click.option("--encrypt/--no-encrypt", default=True, show_default=True)
@click.option("--compress/--no-compress", default=False, show_default=True)
@click.option("--digest", default="sha256", show_default=True, help="signature digest / MIC")
@click.option("--encryption", default="aes256-cbc", show_default=True)
@click.option("--key-transport", default="rsa-pkcs1v15", show_default=True)
@click.option("--mdn", "mdn_mode", type=click.Choice(["sync", "async", "none"]), default="sync")
@click.option("--mdn-signed/--mdn-unsigned", default=True, show_default=True)
@click.option("--async-url", help="where the partner should POST the async MDN")
@click.option("--content-type", default="application/edi-x12", show_default=True)
@click.option("--timeout", type=float, default=120.0, show_default=True, help="seconds")
def as2_send(
    file: str,
    partner: str,
    url: str | None,
    as2_from: str | None,
    as2_to: str | None,
    key: str | None,
    key_password: str | None,
    cert: str | None,
    partner_cert: tuple[str, ...],
    sign: bool,
    encrypt: bool,
    compress: bool,
    digest: str,
    encryption: str,
    key_transport: str,
    mdn_mode: str,
    mdn_signed: bool,
    async_url: str | None,
    content_type: str,
    timeout: float,
) -> None:
    """Send FILE over AS2 and verify the MDN; print the result as JSON (exit 1 unless the
    MDN proves delivery).

    Partner profiles are not wired to AS2 yet, so the connection comes from the options:
    --url, --as2-from, --as2-to, --key/--cert (ours) and --partner-cert (theirs); --partner
    names the partner the message is recorded under."""
    from gateway.as2.client import send
    from gateway.as2.config import (
        ConfigError,
        KeyPair,
        PartnerAs2Config,
        load_certificates,
        load_private_key,
    )
    from gateway.as2.errors import As2Error

    missing = [
        name
        for name, value in (
            ("--url", url),
            ("--as2-from", as2_from),
            ("--as2-to", as2_to),
            ("--key", key),
        )
        if not value
    ]
    if missing:
        _fail(f"as2 send needs {', '.join(missing)} (partner profiles are not wired to AS2 yet)")
    assert url and as2_from and as2_to and key
    try:
        certificate = load_certificates(cert)[0] if cert else _certificate_in(key)
        config = PartnerAs2Config(
            partner_id=partner,
            partner_as2_id=as2_to,
            our_as2_id=as2_from,
            our_keys=[KeyPair(load_private_key(key, key_password), certificate)],
            partner_certificates=[c for p in partner_cert for c in load_certificates(p)],
            url=url,
            sign=sign,
            sign_algorithm=digest.lower().replace("-", ""),
            encrypt=encrypt,
            encryption_algorithm=encryption,
            key_transport=key_transport,
            compress=compress,
            content_type=content_type,
            mdn_mode=mdn_mode,  # type: ignore[arg-type]
            mdn_signed=mdn_signed,
            async_mdn_url=async_url,
            http_timeout_seconds=timeout,
        )
    except ConfigError as exc:
        _fail(str(exc))
    if encrypt and not config.partner_certificates:
        _fail("--encrypt needs --partner-cert")
    runtime = open_runtime()
    try:
        result = send(runtime, config, Path(file).read_bytes(), Path(file).name)
    except As2Error as exc:
        _fail(str(exc))
    finally:
        runtime.close()
    click.echo(json.dumps(result.as_dict(), indent=2))
    sys.exit(0 if result.ok or result.status == "awaiting_mdn" else 1)


def register(group: click.Group) -> None:
    group.add_command(as2)
