"""`edigw translate` and `edigw ack` on EDIFACT files: the same JSON shape and exit codes as
for X12 (0 all accepted, 1 any rejected, 2 not EDI), and the CONTRL the gateway would send."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.cli import main
from translators.edifact import parse_acknowledgements

pytestmark = pytest.mark.unit

UNB = "UNB+UNOC:3+THEM:14+US:14+240301:0930+55'"
GOOD = UNB + "UNH+1+IFTSTA:D:96A:UN'BGM+77+X+9'CNI+1'STS+1+21'UNT+5+1'UNZ+1+55'"
BAD = UNB + "UNH+1+IFTSTA:D:96A:UN'BGM+77+X+9'CNI+1'STS+1+21'UNT+9+1'UNZ+1+55'"


def _file(tmp_path: Path, text: str, name: str = "in.edi") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return str(path)


def test_translate_accepted_file_prints_json_and_exits_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["translate", _file(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["standard"] == "edifact"
    (ic,) = report["interchanges"]
    assert (ic["control_number"], ic["version"], ic["status"]) == ("55", "UNOC:3", "accepted")
    (group,) = ic["groups"]
    assert group["implicit"] is True
    (tx,) = group["transactions"]
    assert (tx["type"], tx["version"], tx["status"]) == ("IFTSTA", "D96A", "accepted")


def test_translate_rejected_file_exits_1_with_the_contrl_code(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["translate", _file(tmp_path, BAD)])
    assert result.exit_code == 1
    tx = json.loads(result.output)["interchanges"][0]["groups"][0]["transactions"][0]
    (error,) = tx["errors"]
    assert error["code"] == "unt_count_mismatch"
    assert error["standard_codes"] == {"contrl": "29"}
    assert error["location"]["segment_id"] == "UNT"


def test_translate_text_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["translate", "--format", "text", _file(tmp_path, BAD)])
    assert result.exit_code == 1
    assert "unt_count_mismatch [contrl=29]" in result.output


def test_translate_not_edi_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["translate", _file(tmp_path, "hello, world")])
    assert result.exit_code == 2


def test_ack_prints_the_contrl(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ack", _file(tmp_path, BAD)])
    assert result.exit_code == 0, result.output
    assert "UNH+1+CONTRL:D:3:UN'" in result.output
    assert "UCM+1+IFTSTA:D:96A:UN+4+29+UNT+1'" in result.output
    (ack,) = parse_acknowledgements(result.output.encode())
    assert ack.interchange_control_number == "55"
    assert ack.transactions()[0].status.value == "rejected"
