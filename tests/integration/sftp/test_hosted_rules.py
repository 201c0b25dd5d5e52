"""The hosted server's rules, driven by a real SFTP client (paramiko) over TCP: limits,
temporary names, gaps, who may do what where, and login rules."""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import paramiko
import pytest
from sqlalchemy import select

from gateway.intake import take_in
from gateway.runtime import Runtime
from gateway.sftp import MailboxConfig, MailboxLimits, StaticMailboxDirectory, serve
from gateway.store import Interchange
from tests.integration.sftp.conftest import Hosted, hosted_server, make_keypair, wait_for_archive

pytestmark = pytest.mark.integration


@contextmanager
def client(
    hosted: Hosted, partner: str, key_path: Path | None = None
) -> Iterator[paramiko.SFTPClient]:
    transport = paramiko.Transport(("127.0.0.1", hosted.port))
    try:
        transport.connect(
            username=f"{partner}-user",
            pkey=paramiko.Ed25519Key(filename=str(key_path or hosted.keys[partner].private_path)),
        )
        sftp = paramiko.SFTPClient.from_transport(transport)
        assert sftp is not None
        yield sftp
    finally:
        transport.close()


def taken(hosted: Hosted) -> list[Interchange]:
    with hosted.runtime.db.session() as s:
        return list(s.scalars(select(Interchange)))


def partial_notes(hosted: Hosted, partner: str = "acme") -> list[dict[str, object]]:
    folder = hosted.runtime.settings.var_dir / "sftp" / ".partial" / partner
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


@pytest.fixture
def limited(runtime: Runtime, keys_dir: Path) -> Iterator[Hosted]:
    limits = MailboxLimits(max_file_size=1000, max_files_per_session=2, max_sessions=1)
    h = hosted_server(runtime, keys_dir, limits)
    yield h
    h.server.stop()


def test_file_over_the_size_limit_is_refused_and_kept_aside(limited: Hosted) -> None:
    with client(limited, "acme") as sftp:
        with pytest.raises(OSError), sftp.open("/inbound/huge.edi", "wb") as fh:
            fh.write(b"x" * 999)
            fh.flush()
            fh.write(b"y" * 10)  # crosses the 1000-byte limit
            fh.flush()
        sftp.putfo(io.BytesIO(b"z" * 1000), "/inbound/fits.edi")
    assert [n["reason"] for n in partial_notes(limited)] == [
        "file larger than the limit of 1000 bytes"
    ]
    (row,) = taken(limited)
    assert row.size == 1000


