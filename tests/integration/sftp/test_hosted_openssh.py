"""OpenSSH's own sftp client against our hosted server: uploads, downloads, cut-off uploads
and escape attempts, with key authentication and a pinned host key."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, text

from gateway.intake import PROCESS_TASK
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.sftp import deliver_to_mailbox, place_outbound
from gateway.store import Interchange
from gateway.store.models import TransportReceipt
from tests.integration.sftp.conftest import (
    Hosted,
    hosted_server,
    run_sftp,
    sftp_batch_command,
    wait_for_archive,
)

pytestmark = pytest.mark.integration

X12 = b"ISA*00*          *00*          *ZZ*ACME           *ZZ*US             *261128*0500*U*00401*000000001*0*P*>~GS*QM*ACME*US*20261128*0500*1*X*004010~ST*214*0001~SE*2*0001~GE*1*1~IEA*1*000000001~"  # noqa: E501


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def interchanges(hosted: Hosted) -> list[Interchange]:
    with hosted.runtime.db.session() as s:
        return list(s.scalars(select(Interchange).order_by(Interchange.id)))


def test_upload_is_taken_in_once_and_archived(
    hosted: Hosted, openssh_sftp: str, tmp_path: Path
) -> None:
    stored_before = sample("edigw_sftp_uploads_total", partner="acme", outcome="stored")
    local = tmp_path / "status-214.edi"
    local.write_bytes(X12)
    done = run_sftp(openssh_sftp, hosted, "acme", f"put {local} /inbound/status-214.edi\n")
    assert done.returncode == 0, done.stderr

    (row,) = interchanges(hosted)
    assert (row.transport, row.partner_id, row.status) == ("sftp", "acme", "received")
    assert row.sha256 == hashlib.sha256(X12).hexdigest() and row.size == len(X12)
    assert row.transport_ref == "/inbound/status-214.edi"
    assert row.delivery_key == f"acme:status-214.edi:{len(X12)}:{row.sha256}"
    assert hosted.enqueued == [(PROCESS_TASK, row.id)]
    assert hosted.runtime.blobs.read(row.blob_key) == X12
    # taken in: gone from inbound/ once the session ended, kept in archive/
    wait_for_archive(hosted, "status-214.edi")
    assert list((hosted.mailbox("acme") / "inbound").iterdir()) == []
    (archived,) = (hosted.mailbox("acme") / "archive").iterdir()
    assert archived.name.endswith("_status-214.edi") and archived.read_bytes() == X12

    # the same file again: recorded as a duplicate, not processed a second time
    again = run_sftp(openssh_sftp, hosted, "acme", f"put {local} /inbound/status-214.edi\n")
    assert again.returncode == 0, again.stderr
    # the same name with other bytes is a new file
    local.write_bytes(X12.replace(b"000000001", b"000000002"))
    changed = run_sftp(openssh_sftp, hosted, "acme", f"put {local} inbound/status-214.edi\n")
    assert changed.returncode == 0, changed.stderr

    first, duplicate, new = interchanges(hosted)
    assert duplicate.status == "duplicate" and duplicate.duplicate_of == first.id
    assert new.status == "received" and new.duplicate_of is None
    assert hosted.enqueued == [(PROCESS_TASK, first.id), (PROCESS_TASK, new.id)]
    assert sample("edigw_sftp_uploads_total", partner="acme", outcome="stored") == (
        stored_before + 2
    )
    with hosted.runtime.db.session() as s:
        receipts = s.scalars(select(TransportReceipt).order_by(TransportReceipt.id)).all()
        assert [r.disposition for r in receipts] == ["stored", "duplicate", "stored"]
        assert [r.interchange_id for r in receipts] == [first.id, duplicate.id, new.id]


def test_partner_downloads_outbound_file(hosted: Hosted, openssh_sftp: str, tmp_path: Path) -> None:
    payload = os.urandom(300_000)
    deliver_to_mailbox(hosted.runtime, "acme", "tender-204.edi", payload, interchange_id=None)
    done = run_sftp(
        openssh_sftp, hosted, "acme", "ls -l /outbound\nget /outbound/tender-204.edi\n",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "tender-204.edi" in done.stdout
    assert (tmp_path / "tender-204.edi").read_bytes() == payload
    with hosted.runtime.db.session() as s:
        placed, collected = s.scalars(select(TransportReceipt).order_by(TransportReceipt.id))
        assert (placed.kind, placed.direction, placed.detail["mode"]) == ("upload", "out", "hosted")
        assert (collected.kind, collected.direction) == ("download", "out")
        assert collected.detail["size"] == len(payload)
    # a download cut short resumes (`reget` reads on from the local file's end)
    (tmp_path / "tender-204.edi").write_bytes(payload[:100_000])
    resumed = run_sftp(
        openssh_sftp, hosted, "acme", "reget /outbound/tender-204.edi\n", cwd=tmp_path
    )
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "tender-204.edi").read_bytes() == payload
    # the partner may delete what it collected, which is how it says "done"
    removed = run_sftp(openssh_sftp, hosted, "acme", "rm /outbound/tender-204.edi\n")
    assert removed.returncode == 0, removed.stderr
    assert not (hosted.mailbox("acme") / "outbound" / "tender-204.edi").exists()


def test_killed_upload_is_kept_aside_and_never_processed(
    hosted: Hosted, openssh_sftp: str, tmp_path: Path
) -> None:
    local = tmp_path / "big.edi"
    local.write_bytes(os.urandom(6 * 1024 * 1024))
    # -l throttles the client (8 Mbit/s ~ 1 MB/s) so it is surely mid-file when killed
    client = subprocess.Popen(
        sftp_batch_command(openssh_sftp, hosted, "acme", rate_kbit=8000),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    assert client.stdin is not None
    client.stdin.write(f"put {local} /inbound/big.edi\n".encode())
    client.stdin.flush()
    target = hosted.mailbox("acme") / "inbound" / "big.edi"
    deadline = time.monotonic() + 30
    while not (target.exists() and target.stat().st_size > 256 * 1024):
        assert time.monotonic() < deadline, "the upload never started"
        time.sleep(0.05)
    os.killpg(client.pid, signal.SIGKILL)  # sftp and its ssh child: the connection drops
    client.wait(10)

    partial_dir = hosted.runtime.settings.var_dir / "sftp" / ".partial" / "acme"
    deadline = time.monotonic() + 30
    while not list(partial_dir.glob("*.json")):
        assert time.monotonic() < deadline, "the cut-off upload was not kept aside"
        time.sleep(0.05)
    (note_path,) = partial_dir.glob("*.json")
    note = json.loads(note_path.read_text())
    assert note["reason"] == "connection lost before the client closed the file"
    kept = note_path.with_name(note_path.name.removesuffix(".json"))
    assert 0 < kept.stat().st_size < local.stat().st_size
    assert not target.exists()
    assert interchanges(hosted) == [] and hosted.enqueued == []
    while True:  # the receipt is written just after the note
        with hosted.runtime.db.session() as s:
            receipts = s.scalars(select(TransportReceipt)).all()
        if receipts or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    (receipt,) = receipts
    assert receipt.disposition == "partial" and receipt.interchange_id is None


# (command, what OpenSSH's client prints, whether our server logs a denial). The client's
# `get` stats first and words every failure as "not found"; the server's log tells.
@pytest.mark.parametrize(
    "command, refusal, denied",
    [
        ("put {local} /../globex/inbound/x.edi", "Permission denied", True),
        ("put {local} ../../globex/inbound/x.edi", "Permission denied", True),
        ("get /../globex/outbound/secret.edi", "not found", True),
        ("get {globex}/outbound/secret.edi", "not found", False),  # host path: not in chroot
        ("get /outbound/planted-link", "not found", True),  # a symlink to globex's file
        ("put {local} /outbound/x.edi", "Permission denied", True),
        ("put {local} /archive/x.edi", "Permission denied", True),
        ("put {local} /x.edi", "No such file", False),
        ("mkdir /inbound/sub", "Permission denied", True),
        ("symlink /outbound /inbound/escape", "Permission denied", True),
    ],
)
def test_escapes_and_other_mailboxes_are_denied(
    hosted: Hosted,
    openssh_sftp: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    command: str,
    refusal: str,
    denied: bool,
) -> None:
    root = hosted.runtime.settings.var_dir / "sftp"
    secret = place_outbound(root, "globex", "secret.edi", b"globex only")
    place_outbound(root, "acme", "mine.edi", b"acme")
    (hosted.mailbox("acme") / "outbound" / "planted-link").symlink_to(secret)
    local = tmp_path / "x.edi"
    local.write_bytes(X12)
    line = command.format(local=local, globex=hosted.mailbox("globex"))
    done = run_sftp(openssh_sftp, hosted, "acme", line + "\n", cwd=tmp_path)
    assert done.returncode != 0
    assert refusal in done.stderr, done.stderr
    denials = [r for r in caplog.records if "denied" in r.getMessage()]
    assert bool(denials) == denied, [r.getMessage() for r in caplog.records]
    assert not (tmp_path / "secret.edi").exists() and not (tmp_path / "planted-link").exists()
    assert list((hosted.mailbox("globex") / "inbound").iterdir()) == []
    assert interchanges(hosted) == []


def test_partner_sees_only_its_own_mailbox(hosted: Hosted, openssh_sftp: str) -> None:
    # `cd ..` from the top stays at the top (the client asks the server where it is)
    done = run_sftp(openssh_sftp, hosted, "acme", "cd inbound\ncd ../..\npwd\nls -1 /\n")
    assert done.returncode == 0, done.stderr
    assert "Remote working directory: /\n" in done.stdout
    listed = [ln for ln in done.stdout.splitlines() if not ln.startswith(("sftp>", "Remote"))]
    assert listed == ["/archive", "/inbound", "/outbound"]
    # naming the parent of the top outright is an escape attempt, and refused
    above = run_sftp(openssh_sftp, hosted, "acme", "ls /..\n")
    assert above.returncode != 0


def test_wrong_key_and_other_partners_user_are_refused(hosted: Hosted, openssh_sftp: str) -> None:
    # acme's key presented for globex's username
    cmd = sftp_batch_command(openssh_sftp, hosted, "acme")
    cmd[-1] = "globex-user@127.0.0.1"
    done = subprocess.run(cmd, input="ls\n", capture_output=True, text=True, timeout=30)
    assert done.returncode != 0 and "Permission denied" in done.stderr
    assert hosted.server.active_sessions("globex") == 0


def test_intake_failure_fails_the_close_and_the_server_carries_on(
    hosted: Hosted, openssh_sftp: str, tmp_path: Path
) -> None:
    with hosted.runtime.db.engine.begin() as conn:  # the store breaks under the server
        conn.execute(text("DROP TABLE event"))
    local = tmp_path / "status.edi"
    local.write_bytes(X12)
    failed = run_sftp(openssh_sftp, hosted, "acme", f"put {local} /inbound/status.edi\n")
    assert failed.returncode != 0, failed.stdout
    assert interchanges(hosted) == [] and hosted.enqueued == []
    # the file is not lost: it waits in inbound/ (the partner was told the upload failed)
    assert (hosted.mailbox("acme") / "inbound" / "status.edi").read_bytes() == X12
    still = run_sftp(openssh_sftp, hosted, "globex", "ls /inbound\n")
    assert still.returncode == 0, still.stderr


def test_upload_on_postgresql(
    fresh_pg_url: str, tmp_path: Path, keys_dir: Path, openssh_sftp: str
) -> None:
    runtime = Runtime.from_settings(
        load_settings(var_dir=tmp_path / "var", database_url=fresh_pg_url)
    )
    hosted = hosted_server(runtime, keys_dir)
    try:
        local = tmp_path / "invoice-210.edi"
        local.write_bytes(X12)
        done = run_sftp(openssh_sftp, hosted, "globex", f"put {local} /inbound/\n")
        assert done.returncode == 0, done.stderr
        (row,) = interchanges(hosted)
        assert (row.partner_id, row.transport_ref) == ("globex", "/inbound/invoice-210.edi")
        assert hosted.enqueued == [(PROCESS_TASK, row.id)]
    finally:
        hosted.server.stop()
        runtime.close()


def test_upload_with_preserved_times_and_a_temporary_name(
    hosted: Hosted, openssh_sftp: str, tmp_path: Path
) -> None:
    local = tmp_path / "status.edi"
    local.write_bytes(X12)
    # `put -p` sends a setstat (accepted, ignored); the rename finishes a temp-name upload
    script = (
        f"put -p {local} /inbound/status.edi.part\n"
        "rename /inbound/status.edi.part /inbound/status.edi\n"
    )
    done = run_sftp(openssh_sftp, hosted, "acme", script)
    assert done.returncode == 0, done.stderr
    (row,) = interchanges(hosted)
    assert row.transport_ref == "/inbound/status.edi"
    assert hosted.enqueued == [(PROCESS_TASK, row.id)]
