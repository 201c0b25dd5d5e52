"""`edigw partner test`: the onboarding dry-run on files written for the test (scenario D of
the project's stories, and a scenario-A invoice), through the real engines and maps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import main
from partner_profiles import load_file, parse_profile
from partner_profiles.dryrun import Outcome, dry_run
from tests.unit.profiles.support import EXAMPLES, x12_interchange

pytestmark = pytest.mark.unit

US = ("01", "061524983", "061524983")
ACME = ("02", "ACMF", "ACMF")


def status_214(
    code: str, *, usage: str = "T", sender: tuple[str, str, str] = ("ZZ", "SWIFTTL", "SWIFTTL")
) -> bytes:
    return x12_interchange(
        sender,
        US,
        "QM",
        "005010",
        [
            [
                "214",
                "B10*PRO778812*WH/OUT/00042*SWFT",
                "LX*1",
                f"AT7*{code}*NS***20261127*1012*LT",
                "MS1*COLUMBUS*OH*US",
            ]
        ],
        usage=usage,
    )


def invoice_210(*lines: tuple[str, int]) -> bytes:
    body = ["210", "B3**INV5501*WH/OUT/00042*PP**20261127*{total}****ACMF", "N9*BM*BOL8812"]
    total = 0
    for n, (code, cents) in enumerate(lines, 1):
        body += [f"LX*{n}", f"L1*{n}*{cents // 100}*FR*{cents}****{code}"]
        total += cents
    body[1] = body[1].format(total=total)
    body.append(f"L3*****{total}")
    return x12_interchange(ACME, US, "IM", "004010", [body])


@pytest.fixture
def runner(profiles_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("EDIGW_PROFILES_DIR", str(profiles_dir))
    monkeypatch.setenv("EDIGW_VAR_DIR", str(tmp_path / "var"))
    return CliRunner()


def test_onboarding_a_new_carrier_scenario_d(
    runner: CliRunner, profiles_dir: Path, tmp_path: Path
) -> None:
    created = runner.invoke(main, ["partner", "new", "swift-tl", "--from-example", "ridgeline-tl"])
    assert created.exit_code == 0, created.output
    sample = tmp_path / "status.edi"
    sample.write_bytes(status_214("Z9", usage="T"))

    # two problems: the private AT7 code Z9, and ISA-15 T while the profile expects production
    first = runner.invoke(main, ["partner", "test", "swift-tl", str(sample)])
    assert first.exit_code == 1, first.output
    row = next(line for line in first.output.splitlines() if line.startswith("status.edi"))
    assert "REJECTED" in row and "AT7-01 has a code not in its code list" in row
    assert "[value 'Z9']" in first.output
    assert "marked as a test (ISA-15 T) while the profile expects production" in first.output
    assert "1 would be rejected, 1 warning(s)" in first.output
    assert "IK5*R" in first.output  # the 999 the gateway would send rejects the set

    # map Z9 to delivered and set the usage indicator: the dry-run is clean
    path = profiles_dir / "swift-tl.yaml"
    text = path.read_text()
    text = text.replace("  status:\n", "  status:\n    Z9: delivered\n", 1)
    text = text.replace("  usage: production", "  usage: test", 1)
    path.write_text(text)
    second = runner.invoke(main, ["partner", "test", "swift-tl", str(sample)])
    assert second.exit_code == 0, second.output
    assert "0 would be rejected, 0 warning(s)" in second.output
    assert "status delivered -> note on stock.picking with name = 'WH/OUT/00042'" in second.output
    assert "delivered: record the delivery time and validate the picking" in second.output
    assert '"milestone": "delivered"' in second.output
    assert "IK5*A" in second.output


def test_scenario_a_invoice_shows_the_bill_it_would_make(runner: CliRunner, tmp_path: Path) -> None:
    sample = tmp_path / "invoice.edi"
    sample.write_bytes(invoice_210(("400", 100000), ("FUE", 18000), ("DET", 15000)))
    result = runner.invoke(main, ["partner", "test", "acme-ltl", str(sample)])
    assert result.exit_code == 0, result.output
    assert "vendor bill INV5501 from ACME-FREIGHT, 1330.00 USD, 3 line(s)" in result.output
    assert "posted if within 5 % / 50.00 of the expected charge" in result.output
    assert "line accessorial_detention 150.00 -> product FREIGHT-ACCESSORIAL" in result.output
    assert "acknowledgement the gateway would send (997)" in result.output
    assert "AK9*A*1*1*1" in result.output
    as_json = runner.invoke(main, ["partner", "test", "acme-ltl", str(sample), "--format", "json"])
    data = json.loads(as_json.output)
    (tx,) = data["files"][0]["transactions"]
    assert tx["status"] == "accepted" and not tx["rejected"]
    assert tx["canonical"]["record_type"] == "freight_invoice"
    assert tx["canonical"]["total"]["amount"] == "1330.00"


def test_unmapped_charge_class_is_a_warning_not_a_rejection() -> None:
    profile = load_file(EXAMPLES / "ridgeline-tl.yaml").profile
    data = invoice_210(("400", 50000), ("TAX", 2000)).replace(b"ACMF", b"RIDGELINETL", 1)
    data = data.replace(b"*02*RIDGELINETL", b"*ZZ*RIDGELINETL").replace(
        b"GS*IM*ACMF", b"GS*IM*RIDGELINE"
    )
    result = dry_run(profile, data, name="x.edi")
    (tx,) = result.transactions
    rejected, findings = result.verdict(tx)
    assert not rejected, [f.message for f in findings]
    messages = [f.message for f in findings if f.outcome is Outcome.WARNING]
    # TAX is no standard L1-08 code: the map says so, and the bill line has no product
    assert "L1-08 charge code 'TAX' not known [unknown_charge_code]" in messages
    assert any("no Odoo product for charge class other (code TAX)" in m for m in messages)


def test_fallback_product_takes_unmapped_charge_classes() -> None:
    text = (EXAMPLES / "acme-ltl.yaml").read_text()
    text = text.replace(
        "  carrier: ACME Freight LTL\n",
        "  carrier: ACME Freight LTL\n  fallback_product: FREIGHT-OTHER\n",
    )
    profile = parse_profile(text).profile
    result = dry_run(profile, invoice_210(("400", 50000), ("TAX", 2000)))
    (tx,) = result.transactions
    assert "  line other 20.00 -> product FREIGHT-OTHER" in tx.odoo
    assert not any("no Odoo product" in f.message for f in tx.findings)


def test_sender_mismatch_rejects_every_set_of_the_interchange(tmp_path: Path) -> None:
    profile = load_file(EXAMPLES / "acme-ltl.yaml").profile
    data = status_214("X1", usage="P", sender=("02", "OTHR", "OTHR"))
    result = dry_run(profile, data, name="x.edi")
    (tx,) = result.transactions
    rejected, findings = result.verdict(tx)
    assert rejected
    assert findings[0].stage == "partner"
    assert "is from 02/OTHR (GS OTHR), but acme-ltl is ISA 02/ACMF, GS ACMF" in findings[0].message


def test_a_type_the_partner_does_not_send_is_rejected() -> None:
    profile = load_file(EXAMPLES / "retail-co.yaml").profile  # sends us 204s only
    data = status_214("X1", usage="P", sender=("08", "9251730000", "9251730000"))
    result = dry_run(profile, data)
    (tx,) = result.transactions
    assert tx.rejected
    assert "retail-co is not set up to send us 214 (messages.inbound: 204)" in tx.summary()


def test_receiver_must_be_us() -> None:
    profile = load_file(EXAMPLES / "acme-ltl.yaml").profile
    data = invoice_210(("400", 100000)).replace(b"*01*061524983 ", b"*01*999999999 ", 1)
    result = dry_run(profile, data)
    assert result.rejected
    assert any("is addressed to 01/999999999" in f.message for f in result.findings)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"hello, this is not EDI\n", "not X12 or EDIFACT"),
        (b"", "not X12 or EDIFACT"),
        (b"UNA:+.? 'UNB+UNOC:3+X+Y+261127:1015+1'UNZ+0+1'", "the file is EDIFACT, but acme-ltl"),
        (b"ISA*00*\x00\xff\xfe garbage", ""),
    ],
)
def test_bad_files_are_rejected_with_a_reason_never_a_traceback(
    runner: CliRunner, tmp_path: Path, data: bytes, says: str
) -> None:
    sample = tmp_path / "bad.edi"
    sample.write_bytes(data)
    result = runner.invoke(main, ["partner", "test", "acme-ltl", str(sample)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "REJECTED" in result.output
    assert says in result.output
    assert "Traceback" not in result.output


def test_one_bad_file_does_not_hide_the_good_ones(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.edi"
    good.write_bytes(invoice_210(("400", 100000)))
    bad = tmp_path / "bad.edi"
    bad.write_bytes(b"nothing")
    result = runner.invoke(main, ["partner", "test", "acme-ltl", str(bad), str(good), "--brief"])
    assert result.exit_code == 1
    rows = [line for line in result.output.splitlines() if line.startswith(("bad.edi", "good"))]
    assert rows[0].startswith("bad.edi") and "REJECTED" in rows[0]
    assert rows[1].startswith("good.edi") and "accepted" in rows[1]
    assert "== " not in result.output  # --brief: no per-file detail


def test_unknown_or_invalid_partner_exits_2(
    runner: CliRunner, profiles_dir: Path, tmp_path: Path
) -> None:
    sample = tmp_path / "x.edi"
    sample.write_bytes(invoice_210(("400", 100)))
    unknown = runner.invoke(main, ["partner", "test", "nobody", str(sample)])
    assert unknown.exit_code == 2 and "no partner profile 'nobody'" in unknown.output
    path = profiles_dir / "acme-ltl.yaml"
    path.write_text(path.read_text().replace("status: active", "status: live"))
    invalid = runner.invoke(main, ["partner", "test", "acme-ltl", str(sample)])
    assert invalid.exit_code == 2
    assert "the profile of acme-ltl is not valid" in invalid.output
    assert "status: 'live' is not allowed" in invalid.output


def test_code_tables_widen_validation_of_their_element() -> None:
    profile = load_file(EXAMPLES / "ridgeline-tl.yaml").profile
    overlay = profile.overlay()
    assert "Z1" in overlay.extra_codes["AT7-01"]  # validation.extra_codes and code_tables
    assert "TON" in overlay.extra_codes["L1-08"]
    nordlink = load_file(EXAMPLES / "nordlink-fwd.yaml").profile.overlay()
    assert nordlink.extra_codes["STS-02-1"] == frozenset({"99"})
    assert nordlink.extra_codes["ALC-05-1"] == frozenset({"FSC"})


def test_map_context_carries_the_code_tables() -> None:
    profile = load_file(EXAMPLES / "nordlink-fwd.yaml").profile
    context = profile.map_context()
    assert context.partner == "nordlink-fwd"
    assert context.status_codes == {"99": "exception"}
    assert context.charge_codes == {"FSC": "fuel"}
    assert context.default_currency == "EUR"
