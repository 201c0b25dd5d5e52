"""CMS layers: streaming decryption and decompression (any chunking, every algorithm),
detached signatures, and clear failures for wrong keys, tampering and truncation."""

from __future__ import annotations

import io
import os
import zlib

import pytest
from asn1crypto import cms as asn1_cms
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.as2 import cms
from gateway.as2.errors import (
    AuthenticationFailed,
    DecompressionFailed,
    DecryptionFailed,
    IntegrityCheckFailed,
    MessageTooLarge,
)
from tests.unit.as2.keys import pair

pytestmark = pytest.mark.unit


def _chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def _decrypt(
    der: bytes, chunk: int = 4096, keys: list | None = None
) -> tuple[bytes, cms.DecryptionInfo]:  # type: ignore[type-arg]
    out = io.BytesIO()
    info = cms.decrypt_stream(_chunked(der, chunk), keys or [pair("us")], out.write)
    return out.getvalue(), info


@pytest.mark.parametrize(
    "algorithm",
    ["aes128-cbc", "aes192-cbc", "aes256-cbc", "aes128-gcm", "aes192-gcm", "aes256-gcm", "3des"],
)
@pytest.mark.parametrize(
    "transport",
    [
        "rsa-pkcs1v15",
        "rsa-oaep-sha1",
        "rsa-oaep-sha256",
        "rsa-oaep-sha512",
        "rsa-oaep-sha256-mgf1-sha1",
    ],
)
def test_encrypt_then_stream_decrypt(algorithm: str, transport: str) -> None:
    content = os.urandom(70_001)
    der = cms.encrypt(content, pair("us").certificate, algorithm, transport)
    plain, info = _decrypt(der, chunk=997)
    assert plain == content
    assert (info.algorithm, info.key_transport) == (algorithm, transport)


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=2000), st.integers(1, 300))
def test_decrypt_any_chunking(content: bytes, chunk: int) -> None:
    der = cms.encrypt(content, pair("us").certificate, "aes256-cbc", "rsa-pkcs1v15")
    assert _decrypt(der, chunk)[0] == content


def _indefinite_enveloped(content: bytes, piece: int) -> bytes:
    """Re-encode EnvelopedData the way streaming senders do: indefinite lengths and the
    encrypted content as a constructed OCTET STRING of small pieces."""
    info = asn1_cms.ContentInfo.load(
        cms.encrypt(content, pair("us").certificate, "aes128-cbc", "rsa-pkcs1v15")
    )
    env = info["content"]
    eci = env["encrypted_content_info"]
    ciphertext = eci["encrypted_content"].native
    pieces = b"".join(
        asn1_cms.OctetString(ciphertext[i : i + piece]).dump()
        for i in range(0, len(ciphertext), piece)
    )
    eci_body = (
        eci["content_type"].dump()
        + eci["content_encryption_algorithm"].dump()
        + b"\xa0\x80"
        + pieces
        + b"\x00\x00"
    )
    env_body = (
        env["version"].dump() + env["recipient_infos"].dump() + b"\x30\x80" + eci_body + b"\x00\x00"
    )
    return (
        b"\x30\x80" + info["content_type"].dump() + b"\xa0\x80\x30\x80" + env_body + b"\x00\x00" * 3
    )


@pytest.mark.parametrize("piece", [1, 16, 1000])
def test_decrypt_indefinite_length_constructed_content(piece: int) -> None:
    content = os.urandom(5000)
    assert _decrypt(_indefinite_enveloped(content, piece), chunk=333)[0] == content


def test_wrong_key_is_decryption_failed() -> None:
    der = cms.encrypt(b"hello", pair("them").certificate, "aes256-cbc", "rsa-pkcs1v15")
    with pytest.raises(DecryptionFailed):
        _decrypt(der)


def test_rollover_second_key_decrypts() -> None:
    der = cms.encrypt(b"hello", pair("us-old").certificate, "aes256-cbc", "rsa-oaep-sha256")
    assert _decrypt(der, keys=[pair("us"), pair("us-old")])[0] == b"hello"


