"""Bad messages get the right MDN disposition over real HTTP, and none reaches intake."""

from __future__ import annotations

import base64
import dataclasses
import socket
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from gateway.as2 import cms
from gateway.as2.build import build_message, payload_entity, signed_entity
from gateway.as2.client import send
from gateway.as2.http import router
from gateway.as2.mdn import ParsedMdn, parse_mdn_bytes
from gateway.store import Interchange
from gateway.store.models import TransportReceipt
from tests.integration.as2.conftest import Pair, serve
from tests.integration.as2.test_roundtrip import PAYLOAD

pytestmark = pytest.mark.integration


def _post(pair: Pair, headers: list[tuple[str, str]], body: bytes) -> httpx.Response:
    return httpx.post(f"{pair.ours.url}/as2", headers=headers, content=body, timeout=30)


def _mdn(pair: Pair, response: httpx.Response) -> ParsedMdn:
    assert response.status_code == 200, response.text
    return parse_mdn_bytes(
        list(response.headers.multi_items()),
        response.content,
        [pair.our_id.pair.certificate],
        require_signature=True,
    )


def _count(pair: Pair, model: type) -> int:
    with pair.ours.runtime.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _assert_refused(pair: Pair, mdn: ParsedMdn, modifier: str) -> None:
    assert mdn.disposition_type == "processed"
    assert mdn.modifier == f"error: {modifier}"
    assert mdn.signature_valid is True  # even a refusal is a signed receipt when asked
    assert _count(pair, Interchange) == 0  # nothing reached intake
    with pair.ours.runtime.db.session() as session:
        receipt = session.scalars(select(TransportReceipt)).one()
        assert receipt.detail["status"] == "failed"
        assert receipt.detail["modifier"] == modifier
        assert pair.ours.runtime.blobs.exists(receipt.detail["request_blob"])


def test_tampered_content_is_an_integrity_failure(pair: Pair) -> None:
    message = build_message(pair.configure(encrypt=False), PAYLOAD, "a.edi")
    body = message.body.replace(b"PRO123", b"PRO999")
    assert body != message.body
    _assert_refused(pair, _mdn(pair, _post(pair, message.headers, body)), "integrity-check-failed")


def test_tampered_signature_is_an_authentication_failure(pair: Pair) -> None:
    config = pair.configure(encrypt=False)
    entity = signed_entity(payload_entity(PAYLOAD, config.content_type, "a.edi"), config)
    head, _, body = entity.partition(b"\r\n\r\n")
    start = body.index(b'filename="smime.p7s"\r\n\r\n') + len(b'filename="smime.p7s"\r\n\r\n')
    end = body.index(b"\r\n--", start)
    signature = bytearray(base64.b64decode(body[start:end]))
    signature[-5] ^= 0xFF  # inside the RSA signature value, the last element
    body = body[:start] + base64.encodebytes(bytes(signature)).replace(b"\n", b"\r\n") + body[end:]
    message = build_message(config, PAYLOAD, "a.edi")
    headers = [h for h in message.headers if h[0] != "Content-Type"]
    headers.append(("Content-Type", head.decode().partition(": ")[2]))
    _assert_refused(pair, _mdn(pair, _post(pair, headers, body)), "authentication-failed")


def test_signed_by_an_unknown_key_is_an_authentication_failure(pair: Pair, keys: dict) -> None:  # type: ignore[type-arg]
    config = pair.configure(encrypt=False, our_keys=[keys["stranger"].pair])
    message = build_message(config, PAYLOAD, "a.edi")
    _assert_refused(
        pair, _mdn(pair, _post(pair, message.headers, message.body)), "authentication-failed"
    )


def test_encrypted_for_another_key_is_a_decryption_failure(pair: Pair, keys: dict) -> None:  # type: ignore[type-arg]
    config = pair.configure(partner_certificates=[keys["stranger"].pair.certificate])
    message = build_message(config, PAYLOAD, "a.edi")
    _assert_refused(
        pair, _mdn(pair, _post(pair, message.headers, message.body)), "decryption-failed"
    )


