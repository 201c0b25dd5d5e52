"""Reliability with real Celery worker processes on a Redis of the test's own (so it can be
stopped and killed), PostgreSQL, and the Odoo emulator over HTTP: no document is lost or
posted twice when a worker is killed mid-batch or the broker goes away."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from gateway.celery_app import CeleryDispatcher, make_celery
from gateway.intake import take_in
from gateway.odoo.client import OdooClient
from gateway.odoo.emulator.server import serve as serve_odoo
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.store import Document, Interchange
from inbound.sweep import sweep
from tests import support
from tests.integration.pipeline import edi
from tests.integration.pipeline.harness import example_profile

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EDIGW = str(Path(sys.executable).with_name("edigw"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    """A redis-server of the test's own on a spare loopback port."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            support.unavailable(
                "redis-server is not installed", required_by="EDIGW_REQUIRE_SERVICES"
            )
        self.binary, self.folder, self.port = str(binary), folder, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not support.tcp_reachable(self.url, self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None


class Cluster:
    """The gateway as production runs it: workers in their own processes, our intake."""

    def __init__(self, tmp_path: Path, database_url: str, redis: RedisServer) -> None:
        profiles = tmp_path / "profiles"
        profiles.mkdir()
        profile = example_profile("acme-ltl")
        (profiles / "acme-ltl.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
        self.odoo = serve_odoo(port=0, db_path=tmp_path / "odoo.sqlite3")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")} | {
            "EDIGW_DATABASE_URL": database_url,
            "EDIGW_BROKER_URL": redis.url,
            "EDIGW_VAR_DIR": str(tmp_path / "var"),
            "EDIGW_PROFILES_DIR": str(profiles),
            "EDIGW_ODOO_URL": self.odoo.url,
            "EDIGW_STUCK_AFTER_SECONDS": "5",
            "EDIGW_LOG_LEVEL": "WARNING",
        }
        settings = load_settings(
            database_url=database_url, broker_url=redis.url, var_dir=tmp_path / "var",
            profiles_dir=profiles, odoo_url=self.odoo.url, stuck_after_seconds=5,
        )  # fmt: skip
        self.runtime = Runtime.from_settings(settings)
        self.runtime.enqueue = CeleryDispatcher(make_celery(settings)).enqueue
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs = tmp_path

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.logs / f"worker-{len(self.workers)}.log").open("wb")
        proc = subprocess.Popen(
            [EDIGW, "worker", "-c", "1", "--pool", "solo", "--without-gossip", "--without-mingle"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.workers.append(proc)
        return proc

    def take_in(self, data: bytes, name: str) -> int:
        return take_in(self.runtime, data, transport="sftp", delivery_key=name).interchange_id

    def count(self, state: str) -> int:
        with self.runtime.db.session() as s:
            return int(s.scalar(select(func.count()).where(Document.state == state)) or 0)

    def wait_until(
        self, done: Callable[[], bool], timeout: float, sweep_every: float = 2.0
    ) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                logs = "\n".join(p.read_text()[-3000:] for p in self.logs.glob("worker-*.log"))
                pytest.fail(f"timed out; posted={self.count('posted')}\n{logs}")
            sweep(self.runtime)  # what beat would run
            time.sleep(sweep_every)

    def interchanges(self, status: str) -> list[int]:
        with self.runtime.db.session() as s:
            return list(s.scalars(select(Interchange.id).where(Interchange.status == status)))

    def notes_per_interchange(self) -> dict[str, int]:
        with OdooClient(self.odoo.url, "edigw", "admin", "admin").connect() as odoo:
            rows = odoo.search_read("mail.message", [["model", "=", "stock.picking"]], ["body"])
        counts: dict[str, int] = {}
        for row in rows:
            body = str(row["body"])
            found = re.search(r"interchange (\d{9})", body)
            if found:
                counts[found.group(1)] = counts.get(found.group(1), 0) + 1
        return counts

    def close(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.runtime.close()
        self.odoo.stop()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cluster(tmp_path: Path, fresh_pg_url: str, redis_server: RedisServer) -> Iterator[Cluster]:
    found = Cluster(tmp_path, fresh_pg_url, redis_server)
    yield found
    found.close()


def _batch(interchanges: int, per: int, first_control: int) -> list[bytes]:
    files = []
    for n in range(interchanges):
        sets = [
            edi.status_214(f"{t + 1:04d}", "X6", time=f"{t:02d}{n % 60:02d}") for t in range(per)
        ]
        files.append(edi.acme_interchange(sets, control=first_control + n, functional_id="QM"))
    return files


def test_worker_killed_mid_batch_every_document_posted_once(cluster: Cluster) -> None:
    files = _batch(50, 10, 1000)  # 500 documents
    first = cluster.start_worker()
    for n, data in enumerate(files):
        cluster.take_in(data, f"batch-{n}.edi")
    cluster.wait_until(lambda: cluster.count("posted") >= 100, timeout=240, sweep_every=0.5)
    first.send_signal(signal.SIGKILL)  # in the middle of the batch
    first.wait(timeout=20)
    assert cluster.count("posted") < 500
    cluster.start_worker()

    def acks_sent() -> int:
        with cluster.runtime.db.session() as s:
            return int(
                s.scalar(
                    select(func.count()).where(
                        Interchange.direction == "out", Interchange.status == "sent"
                    )
                )
                or 0
            )

    # an acknowledgement whose delivery job died with the worker is delivered again by the
    # sweep, independently of the posting: wait for both
    cluster.wait_until(lambda: cluster.count("posted") == 500 and acks_sent() >= 50, timeout=600)
    with cluster.runtime.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 500
        inbound = set(s.scalars(select(Interchange.status).where(Interchange.direction == "in")))
    assert inbound == {"processed"}
    assert acks_sent() == 50  # one 997 per interchange, delivered to the partner's mailbox
    notes = cluster.notes_per_interchange()
    assert len(notes) == 50 and set(notes.values()) == {10}  # each status noted exactly once


def test_broker_down_while_files_arrive_nothing_lost(
    cluster: Cluster, redis_server: RedisServer
) -> None:
    files = _batch(5, 2, 2000)
    redis_server.stop()
    ids = [cluster.take_in(data, f"while-down-{n}.edi") for n, data in enumerate(files)]
    # the same interchange delivered again: recorded, never processed twice
    ids.append(cluster.take_in(files[0], "while-down-again.edi"))
    with cluster.runtime.db.session() as s:
        assert {s.get(Interchange, i).status for i in ids} == {"received"}  # type: ignore[union-attr]
    redis_server.start()
    cluster.start_worker()
    cluster.wait_until(
        lambda: cluster.count("posted") == 10 and not cluster.interchanges("received"),
        timeout=240,
    )
    with cluster.runtime.db.session() as s:
        pair = {s.get(Interchange, i).status for i in (ids[0], ids[-1])}  # type: ignore[union-attr]
    assert pair == {"processed", "duplicate"}  # whichever came second is the duplicate
    notes = cluster.notes_per_interchange()
    assert len(notes) == 5 and set(notes.values()) == {2}


def test_odoo_down_then_back_every_document_posted_once(cluster: Cluster, tmp_path: Path) -> None:
    """Odoo goes away while files arrive: workers retry with backoff (the waits are in the
    database), and once it is back every document posts exactly once."""
    files = _batch(4, 5, 3000)  # 20 documents
    port, db_path = cluster.odoo.port, cluster.odoo.db_path
    cluster.odoo.stop()
    cluster.start_worker()
    for n, data in enumerate(files):
        cluster.take_in(data, f"odoo-down-{n}.edi")
    cluster.wait_until(lambda: cluster.count("retrying") == 20, timeout=240)
    cluster.odoo = serve_odoo(port=port, db_path=db_path)
    with cluster.runtime.db.session() as s:  # the backoff has passed
        for doc in s.scalars(select(Document).where(Document.state == "retrying")):
            doc.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    cluster.wait_until(lambda: cluster.count("posted") == 20, timeout=240)
    with cluster.runtime.db.session() as s:
        attempts = set(s.scalars(select(Document.attempts)))
    assert attempts == {2}  # one failed attempt, one that posted
    notes = cluster.notes_per_interchange()
    assert len(notes) == 4 and set(notes.values()) == {5}
