"""The store on both backends: migrations up and down, records, concurrent counters."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from gateway.store import (
    Database,
    Document,
    Event,
    Interchange,
    migrate_down,
    migrate_up,
    next_control_number,
)

pytestmark = pytest.mark.integration

TABLES = {
    "interchange",
    "document",
    "acknowledgement",
    "control_counter",
    "exception",
    "event",
    "transport_receipt",
    "profile_version",
}


def _tables(url: str) -> set[str]:
    db = Database(url)
    try:
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    finally:
        db.dispose()


def _roundtrip(url: str) -> None:
    assert _tables(url) == set()
    migrate_up(url)
    assert _tables(url) == TABLES
    db = Database(url)
    due = datetime.now(UTC) + timedelta(hours=4)
    with db.session() as s:
        ic = Interchange(
            direction="in", partner_id="acme-ltl", standard="x12", transport="as2",
            transport_ref="<msg-1@acme>", control_number="000000001", sha256="a" * 64,
            size=10, blob_key="a" * 64, ack_due_at=due, meta={"as2_from": "ACME"},
        )  # fmt: skip
        s.add(ic)
        s.flush()
        s.add(Document(interchange_id=ic.id, position=0, doc_type="214", control_number="0001"))
        s.add(Event(actor="test", kind="received", interchange_id=ic.id, to_state="received"))
    with db.session() as s:
        ic = s.scalars(select(Interchange)).one()
        assert ic.ack_due_at == due and ic.ack_due_at.tzinfo is not None
        assert ic.meta == {"as2_from": "ACME"}
        assert [d.doc_type for d in ic.documents] == ["214"]
    db.dispose()
    migrate_down(url)
    assert _tables(url) == set()


def test_migrations_sqlite_up_and_down(tmp_path: Path) -> None:
    _roundtrip(f"sqlite:///{tmp_path / 'store.sqlite3'}")


def test_migrations_postgres_up_and_down(fresh_pg_url: str) -> None:
    _roundtrip(fresh_pg_url)


def test_counter_sequence_and_wrap(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    migrate_up(url)
    db = Database(url)
    with db.session() as s:
        assert [next_control_number(s, "p", "isa", maximum=3) for _ in range(5)] == [1, 2, 3, 1, 2]
        assert next_control_number(s, "q", "isa") == 1  # per partner
        assert next_control_number(s, "p", "gs") == 1  # per kind
    db.dispose()


def _draw(url: str, count: int, queue: multiprocessing.Queue) -> None:
    db = Database(url)
    drawn = []
    for _ in range(count):
        with db.session() as s:
            drawn.append(next_control_number(s, "acme-ltl", "isa"))
    db.dispose()
    queue.put(drawn)


def test_counter_concurrent_processes_postgres(fresh_pg_url: str) -> None:
    migrate_up(fresh_pg_url)
    workers, per_worker = 6, 150
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_draw, args=(fresh_pg_url, per_worker, queue)) for _ in range(workers)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    numbers = sorted(n for r in results for n in r)
    # every draw committed, so no duplicates and no gaps at all
    assert numbers == list(range(1, workers * per_worker + 1))
    # each process saw its own numbers strictly increasing
    for r in results:
        assert r == sorted(r)
