"""`edigw translate` and `edigw ack` on X12 files: JSON shape, exit codes, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import main
from tests.unit.x12 import samples
from translators import x12

pytestmark = pytest.mark.unit


def run(tmp_path: Path, data: bytes, *args: str) -> tuple[int, str]:
    path = tmp_path / "input.edi"
    path.write_bytes(data)
    result = CliRunner().invoke(main, [*args, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_translate_accepted_file_exits_0(tmp_path: Path) -> None:
    code, out = run(tmp_path, samples.interchange([samples.status_214()]), "translate")
    assert code == 0
    doc = json.loads(out)
    (ic,) = doc["interchanges"]
    assert ic["standard"] == "x12" and ic["status"] == "accepted"
    assert ic["sender"] == {"qualifier": "ZZ", "id": "SENDER"}
    (group,) = ic["groups"]
    assert (group["functional_id"], group["control_number"]) == ("QM", "1")
    (tx,) = group["transactions"]
    assert (tx["type"], tx["control_number"], tx["status"]) == ("214", "0001", "accepted")


def test_translate_rejected_file_exits_1_with_located_errors(tmp_path: Path) -> None:
    data = samples.interchange([samples.status_214()]).replace(b"AT7*X1", b"AT7*QQ")
    code, out = run(tmp_path, data, "translate", "--format", "json")
    assert code == 1
    (error,) = json.loads(out)["interchanges"][0]["groups"][0]["transactions"][0]["errors"]
    assert error["code"] == "element_invalid_code"
    assert error["standard_codes"]["ak4"] == "7"
    assert error["location"]["segment_id"] == "AT7"
    assert error["location"]["segment_position"] == 8
    assert error["location"]["element"] == 1
    code, out = run(tmp_path, data, "translate", "--format", "text")
    assert code == 1 and "element_invalid_code" in out and "AT7-01" in out


def test_translate_not_edi_exits_2(tmp_path: Path) -> None:
    code, out = run(tmp_path, b"%PDF-1.7 not an EDI file", "translate")
    assert code == 2
    assert "Traceback" not in out


def test_ack_prints_the_997(tmp_path: Path) -> None:
    data = samples.interchange([samples.status_214(), samples.status_214("0002", "QQ")])
    code, out = run(tmp_path, data, "ack")
    assert code == 0
    (ack,) = x12.parse_acknowledgements(out.encode("latin-1"))
    assert ack.kind == "997" and ack.groups[0].code == "P"
    code, _ = run(tmp_path, b"nothing to see", "ack")
    assert code == 2
