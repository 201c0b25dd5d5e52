"""The sweep hands lost or due work out again; the SLA sweep turns missing acks overdue."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gateway import jobs
from gateway.runtime import Runtime
from gateway.store import Document, ExceptionRecord, Interchange
from gateway.web import create_app
from inbound.sweep import sweep

pytestmark = pytest.mark.integration


def _interchange(**kw: object) -> Interchange:
    base: dict[str, object] = dict(
        direction="in", transport="sftp", sha256="0" * 64, size=1, blob_key="0" * 64
    )
    return Interchange(**(base | kw))


def test_sweep_reenqueues_stuck_and_due_work(runtime: Runtime) -> None:
    sent: list[tuple[str, tuple[object, ...]]] = []
    runtime.enqueue = lambda name, *args, **kw: sent.append((name, args))
    now = datetime.now(UTC)
    old, later = now - timedelta(minutes=5), now + timedelta(hours=1)
    with runtime.db.session() as s:
        stuck = _interchange(status="received", updated_at=old)
        fresh = _interchange(status="received", updated_at=now)
        done = _interchange(status="processed", updated_at=old)
        s.add_all([stuck, fresh, done])
        s.flush()
        docs = [
            Document(interchange_id=done.id, state="queued", updated_at=old),  # lost by broker
            Document(interchange_id=done.id, state="queued", updated_at=now),  # in flight
            Document(interchange_id=done.id, state="retrying", next_attempt_at=old),  # due
            Document(interchange_id=done.id, state="retrying", next_attempt_at=later),
            Document(interchange_id=done.id, state="queued", next_attempt_at=later),  # held
            Document(interchange_id=done.id, state="posted", updated_at=old),
        ]  # fmt: skip
        s.add_all(docs)
        s.flush()
        ids = [d.id for d in docs]
        stuck_id = stuck.id
    counts = sweep(runtime)
    assert counts == {
        "interchanges": 1,
        "documents": 2,
        "deliveries": 0,
        "overdue": 0,
        "mdns_resent": 0,
        "mdns_overdue": 0,
    }
    assert sorted(sent) == sorted(
        [
            ("inbound.process_interchange", (stuck_id,)),
            ("inbound.post_document", (ids[0],)),
            ("inbound.post_document", (ids[2],)),
        ]
    )
    # once the held invoice's window closes, it is handed out too
    sent.clear()
    sweep(runtime, (now + timedelta(hours=2)).isoformat())
    assert ("inbound.post_document", (ids[4],)) in sent and (
        "inbound.post_document",
        (ids[3],),
    ) in sent


def test_overdue_ack_opens_one_exception(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with runtime.db.session() as s:
        late = _interchange(
            direction="out", partner_id="acme-ltl", control_number="000000007",
            status="sent", ack_status="pending", ack_due_at=now - timedelta(minutes=1),
        )  # fmt: skip
        on_time = _interchange(
            direction="out",
            status="sent",
            ack_status="pending",
            ack_due_at=now + timedelta(hours=4),
        )
        s.add_all([late, on_time])
    runtime.enqueue = lambda *a, **k: None
    assert sweep(runtime)["overdue"] == 1
    assert sweep(runtime)["overdue"] == 0  # already overdue: nothing more, no second exception
    with runtime.db.session() as s:
        states = {i.control_number: i.ack_status for i in s.scalars(select(Interchange))}
        assert states["000000007"] == "overdue"
        (exc,) = s.scalars(select(ExceptionRecord)).all()
        assert exc.kind == "ack_overdue" and "000000007" in exc.message
    metrics = TestClient(create_app(runtime)).get("/metrics").text
    assert "edigw_overdue_acks 1.0" in metrics
    assert 'edigw_open_exceptions{kind="ack_overdue"} 1.0' in metrics


def test_in_process_dispatcher_runs_registered_jobs(runtime: Runtime) -> None:
    seen: list[int] = []

    @jobs.job("test.record", queue="intake")
    def record(rt: Runtime, value: int) -> None:
        assert rt is runtime
        seen.append(value)

    dispatcher = jobs.InProcessDispatcher(runtime).start()
    try:
        for i in range(20):
            dispatcher.enqueue("test.record", i)
        dispatcher.enqueue("test.record", 99, countdown=0.2)
        assert dispatcher.wait_idle(10)
        assert 99 not in seen  # a delayed job is not waited for...
        time.sleep(0.5)
        assert dispatcher.wait_idle(10)  # ...until its timer has fired
    finally:
        dispatcher.stop()
        jobs.REGISTRY.pop("test.record")
    assert sorted(seen) == [*range(20), 99]
