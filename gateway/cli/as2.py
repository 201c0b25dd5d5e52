"""`edigw as2`: inspect saved AS2 messages and MDNs, send a file as a partner would."""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
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
        try:
            top = parse_entity(Span.of_file(fh))
        except ReceiveError as exc:
            click.echo(json.dumps({"file": file, "kind": None, "error": _error(exc)}, indent=2))
            sys.exit(1)
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
@click.option("--partner", required=True, help="the partner whose part this command plays")
@click.option("--url", help="where to POST (default: this gateway's /as2)")
@click.option("--as2-from", help="sender's AS2 id (default: the partner's, from its profile)")
@click.option("--as2-to", help="receiver's AS2 id (default: ours, from the profile)")
@click.option("--key", help="the sender's private key (file or env:/file: reference)")
@click.option("--key-password", help="reference to the key's password (env:NAME or file:PATH)")
@click.option("--cert", help="the sender's certificate (default: the partner's, from the profile)")
@click.option(
    "--partner-cert",
    multiple=True,
    help="the receiver's certificate, to encrypt and check the MDN (default: ours, from the "
    "profile)",
)
@click.option("--sign/--no-sign", default=None, help="default: the profile's, else sign")
@click.option("--encrypt/--no-encrypt", default=None, help="default: the profile's, else encrypt")
@click.option("--compress/--no-compress", default=None, help="default: the profile's, else no")
@click.option("--digest", help="signature digest and MIC (default: the profile's, else sha256)")
@click.option("--encryption", help="aes128-cbc ... aes256-gcm, 3des (default: profile, aes256-cbc)")
@click.option("--key-transport", default="rsa-pkcs1v15", show_default=True)
@click.option("--mdn", "mdn_mode", type=click.Choice(["sync", "async", "none"]), default="sync")
@click.option("--mdn-signed/--mdn-unsigned", default=True, show_default=True)
@click.option("--async-url", help="where the receiver should POST the async MDN")
@click.option("--content-type", help="payload type (default: by the profile's standard)")
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
    sign: bool | None,
    encrypt: bool | None,
    compress: bool | None,
    digest: str | None,
    encryption: str | None,
    key_transport: str,
    mdn_mode: str,
    mdn_signed: bool,
    async_url: str | None,
    content_type: str | None,
    timeout: float,
) -> None:
    """Send FILE over AS2 as partner PARTNER would, and verify the MDN; print the result as
    JSON (exit 1 unless the MDN proves delivery).

    With a partner profile that has AS2, the ids, our certificate (to encrypt to us and to
    check our MDN), the partner's certificate and the algorithms come from it, and the
    message goes to this gateway's /as2; only the partner's private key must be given
    (--key: profiles never hold a partner's private key). Without a profile, give --url,
    --as2-from, --as2-to, --key, --cert and --partner-cert. Any option overrides the profile.
    The sender's side of the exchange is kept in a scratch store, not in the gateway's."""
    from gateway.as2.client import send
    from gateway.as2.config import (
        ConfigError,
        KeyPair,
        PartnerAs2Config,
        load_certificates,
        load_private_key,
    )
    from gateway.as2.errors import As2Error
    from gateway.runtime import Runtime
    from gateway.settings import load_settings

    gateway = open_runtime()
    profile_as2, standard = _profile_as2(gateway, partner)
    settings = gateway.settings
    gateway.close()
    receiver_certs = list(partner_cert)
    sender_cert = cert
    if profile_as2 is not None:
        as2_from = as2_from or profile_as2.their_as2_id
        as2_to = as2_to or profile_as2.our_as2_id
        url = url or f"http://{settings.http_host}:{settings.http_port}/as2"
        if not receiver_certs and profile_as2.our_certificate:
            receiver_certs = [profile_as2.our_certificate]
        if sender_cert is None and profile_as2.their_certificates:
            sender_cert = profile_as2.their_certificates[-1]
        sign = profile_as2.sign if sign is None else sign
        encrypt = profile_as2.encrypt if encrypt is None else encrypt
        compress = profile_as2.compress if compress is None else compress
        digest = digest or profile_as2.signing_algorithm
        encryption = encryption or profile_as2.encryption_algorithm.replace("_", "-").replace(
            "tripledes-cbc", "3des"
        )
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
        _fail(
            f"as2 send needs {', '.join(missing)} (partner {partner} has no AS2 profile to "
            "take them from)"
        )
    assert url and as2_from and as2_to and key
    try:
        certificate = load_certificates(sender_cert)[0] if sender_cert else _certificate_in(key)
        config = PartnerAs2Config(
            partner_id=partner,
            partner_as2_id=as2_to,
            our_as2_id=as2_from,
            our_keys=[KeyPair(load_private_key(key, key_password), certificate)],
            partner_certificates=[c for ref in receiver_certs for c in load_certificates(ref)],
            url=url,
            sign=True if sign is None else sign,
            sign_algorithm=(digest or "sha256").lower().replace("-", ""),
            encrypt=True if encrypt is None else encrypt,
            encryption_algorithm=encryption or "aes256-cbc",
            key_transport=key_transport,
            compress=bool(compress),
            content_type=content_type
            or ("application/edifact" if standard == "edifact" else "application/edi-x12"),
            mdn_mode=mdn_mode,  # type: ignore[arg-type]
            mdn_signed=mdn_signed,
            async_mdn_url=async_url,
            http_timeout_seconds=timeout,
        )
    except ConfigError as exc:
        _fail(str(exc))
    if config.encrypt and not config.partner_certificates:
        _fail("encrypting needs the receiver's certificate (--partner-cert)")
    with tempfile.TemporaryDirectory(prefix="edigw-as2-send-") as scratch:
        sender = Runtime.from_settings(load_settings(var_dir=Path(scratch)))
        try:
            result = send(sender, config, Path(file).read_bytes(), Path(file).name)
        except As2Error as exc:
            _fail(str(exc))
        finally:
            sender.close()
    click.echo(json.dumps(result.as_dict(), indent=2))
    sys.exit(0 if result.ok or result.status == "awaiting_mdn" else 1)


def _profile_as2(runtime: Any, partner_id: str) -> tuple[Any, str | None]:
    """The AS2 section and standard of a partner's profile, if profiles can be read."""
    try:
        profile = runtime.profiles.get(partner_id)
    except Exception as exc:  # a broken profiles folder must not stop an explicit send
        click.echo(f"edigw: partner profiles not readable ({exc}); using the options", err=True)
        return None, None
    if profile is None:
        return None, None
    return profile.transports.as2, profile.standard


def register(group: click.Group) -> None:
    group.add_command(as2)