@pytest.mark.parametrize("cut", [10, 200, -40, -1])
def test_truncated_is_decryption_failed(cut: int) -> None:
    der = cms.encrypt(os.urandom(3000), pair("us").certificate, "aes256-cbc", "rsa-pkcs1v15")
    with pytest.raises(DecryptionFailed):
        _decrypt(der[:cut])


def test_gcm_tampering_is_detected() -> None:
    der = bytearray(cms.encrypt(b"x" * 500, pair("us").certificate, "aes256-gcm", "rsa-pkcs1v15"))
    der[-100] ^= 1  # inside the ciphertext
    with pytest.raises(DecryptionFailed, match="tag"):
        _decrypt(bytes(der))


def test_decrypt_size_limit() -> None:
    der = cms.encrypt(b"x" * 200_000, pair("us").certificate, "aes128-cbc", "rsa-pkcs1v15")
    with pytest.raises(MessageTooLarge):
        cms.decrypt_stream([der], [pair("us")], lambda b: None, max_bytes=100_000)


@given(st.binary(max_size=5000), st.integers(1, 500))
@settings(max_examples=40, deadline=None)
def test_compress_then_stream_decompress(content: bytes, chunk: int) -> None:
    out = io.BytesIO()
    cms.decompress_stream(_chunked(cms.compress(content), chunk) or [b""], out.write)
    assert out.getvalue() == content


def test_decompression_bomb_is_stopped() -> None:
    der = cms.compress(b"\0" * 5_000_000)
    assert len(der) < 10_000
    with pytest.raises(MessageTooLarge):
        cms.decompress_stream([der], lambda b: None, max_bytes=1_000_000)


def test_corrupt_compressed_data() -> None:
    der = bytearray(cms.compress(os.urandom(3000)))
    der[-50] ^= 0xFF
    with pytest.raises(DecompressionFailed):
        cms.decompress_stream([bytes(der)], lambda b: None)
    with pytest.raises(DecompressionFailed):
        cms.decompress_stream([zlib.compress(b"not cms")], lambda b: None)


def _digest(data: bytes, name: str = "sha256") -> bytes:
    h = cms.new_hash(name)
    h.update(data)
    return bytes(h.digest())


@pytest.mark.parametrize("digest", ["sha1", "sha224", "sha256", "sha384", "sha512"])
def test_detached_signature_round_trip(digest: str) -> None:
    signature = cms.sign_detached(_digest(b"content", digest), digest, pair("them"))
    index, signer = cms.verify_detached(
        signature,
        [_digest(b"other", digest), _digest(b"content", digest)],
        [pair("us").certificate, pair("them").certificate],
    )
    assert index == 1 and signer == pair("them").certificate
    assert cms.signature_digest_algorithm(signature) == digest


def test_signature_failures() -> None:
    signature = cms.sign_detached(_digest(b"content"), "sha256", pair("them"))
    with pytest.raises(IntegrityCheckFailed):
        cms.verify_detached(signature, [_digest(b"changed")], [pair("them").certificate])
    with pytest.raises(AuthenticationFailed):
        cms.verify_detached(signature, [_digest(b"content")], [pair("us").certificate])
    with pytest.raises(AuthenticationFailed):
        cms.verify_detached(signature, [_digest(b"content")], [])
    with pytest.raises(AuthenticationFailed):
        cms.verify_detached(
            b"\x30\x03\x02\x01\x01", [_digest(b"content")], [pair("them").certificate]
        )


def test_micalg_spellings() -> None:
    assert [cms.normalise_digest_name(n) for n in ("SHA-256", "sha256", '"sha-1"', "SHA1")] == [
        "sha256",
        "sha256",
        "sha1",
        "sha1",
    ]
    assert cms.micalg_name("sha1") == "sha-1" and cms.micalg_name("sha512") == "sha-512"


def test_ecdsa_signature_round_trip() -> None:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from gateway.as2.config import KeyPair

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ec")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    signature = cms.sign_detached(_digest(b"content"), "sha256", KeyPair(key, cert))
    assert cms.verify_detached(signature, [_digest(b"content")], [cert])[0] == 0
    with pytest.raises(IntegrityCheckFailed):
        cms.verify_detached(signature, [_digest(b"other")], [cert])
