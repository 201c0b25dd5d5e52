"""MIC rules per RFC 4130 7.3.1 / RFC 5402 4.1 for every nesting, MDN build and parse, the
MDN request headers, and robustness: arbitrary bodies give a ReceiveError, never a crash."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.as2.build import build_message, payload_entity
from gateway.as2.config import (
    ConfigError,
    PartnerAs2Config,
    StaticDirectory,
    certificate_statuses,
    certificate_warnings,
)
from gateway.as2.errors import (
    AuthenticationFailed,
    DecryptionFailed,
    IntegrityCheckFailed,
    ReceiveError,
    UnknownPartner,
)
from gateway.as2.mdn import build_mdn, parse_mdn_bytes
from gateway.as2.mime import Entity, Span, headers_from_mapping
from gateway.as2.receive import parse_mdn_request
from gateway.as2.unwrap import unwrap
from gateway.secrets import SecretError, resolve_secret
from tests.unit.as2.keys import make_pair, pair

pytestmark = pytest.mark.unit

CONTENT = b"ISA*00*...~\nST*214*0001~\nSE*2*0001~\n"


def sender(**changes: object) -> PartnerAs2Config:
    base = PartnerAs2Config(
        partner_id="us",
        partner_as2_id="US",
        our_as2_id="THEM",
        our_keys=[pair("them")],
        partner_certificates=[pair("us").certificate],
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def receive(message_headers: list[tuple[str, str]], body: bytes, **kw: object):  # type: ignore[no-untyped-def]
    span = Span.of_bytes(body)
    top = Entity(headers_from_mapping(message_headers), span, span)
    return unwrap(top, our_keys=[pair("us")], partner_certificates=[pair("them").certificate], **kw)  # type: ignore[arg-type]


def b64sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


ENTITY = payload_entity(CONTENT, "application/edi-x12", "a.edi")


@pytest.mark.parametrize(
    ("sign", "encrypt", "compress", "first", "mic_over"),
    [
        (False, False, False, True, CONTENT),  # plain: the content alone
        (False, True, False, True, ENTITY),  # encrypted: the decrypted entity with headers
        (False, False, True, True, ENTITY),  # compressed: the uncompressed entity
        (False, True, True, True, ENTITY),
        (True, False, False, True, ENTITY),  # signed: the signed part
        (True, True, False, True, ENTITY),
        (True, False, True, False, ENTITY),  # signed, then compressed: still the signed part
    ],
)
def test_mic_rules(sign: bool, encrypt: bool, compress: bool, first: bool, mic_over: bytes) -> None:
    config = sender(sign=sign, encrypt=encrypt, compress=compress, compress_before_sign=first)
    message = build_message(config, CONTENT, "a.edi")
    report = receive(message.headers, message.body, mic_algorithms=["sha-256"])
    assert report.payload is not None and report.payload.read() == CONTENT
    assert report.mic == b64sha256(mic_over) == message.mic
    assert report.filename == "a.edi"


def test_compress_then_sign_mic_is_over_the_compressed_part() -> None:
    message = build_message(sender(compress=True, encrypt=False), CONTENT, "a.edi")
    report = receive(message.headers, message.body)
    assert report.layers == ["signed", "compressed"]
    assert report.mic == message.mic != b64sha256(ENTITY)


def test_tampering_and_wrong_keys() -> None:
    message = build_message(sender(encrypt=False), CONTENT, "a.edi")
    with pytest.raises(IntegrityCheckFailed):
        receive(message.headers, message.body.replace(b"ST*214", b"ST*210"))
    stranger = build_message(sender(encrypt=False, our_keys=[make_pair("x")]), CONTENT)
    with pytest.raises(AuthenticationFailed):
        receive(stranger.headers, stranger.body)
    elsewhere = build_message(sender(partner_certificates=[pair("them").certificate]), CONTENT)
    with pytest.raises(DecryptionFailed):
        receive(elsewhere.headers, elsewhere.body)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(
        [
            "application/pkcs7-mime; smime-type=enveloped-data",
            "application/pkcs7-mime; smime-type=compressed-data",
            'multipart/signed; protocol="application/pkcs7-signature"; boundary="b"',
            "application/edi-x12",
        ]
    ),
    st.sampled_from(["binary", "base64"]),
    st.binary(max_size=600),
)
def test_arbitrary_bodies_give_a_receive_error_not_a_crash(
    content_type: str, encoding: str, body: bytes
) -> None:
    headers = [("Content-Type", content_type), ("Content-Transfer-Encoding", encoding)]
    with contextlib.suppress(ReceiveError):
        receive(headers, body)


def test_mdn_round_trip_signed_and_failures() -> None:
    ok = build_mdn(
        original_message_id="<m1@US>",
        our_as2_id="THEM",
        partner_as2_id="US",
        error=None,
        mic="abc=",
        mic_algorithm="sha256",
        signer=pair("them"),
    )
    parsed = parse_mdn_bytes(
        ok.headers, ok.body, [pair("them").certificate], require_signature=True
    )
    assert parsed.processed_ok and parsed.signature_valid
    assert (parsed.mic, parsed.mic_algorithm) == ("abc=", "sha-256")
    assert parsed.original_message_id == "<m1@US>"
    refused = build_mdn(
        original_message_id="<m2@US>",
        our_as2_id="THEM",
        partner_as2_id="US",
        error=UnknownPartner("who?"),
        mic=None,
        mic_algorithm=None,
    )
    parsed = parse_mdn_bytes(refused.headers, refused.body, [])
    assert not parsed.processed_ok and not parsed.signed
    assert parsed.disposition == (
        "automatic-action/MDN-sent-automatically; processed/error: unknown-trading-partner"
    )
    with pytest.raises(ReceiveError):
        parse_mdn_bytes(refused.headers, refused.body, [], require_signature=True)


def test_mdn_request_headers() -> None:
    request = parse_mdn_request(
        headers_from_mapping(
            {
                "Disposition-Notification-To": "mailto:x@y",
                "Disposition-Notification-Options": (
                    "signed-receipt-protocol=optional, pkcs7-signature; "
                    "signed-receipt-micalg=optional, SHA-512, sha1"
                ),
            }
        )
    )
    assert (request.mode, request.signed, request.mic_algorithms) == (
        "sync",
        True,
        ["sha-512", "sha1"],
    )
    request = parse_mdn_request(
        headers_from_mapping(
            {"Disposition-Notification-To": "x", "Receipt-Delivery-Option": "http://h/mdn"}
        )
    )
    assert (request.mode, request.url, request.signed) == ("async", "http://h/mdn", False)
    assert parse_mdn_request(headers_from_mapping({})).mode == "none"


def test_directory_and_config_validation() -> None:
    config = sender()
    directory = StaticDirectory([config])
    assert directory.lookup("US", "THEM") is config  # AS2-From is theirs, AS2-To ours
    assert directory.lookup("THEM", "US") is None
    other = dataclasses.replace(config, partner_id="acme", partner_as2_id="ACME")
    directory.add(other)
    assert directory.lookup("ACME", "THEM") is other
    assert directory.get("us") is config
    moved = dataclasses.replace(config, our_as2_id="EDIGW")
    directory.add(moved)  # same partner id: replaces
    assert directory.lookup("US", "THEM") is None and directory.lookup("US", "EDIGW") is moved
    assert len(list(directory.all())) == 2
    with pytest.raises(ConfigError, match="encryption_algorithm"):
        sender(encryption_algorithm="rc2")
    with pytest.raises(ConfigError, match="async_mdn_url"):
        sender(mdn_mode="async")


def test_certificate_expiry_warnings() -> None:
    now = datetime.now(UTC)
    old = make_pair("old", days=20, start=now - timedelta(days=5))  # 15 days left
    expired = make_pair("gone", days=2, start=now - timedelta(days=10))
    config = sender(partner_certificates=[old.certificate, pair("us").certificate])
    levels = {s.subject: s.level for s in certificate_statuses(config, now=now)}
    assert levels == {"CN=them": "ok", "CN=old": "warning", "CN=us": "ok"}
    assert certificate_warnings(config, now=now) == [
        "partner AS2 certificate CN=old expires in 15 days"
    ]
    config = sender(our_keys=[expired])
    assert certificate_warnings(config, now=now) == [
        "our AS2 certificate CN=gone expired 8 days ago"
    ]


def test_secret_references(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EDIGW_TEST_SECRET", "s3cret")
    assert resolve_secret("env:EDIGW_TEST_SECRET") == b"s3cret"
    (tmp_path / "pw").write_bytes(b"pw")
    assert resolve_secret(f"file:{tmp_path / 'pw'}") == b"pw"
    for bad in ("plain", "env:", "env:EDIGW_NOT_SET_ANYWHERE", "vault:x", f"file:{tmp_path}/no"):
        with pytest.raises(SecretError):
            resolve_secret(bad)


def test_mdn_evaluation_is_strict_about_the_mic() -> None:
    from gateway.as2.client import evaluate_mdn
    from gateway.as2.mdn import ParsedMdn

    mics = {"sha256": "good=", "sha1": "old="}

    def mdn(**fields: object) -> ParsedMdn:
        base: dict[str, object] = dict(
            original_message_id="<m@x>",
            disposition="automatic-action/...; processed",
            disposition_type="processed",
            mic="good=",
            mic_algorithm="sha-256",
        )
        return ParsedMdn(**{**base, **fields})  # type: ignore[arg-type]

    assert evaluate_mdn(mdn(), "<m@x>", mics, mic_due=True) is None
    assert evaluate_mdn(mdn(mic="old=", mic_algorithm="sha1"), "<m@x>", mics, True) is None
    assert "mismatch" in (evaluate_mdn(mdn(mic="bad="), "<m@x>", mics, True) or "")
    assert "no Received-Content-MIC" in (evaluate_mdn(mdn(mic=None), "<m@x>", mics, True) or "")
    assert evaluate_mdn(mdn(mic=None), "<m@x>", mics, mic_due=False) is None
    assert "answers" in (evaluate_mdn(mdn(), "<other@x>", mics, True) or "")
    refused = mdn(modifier="error: decryption-failed", mic=None)
    assert "partner reports" in (evaluate_mdn(refused, "<m@x>", mics, True) or "")
    assert "not supported" in (
        evaluate_mdn(mdn(mic_algorithm="sha3-256"), "<m@x>", mics, True) or ""
    )


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            'multipart/report; report-type=disposition-notification; boundary="r"',
            'multipart/signed; protocol="application/pkcs7-signature"; boundary="s"',
        ]
    ),
    st.lists(
        st.sampled_from(
            [
                b"--r\r\n",
                b"--s\r\n",
                b"--r--\r\n",
                b"--s--\r\n",
                b"\r\n",
                b"Content-Type: message/disposition-notification\r\n",
                b"Disposition: automatic-action/x; processed\r\n",
                b"Received-Content-MIC: ,\r\n",
                b"\xff\xfe",
                b"junk",
            ]
        ),
        max_size=20,
    ),
)
def test_arbitrary_mdns_give_a_receive_error_not_a_crash(
    content_type: str, pieces: list[bytes]
) -> None:
    with contextlib.suppress(ReceiveError):
        parse_mdn_bytes(
            [("Content-Type", content_type)], b"".join(pieces), [pair("them").certificate]
        )


def test_certificate_expiry_metric_is_read_at_scrape_time() -> None:
    from prometheus_client import REGISTRY, generate_latest

    from gateway.as2 import metrics

    directory = StaticDirectory([sender()])
    metrics.watch_certificates(directory.all)
    scraped = generate_latest(REGISTRY).decode()
    serial = format(pair("us").certificate.serial_number, "x")
    line = next(
        line
        for line in scraped.splitlines()
        if line.startswith("edigw_as2_certificate_expiry_seconds{") and serial in line
    )
    assert 'partner="us"' in line and 'role="theirs"' in line
    assert 363 * 86400 < float(line.rsplit(" ", 1)[1]) < 365 * 86400
    # a partner replaced in the directory is what the next scrape shows
    directory.add(sender(partner_certificates=[]))
    assert serial not in generate_latest(REGISTRY).decode()
