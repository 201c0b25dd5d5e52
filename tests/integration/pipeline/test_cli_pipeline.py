"""The pipeline's commands as an operator runs them: `edigw send`, `messages list|show`,
`exceptions list|resolve`, `messages replay`, each a fresh process-like CLI invocation
against the same store (SQLite here) and profiles folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from gateway.cli import main as cli
from tests.integration.pipeline.harness import example_profile

pytestmark = pytest.mark.integration

STATUS = {
    "record_type": "shipment_status",
    "shipment_id": "RC-5501",
    "carrier_scac": "NWDL",
    "references": {"po": ["PO-88"]},
    "events": [{"milestone": "delivered", "time": "2026-11-28T15:45:00+00:00"}],
}


def test_send_then_list_and_show(tmp_path: Path, env: dict[str, str]) -> None:
    runner = CliRunner(env=env)
    record = tmp_path / "status.json"
    record.write_text(json.dumps(STATUS))
    sent = runner.invoke(cli, ["send", str(record), "--partner", "retail-co"])
    assert sent.exit_code == 0, sent.output
    assert "via sftp_mailbox: sent" in sent.output
    (placed,) = (Path(env["EDIGW_VAR_DIR"]) / "sftp" / "retail-co" / "outbound").iterdir()
    assert "ST*214*" in placed.read_text() and "RC-5501" in placed.read_text()

    listed = runner.invoke(cli, ["messages", "list", "--partner", "retail-co", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = [json.loads(line) for line in listed.output.splitlines()]
    assert row["direction"] == "out" and row["ack_status"] == "pending"
    assert [d["state"] for d in row["documents"]] == ["sent"]
    shown = runner.invoke(cli, ["messages", "show", str(row["id"])])
    assert shown.exit_code == 0 and "rendered" in shown.output and "sent" in shown.output


def test_send_refuses_bad_input(tmp_path: Path, env: dict[str, str]) -> None:
    runner = CliRunner(env=env)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"record_type": "shipment_status", "events": "nope"}))
    result = runner.invoke(cli, ["send", str(bad), "--partner", "retail-co"])
    assert result.exit_code == 1 and "events" in result.output
    unknown = runner.invoke(cli, ["send", str(bad), "--partner", "nobody"])
    assert unknown.exit_code == 1
    missing = runner.invoke(cli, ["messages", "replay", "D999"])
    assert missing.exit_code == 1 and "no document 999" in missing.output
    resolved = runner.invoke(cli, ["exceptions", "resolve", "42", "--note", "x"])
    assert resolved.exit_code == 1 and "no exception 42" in resolved.output


def test_partner_validate_warns_of_expiring_as2_certificate(tmp_path: Path) -> None:
    from tests.integration.as2.pki import make_identity

    ours = make_identity("northwind", tmp_path)
    theirs = make_identity("acme", tmp_path, days=10)  # expires within the 30-day warning
    profile = example_profile("acme-ltl")
    profile["transports"] = {
        "as2": {
            "our_as2_id": "NORTHWIND-EDI",
            "their_as2_id": "ACMEFREIGHT",
            "url": "https://as2.acme-freight.example/as2",
            "our_key": f"file:{ours.key_path}",
            "our_certificate": f"file:{ours.cert_path}",
            "their_certificates": [f"file:{theirs.cert_path}"],
        }
    }
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "acme-ltl.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    result = CliRunner().invoke(cli, ["partner", "validate", str(folder)])
    assert result.exit_code == 0, result.output  # a warning, not a problem
    (warning,) = [line for line in result.output.splitlines() if line.startswith("warning")]
    assert "acme-ltl" in warning and "expires" in warning.lower()
