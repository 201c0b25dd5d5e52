"""What AS2 needs to know per partner, the `As2Directory` lookup, and certificate checks.

Partner profiles (partner_profiles/) carry the same facts; the lead adapts a profile to
`PartnerAs2Config` behind the `As2Directory` protocol. Keys and certificates are loaded from
references (`env:NAME`, `file:PATH`, or a plain path for certificates)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.secrets import resolve_secret

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
MdnMode = Literal["sync", "async", "none"]

ENCRYPTION_ALGORITHMS = (
    "aes128-cbc",
    "aes192-cbc",
    "aes256-cbc",
    "aes128-gcm",
    "aes192-gcm",
    "aes256-gcm",
    "3des",
)
DIGEST_ALGORITHMS = ("sha1", "sha224", "sha256", "sha384", "sha512")
KEY_TRANSPORTS = (
    "rsa-pkcs1v15",
    "rsa-oaep-sha1",
    "rsa-oaep-sha256",
    "rsa-oaep-sha384",
    "rsa-oaep-sha512",
    "rsa-oaep-sha256-mgf1-sha1",
)


class ConfigError(ValueError):
    """A partner's AS2 configuration cannot be used (bad algorithm, unreadable key...)."""


@dataclass(frozen=True)
class KeyPair:
    """One of our private keys with its certificate."""

    key: PrivateKey
    certificate: x509.Certificate


@dataclass(frozen=True)
class PartnerAs2Config:
    """Everything AS2 needs about one trading partner (and about us towards it)."""

    partner_id: str
    partner_as2_id: str
    our_as2_id: str
    # ours: the first pair signs and is what the partner encrypts to; further pairs still
    # decrypt during our own certificate rollover
    our_keys: Sequence[KeyPair]
    # theirs: one certificate, or two while the partner rolls over; any of them verifies
    partner_certificates: Sequence[x509.Certificate] = ()
    url: str | None = None  # where we POST messages to the partner
    sign: bool = True
    sign_algorithm: str = "sha256"
    encrypt: bool = True
    encryption_algorithm: str = "aes256-cbc"
    key_transport: str = "rsa-pkcs1v15"
    compress: bool = False
    compress_before_sign: bool = True
    content_type: str = "application/edi-x12"
    # MDN we ask for when sending
    mdn_mode: MdnMode = "sync"
    mdn_signed: bool = True
    async_mdn_url: str | None = None  # our URL the partner posts async MDNs to
    mdn_timeout_seconds: float = 3600.0  # SLA for an async MDN
    # receiving
    require_signed: bool = False
    require_encrypted: bool = False
    binary_signing: bool = False  # partner signs raw bytes without canonicalising line ends
    max_message_bytes: int = 200 * 1024 * 1024
    # sending
    http_timeout_seconds: float = 120.0
    send_attempts: int = 3
    retry_backoff_seconds: float = 2.0
    extra_headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if self.sign_algorithm not in DIGEST_ALGORITHMS:
            problems.append(f"sign_algorithm {self.sign_algorithm!r} not in {DIGEST_ALGORITHMS}")
        if self.encryption_algorithm not in ENCRYPTION_ALGORITHMS:
            problems.append(
                f"encryption_algorithm {self.encryption_algorithm!r} not in {ENCRYPTION_ALGORITHMS}"
            )
        if self.key_transport not in KEY_TRANSPORTS:
            problems.append(f"key_transport {self.key_transport!r} not in {KEY_TRANSPORTS}")
        if self.mdn_mode not in ("sync", "async", "none"):
            problems.append(f"mdn_mode {self.mdn_mode!r} not in sync, async, none")
        if self.mdn_mode == "async" and not self.async_mdn_url:
            problems.append("mdn_mode async needs async_mdn_url")
        if not self.our_keys:
            problems.append("our_keys: at least one key pair is needed")
        if problems:
            raise ConfigError(f"AS2 config of partner {self.partner_id}: " + "; ".join(problems))

    @property
    def our_key(self) -> KeyPair:
        return self.our_keys[0]


