"""`edigw sftp poll` against a real OpenSSH server: one poll now, result on stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from gateway.cli import main
from partner_profiles import load_file
from tests.integration.sftp.sshd import Sshd

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[3] / "partner_profiles" / "examples"


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


def test_poll_command_uses_the_partner_profile(sshd: Sshd, tmp_path: Path) -> None:
    example = load_file(EXAMPLES / "nordlink-fwd.yaml").profile
    data = example.model_dump(mode="json", exclude_none=True)
    data["transports"]["sftp_remote"] |= {
        "host": "127.0.0.1", "port": sshd.port, "username": sshd.user,
        "private_key": f"file:{sshd.client_key}", "host_key": sshd.host_key_line,
        "pickup_dir": "/outbound", "drop_dir": "/inbound", "archive_dir": "/archive",
        "file_pattern": "*.edi",
    }  # fmt: skip
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / f"{example.id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    (sshd.chroot / "outbound" / "status.edi").write_bytes(b"UNB+UNOC:3+A+B+261128:0500+1'")
    (sshd.chroot / "outbound" / "readme.txt").write_bytes(b"not EDI, not matched")
    env = {"EDIGW_VAR_DIR": str(tmp_path / "var"), "EDIGW_PROFILES_DIR": str(profiles)}
    result = CliRunner().invoke(main, ["sftp", "poll", example.id, "--json"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert [(f["name"], f["outcome"], f["after_read"]) for f in summary["files"]] == [
        ("status.edi", "taken", "moved")
    ]
    assert (sshd.chroot / "archive" / "status.edi").exists()
    assert (sshd.chroot / "outbound" / "readme.txt").exists()

    unknown = CliRunner().invoke(main, ["sftp", "poll", "nobody"], env=env)
    assert unknown.exit_code == 2 and "no (unsuspended) profile" in unknown.output
