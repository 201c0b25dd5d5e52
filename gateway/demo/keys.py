"""Demo AS2 keys: the RSA keys and self-signed certificates the shipped acme-ltl example
names under `var/demo-keys/`, created by the demo when they are absent.

Only files inside a folder named `demo-keys` are ever created, and only by the demo: a
profile that names any other missing key still fails when the gateway loads it, as a
production profile must (docs/decisions/0004-demo-keys.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from gateway.as2.config import ConfigError, KeyPair, load_certificates, load_private_key
from gateway.as2.identity import self_signed, write_pem

DEMO_FOLDER = "demo-keys"
VALID_DAYS = 365
# a demo certificate this close to its end is made again rather than used
RENEW_BEFORE = timedelta(days=2)


class DemoKeyError(Exception):
    """A key or certificate the demo needs is missing and is not one it may create."""


@dataclass(frozen=True)
class DemoIdentity:
    """A key pair and where it lives; `created` says whether this run made it."""

    name: str
    pair: KeyPair
    key_path: Path
    cert_path: Path
    created: bool


def reference_path(reference: str) -> Path:
    """The path of a `file:PATH` reference (relative paths from the working directory, as
    the gateway reads them)."""
    scheme, sep, target = reference.partition(":")
    if scheme != "file" or not sep or not target:
        raise DemoKeyError(
            f"{reference!r} is not a file: reference; the demo only creates files under a "
            f"{DEMO_FOLDER}/ folder"
        )
    return Path(target).expanduser()


def is_demo_path(path: Path) -> bool:
    return path.parent.name == DEMO_FOLDER


def _load(key_path: Path, cert_path: Path) -> KeyPair | None:
    """The pair on disk when both files exist, load, belong together and stay valid."""
    if not (key_path.is_file() and cert_path.is_file()):
        return None
    try:
        key = load_private_key(f"file:{key_path}")
        cert = load_certificates(f"file:{cert_path}")[0]
    except ConfigError:
        return None
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    same_key = cert.public_key().public_bytes(der, spki) == key.public_key().public_bytes(der, spki)
    fresh = cert.not_valid_after_utc - datetime.now(UTC) > RENEW_BEFORE
    return KeyPair(key, cert) if same_key and fresh else None


def ensure_identity(name: str, key_path: Path, cert_path: Path) -> DemoIdentity:
    """Use the pair at these paths, or create it when both are demo paths."""
    existing = _load(key_path, cert_path)
    if existing is not None:
        return DemoIdentity(name, existing, key_path, cert_path, created=False)
    for path in (key_path, cert_path):
        if not is_demo_path(path):
            raise DemoKeyError(
                f"{path} is missing, unreadable or does not match its partner file, and it is "
                f"not a demo key (only files in a {DEMO_FOLDER}/ folder are created): put the "
                "real key and certificate there"
            )
    pair = self_signed(
        name,
        days=VALID_DAYS,
        not_before=datetime.now(UTC) - timedelta(minutes=5),
        unit="edigw demo key, not for use",
    )
    write_pem(pair, key_path, cert_path)
    return DemoIdentity(name, pair, key_path, cert_path, created=True)


@dataclass(frozen=True)
class ScenarioKeys:
    ours: DemoIdentity  # Northwind's, named by the profile (our_key, our_certificate)
    acme: DemoIdentity  # ACME's: the profile names its certificate; its key lies beside it


def ensure_scenario_keys(
    our_key: str | None, our_certificate: str | None, their_certificates: list[str]
) -> ScenarioKeys:
    """The demo pairs for the AS2 section of the acme-ltl profile (its references)."""
    if not (our_key and our_certificate and their_certificates):
        raise DemoKeyError("the profile's AS2 section needs our_key, our_certificate and a "
                           "partner certificate")  # fmt: skip
    ours = ensure_identity(
        "Northwind Distribution (edigw demo)",
        reference_path(our_key),
        reference_path(our_certificate),
    )
    acme_cert = reference_path(their_certificates[0])
    acme = ensure_identity("ACME Freight (edigw demo)", acme_cert.with_suffix(".key"), acme_cert)
    return ScenarioKeys(ours, acme)
