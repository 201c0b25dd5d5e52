"""Intake stores before it enqueues, and records repeated deliveries as duplicates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gateway.intake import PROCESS_TASK, take_in
from gateway.runtime import Runtime
from gateway.store import Event, Interchange

pytestmark = pytest.mark.integration


def test_intake_stores_then_enqueues(runtime: Runtime) -> None:
    sent: list[tuple[str, int]] = []

    def enqueue(task: str, interchange_id: int) -> None:
        # by the time work is enqueued, the row and the blob are committed
        with runtime.db.session() as s:
            row = s.get(Interchange, interchange_id)
            assert row is not None and runtime.blobs.exists(row.blob_key)
        sent.append((task, interchange_id))

    runtime.enqueue = enqueue
    first = take_in(
        runtime, [b"ISA*00*", b"rest~"], transport="as2", transport_ref="<m1@acme>",
        delivery_key="<m1@acme>", partner_id="acme-ltl", meta={"as2_from": "ACME"},
    )  # fmt: skip
    again = take_in(runtime, b"ISA*00*rest~", transport="as2", delivery_key="<m1@acme>")
    other = take_in(runtime, b"ISA*00*rest~", transport="as2", delivery_key="<m2@acme>")
    assert first.enqueued and not again.enqueued
    assert not first.duplicate and again.duplicate_of == first.interchange_id
    assert not other.duplicate
    assert sent == [(PROCESS_TASK, first.interchange_id), (PROCESS_TASK, other.interchange_id)]
    with runtime.db.session() as s:
        rows = {r.id: r for r in s.scalars(select(Interchange))}
        assert rows[again.interchange_id].status == "duplicate"
        assert rows[first.interchange_id].meta == {"as2_from": "ACME"}
        assert rows[first.interchange_id].size == len(b"ISA*00*rest~")
        kinds = [e.kind for e in s.scalars(select(Event).order_by(Event.id))]
        assert kinds == ["received", "duplicate_delivery", "received"]
    assert runtime.blobs.read(first.blob.key) == b"ISA*00*rest~"


def test_lost_enqueue_leaves_durable_row(runtime: Runtime) -> None:
    def broker_down(task: str, interchange_id: int) -> None:
        raise ConnectionError("broker unreachable")

    runtime.enqueue = broker_down
    result = take_in(runtime, b"UNB+UNOC:3+X+Y'", transport="sftp", delivery_key="k")
    assert not result.enqueued
    with runtime.db.session() as s:
        (row,) = s.scalars(select(Interchange)).all()
        assert row.status == "received"


def test_concurrent_repeats_of_one_delivery_on_postgres(tmp_path, fresh_pg_url: str) -> None:
    """Eight simultaneous deliveries with the same key: exactly one is processed."""
    from concurrent.futures import ThreadPoolExecutor

    from gateway.settings import load_settings

    rt = Runtime.from_settings(load_settings(var_dir=tmp_path / "var", database_url=fresh_pg_url))
    sent: list[int] = []
    rt.enqueue = lambda task, interchange_id: sent.append(interchange_id)
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(
                pool.map(
                    lambda n: take_in(rt, b"ISA*same~", transport="as2", delivery_key="<m@x>"),
                    range(8),
                )
            )
        firsts = [r for r in results if not r.duplicate]
        assert len(firsts) == 1 and sent == [firsts[0].interchange_id]
        assert {r.duplicate_of for r in results if r.duplicate} == {firsts[0].interchange_id}
    finally:
        rt.close()
