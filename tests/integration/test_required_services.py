"""An unreachable service skips outside CI and fails under EDIGW_REQUIRE_SERVICES=1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO_ROOT

pytestmark = pytest.mark.unit

TARGET = "tests/integration/test_store.py::test_migrations_postgres_up_and_down"


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")}
    # port 9 (discard) on loopback: nothing listens there
    base["EDIGW_TEST_DATABASE_URL"] = "postgresql+psycopg://postgres@127.0.0.1:9/test"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", TARGET],
        cwd=REPO_ROOT, env=base | env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_unreachable_postgres_skips_with_reason(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "PostgreSQL not reachable at" in result.stdout


def test_unreachable_postgres_fails_when_required(tmp_path: Path) -> None:
    result = _run(tmp_path, EDIGW_REQUIRE_SERVICES="1")
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout or "1 failed" in result.stdout
    assert "EDIGW_REQUIRE_SERVICES=1" in result.stdout
