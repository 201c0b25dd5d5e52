"""A whole gateway for pipeline tests: a real store, the in-process job runner, the partner
profiles in a temp folder, and the Odoo emulator over HTTP. Files enter through intake, as a
transport would hand them in, and the tests read the outcome from the store and from Odoo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from gateway import jobs
from gateway.intake import IntakeResult, take_in
from gateway.odoo.client import OdooClient
from gateway.odoo.emulator.server import EmulatorHandle, serve
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.store import Document, ExceptionRecord, Interchange
from tests.support import REPO_ROOT

EXAMPLES = REPO_ROOT / "partner_profiles" / "examples"
TEST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmZfLSU9p9L74UZ4KE3YuZc6z/SkezPXJcVINJepeWi test"


def example_profile(name: str, **changes: Any) -> dict[str, Any]:
    """An example profile with its transport turned into a hosted SFTP mailbox (so acks and
    outbound files land in a folder, not on the network) and `changes` applied on top."""
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    data["transports"] = {
        "sftp_mailbox": {"username": name.replace("-", "_"), "public_keys": [TEST_KEY]}
    }
    for key, value in changes.items():
        data[key] = value
    return data


@dataclass
class Gateway:
    runtime: Runtime
    dispatcher: jobs.InProcessDispatcher
    odoo_handle: EmulatorHandle
    profiles_dir: Path

    def receive(self, data: bytes, name: str = "file.edi") -> IntakeResult:
        result = take_in(
            self.runtime, data, transport="sftp", transport_ref=f"/inbound/{name}",
            delivery_key=f"{name}:{len(data)}",
        )  # fmt: skip
        self.settle()
        return result

    def settle(self, timeout: float = 60) -> None:
        assert self.dispatcher.wait_idle(timeout), "jobs did not finish"

    def sweep(self, now: datetime | None = None) -> dict[str, int]:
        from inbound.sweep import sweep

        counts = sweep(self.runtime, (now or datetime.now(UTC)).isoformat())
        self.settle()
        return counts

    def odoo_down(self) -> None:
        """Odoo becomes unreachable: connections to it are refused."""
        import socket

        with socket.socket() as probe:  # a port nothing listens on
            probe.bind(("127.0.0.1", 0))
            dead = probe.getsockname()[1]
        self.runtime.odoo_url = f"http://127.0.0.1:{dead}"

    def odoo_up(self) -> None:
        self.runtime.odoo_url = self.odoo_handle.url

    def let_time_pass(self, delta: timedelta) -> None:
        """Move every "not before" time `delta` earlier, as if that much time had passed
        (the jobs read the real clock)."""
        with self.runtime.db.session() as s:
            for doc in s.scalars(select(Document).where(Document.next_attempt_at.is_not(None))):
                assert doc.next_attempt_at is not None
                doc.next_attempt_at -= delta

    def write_profile(self, data: dict[str, Any]) -> None:
        (self.profiles_dir / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        self.runtime.profiles.refresh(loaded_by="test")

    def odoo(self) -> OdooClient:
        return OdooClient(self.odoo_handle.url, "edigw", "admin", "admin").connect()

    def documents(self, interchange_id: int) -> list[Document]:
        with self.runtime.db.session() as s:
            return list(
                s.scalars(
                    select(Document)
                    .where(Document.interchange_id == interchange_id)
                    .order_by(Document.position)
                )
            )

    def interchange(self, interchange_id: int) -> Interchange:
        with self.runtime.db.session() as s:
            found = s.get(Interchange, interchange_id)
            assert found is not None
            return found

    def exceptions(self, kind: str | None = None) -> list[ExceptionRecord]:
        with self.runtime.db.session() as s:
            query = select(ExceptionRecord).order_by(ExceptionRecord.id)
            if kind:
                query = query.where(ExceptionRecord.kind == kind)
            return list(s.scalars(query))

    def mailbox_outbound(self, partner: str) -> list[Path]:
        folder = self.runtime.settings.var_dir / "sftp" / partner / "outbound"
        return sorted(folder.glob("*")) if folder.exists() else []


def cli_runtime(env: dict[str, str]) -> Runtime:
    """A runtime on the store and profiles an `edigw` environment (the `env` fixture) names,
    to look at what the commands did."""
    return Runtime.from_settings(
        load_settings(
            var_dir=Path(env["EDIGW_VAR_DIR"]),
            database_url=env["EDIGW_DATABASE_URL"],
            profiles_dir=Path(env["EDIGW_PROFILES_DIR"]),
        )
    )


@contextmanager
def gateway(tmp_path: Path, database_url: str, profiles: list[dict[str, Any]]) -> Iterator[Gateway]:
    jobs.load_job_modules()
    profiles_dir = tmp_path / "profiles"
    profiles_dir.mkdir()
    for data in profiles:
        (profiles_dir / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    settings = load_settings(
        var_dir=tmp_path / "var", database_url=database_url, profiles_dir=profiles_dir
    )
    runtime = Runtime.from_settings(settings)
    odoo_handle = serve(port=0, db_path=tmp_path / "odoo.sqlite3")
    runtime.odoo_url = odoo_handle.url
    dispatcher = jobs.InProcessDispatcher(runtime).start()
    runtime.enqueue = dispatcher.enqueue
    try:
        yield Gateway(runtime, dispatcher, odoo_handle, profiles_dir)
    finally:
        dispatcher.stop()
        odoo_handle.stop()
        runtime.close()