def test_unknown_partner(pair: Pair) -> None:
    config = pair.configure(our_as2_id="NOBODY")
    message = build_message(config, PAYLOAD, "a.edi")
    response = _post(pair, message.headers, message.body)
    # we cannot sign for a partner we do not know; the refusal comes unsigned
    mdn = parse_mdn_bytes(list(response.headers.multi_items()), response.content, [])
    assert response.status_code == 200
    assert mdn.modifier == "error: unknown-trading-partner"
    assert _count(pair, Interchange) == 0


def test_truncated_encrypted_body(pair: Pair) -> None:
    message = build_message(pair.configure(), PAYLOAD * 50, "a.edi")
    body = message.body[: len(message.body) // 2]
    _assert_refused(pair, _mdn(pair, _post(pair, message.headers, body)), "decryption-failed")


def test_truncated_signed_body(pair: Pair) -> None:
    message = build_message(pair.configure(encrypt=False), PAYLOAD, "a.edi")
    body = message.body[: message.body.rindex(b"--") - 40]
    mdn = _mdn(pair, _post(pair, message.headers, body))
    _assert_refused(pair, mdn, "unexpected-processing-error")


def test_oversized_body(pair: Pair) -> None:
    pair.receiving(max_message_bytes=4096)
    message = build_message(pair.configure(), PAYLOAD * 100, "a.edi")
    assert len(message.body) > 4096
    mdn = _mdn(pair, _post(pair, message.headers, message.body))
    _assert_refused(pair, mdn, "unexpected-processing-error")
    assert "exceeds" in (mdn.text or "")


def test_unencrypted_when_encryption_is_required(pair: Pair) -> None:
    pair.receiving(require_encrypted=True)
    message = build_message(pair.configure(encrypt=False), PAYLOAD, "a.edi")
    _assert_refused(
        pair,
        _mdn(pair, _post(pair, message.headers, message.body)),
        "insufficient-message-security",
    )


def test_garbage_is_an_mdn_not_a_500(pair: Pair) -> None:
    message = build_message(pair.configure(), PAYLOAD, "a.edi")
    mdn = _mdn(pair, _post(pair, message.headers, b"\x30\x80 not CMS at all"))
    _assert_refused(pair, mdn, "decryption-failed")


def test_refusal_without_mdn_request_is_a_plain_400(pair: Pair) -> None:
    message = build_message(pair.configure(mdn_mode="none"), PAYLOAD, "a.edi")
    response = _post(pair, message.headers, message.body[:100])
    assert response.status_code == 400
    assert "decryption-failed" in response.text
    assert _count(pair, Interchange) == 0


def test_connection_cut_mid_body_stores_nothing(pair: Pair) -> None:
    message = build_message(pair.configure(), PAYLOAD, "a.edi")
    url = urlsplit(pair.ours.url)
    head = "".join(f"{k}: {v}\r\n" for k, v in message.headers)
    request = (
        f"POST /as2 HTTP/1.1\r\nHost: {url.netloc}\r\n{head}"
        f"Content-Length: {len(message.body) + 10000}\r\n\r\n"
    ).encode() + message.body
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(request)
    httpx.get(f"{pair.ours.url}/healthz", timeout=10)  # the server is still up
    assert _count(pair, Interchange) == 0
    assert _count(pair, TransportReceipt) == 0


def test_signature_over_canonical_or_raw_line_ends(pair: Pair) -> None:
    """Products that sign raw bytes and ones that canonicalise are both accepted, and the
    MIC follows the form the signature covered."""
    config = pair.configure(encrypt=False)
    raw_signed = send(pair.partner.runtime, config, PAYLOAD, "raw.edi")
    assert raw_signed.status == "delivered", raw_signed.error
    # now a sender that canonicalises before signing but transmits bare LFs
    entity = payload_entity(PAYLOAD, config.content_type, "canon.edi")
    canonical = entity.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    digest = cms.new_hash("sha256")
    digest.update(canonical)
    signature = cms.sign_detached(digest.digest(), "sha256", pair.partner_id.pair)
    boundary = "canon-boundary"
    body = (
        f"--{boundary}\r\n".encode()
        + entity
        + f"\r\n--{boundary}\r\n".encode()
        + b"Content-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(signature)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    message = build_message(dataclasses.replace(config, sign=False), b"x")
    headers = [
        h
        for h in message.headers
        if h[0] not in ("Content-Type", "Content-Transfer-Encoding", "Content-Disposition")
    ]
    headers.append(
        (
            "Content-Type",
            f'multipart/signed; protocol="application/pkcs7-signature"; '
            f'micalg=sha-256; boundary="{boundary}"',
        )
    )
    mdn = _mdn(pair, _post(pair, headers, body))
    assert mdn.processed_ok, mdn.disposition
    assert mdn.mic == base64.b64encode(digest.digest()).decode()
    with pair.ours.runtime.db.session() as session:
        rows = session.scalars(select(Interchange).order_by(Interchange.id)).all()
        assert [r.meta["security"]["signed_raw_line_ends"] for r in rows] == [True, False]


def test_mdn_signed_by_the_wrong_key_fails_the_send(pair: Pair, keys: dict) -> None:  # type: ignore[type-arg]
    # the gateway answers with an MDN signed by its key; acme expects a stranger's
    config = pair.configure(partner_certificates=[keys["stranger"].pair.certificate], encrypt=False)
    result = send(pair.partner.runtime, config, PAYLOAD, "a.edi")
    assert result.status == "failed"
    assert "MDN not acceptable" in (result.error or "")


def test_unreachable_partner_is_retried_then_fails(pair: Pair) -> None:
    config = pair.configure(url="http://127.0.0.1:9/as2", send_attempts=3)
    delays: list[float] = []
    result = send(pair.partner.runtime, config, PAYLOAD, "a.edi", sleep=delays.append)
    assert result.status == "send_failed" and result.attempts == 3
    assert delays == [0.1, 0.2]


def test_unknown_partner_asking_for_async_mdn_is_answered_in_the_response(pair: Pair) -> None:
    config = pair.configure(our_as2_id="NOBODY", mdn_mode="async")
    message = build_message(config, PAYLOAD, "a.edi")
    response = _post(pair, message.headers, message.body)
    # an unidentified sender does not get us to POST to a URL of its choosing
    mdn = parse_mdn_bytes(list(response.headers.multi_items()), response.content, [])
    assert mdn.modifier == "error: unknown-trading-partner"


def test_unsupported_micalg_falls_back_to_sha256(pair: Pair) -> None:
    message = build_message(pair.configure(), PAYLOAD, "a.edi")
    headers = [
        (k, v)
        if k != "Disposition-Notification-Options"
        else (
            k,
            "signed-receipt-protocol=optional, pkcs7-signature; "
            "signed-receipt-micalg=optional, sha3-256",
        )
        for k, v in message.headers
    ]
    mdn = _mdn(pair, _post(pair, headers, message.body))
    assert mdn.processed_ok and mdn.mic_algorithm == "sha-256" and mdn.mic == message.mic


def test_body_over_the_endpoint_cap_is_drained_and_refused(pair: Pair, runtime) -> None:  # type: ignore[no-untyped-def]
    """Before the partner is known only the endpoint's hard cap applies; the rest of the body
    is read and dropped, so the sender still gets its MDN."""
    app = FastAPI()
    app.state.runtime = runtime
    app.include_router(router(pair.ours.directory, max_body_bytes=2048))
    url, server, thread = serve(app)
    message = build_message(pair.configure(), PAYLOAD * 40, "a.edi")
    assert len(message.body) > 2048
    try:
        response = httpx.post(f"{url}/as2", headers=message.headers, content=message.body)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    mdn = parse_mdn_bytes(
        list(response.headers.multi_items()), response.content, [pair.our_id.pair.certificate]
    )
    assert response.status_code == 200
    assert mdn.modifier == "error: unexpected-processing-error"
    assert "exceeds" in (mdn.text or "")
    with runtime.db.session() as session:
        assert session.scalars(select(Interchange)).first() is None
        receipt = session.scalars(select(TransportReceipt)).one()
        assert receipt.detail["request_size"] == len(message.body)
