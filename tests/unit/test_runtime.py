"""The runtime's per-thread Odoo connection: job threads never share one socket."""

from __future__ import annotations

import threading
from pathlib import Path

from gateway.runtime import Runtime
from gateway.settings import load_settings


def test_each_thread_has_its_own_odoo_connection(tmp_path: Path) -> None:
    runtime = Runtime.from_settings(load_settings(var_dir=tmp_path), migrate=False)
    runtime.odoo_url = "http://127.0.0.1:9"
    mine = runtime.odoo
    assert runtime.odoo is mine  # reused within a thread
    theirs: list[object] = []
    thread = threading.Thread(target=lambda: theirs.append(runtime.odoo))
    thread.start()
    thread.join()
    assert theirs and theirs[0] is not mine
    assert theirs[0].client is not mine.client  # type: ignore[attr-defined]
    runtime.odoo_url = "http://127.0.0.1:10"  # Odoo moved: a new connection
    moved = runtime.odoo
    assert moved is not mine and moved.client.url == "http://127.0.0.1:10"
    runtime.close()