class As2Directory(Protocol):
    """Finds the AS2 configuration for a message: who sent it (AS2-From) to whom (AS2-To)."""

    def lookup(self, as2_from: str, as2_to: str) -> PartnerAs2Config | None: ...

    def get(self, partner_id: str) -> PartnerAs2Config | None: ...

    def all(self) -> Iterable[PartnerAs2Config]: ...


class StaticDirectory:
    """An `As2Directory` over a fixed list of configurations (tests, CLI, the demo)."""

    def __init__(self, configs: Iterable[PartnerAs2Config] = ()) -> None:
        self._configs = list(configs)

    def add(self, config: PartnerAs2Config) -> None:
        """Add a partner, or replace the one with the same partner id."""
        self._configs = [c for c in self._configs if c.partner_id != config.partner_id]
        self._configs.append(config)

    def lookup(self, as2_from: str, as2_to: str) -> PartnerAs2Config | None:
        for config in self._configs:
            if config.partner_as2_id == as2_from and config.our_as2_id == as2_to:
                return config
        return None

    def get(self, partner_id: str) -> PartnerAs2Config | None:
        return next((c for c in self._configs if c.partner_id == partner_id), None)

    def all(self) -> Iterable[PartnerAs2Config]:
        return list(self._configs)


# -- loading keys and certificates from references ------------------------------------------


def _reference_bytes(reference: str) -> bytes:
    if reference.startswith(("env:", "file:")):
        return resolve_secret(reference)
    try:
        return Path(reference).expanduser().read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {reference}: {exc.strerror}") from None


def load_certificates(reference: str) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle or one DER certificate."""
    data = _reference_bytes(reference)
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise ConfigError(f"{reference}: not a certificate ({exc})") from None


def load_private_key(reference: str, password_reference: str | None = None) -> PrivateKey:
    data = _reference_bytes(reference)
    password = resolve_secret(password_reference) if password_reference else None
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password)
        else:
            key = serialization.load_der_private_key(data, password)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{reference}: cannot load private key ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ConfigError(f"{reference}: only RSA and EC keys are supported for AS2")
    return key


def load_key_pair(
    key_reference: str, cert_reference: str, password_reference: str | None = None
) -> KeyPair:
    return KeyPair(
        load_private_key(key_reference, password_reference),
        load_certificates(cert_reference)[0],
    )


# -- certificate expiry ----------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateStatus:
    partner_id: str
    role: Literal["ours", "theirs"]
    subject: str
    serial: int
    not_after: datetime
    seconds_left: float
    level: Literal["ok", "warning", "expired"]

    @property
    def message(self) -> str:
        days = self.seconds_left / 86400
        whose = "our" if self.role == "ours" else "partner"
        if self.level == "expired":
            return f"{whose} AS2 certificate {self.subject} expired {-days:.0f} days ago"
        return f"{whose} AS2 certificate {self.subject} expires in {days:.0f} days"


def certificate_statuses(
    config: PartnerAs2Config, *, now: datetime | None = None, warn_days: int = 30
) -> list[CertificateStatus]:
    """The expiry state of every certificate a partner's AS2 setup uses."""
    now = now or datetime.now(UTC)
    out = []
    items: list[tuple[Literal["ours", "theirs"], x509.Certificate]] = [
        ("ours", pair.certificate) for pair in config.our_keys
    ] + [("theirs", cert) for cert in config.partner_certificates]
    for role, cert in items:
        left = (cert.not_valid_after_utc - now).total_seconds()
        level: Literal["ok", "warning", "expired"] = "ok"
        if left <= 0:
            level = "expired"
        elif left < timedelta(days=warn_days).total_seconds():
            level = "warning"
        subject = cert.subject.rfc4514_string()
        out.append(
            CertificateStatus(
                config.partner_id,
                role,
                subject,
                cert.serial_number,
                cert.not_valid_after_utc,
                left,
                level,
            )
        )
    return out


def certificate_warnings(
    config: PartnerAs2Config, *, now: datetime | None = None, warn_days: int = 30
) -> list[str]:
    """Messages for `edigw partner validate`: expired or soon-expiring certificates. A
    partner that still has a valid certificate beside an expiring one (rollover) is warned
    about the old one all the same, so it gets removed in time."""
    return [
        s.message
        for s in certificate_statuses(config, now=now, warn_days=warn_days)
        if s.level != "ok"
    ]
