"""Test support: reaching the real peers (PostgreSQL, Redis, the corpus) the way CI wants.

A peer that cannot be reached skips the test with the reason, unless the run requires it
(`EDIGW_REQUIRE_SERVICES=1` for services, `EDIGW_REQUIRE_CORPUS=1` for the corpus, both set
by .ci/run), where the same situation fails the test instead."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str, *, required_by: str) -> None:
    """Skip with `reason`, or fail when the environment variable `required_by` is set."""
    if _flag(required_by):
        pytest.fail(f"{reason} (and {required_by}=1)", pytrace=False)
    pytest.skip(reason)


def tcp_reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        address = (parts.hostname or "127.0.0.1", parts.port or default_port)
        with socket.create_connection(address, 2):
            return True
    except OSError:
        return False


def postgres_url() -> str:
    url = os.environ.get("EDIGW_TEST_DATABASE_URL", DEFAULT_PG_URL)
    if not tcp_reachable(url, 5432):
        unavailable(f"PostgreSQL not reachable at {url}", required_by="EDIGW_REQUIRE_SERVICES")
    return url


def redis_url() -> str:
    url = os.environ.get("EDIGW_TEST_REDIS_URL", DEFAULT_REDIS_URL)
    if not tcp_reachable(url, 6379):
        unavailable(f"Redis not reachable at {url}", required_by="EDIGW_REQUIRE_SERVICES")
    return url


def _corpus_location() -> Path:
    return Path(os.environ.get("EDIGW_CORPUS_DIR", REPO_ROOT.parent / "shared" / "corpus"))


def corpus_dir() -> Path:
    path = _corpus_location()
    if not (path / "MANIFEST.tsv").is_file():
        unavailable(f"EDI corpus not found at {path}", required_by="EDIGW_REQUIRE_CORPUS")
    return path


def manifest_rows(standard: str | None = None) -> list[dict[str, str]]:
    """The rows of the corpus's MANIFEST.tsv (of one standard), or none when the corpus is
    absent. Safe at collection time for parametrising: the tests that take the `corpus_dir`
    fixture are what skip, or fail under CI, when it is missing."""
    path = _corpus_location() / "MANIFEST.tsv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r for r in rows if standard is None or r["standard"] == standard]


def run_in_dev_mode(script: str) -> subprocess.CompletedProcess[str]:
    """Run `script` in a fresh interpreter under `-X dev` with the debug allocator, which
    turn buffer overruns and reference misuse in C code into crashes (the compiled speed-ups'
    memory check)."""
    return subprocess.run(
        [sys.executable, "-X", "dev", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONMALLOC": "debug"},
        cwd=REPO_ROOT,
    )
