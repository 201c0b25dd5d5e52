"""Small throwaway keys for unit tests (made once per session, never committed)."""

from __future__ import annotations

import functools
from datetime import datetime

from gateway.as2.config import KeyPair
from gateway.as2.identity import self_signed


def make_pair(name: str, *, days: int = 365, start: datetime | None = None) -> KeyPair:
    return self_signed(name, days=days, not_before=start)


@functools.cache
def pair(name: str) -> KeyPair:
    return make_pair(name)
