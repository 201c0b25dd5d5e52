"""Making an AS2 identity: an RSA key with a self-signed certificate, and writing both as
PEM files (the private key readable by its owner only from the moment it exists).

Trading partners often accept a self-signed certificate for AS2; the demo, the tests and
the benchmarks make theirs here too, so there is one way to do it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from gateway.as2.config import KeyPair


def self_signed(
    common_name: str,
    *,
    days: int = 365,
    not_before: datetime | None = None,
    unit: str | None = None,
    key_size: int = 2048,
) -> KeyPair:
    """A new RSA key and a certificate for it, signed by itself with SHA-256, valid from
    `not_before` (default: a day ago, so clocks a little apart still agree) for `days`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    start = not_before or datetime.now(UTC) - timedelta(days=1)
    names = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if unit:
        names.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    subject = x509.Name(names)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(key, cert)


def write_pem(pair: KeyPair, key_path: Path, cert_path: Path) -> None:
    """The key as unencrypted PKCS#8 (mode 0600 from creation) and the certificate as PEM."""
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    pem = pair.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(pair.certificate.public_bytes(serialization.Encoding.PEM))
