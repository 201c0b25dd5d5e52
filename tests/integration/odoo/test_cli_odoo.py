"""`edigw odoo ping` and `edigw odoo post` against the emulator over HTTP, with the shipped
acme-ltl example profile: a 214 and a 210 posted straight from files, twice."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import odoorpc
import pytest

from gateway.odoo.emulator import EmulatorHandle

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STATUS_214 = (
    "ISA*00*          *00*          *02*ACMF           *01*061524983      *261122*1510*U*00401*"
    "000000777*0*P*>~\n"
    "GS*QM*ACMF*061524983*20261122*1510*777*X*004010~\n"
    "ST*214*0001~\n"
    "B10*PRO7781234*WH/OUT/00042*ACMF~\n"
    "L11*BOL-42*BM~\n"
    "LX*1~\n"
    "AT7*D1*NS***20261122*1505*UT~\n"
    "MS1*DALLAS*TX*US~\n"
    "SE*7*0001~\n"
    "GE*1*777~\n"
    "IEA*1*000000777~\n"
)
INVOICE_210 = (
    "ISA*00*          *00*          *02*ACMF           *01*061524983      *261123*0900*U*00401*"
    "000000778*0*P*>~\n"
    "GS*IM*ACMF*061524983*20261123*0900*778*X*004010~\n"
    "ST*210*0001~\n"
    "B3**ACME-INV-7001*WH/OUT/00042*PP**20261123*124000****ACMF*20261123~\n"
    "N9*BM*BOL-42~\n"
    "LX*1~\n"
    "L1*1*1060*FR*106000****400~\n"
    "L1*2***18000****FUE~\n"
    "L3*****124000~\n"
    "SE*8*0001~\n"
    "GE*1*778~\n"
    "IEA*1*000000778~\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def edigw(
    tmp_path: Path, *args: str, url: str | None, password: str = "edigw", emulator_port: int = 0
) -> tuple[int, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")}
    env["EDIGW_VAR_DIR"] = str(tmp_path / "var")
    # where a running gateway's emulator would answer: a free port unless a test says
    env["EDIGW_EMULATOR_PORT"] = str(emulator_port or _free_port())
    env["EDIGW_ODOO_PASSWORD"] = password
    if url:
        env["EDIGW_ODOO_URL"] = url
    exe = Path(sys.executable).with_name("edigw")
    proc = subprocess.run(
        [str(exe), "odoo", *args], env=env, capture_output=True, text=True, timeout=120
    )
    try:
        payload = json.loads(proc.stdout)
    except ValueError:
        payload = {"stdout": proc.stdout, "stderr": proc.stderr}
    return proc.returncode, payload


def test_ping_a_configured_odoo(tmp_path: Path, emulator: EmulatorHandle) -> None:
    code, report = edigw(tmp_path, "ping", url=emulator.url)
    assert code == 0, report
    assert report["ok"] is True and report["server_version"] == "18.0"
    assert report["login"] == "edigw-integration"
    assert report["missing_models"] == []


def test_ping_the_bundled_emulator_when_no_url_is_set(tmp_path: Path) -> None:
    code, report = edigw(tmp_path, "ping", url=None)
    assert code == 0, report
    assert report["odoo"].startswith("bundled emulator")
    assert (tmp_path / "var" / "odoo-emulator.sqlite3").exists()


def test_ping_the_running_gateways_emulator(tmp_path: Path, emulator: EmulatorHandle) -> None:
    code, report = edigw(tmp_path, "ping", url=None, emulator_port=emulator.port)
    assert code == 0, report
    assert (
        report["odoo"] == f"the emulator of the running gateway (http://127.0.0.1:{emulator.port})"
    )
    assert not (tmp_path / "var" / "odoo-emulator.sqlite3").exists()  # none started


def test_ping_with_a_wrong_password_fails_clearly(tmp_path: Path, emulator: EmulatorHandle) -> None:
    code, report = edigw(tmp_path, "ping", url=emulator.url, password="nope")
    assert code == 1
    assert report["ok"] is False and report["error"]["error"] == "OdooLoginFailed"


def test_post_files_now_and_again(
    tmp_path: Path, emulator: EmulatorHandle, admin: odoorpc.ODOO
) -> None:
    status_file = tmp_path / "acme-214.edi"
    status_file.write_text(STATUS_214)
    invoice_file = tmp_path / "acme-210.edi"
    invoice_file.write_text(INVOICE_210)
    code, out = edigw(tmp_path, "post", str(status_file), "--partner", "acme-ltl", url=emulator.url)
    assert code == 0, out
    [document] = out["documents"]
    assert document["type"] == "214" and document["changed"] is True
    touched = {(r["model"], r["action"]) for r in document["records"]}
    assert ("stock.picking", "found") in touched and ("ir.attachment", "attached") in touched
    row = admin.execute_kw(
        "stock.picking",
        "search_read",
        [[["name", "=", "WH/OUT/00042"]]],
        {"fields": ["carrier_tracking_ref"]},
    )[0]
    assert row["carrier_tracking_ref"] == "PRO7781234"

    code, out = edigw(
        tmp_path, "post", str(invoice_file), "--partner", "acme-ltl", url=emulator.url
    )
    assert code == 0, out
    [bill] = out["documents"]
    assert bill["mismatch"] is None  # 1240.00 vs tendered 1200.00: within 60.00
    posted = [r for r in bill["records"] if r["action"] == "posted"]
    assert posted and posted[0]["name"].startswith("BILL/")

    for path in (status_file, invoice_file):
        code, out = edigw(tmp_path, "post", str(path), "--partner", "acme-ltl", url=emulator.url)
        assert code == 0, out
        assert out["documents"][0]["changed"] is False


def test_post_reports_an_unknown_shipment(tmp_path: Path, emulator: EmulatorHandle) -> None:
    path = tmp_path / "unknown-214.edi"
    path.write_text(
        STATUS_214.replace("WH/OUT/00042", "WH/OUT/09999")
        .replace("BOL-42", "BOL-0")
        .replace("PRO7781234", "PRO0")
    )
    code, out = edigw(tmp_path, "post", str(path), "--partner", "acme-ltl", url=emulator.url)
    assert code == 1
    error = out["documents"][0]["error"]
    assert error["error"] == "ShipmentNotFound"
    assert [t["reference"] for t in error["tried"]] == ["shipment_id", "bol", "pro"]


def test_post_refuses_a_file_that_is_not_edi(tmp_path: Path, emulator: EmulatorHandle) -> None:
    path = tmp_path / "note.txt"
    path.write_text("hello")
    code, out = edigw(tmp_path, "post", str(path), "--partner", "acme-ltl", url=emulator.url)
    assert code == 1 and out["error"]["error"] == "NotEdiError"
