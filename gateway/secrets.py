"""Resolve secret references (`env:NAME`, `file:PATH`) named in profiles and settings.

Profiles never hold secrets themselves; they name where a secret lives, and only the runtime
reads it, when it needs it."""

from __future__ import annotations

import os
from pathlib import Path


class SecretError(Exception):
    """A secret reference is malformed or points at nothing."""


def resolve_secret(reference: str) -> bytes:
    """Return the bytes a reference names: `env:NAME` (the variable's value, UTF-8) or
    `file:PATH` (the file's contents). Anything else is a `SecretError`."""
    scheme, sep, target = reference.partition(":")
    if not sep or not target:
        raise SecretError(f"secret reference {reference!r} must be env:NAME or file:PATH")
    if scheme == "env":
        value = os.environ.get(target)
        if value is None:
            raise SecretError(f"secret reference {reference!r}: variable {target} is not set")
        return value.encode("utf-8")
    if scheme == "file":
        path = Path(target).expanduser()
        try:
            return path.read_bytes()
        except OSError as exc:
            raise SecretError(f"secret reference {reference!r}: {exc.strerror}") from None
    raise SecretError(f"secret reference {reference!r}: unknown scheme {scheme!r} (env, file)")


def resolve_text(reference: str) -> str:
    return resolve_secret(reference).decode("utf-8")
