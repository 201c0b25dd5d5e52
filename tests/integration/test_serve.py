"""`edigw serve` starts on the embedded defaults and answers on its health URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_health(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")}
    env |= {
        "EDIGW_VAR_DIR": str(tmp_path / "var"),
        "EDIGW_HTTP_PORT": str(port),
        "EDIGW_EMULATOR_PORT": str(_free_port()),
        "EDIGW_SFTP_PORT": str(_free_port()),
    }
    edigw = Path(sys.executable).with_name("edigw")
    proc = subprocess.Popen(
        [str(edigw), "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = proc.stdout.read() if proc.stdout else ""
                    pytest.fail(f"serve did not come up:\n{output}")
                time.sleep(0.2)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok" and body["database"] == "ok"
        assert (tmp_path / "var" / "edigw.sqlite3").exists()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert f"listening on http://127.0.0.1:{port}" in out
    assert f"Odoo emulator: http://127.0.0.1:{env['EDIGW_EMULATOR_PORT']}" in out
    assert f"SFTP mailboxes: sftp://127.0.0.1:{env['EDIGW_SFTP_PORT']}" in out
    assert "partner profiles: 4 from" in out
