"""Every allowed nesting of compression, signature and encryption, with sync and async
MDNs, sent by one live gateway's client to another over loopback HTTP."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from gateway.as2.client import send
from gateway.store import Interchange
from gateway.store.models import TransportReceipt
from tests.integration.as2.conftest import Pair

pytestmark = pytest.mark.integration

PAYLOAD = (
    b"ISA*00*          *00*          *ZZ*ACME           *ZZ*EDIGW          *240101*1200*U*00401"
    b"*000000001*0*P*>~\nGS*QM*ACME*EDIGW*20240101*1200*1*X*004010~\nST*214*0001~\n"
    b"B10*PRO123*BOL456*ACME~\nSE*3*0001~\nGE*1*1~\nIEA*1*000000001~\n"
)

# (sign, encrypt, compress, compress_before_sign)
COMBINATIONS = {
    "plain": (False, False, False, True),
    "signed": (True, False, False, True),
    "encrypted": (False, True, False, True),
    "compressed": (False, False, True, True),
    "signed+encrypted": (True, True, False, True),
    "compressed-then-signed": (True, False, True, True),
    "signed-then-compressed": (True, False, True, False),
    "compressed+encrypted": (False, True, True, True),
    "compressed-then-signed+encrypted": (True, True, True, True),
    "signed-then-compressed+encrypted": (True, True, True, False),
}


def _interchanges(pair: Pair) -> list[Interchange]:
    with pair.ours.runtime.db.session() as session:
        rows = session.scalars(select(Interchange).order_by(Interchange.id)).all()
        session.expunge_all()
        return list(rows)


@pytest.mark.parametrize("mdn_mode", ["sync", "async"])
@pytest.mark.parametrize("combination", list(COMBINATIONS))
def test_round_trip(pair: Pair, combination: str, mdn_mode: str) -> None:
    sign, encrypt, compress, compress_first = COMBINATIONS[combination]
    config = pair.configure(
        sign=sign,
        encrypt=encrypt,
        compress=compress,
        compress_before_sign=compress_first,
        mdn_mode=mdn_mode,
    )
    result = send(pair.partner.runtime, config, PAYLOAD, "status.edi", wait_for_async_mdn=True)
    assert result.status == "delivered", result.error
    assert result.mdn is not None and result.mdn.signed and result.mdn.signature_valid
    assert result.mdn.mic == result.mic
    stored = _interchanges(pair)
    assert len(stored) == 1
    assert stored[0].partner_id == "acme" and stored[0].transport == "as2"
    assert stored[0].transport_ref == result.message_id
    assert pair.ours.runtime.blobs.read(stored[0].blob_key) == PAYLOAD
    assert stored[0].sha256 == hashlib.sha256(PAYLOAD).hexdigest()
    security = stored[0].meta["security"]
    assert (security["signed"], security["encrypted"], security["compressed"]) == (
        sign,
        encrypt,
        compress,
    )
    with pair.ours.runtime.db.session() as session:
        receipt = session.scalars(select(TransportReceipt)).one()
        assert receipt.interchange_id == stored[0].id
        assert receipt.detail["status"] == "processed"
        assert pair.ours.runtime.blobs.exists(receipt.detail["request_blob"])
        assert receipt.blob_key and pair.ours.runtime.blobs.exists(receipt.blob_key)


@pytest.mark.parametrize(
    ("algorithm", "key_transport"),
    [
        ("aes128-cbc", "rsa-pkcs1v15"),
        ("aes192-cbc", "rsa-oaep-sha1"),
        ("aes256-cbc", "rsa-oaep-sha256"),
        ("aes128-gcm", "rsa-pkcs1v15"),
        ("aes256-gcm", "rsa-oaep-sha256"),
        ("3des", "rsa-pkcs1v15"),
    ],
)
def test_encryption_algorithms(pair: Pair, algorithm: str, key_transport: str) -> None:
    config = pair.configure(encryption_algorithm=algorithm, key_transport=key_transport)
    result = send(pair.partner.runtime, config, PAYLOAD, "a.edi")
    assert result.status == "delivered", result.error
    security = _interchanges(pair)[0].meta["security"]
    assert security["encryption_algorithm"] == algorithm
    assert security["key_transport"] == key_transport


@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha384", "sha512"])
def test_digest_algorithms(pair: Pair, digest: str) -> None:
    config = pair.configure(sign_algorithm=digest)
    result = send(pair.partner.runtime, config, PAYLOAD, "a.edi")
    assert result.status == "delivered", result.error
    assert result.mdn is not None and result.mdn.mic_algorithm == digest.replace("sha", "sha-")


def test_unsigned_mdn(pair: Pair) -> None:
    config = pair.configure(mdn_signed=False, sign=False)
    result = send(pair.partner.runtime, config, PAYLOAD, "a.edi")
    assert result.status == "delivered", result.error
    assert result.mdn is not None and not result.mdn.signed


def test_no_mdn_requested(pair: Pair) -> None:
    config = pair.configure(mdn_mode="none")
    result = send(pair.partner.runtime, config, PAYLOAD, "a.edi")
    assert result.status == "sent" and result.http_status == 200
    assert len(_interchanges(pair)) == 1


def test_repeated_message_id_gets_the_stored_mdn(pair: Pair) -> None:
    config = pair.configure()
    first = send(pair.partner.runtime, config, PAYLOAD, "a.edi", message_id="<dup-1@ACME>")
    second = send(pair.partner.runtime, config, PAYLOAD, "a.edi", message_id="<dup-1@ACME>")
    assert first.status == second.status == "delivered"
    assert first.mdn is not None and second.mdn is not None
    assert first.mdn.mic == second.mdn.mic
    assert len(_interchanges(pair)) == 1  # processed once
    with pair.ours.runtime.db.session() as session:
        receipt = session.scalars(select(TransportReceipt)).one()
        assert len(receipt.detail["repeats"]) == 1


def test_partner_certificate_rollover(pair: Pair, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.as2.pki import make_identity

    new = make_identity("acme-2027", tmp_path)
    # we know both of acme's certificates; acme has switched to signing with the new one
    pair.receiving(partner_certificates=[pair.partner_id.pair.certificate, new.pair.certificate])
    config = pair.configure(our_keys=[new.pair])
    result = send(pair.partner.runtime, config, PAYLOAD, "a.edi")
    assert result.status == "delivered", result.error
