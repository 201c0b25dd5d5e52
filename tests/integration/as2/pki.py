"""Throwaway RSA keys and self-signed certificates made per test run (none are committed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gateway.as2.config import KeyPair
from gateway.as2.identity import self_signed, write_pem


@dataclass(frozen=True)
class Identity:
    name: str
    pair: KeyPair
    key_path: Path
    cert_path: Path


def make_identity(
    name: str, folder: Path, *, days: int = 365, not_before: datetime | None = None
) -> Identity:
    pair = self_signed(name, days=days, not_before=not_before)
    key_path = folder / f"{name}.key.pem"
    cert_path = folder / f"{name}.cert.pem"
    write_pem(pair, key_path, cert_path)
    return Identity(name, pair, key_path, cert_path)
