"""Without a usable sshd the poller's interop tests skip with the reason, and under
EDIGW_REQUIRE_SERVICES=1 (CI) they fail instead of passing silently."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support import REPO_ROOT

pytestmark = [pytest.mark.unit, pytest.mark.slow]

TARGET = "tests/integration/sftp/test_cli_poll.py::test_poll_command_fetches_and_reports"


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")}
    # /tmp is world-writable: sshd would refuse a chroot below it, so the fixture gives up
    base["EDIGW_TEST_SSHD_DIR"] = "/tmp"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", TARGET],
        cwd=REPO_ROOT, env=base | env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_unusable_sshd_skips_with_reason() -> None:
    result = _run()
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert "sshd" in result.stdout and "/tmp" in result.stdout


def test_unusable_sshd_fails_when_required() -> None:
    result = _run(EDIGW_REQUIRE_SERVICES="1")
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout and "EDIGW_REQUIRE_SERVICES=1" in result.stdout
