"""Our poller against a real OpenSSH server (internal-sftp in a chroot): move and delete
after read, resumed downloads, no double intake, host key pinning, backoff, pushes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from gateway.intake import PROCESS_TASK
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.sftp import RemoteConfig, RemoteError, StaticRemoteDirectory
from gateway.sftp.keys import sha256_fingerprint
from gateway.sftp.poller import client_dir, due_partners, poll_due, poll_once, push_file
from gateway.store import Interchange
from gateway.store.models import ExceptionRecord, TransportReceipt
from tests.integration.sftp.sshd import Sshd

pytestmark = pytest.mark.integration

EDIFACT = b"UNA:+.? 'UNB+UNOC:3+FWD:ZZ+US:ZZ+261128:0500+42'UNH+1+IFTSTA:D:96A:UN'UNT+2+1'UNZ+1+42'"


@pytest.fixture
def enqueued(runtime: Runtime) -> list[tuple[str, int]]:
    sent: list[tuple[str, int]] = []
    runtime.enqueue = lambda task, *ids: sent.append((task, *ids))
    return sent


def remote_for(sshd: Sshd, **changes: object) -> RemoteConfig:
    base = RemoteConfig(
        partner_id="forwarder",
        host="127.0.0.1",
        port=sshd.port,
        username=sshd.user,
        key_ref=f"file:{sshd.client_key}",
        host_key=sshd.host_key_line,
        pickup_dir="/outbound",
        dropoff_dir="/inbound",
        archive_dir="/archive",
        connect_timeout=timedelta(seconds=10),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rows(runtime: Runtime) -> list[Interchange]:
    with runtime.db.session() as s:
        return list(s.scalars(select(Interchange).order_by(Interchange.id)))


def test_poll_moves_files_after_reading_them(
    runtime: Runtime, sshd: Sshd, enqueued: list[tuple[str, int]]
) -> None:
    outbound = sshd.chroot / "outbound"
    (outbound / "a-status.edi").write_bytes(EDIFACT)
    (outbound / "b-status.edi").write_bytes(EDIFACT.replace(b"42", b"43"))
    (outbound / "c-status.edi.part").write_bytes(b"still being written")
    (outbound / ".hidden").write_bytes(b"not for us")
    os.utime(outbound / "a-status.edi", (1_700_000_000, 1_700_000_000))  # oldest first

    fetched_before = (
        REGISTRY.get_sample_value(
            "edigw_sftp_files_total", {"partner": "forwarder", "kind": "fetched"}
        )
        or 0.0
    )
    result = poll_once(runtime, remote_for(sshd))
    assert result.status == "ok", result
    assert [f.name for f in result.taken] == ["a-status.edi", "b-status.edi"]
    assert (
        REGISTRY.get_sample_value(
            "edigw_sftp_files_total", {"partner": "forwarder", "kind": "fetched"}
        )
        == fetched_before + 2
    )
    assert all(f.after_read == "moved" for f in result.files)
    assert sorted(p.name for p in outbound.iterdir()) == [".hidden", "c-status.edi.part"]
    assert sorted(p.name for p in (sshd.chroot / "archive").iterdir()) == [
        "a-status.edi", "b-status.edi",
    ]  # fmt: skip
    first, second = rows(runtime)
    assert (first.transport, first.partner_id, first.transport_ref) == (
        "sftp", "forwarder", "/outbound/a-status.edi",
    )  # fmt: skip
    assert first.sha256 == hashlib.sha256(EDIFACT).hexdigest()
    assert runtime.blobs.read(first.blob_key) == EDIFACT
    assert enqueued == [(PROCESS_TASK, first.id), (PROCESS_TASK, second.id)]
    with runtime.db.session() as s:
        receipts = s.scalars(select(TransportReceipt)).all()
        assert {(r.kind, r.direction) for r in receipts} == {("download", "in")}
        assert len(receipts) == 2

    again = poll_once(runtime, remote_for(sshd))
    assert again.status == "ok" and again.files == []
    assert len(rows(runtime)) == 2


def test_poll_deletes_after_read_and_never_takes_the_same_file_twice(
    runtime: Runtime, sshd: Sshd, enqueued: list[tuple[str, int]]
) -> None:
    remote = remote_for(sshd, after_read="delete", archive_dir=None)
    offered = sshd.chroot / "outbound" / "status.edi"
    offered.write_bytes(EDIFACT)
    first = poll_once(runtime, remote)
    assert [(f.outcome, f.after_read) for f in first.files] == [("taken", "deleted")]
    assert not offered.exists() and list((sshd.chroot / "archive").iterdir()) == []

    offered.write_bytes(EDIFACT)  # the partner puts the very same file out again
    second = poll_once(runtime, remote)
    assert [(f.outcome, f.after_read) for f in second.files] == [("already_taken", "deleted")]
    assert second.files[0].interchange_id == first.files[0].interchange_id

    offered.write_bytes(EDIFACT.replace(b"42", b"44"))  # same name, other bytes: a new file
    third = poll_once(runtime, remote)
    assert [f.outcome for f in third.files] == ["taken"]
    assert len(rows(runtime)) == 2 and len(enqueued) == 2


def test_interrupted_download_resumes_without_duplicates(
    runtime: Runtime, sshd: Sshd, enqueued: list[tuple[str, int]]
) -> None:
    payload = os.urandom(8 * 1024 * 1024)
    (sshd.chroot / "outbound" / "big-invoice.edi").write_bytes(payload)
    remote = remote_for(sshd)
    cut = {"done": False}

    def cut_off(name: str, done: int, total: int) -> None:
        if not cut["done"] and done >= 2 * 1024 * 1024:
            cut["done"] = True
            assert sshd.drop_connections() > 0

    first = poll_once(runtime, remote, progress=cut_off)
    assert cut["done"] and first.status == "failed", first
    assert first.next_attempt_at is not None and rows(runtime) == []
    (spooled,) = (client_dir(runtime) / "forwarder" / "spool").glob("*.part")
    kept = spooled.stat().st_size
    assert 2 * 1024 * 1024 <= kept < len(payload)

    # the next poll (forced past the backoff, as an operator would) picks up where it broke
    second = poll_once(runtime, remote, force=True)
    assert second.status == "ok", second
    (fetched,) = second.files
    assert fetched.outcome == "taken" and fetched.resumed_from == kept
    assert fetched.downloaded == len(payload) - kept
    (row,) = rows(runtime)
    assert runtime.blobs.read(row.blob_key) == payload
    assert row.sha256 == hashlib.sha256(payload).hexdigest()
    assert enqueued == [(PROCESS_TASK, row.id)]
    assert list((client_dir(runtime) / "forwarder" / "spool").iterdir()) == []
    assert (sshd.chroot / "archive" / "big-invoice.edi").exists()


class WorkerKilled(BaseException):
    """Stands for the worker process dying mid-download (nothing below may catch it)."""


def test_download_resumes_after_the_worker_died_mid_file(
    runtime: Runtime, sshd: Sshd, enqueued: list[tuple[str, int]]
) -> None:
    payload = os.urandom(4 * 1024 * 1024)
    (sshd.chroot / "outbound" / "invoice.edi").write_bytes(payload)

    def die(name: str, done: int, total: int) -> None:
        if done >= 1024 * 1024:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        poll_once(runtime, remote_for(sshd), progress=die)
    assert rows(runtime) == []
    resumed = poll_once(runtime, remote_for(sshd))  # no backoff: it never recorded a failure
    (fetched,) = resumed.files
    assert fetched.outcome == "taken" and fetched.resumed_from >= 1024 * 1024
    (row,) = rows(runtime)
    assert runtime.blobs.read(row.blob_key) == payload and len(enqueued) == 1


def test_failed_after_read_is_retried_without_a_second_intake(
    runtime: Runtime, sshd: Sshd, enqueued: list[tuple[str, int]]
) -> None:
    (sshd.chroot / "outbound" / "status.edi").write_bytes(EDIFACT)
    remote = remote_for(sshd, archive_dir="/done")  # no such folder on the server yet
    first = poll_once(runtime, remote)
    assert first.status == "partial"
    (polled,) = first.files
    assert polled.outcome == "taken" and polled.after_read is None and polled.error
    (sshd.chroot / "done").mkdir()
    second = poll_once(runtime, remote)
    assert [(f.outcome, f.after_read) for f in second.files] == [("already_taken", "moved")]
    assert len(rows(runtime)) == 1 and len(enqueued) == 1
    assert (sshd.chroot / "done" / "status.edi").read_bytes() == EDIFACT


def test_host_key_is_pinned_or_learned_only_when_allowed(runtime: Runtime, sshd: Sshd) -> None:
    other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDtsBvKWOB3xSRMCnphF2mYcrmZXaRwE6IcbqsURXyFo"
    wrong = poll_once(runtime, remote_for(sshd, host_key=other))
    assert wrong.status == "failed" and "does not match the pinned key" in (wrong.error or "")
    assert wrong.exception_id is not None  # a key mismatch is told to a person at once

    unpinned = poll_once(runtime, remote_for(sshd, host_key=None), force=True)
    assert unpinned.status == "failed" and "no host key pinned" in (unpinned.error or "")

    learned = poll_once(runtime, remote_for(sshd, host_key=None, learn_host_key=True), force=True)
    assert learned.status == "ok" and learned.learned_host_key == sshd.host_key_line
    again = poll_once(runtime, remote_for(sshd, host_key=None, learn_host_key=True))
    assert again.status == "ok" and again.learned_host_key is None  # now known

    blob = __import__("base64").b64decode(sshd.host_key_line.split()[1])
    by_fingerprint = poll_once(runtime, remote_for(sshd, host_key=sha256_fingerprint(blob)))
    assert by_fingerprint.status == "ok"
    with runtime.db.session() as s:
        (record,) = s.scalars(select(ExceptionRecord)).all()
        assert record.status == "resolved"  # success closes the connection exception


def test_failures_back_off_and_open_an_exception_after_the_threshold(
    runtime: Runtime, sshd: Sshd
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    remote = remote_for(
        sshd, port=dead_port, backoff_base=timedelta(minutes=1),
        backoff_max=timedelta(minutes=30), alert_after=timedelta(minutes=10),
    )  # fmt: skip
    t0 = datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
    assert poll_due(runtime, remote, t0)  # never polled
    first = poll_once(runtime, remote, now=t0)
    assert first.status == "failed" and "cannot reach" in (first.error or "")
    assert first.next_attempt_at == t0 + timedelta(minutes=1) and first.exception_id is None

    assert not poll_due(runtime, remote, t0 + timedelta(seconds=30))
    assert poll_due(runtime, remote, t0 + timedelta(minutes=1))
    fresh = remote_for(sshd, partner_id="other-partner")
    directory = StaticRemoteDirectory([remote, fresh])
    assert due_partners(runtime, directory, t0 + timedelta(seconds=30)) == ["other-partner"]
    waiting = poll_once(runtime, remote, now=t0 + timedelta(seconds=30))
    assert waiting.status == "backoff" and waiting.next_attempt_at == first.next_attempt_at

    second = poll_once(runtime, remote, now=t0 + timedelta(minutes=1, seconds=1))
    assert second.next_attempt_at == t0 + timedelta(minutes=3, seconds=1)  # doubled
    assert second.exception_id is None

    late = poll_once(runtime, remote, now=t0 + timedelta(minutes=11), force=True)
    assert late.exception_id is not None
    later = poll_once(runtime, remote, now=t0 + timedelta(minutes=12), force=True)
    assert later.exception_id == late.exception_id  # one open exception, kept up to date
    with runtime.db.session() as s:
        record = s.get(ExceptionRecord, late.exception_id)
        assert record is not None and record.kind == "sftp_poll_failing"
        assert record.partner_id == "forwarder" and record.detail["failures"] == 4

    healed_at = t0 + timedelta(minutes=13)
    healed = poll_once(runtime, remote_for(sshd), now=healed_at, force=True)
    assert healed.status == "ok"
    # back to the plain interval (5 minutes by default) after a success
    assert not poll_due(runtime, remote, healed_at + timedelta(minutes=4))
    assert poll_due(runtime, remote, healed_at + timedelta(minutes=5))
    with runtime.db.session() as s:
        record = s.get(ExceptionRecord, late.exception_id)
        assert record is not None and record.status == "resolved"
    # and the backoff is forgotten: the next attempt fails fresh, not "backoff"
    assert poll_once(runtime, remote, now=healed_at).status == "failed"


def test_push_writes_a_temporary_name_then_renames(runtime: Runtime, sshd: Sshd) -> None:
    remote = remote_for(sshd)
    payload = os.urandom(16 * 1024 * 1024)
    inbound = sshd.chroot / "inbound"
    seen: dict[str, set[int]] = {}
    stop = threading.Event()

    def watch() -> None:  # what the partner would see in its folder while we push
        while not stop.is_set():
            for entry in os.scandir(inbound):
                with contextlib.suppress(FileNotFoundError):
                    seen.setdefault(entry.name, set()).add(entry.stat().st_size)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        pushed = push_file(runtime, remote, "tender-204.edi", payload)
    finally:
        stop.set()
        watcher.join()
    assert pushed.remote_path == "/inbound/tender-204.edi" and not pushed.already_present
    assert [p.name for p in inbound.iterdir()] == ["tender-204.edi"]
    assert (inbound / "tender-204.edi").read_bytes() == payload
    assert "tender-204.edi.part" in seen  # written under the temporary name first
    assert seen.get("tender-204.edi", {len(payload)}) == {len(payload)}  # never seen partial

    retried = push_file(runtime, remote, "tender-204.edi", payload)
    assert retried.already_present
    with pytest.raises(RemoteError, match="not overwriting"):
        push_file(runtime, remote, "tender-204.edi", payload + b"more")


def test_concurrent_poll_of_one_partner_is_refused_on_postgresql(
    fresh_pg_url: str, tmp_path: Path, sshd: Sshd
) -> None:
    runtime = Runtime.from_settings(
        load_settings(var_dir=tmp_path / "var", database_url=fresh_pg_url)
    )
    try:
        (sshd.chroot / "outbound" / "status.edi").write_bytes(os.urandom(3 * 1024 * 1024))
        seen: list[str] = []

        def poll_meanwhile(name: str, done: int, total: int) -> None:
            if not seen:
                seen.append(poll_once(runtime, remote_for(sshd)).status)

        result = poll_once(runtime, remote_for(sshd), progress=poll_meanwhile)
        assert seen == ["busy"] and result.status == "ok"
        assert len(rows(runtime)) == 1
    finally:
        runtime.close()
