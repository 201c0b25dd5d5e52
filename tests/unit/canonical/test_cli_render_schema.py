"""`edigw render` and `edigw schema` through click, on records and files built here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import main
from translators import edifact, x12
from translators.canonical import json_schemas
from translators.maps.files import iter_translated

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]
STATUS = {
    "record_type": "shipment_status",
    "shipment_id": "LOAD77",
    "carrier_reference": "PRO1",
    "carrier_scac": "ABCD",
    "references": {"bol": ["BOL9"]},
    "events": [
        {
            "milestone": "delivered",
            "time": "2024-01-05T10:15:00-05:00",
            "location": {"city": "RUMFORD", "region": "ME", "country": "US"},
        }
    ],
}


def _write(tmp_path: Path, record: object) -> str:
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), "utf-8")
    return str(path)


def test_render_x12_reads_back_to_the_same_record(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["render", _write(tmp_path, STATUS), "--standard", "x12", "--version", "004010"]
    )
    assert result.exit_code == 0, result.output
    data = result.output.encode("latin-1")
    (transaction,) = list(x12.iter_transactions(data))
    assert x12.validate(transaction) == []
    (item,) = list(iter_translated(data, "x12"))
    assert item.record is not None
    dumped = item.record.model_dump(mode="json", exclude_defaults=True)
    assert dumped["shipment_id"] == "LOAD77"
    assert dumped["events"][0]["milestone"] == "delivered"
    assert dumped["events"][0]["time"] == "2024-01-05T10:15:00-05:00"


def test_render_edifact_is_a_valid_iftsta(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["render", _write(tmp_path, STATUS), "--standard", "edifact"])
    assert result.exit_code == 0, result.output
    (message,) = list(edifact.iter_messages(result.output.encode("latin-1")))
    assert message.type == "IFTSTA" and message.directory == "D96A"
    assert [i for i in edifact.validate_message(message) if i.severity.value == "error"] == []


def test_render_with_a_partner_uses_its_envelope_ids(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["render", _write(tmp_path, STATUS), "--standard", "x12", "--partner", "acme-ltl"],
        env={"EDIGW_PROFILES_DIR": str(REPO / "partner_profiles" / "examples")},
    )
    assert result.exit_code == 0, result.output
    (transaction,) = list(x12.iter_transactions(result.output.encode("latin-1")))
    assert transaction.interchange.receiver_id == "ACMF"
    assert transaction.interchange.receiver_qualifier == "02"
    assert (transaction.group.sender_id, transaction.group.receiver_id) == ("061524983", "ACMF")


def test_render_refuses_a_bad_record_with_field_messages(tmp_path: Path) -> None:
    broken = {**STATUS, "events": [{"milestone": "teleported"}]}
    result = CliRunner().invoke(main, ["render", _write(tmp_path, broken), "--standard", "x12"])
    assert result.exit_code == 2
    assert "events.0.milestone" in result.output
    assert "Traceback" not in result.output


def test_render_says_what_mandatory_data_is_missing(tmp_path: Path) -> None:
    no_scac = {k: v for k, v in STATUS.items() if k != "carrier_scac"}
    result = CliRunner().invoke(main, ["render", _write(tmp_path, no_scac), "--standard", "x12"])
    assert result.exit_code == 1
    assert "SCAC" in result.output


def test_render_not_json(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text("ISA*00*", "utf-8")
    result = CliRunner().invoke(main, ["render", str(path), "--standard", "x12"])
    assert result.exit_code == 2
    assert "not JSON" in result.output


def test_schema_exports_one_file_per_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schema", "--out", str(tmp_path / "schemas")])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert files == sorted(f"{name}.json" for name in json_schemas())
    status = json.loads((tmp_path / "schemas" / "shipment_status.json").read_text("utf-8"))
    assert "events" in status["properties"]


def test_the_schemas_in_docs_are_current() -> None:
    for name, document in json_schemas().items():
        shipped = json.loads((REPO / "docs" / "schemas" / f"{name}.json").read_text("utf-8"))
        assert shipped == document, f"docs/schemas/{name}.json is stale: run edigw schema --out"


def test_render_a_value_holding_an_x12_delimiter_is_refused_cleanly(tmp_path: Path) -> None:
    starred = {**STATUS, "carrier_reference": "PRO*1"}
    result = CliRunner().invoke(main, ["render", _write(tmp_path, starred), "--standard", "x12"])
    assert result.exit_code == 1
    assert "delimiter" in result.output and "Traceback" not in result.output
