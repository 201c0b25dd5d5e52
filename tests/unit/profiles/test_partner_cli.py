"""`edigw partner validate | list | new` on real profile folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import main
from partner_profiles import load_file, load_folder

pytestmark = pytest.mark.unit


@pytest.fixture
def runner(profiles_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("EDIGW_PROFILES_DIR", str(profiles_dir))
    monkeypatch.setenv("EDIGW_VAR_DIR", str(tmp_path / "var"))
    return CliRunner()


def test_validate_the_folder(runner: CliRunner) -> None:
    result = runner.invoke(main, ["partner", "validate"])
    assert result.exit_code == 0, result.output
    assert "4 valid profile(s)" in result.output
    assert "ok       acme-ltl  (x12 004010, active)" in result.output


def test_validate_reports_file_line_field_and_exits_1(
    runner: CliRunner, profiles_dir: Path
) -> None:
    path = profiles_dir / "acme-ltl.yaml"
    path.write_text(path.read_text().replace("  vendor_ref: ACME-FREIGHT\n", ""))
    result = runner.invoke(main, ["partner", "validate"])
    assert result.exit_code == 1
    assert f"PROBLEM  {path}:" in result.output
    assert "odoo.vendor_ref: the partner sends invoices (210)" in result.output
    assert "3 valid profile(s), 1 problem(s) in 1 file(s)" in result.output
    as_json = runner.invoke(main, ["partner", "validate", "--format", "json", str(path)])
    assert as_json.exit_code == 1
    (problem,) = json.loads(as_json.output)["problems"]
    assert problem["rule"] == "vendor_for_invoices" and problem["line"] > 1


def test_validate_one_file_checks_it_against_its_folder(
    runner: CliRunner, profiles_dir: Path
) -> None:
    text = (profiles_dir / "acme-ltl.yaml").read_text()
    copy = profiles_dir / "acme-copy.yaml"
    copy.write_text(text.replace("id: acme-ltl", "id: acme-copy").replace("ACMEFREIGHT", "X"))
    result = runner.invoke(main, ["partner", "validate", str(copy)])
    assert result.exit_code == 1
    assert "already claimed by partner 'acme-ltl'" in result.output


def test_list_shows_status_standard_and_transports(runner: CliRunner, profiles_dir: Path) -> None:
    (profiles_dir / "broken.yaml").write_text("id: broken\n")
    result = runner.invoke(main, ["partner", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:6] == ["ID", "STATUS", "STANDARD", "IN", "OUT", "TRANSPORTS"]
    acme = next(line for line in lines if line.startswith("acme-ltl"))
    assert acme.split()[:7] == ["acme-ltl", "active", "x12", "004010", "990,214,210", "204", "as2"]
    nordlink = next(line for line in lines if line.startswith("nordlink-fwd"))
    assert "sftp_remote" in nordlink and "IFTSTA,INVOIC" in nordlink
    assert any(line.startswith("not loaded: broken.yaml") for line in lines)


def test_new_from_example_is_valid_testing_and_clashes_with_nothing(
    runner: CliRunner, profiles_dir: Path
) -> None:
    result = runner.invoke(
        main, ["partner", "new", "swift-tl", "--from-example", "ridgeline-tl", "--name", "Swift"]
    )
    assert result.exit_code == 0, result.output
    created = load_file(profiles_dir / "swift-tl.yaml").profile
    assert (created.id, created.name, created.status) == ("swift-tl", "Swift", "testing")
    assert created.envelope.theirs.isa_id == "SWIFTTL"
    assert created.transports.sftp_mailbox is not None
    assert created.transports.sftp_mailbox.username == "swifttl"
    # the example's comments are kept for the person filling it in
    text = (profiles_dir / "swift-tl.yaml").read_text()
    assert "# ISA-11 in 005010" in text
    assert load_folder(profiles_dir).all_problems() == []
    again = runner.invoke(main, ["partner", "new", "swift-tl", "--from-example", "ridgeline-tl"])
    assert again.exit_code == 1 and "already exists" in again.output


@pytest.mark.parametrize("example", ["acme-ltl", "nordlink-fwd", "retail-co"])
def test_new_from_each_example(runner: CliRunner, profiles_dir: Path, example: str) -> None:
    result = runner.invoke(main, ["partner", "new", "new-partner", "--from-example", example])
    assert result.exit_code == 0, result.output
    assert load_folder(profiles_dir).all_problems() == []


def test_new_refuses_a_bad_id_or_example(runner: CliRunner, profiles_dir: Path) -> None:
    bad_id = runner.invoke(main, ["partner", "new", "Swift TL", "--from-example", "acme-ltl"])
    assert bad_id.exit_code == 1 and "is not a valid partner id" in bad_id.output
    assert not (profiles_dir / "Swift TL.yaml").exists()
    bad_example = runner.invoke(main, ["partner", "new", "x-y", "--from-example", "nope"])
    assert bad_example.exit_code == 2 and "choose one of: acme-ltl" in bad_example.output