def test_files_per_session_and_sessions_per_partner_are_limited(limited: Hosted) -> None:
    with client(limited, "acme") as sftp:
        for name in ("one.edi", "two.edi"):
            with sftp.open(f"/inbound/{name}", "wb") as fh:
                fh.write(name.encode())
        with pytest.raises(PermissionError):
            sftp.open("/inbound/three.edi", "wb")
        # a second connection of the same partner while this one is open: the login
        # passes, the session is refused
        with pytest.raises(paramiko.SSHException), client(limited, "acme"):
            pass
        assert limited.server.active_sessions("acme") == 1
        with client(limited, "globex") as other:  # other partners are not affected
            assert sorted(other.listdir("/")) == ["archive", "inbound", "outbound"]
    deadline = time.monotonic() + 10
    while limited.server.active_sessions("acme"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    with client(limited, "acme") as sftp:  # the slot is free again
        assert sftp.listdir("/inbound") == []
    assert len(taken(limited)) == 2


def test_temporary_name_is_taken_in_when_renamed(hosted: Hosted) -> None:
    with client(hosted, "acme") as sftp:
        with sftp.open("/inbound/load.edi.filepart", "wb") as fh:
            fh.write(b"ISA*first")
        assert taken(hosted) == []  # closed, but still under its temporary name
        assert sftp.listdir("/inbound") == ["load.edi.filepart"]
        sftp.rename("/inbound/load.edi.filepart", "/inbound/load.edi")
        # taken in, and still there for the client to check until it logs out
        assert sftp.stat("/inbound/load.edi").st_size == len(b"ISA*first")
    wait_for_archive(hosted, "load.edi")
    (row,) = taken(hosted)
    assert row.transport_ref == "/inbound/load.edi"
    assert hosted.runtime.blobs.read(row.blob_key) == b"ISA*first"


def test_empty_file_is_set_aside_quietly(hosted: Hosted) -> None:
    with client(hosted, "acme") as sftp:
        sftp.putfo(io.BytesIO(b""), "/inbound/done.flag", confirm=False)
        assert sftp.listdir("/inbound") == []
    assert [n["reason"] for n in partial_notes(hosted)] == ["empty file: nothing to take in"]
    assert taken(hosted) == []


def test_upload_with_a_gap_is_not_taken_in(hosted: Hosted) -> None:
    with client(hosted, "acme") as sftp, sftp.open("/inbound/holey.edi", "wb") as fh:
        fh.seek(100)
        fh.write(b"data after a hole")
    # (paramiko's client ignores the failure status of a close, so the server's note tells)
    deadline = time.monotonic() + 10
    while not partial_notes(hosted):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert [n["reason"] for n in partial_notes(hosted)] == ["the written data has gaps"]
    assert taken(hosted) == []


def test_what_a_partner_may_change(hosted: Hosted) -> None:
    root = hosted.runtime.settings.var_dir / "sftp"
    (root / "acme" / "archive").mkdir(parents=True, exist_ok=True)
    (root / "acme" / "archive" / "old.edi").write_bytes(b"old")
    with client(hosted, "acme") as sftp:
        attempts: list[Callable[[], object]] = [
            lambda: sftp.remove("/archive/old.edi"),
            lambda: sftp.rename("/archive/old.edi", "/inbound/old.edi"),
            lambda: sftp.mkdir("/inbound/sub"),
            lambda: sftp.rmdir("/inbound"),
            lambda: sftp.symlink("/archive/old.edi", "/inbound/link"),
            lambda: sftp.open("/archive/new.edi", "wb"),
            lambda: sftp.open("/inbound/../../globex/inbound/x", "wb"),
        ]
        for attempt in attempts:
            with pytest.raises(PermissionError):
                attempt()
        assert sftp.open("/archive/old.edi").read() == b"old"  # reading is fine
        with pytest.raises(FileNotFoundError):
            sftp.stat("/etc/passwd")
    assert (root / "acme" / "archive" / "old.edi").exists()


def test_login_rules(hosted: Hosted, keys_dir: Path) -> None:
    stranger = make_keypair(keys_dir, "stranger")
    with (
        pytest.raises(paramiko.AuthenticationException),
        client(hosted, "acme", stranger.private_path),
    ):
        pass
    transport = paramiko.Transport(("127.0.0.1", hosted.port))
    try:
        with pytest.raises(paramiko.AuthenticationException):
            transport.connect(username="acme-user", password="anything")
    finally:
        transport.close()
    # no shell, no exec, no forwarding: only the sftp subsystem
    with client(hosted, "acme") as sftp:
        channel = sftp.get_channel().get_transport().open_session()
        with pytest.raises(paramiko.SSHException):
            channel.exec_command("id")


def test_leftovers_in_inbound_are_tidied_at_start(runtime: Runtime, keys_dir: Path) -> None:
    inbound = runtime.settings.var_dir / "sftp" / "acme" / "inbound"
    inbound.mkdir(parents=True)
    (inbound / "taken.edi").write_bytes(b"ISA*taken")
    (inbound / "cut.edi").write_bytes(b"ISA*half")
    sha = hashlib.sha256(b"ISA*taken").hexdigest()
    first = take_in(runtime, b"ISA*taken", transport="sftp", partner_id="acme",
                    delivery_key=f"acme:taken.edi:9:{sha}")  # fmt: skip
    h = hosted_server(runtime, keys_dir)  # the gateway starts again after a crash
    try:
        assert list(inbound.iterdir()) == []
        assert [p.name.split("_", 1)[1] for p in (inbound.parent / "archive").iterdir()] == [
            "taken.edi"
        ]
        (note,) = partial_notes(h)
        assert note["original"] == "cut.edi" and "never seen" in str(note["reason"])
        assert [r.id for r in taken(h)] == [first.interchange_id]  # nothing new taken in
    finally:
        h.server.stop()


def test_password_login_only_when_enabled_and_named(
    runtime: Runtime, keys_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_SFTP_PASSWORD", "correct horse")
    directory = StaticMailboxDirectory(
        [MailboxConfig("acme", "acme-user", password_ref="env:ACME_SFTP_PASSWORD")]
    )
    for allow, expected in ((False, False), (True, True)):
        server = serve(runtime, directory, "127.0.0.1", 0, keys_dir / "host", allow_password=allow)
        try:
            for password, ok in (("wrong", False), ("correct horse", expected)):
                transport = paramiko.Transport(("127.0.0.1", server.port))
                try:
                    if ok:
                        transport.connect(username="acme-user", password=password)
                        sftp = paramiko.SFTPClient.from_transport(transport)
                        assert sftp is not None and sftp.listdir("/inbound") == []
                    else:
                        with pytest.raises(paramiko.AuthenticationException):
                            transport.connect(username="acme-user", password=password)
                finally:
                    transport.close()
        finally:
            server.stop()


class _ImpostorKey(paramiko.Ed25519Key):  # type: ignore[misc]
    """Presents a partner's public key while holding another private key (an attacker who
    only knows the public key, which is public)."""

    def __init__(self, own_private: Path, claimed_public: bytes) -> None:
        super().__init__(filename=str(own_private))
        self._claimed = claimed_public

    def asbytes(self) -> bytes:
        return self._claimed


def test_a_public_key_alone_neither_logs_in_nor_takes_a_slot(
    limited: Hosted, keys_dir: Path
) -> None:
    victim = paramiko.Ed25519Key(filename=str(limited.keys["acme"].private_path))
    impostor = _ImpostorKey(make_keypair(keys_dir, "attacker").private_path, victim.asbytes())
    lingering = paramiko.Transport(("127.0.0.1", limited.port))
    try:
        with pytest.raises(paramiko.AuthenticationException):
            lingering.connect(username="acme-user", pkey=impostor)
        assert lingering.is_active()  # the attacker's connection stays open...
        assert limited.server.active_sessions("acme") == 0
        with client(limited, "acme") as sftp:  # ...and max_sessions=1 still lets acme in
            assert sorted(sftp.listdir("/")) == ["archive", "inbound", "outbound"]
    finally:
        lingering.close()


def test_garbage_and_silent_connections_do_not_disturb_the_server(hosted: Hosted) -> None:
    with socket.create_connection(("127.0.0.1", hosted.port)) as garbage:
        garbage.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(4096))
    silent = socket.create_connection(("127.0.0.1", hosted.port))  # says nothing at all
    try:
        with client(hosted, "acme") as sftp:
            assert sorted(sftp.listdir("/")) == ["archive", "inbound", "outbound"]
    finally:
        silent.close()


def test_logout_never_archives_a_file_another_session_is_uploading(hosted: Hosted) -> None:
    with client(hosted, "acme") as first:
        first.putfo(io.BytesIO(b"ISA*first"), "/inbound/load.edi", confirm=False)
        with client(hosted, "acme") as second:
            with second.open("/inbound/load.edi", "wb") as upload:
                upload.write(b"ISA*sec")
                upload.flush()
                first.get_channel().get_transport().close()  # the first session logs out
                deadline = time.monotonic() + 2
                while hosted.server.active_sessions("acme") > 1:
                    assert time.monotonic() < deadline
                    time.sleep(0.02)
                time.sleep(0.2)
                assert (hosted.mailbox("acme") / "inbound" / "load.edi").exists()
                upload.write(b"ond")
            assert second.stat("/inbound/load.edi").st_size == len(b"ISA*second")
    wait_for_archive(hosted, "load.edi")
    stored = sorted(hosted.runtime.blobs.read(r.blob_key) for r in taken(hosted))
    assert stored == [b"ISA*first", b"ISA*second"]
    (archived,) = (hosted.mailbox("acme") / "archive").iterdir()
    assert archived.read_bytes() == b"ISA*second"


def test_connection_cap_refuses_floods_and_recovers(runtime: Runtime, keys_dir: Path) -> None:
    h = hosted_server(runtime, keys_dir)
    h.server.stop()  # restart the same mailboxes with a cap of two connections
    directory = StaticMailboxDirectory(
        MailboxConfig(p, f"{p}-user", (k.public_line,)) for p, k in h.keys.items()
    )
    h.server = serve(runtime, directory, "127.0.0.1", 0, keys_dir / "host_ed25519",
                     max_connections=2)  # fmt: skip
    idle = [socket.create_connection(("127.0.0.1", h.port)) for _ in range(2)]
    try:
        time.sleep(0.3)  # let the server count them
        with pytest.raises((paramiko.SSHException, EOFError, OSError)), client(h, "acme"):
            pass
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 20
    while True:  # once the idle ones are gone, partners get in again
        try:
            with client(h, "acme") as sftp:
                assert sorted(sftp.listdir("/")) == ["archive", "inbound", "outbound"]
            break
        except (paramiko.SSHException, EOFError, OSError):
            assert time.monotonic() < deadline
            time.sleep(0.2)
    h.server.stop()
