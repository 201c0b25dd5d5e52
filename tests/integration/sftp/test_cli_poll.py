"""`edigw sftp poll` against a real OpenSSH server: one poll now, result on stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import main
from tests.integration.sftp.sshd import Sshd

pytestmark = pytest.mark.integration


def test_poll_command_fetches_and_reports(sshd: Sshd, tmp_path: Path) -> None:
    (sshd.chroot / "outbound" / "status.edi").write_bytes(b"UNB+UNOC:3+A+B+261128:0500+1'")
    args = [
        "sftp", "poll", "forwarder", "--host", "127.0.0.1", "--port", str(sshd.port),
        "--user", sshd.user, "--key", f"file:{sshd.client_key}", "--host-key",
        sshd.host_key_line, "--pickup-dir", "/outbound", "--after-read", "delete", "--json",
    ]  # fmt: skip
    env = {"EDIGW_VAR_DIR": str(tmp_path / "var")}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["status"] == "ok"
    assert [(f["name"], f["outcome"], f["after_read"]) for f in summary["files"]] == [
        ("status.edi", "taken", "deleted")
    ]
    assert not (sshd.chroot / "outbound" / "status.edi").exists()

    unpinned = [a for a in args if a not in ("--host-key", sshd.host_key_line, "--json")]
    refused = CliRunner().invoke(main, unpinned, env=env)
    assert refused.exit_code == 1
    assert "no host key pinned" in refused.output
