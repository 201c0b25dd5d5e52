"""The hosted SFTP server: partners log into their own chrooted mailbox with a key.

Runs in the gateway process on a background thread (`serve`). An upload is taken into the
pipeline only when the client closes the file over a live connection and every byte up to
its end was written; an upload cut off by a disconnect, refused by a limit or left with gaps
is moved aside to `.partial/` and never processed. paramiko's default window sizes are kept
on purpose: enlarging the server window was measured to collapse download speed here."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko
from paramiko import SFTPAttributes, SFTPHandle, SFTPServer, SFTPServerInterface
from paramiko import sftp as sftp_codes
from sqlalchemy import select

from gateway.intake import take_in
from gateway.runtime import Runtime
from gateway.secrets import SecretError, resolve_secret
from gateway.sftp import metrics
from gateway.sftp.config import MailboxConfig, MailboxDirectory
from gateway.sftp.errors import SftpConfigError
from gateway.sftp.keys import (
    AuthorizedKeysStore,
    KeyStoreMailboxDirectory,
    load_or_create_host_key,
)
from gateway.sftp.mailbox import (
    AREAS,
    TEMP_SUFFIXES,
    MailboxLayout,
    MailboxPath,
    PathDenied,
    PathMissing,
    place_outbound,
)
from gateway.store.models import Direction, Interchange, TransportReceipt

log = logging.getLogger(__name__)

# paramiko has no type hints: name its status codes once, typed.
SFTP_OK: int = sftp_codes.SFTP_OK
SFTP_FAILURE: int = sftp_codes.SFTP_FAILURE
SFTP_NO_SUCH_FILE: int = sftp_codes.SFTP_NO_SUCH_FILE
SFTP_OP_UNSUPPORTED: int = sftp_codes.SFTP_OP_UNSUPPORTED
SFTP_PERMISSION_DENIED: int = sftp_codes.SFTP_PERMISSION_DENIED
AUTH_SUCCESSFUL: int = paramiko.AUTH_SUCCESSFUL
AUTH_FAILED: int = paramiko.AUTH_FAILED
OPEN_SUCCEEDED: int = paramiko.OPEN_SUCCEEDED
OPEN_REFUSED: int = paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

CHUNK = 1 << 20
AUTH_DEADLINE_SECONDS = 60.0
MAX_CONNECTIONS = 256  # open SSH connections per server, logged in or not


def sftp_root(runtime: Runtime) -> Path:
    """Where the hosted mailboxes live: `<var>/sftp`."""
    return runtime.settings.var_dir / "sftp"


def default_directory(runtime: Runtime) -> KeyStoreMailboxDirectory:
    """Mailboxes from the key store `<var>/sftp-keys` (what `edigw sftp keys` edits), for
    `edigw serve` until partner profiles stand behind `MailboxDirectory`."""
    return KeyStoreMailboxDirectory(AuthorizedKeysStore(runtime.settings.var_dir / "sftp-keys"))


def default_host_key_path(runtime: Runtime) -> Path:
    return runtime.settings.var_dir / "sftp-host-key"


def deliver_to_mailbox(
    runtime: Runtime,
    partner_id: str,
    name: str,
    payload: bytes | Iterable[bytes],
    *,
    interchange_id: int | None = None,
) -> Path:
    """Place an outbound file in a partner's hosted `outbound/` (atomically, idempotent;
    see `place_outbound`) and record the delivery as a transport receipt."""
    target = place_outbound(sftp_root(runtime), partner_id, name, payload)
    _Hub.write_receipt(
        runtime,
        interchange_id=interchange_id,
        kind="upload",
        direction=Direction.OUTBOUND,
        message_id=f"{partner_id}:/outbound/{name}",
        detail={"partner_id": partner_id, "path": f"/outbound/{name}", "mode": "hosted",
                "size": target.stat().st_size},
    )  # fmt: skip
    metrics.FILES.labels(partner_id, "placed").inc()
    return target


def _is_temp_name(name: str) -> bool:
    return name.endswith(TEMP_SUFFIXES)


def _errno_status(exc: OSError) -> int:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return SFTP_NO_SUCH_FILE
    if exc.errno in (errno.EACCES, errno.EPERM, errno.ELOOP, errno.EEXIST, errno.EISDIR):
        return SFTP_PERMISSION_DENIED
    return SFTP_FAILURE


@dataclass
class _Coverage:
    """Which byte ranges of an upload were written, to tell a whole file from one with gaps."""

    ranges: list[tuple[int, int]] = field(default_factory=list)

    def add(self, start: int, end: int) -> None:
        if start >= end:
            return
        merged: list[tuple[int, int]] = []
        for lo, hi in self.ranges:
            if hi < start or lo > end:
                merged.append((lo, hi))
            else:
                start, end = min(lo, start), max(hi, end)
        merged.append((start, end))
        self.ranges = sorted(merged)

    def whole(self, size: int) -> bool:
        if size == 0:
            return not self.ranges
        return self.ranges == [(0, size)]


class _Hub:
    """State shared by every connection of one server: sessions per partner, uploads in
    flight, and one intake at a time per partner (so two sessions uploading the same file
    at once cannot both be taken in as new)."""

    def __init__(self, runtime: Runtime, directory: MailboxDirectory, allow_password: bool):
        self.runtime = runtime
        self.directory = directory
        self.allow_password = allow_password
        self.root = sftp_root(runtime)
        self._lock = threading.Lock()
        self._sessions: dict[str, int] = {}
        self._inflight: set[Path] = set()
        # temp-named uploads closed whole: real path -> (size, sha256), taken in on rename
        self._completed_temp: dict[Path, tuple[int, str]] = {}
        self._intake_locks: dict[str, threading.Lock] = {}
        self._taken_by: dict[Path, int] = {}  # taken-in uploads still in inbound/ -> session
        self._ids = itertools.count(1)

    def next_session_id(self) -> int:
        return next(self._ids)

    def reserve_session(self, box: MailboxConfig) -> bool:
        with self._lock:
            active = self._sessions.get(box.partner_id, 0)
            if active >= box.limits.max_sessions:
                return False
            self._sessions[box.partner_id] = active + 1
            return True

    def release_session(self, partner_id: str) -> None:
        with self._lock:
            self._sessions[partner_id] = max(0, self._sessions.get(partner_id, 0) - 1)

    def active_sessions(self, partner_id: str) -> int:
        with self._lock:
            return self._sessions.get(partner_id, 0)

    def start_upload(self, real: Path) -> bool:
        with self._lock:
            if real in self._inflight:
                return False
            self._inflight.add(real)
            self._completed_temp.pop(real, None)
            # a new upload over a taken-in file supersedes it (its bytes are stored already)
            self._taken_by.pop(real, None)
            return True

    # Uploads taken in stay visible in inbound/ until the session that uploaded them ends
    # (clients stat or touch a file after closing it), then move to archive/. Kept here,
    # not per session, so that one session's logout never archives a file that another
    # session has started to upload again under the same name (same inode after O_TRUNC).

    def note_taken(self, real: Path, session_id: int) -> None:
        with self._lock:
            self._taken_by[real] = session_id

    def moved_taken(self, old: Path, new: Path) -> None:
        with self._lock:
            if old in self._taken_by:
                self._taken_by[new] = self._taken_by.pop(old)

    def forget_taken(self, real: Path) -> None:
        with self._lock:
            self._taken_by.pop(real, None)

    def archive_taken(self, session_id: int, layout: MailboxLayout) -> None:
        with self._lock:  # renames under the lock: no upload can start on these meanwhile
            mine = [p for p, owner in self._taken_by.items() if owner == session_id]
            for real in mine:
                del self._taken_by[real]
                if real in self._inflight:
                    continue
                try:
                    layout.archive_taken(real)
                except FileNotFoundError:
                    pass  # the partner removed it
                except OSError:
                    log.warning("sftp: could not archive %s", real, exc_info=True)

    def end_upload(self, real: Path) -> None:
        with self._lock:
            self._inflight.discard(real)

    def in_flight(self, real: Path) -> bool:
        with self._lock:
            return real in self._inflight

    def remember_temp(self, real: Path, size: int, sha256: str) -> None:
        with self._lock:
            self._completed_temp[real] = (size, sha256)

    def pop_temp(self, real: Path) -> tuple[int, str] | None:
        with self._lock:
            return self._completed_temp.pop(real, None)

    def intake_lock(self, partner_id: str) -> threading.Lock:
        with self._lock:
            return self._intake_locks.setdefault(partner_id, threading.Lock())

    def record_receipt(self, **fields: Any) -> None:
        self.write_receipt(self.runtime, **fields)

    @staticmethod
    def write_receipt(runtime: Runtime, **fields: Any) -> None:
        try:
            with runtime.db.session() as session:
                session.add(TransportReceipt(transport="sftp", **fields))
        except Exception:  # a receipt is bookkeeping: never fail the transfer over it
            log.warning("could not record an SFTP transport receipt", exc_info=True)


class _PartnerSession(paramiko.ServerInterface):  # type: ignore[misc]  # paramiko is untyped
    """One SSH connection: authenticates a partner by key and holds its session slot."""

    def __init__(self, hub: _Hub, peer: str) -> None:
        self.hub = hub
        self.peer = peer
        self.session_id = hub.next_session_id()
        self._candidate: MailboxConfig | None = None  # who the login says it is
        self._how = ""
        self.mailbox: MailboxConfig | None = None  # set once logged in and holding a slot
        self.layout: MailboxLayout | None = None
        self.uploads_opened = 0

    def archive_taken_uploads(self) -> None:
        """Move this session's taken-in uploads out of inbound/ (idempotent)."""
        if self.layout is not None:
            self.hub.archive_taken(self.session_id, self.layout)

    # -- authentication ------------------------------------------------------------------

    def get_allowed_auths(self, username: str) -> str:
        box = self.hub.directory.mailbox_for_user(username)
        if self.hub.allow_password and box is not None and box.password_ref:
            return "publickey,password"
        return "publickey"

    def check_auth_none(self, username: str) -> int:
        return AUTH_FAILED

    def _accept(self, box: MailboxConfig, how: str) -> int:
        # paramiko asks this before it verifies the signature (and for key queries, which
        # carry none), so nothing is granted here: the session is opened, and its slot
        # taken, only once a channel is requested, which paramiko allows only after a
        # successful login. The username cannot change within a connection.
        if self._candidate is not None and self._candidate != box:
            return AUTH_FAILED
        self._candidate, self._how = box, how
        return AUTH_SUCCESSFUL

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        try:
            box = self.hub.directory.mailbox_for_user(username)
            if box is None or not any(k.matches(key) for k in box.public_keys()):
                return AUTH_FAILED
            return self._accept(box, f"key {key.fingerprint}")
        except Exception:  # a broken directory entry must not take the server down
            log.exception("sftp: key check for %r failed", username)
            return AUTH_FAILED

    def check_auth_password(self, username: str, password: str) -> int:
        if not self.hub.allow_password:
            return AUTH_FAILED
        box = self.hub.directory.mailbox_for_user(username)
        if box is None or not box.password_ref:
            return AUTH_FAILED
        try:
            expected = resolve_secret(box.password_ref).strip()
        except SecretError as exc:
            log.error("sftp: password of %s cannot be read: %s", box.partner_id, exc)
            return AUTH_FAILED
        if not hmac.compare_digest(expected, password.encode()):
            return AUTH_FAILED
        return self._accept(box, "password")

    # -- channels: an SFTP subsystem, nothing else (no shell, exec or forwarding) ---------

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind != "session" or self._candidate is None:
            return OPEN_REFUSED
        if self.mailbox is None:
            box = self._candidate
            if not self.hub.reserve_session(box):
                log.warning(
                    "sftp: %s refused from %s: %d concurrent sessions already",
                    box.partner_id, self.peer, box.limits.max_sessions,
                )  # fmt: skip
                return OPEN_REFUSED
            self.mailbox = box
            self.layout = MailboxLayout(self.hub.root, box.partner_id).ensure()
            log.info("sftp: %s logged in from %s by %s (session %d)",
                     box.partner_id, self.peer, self._how, self.session_id)  # fmt: skip
        return OPEN_SUCCEEDED

    def check_channel_subsystem_request(self, channel: paramiko.Channel, name: str) -> bool:
        if name != "sftp" or self.mailbox is None:
            return False
        return bool(super().check_channel_subsystem_request(channel, name))


class _MailboxSFTPServer(SFTPServer):  # type: ignore[misc]  # paramiko is untyped
    """paramiko closes every open handle when a session ends, connected or not; mark them
    first, so a handle closed by a disconnect is never mistaken for a finished upload."""

    def finish_subsystem(self) -> None:
        for handle in list(self.file_table.values()):
            if isinstance(handle, _UploadHandle):
                handle.connection_lost = True
        super().finish_subsystem()


class _UploadHandle(SFTPHandle):  # type: ignore[misc]  # paramiko is untyped
    """A file a partner is writing into `inbound/`."""

    def __init__(self, sftp: _MailboxSFTP, path: MailboxPath, fd: int, flags: int) -> None:
        super().__init__(flags)
        self.sftp = sftp
        self.path = path
        self.fd = fd
        self.coverage = _Coverage()
        self.digest = hashlib.sha256()
        self.hashed_to = 0  # the running hash is valid while writes arrive in order
        self.failure: str | None = None
        self.connection_lost = False
        self.closed = False

    def write(self, offset: int, data: bytes) -> int:
        if self.failure:
            return SFTP_FAILURE
        end = offset + len(data)
        limit = self.sftp.mailbox.limits.max_file_size
        if end > limit:
            self.failure = f"file larger than the limit of {limit} bytes"
            log.warning("sftp: %s upload %s refused: %s",
                        self.sftp.partner_id, self.path.virtual, self.failure)  # fmt: skip
            return SFTP_FAILURE
        try:
            os.pwrite(self.fd, data, offset)
        except OSError as exc:
            self.failure = f"write failed: {exc.strerror}"
            return _errno_status(exc)
        self.coverage.add(offset, end)
        if offset == self.hashed_to:
            self.digest.update(data)
            self.hashed_to = end
        else:
            self.hashed_to = -1  # out of order: hash the finished file instead
        return SFTP_OK

    def stat(self) -> SFTPAttributes | int:
        try:
            return SFTPAttributes.from_stat(os.fstat(self.fd))
        except OSError as exc:
            return _errno_status(exc)

    def chattr(self, attr: SFTPAttributes) -> int:
        return SFTP_OK  # modes and times of mailbox files are the gateway's, not the client's

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            size = os.fstat(self.fd).st_size
            os.close(self.fd)
            self.sftp.finish_upload(self, size)
        finally:
            self.sftp.hub.end_upload(self.path.real)


class _DownloadHandle(SFTPHandle):  # type: ignore[misc]  # paramiko is untyped
    """A file a partner reads; collecting an outbound file to its end leaves a receipt."""

    def __init__(self, sftp: _MailboxSFTP, path: MailboxPath, fd: int, flags: int) -> None:
        super().__init__(flags)
        self.sftp = sftp
        self.path = path
        self.fd = fd
        self.size = os.fstat(fd).st_size
        self.served_to = 0
        self.closed = False

    def read(self, offset: int, length: int) -> bytes | int:
        try:
            data = os.pread(self.fd, length, offset)
        except OSError as exc:
            return _errno_status(exc)
        self.served_to = max(self.served_to, offset + len(data))
        return data

    def write(self, offset: int, data: bytes) -> int:
        return SFTP_PERMISSION_DENIED

    def stat(self) -> SFTPAttributes | int:
        try:
            return SFTPAttributes.from_stat(os.fstat(self.fd))
        except OSError as exc:
            return _errno_status(exc)

    def chattr(self, attr: SFTPAttributes) -> int:
        return SFTP_PERMISSION_DENIED

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        os.close(self.fd)
        if self.path.area == "outbound" and self.size and self.served_to >= self.size:
            self.sftp.hub.record_receipt(
                kind="download",
                direction=Direction.OUTBOUND,
                message_id=f"{self.sftp.partner_id}:{self.path.virtual}",
                detail={"partner_id": self.sftp.partner_id, "path": self.path.virtual,
                        "size": self.size, "session": self.sftp.session.session_id},
            )  # fmt: skip
            metrics.FILES.labels(self.sftp.partner_id, "collected").inc()
            metrics.BYTES.labels(self.sftp.partner_id, "out").inc(self.size)


class _MailboxSFTP(SFTPServerInterface):  # type: ignore[misc]  # paramiko is untyped
    """SFTP requests of one authenticated partner, confined to its mailbox.

    What a partner may do: list and read everywhere in its mailbox; write new files and
    rename or remove them in `inbound/`; remove collected files from `outbound/`. No
    folders, links or mode changes. Every refusal is an SFTP status, never a traceback."""

    def __init__(self, server: _PartnerSession, *args: Any, **kwargs: Any) -> None:
        super().__init__(server, *args, **kwargs)
        assert server.mailbox is not None and server.layout is not None
        self.session = server
        self.hub = server.hub
        self.mailbox = server.mailbox
        self.layout = server.layout
        self.partner_id = server.mailbox.partner_id

    def session_ended(self) -> None:
        self.session.archive_taken_uploads()

    def _resolve(self, path: str) -> MailboxPath:
        return self.layout.resolve(path)

    def _attrs(self, real: Path, name: str) -> SFTPAttributes:
        attrs = SFTPAttributes.from_stat(os.stat(real, follow_symlinks=False), name)
        return attrs

    # -- reading the tree ----------------------------------------------------------------

    def canonicalize(self, path: str) -> str:
        # What a chrooted client sees as its path; '..' at the top stays at the top here,
        # every operation on the result is checked again by resolve().
        parts: list[str] = []
        for part in path.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        return "/" + "/".join(parts)

    def list_folder(self, path: str) -> list[SFTPAttributes] | int:
        try:
            target = self._resolve(path)
            if target.depth == 0:
                return [self._attrs(self.layout.area(a), a) for a in AREAS]
            entries = []
            with os.scandir(target.real) as scan:
                for entry in scan:
                    if entry.is_symlink():
                        continue
                    entries.append(self._attrs(Path(entry.path), entry.name))
            return entries
        except (PathDenied, PathMissing) as exc:
            return self._refuse("list", path, exc)
        except OSError as exc:
            return _errno_status(exc)

    def stat(self, path: str) -> SFTPAttributes | int:
        try:
            target = self._resolve(path)
            return self._attrs(target.real, target.name or "/")
        except (PathDenied, PathMissing) as exc:
            return self._refuse("stat", path, exc)
        except OSError as exc:
            return _errno_status(exc)

    lstat = stat  # no links inside a mailbox

    def readlink(self, path: str) -> int:
        return SFTP_OP_UNSUPPORTED

    # -- files ---------------------------------------------------------------------------

    def open(self, path: str, flags: int, attr: SFTPAttributes) -> SFTPHandle | int:
        try:
            target = self._resolve(path)
        except (PathDenied, PathMissing) as exc:
            return self._refuse("open", path, exc)
        writing = bool(flags & (os.O_WRONLY | os.O_RDWR))
        try:
            if not writing:
                if target.depth < 2:
                    return SFTP_PERMISSION_DENIED
                fd = os.open(target.real, os.O_RDONLY | os.O_NOFOLLOW)
                if not os.path.isfile(target.real):
                    os.close(fd)
                    return SFTP_PERMISSION_DENIED
                return _DownloadHandle(self, target, fd, flags)
            if target.area != "inbound" or target.depth != 2:
                return self._refuse("write", path, PathDenied("uploads go into /inbound"))
            if flags & os.O_APPEND or (target.real.exists() and not flags & os.O_TRUNC):
                # A taken-in upload leaves inbound/, so there is nothing to resume here.
                return self._refuse("write", path, PathDenied("uploads cannot append/resume"))
            if self.session.uploads_opened >= self.mailbox.limits.max_files_per_session:
                return self._refuse("write", path, PathDenied(
                    f"more than {self.mailbox.limits.max_files_per_session} files in a session"
                ))  # fmt: skip
            if not self.hub.start_upload(target.real):
                return self._refuse("write", path, PathDenied("file is being uploaded"))
            try:
                fd = os.open(
                    target.real,
                    os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW,
                    0o640,
                )
            except BaseException:
                self.hub.end_upload(target.real)
                raise
            self.session.uploads_opened += 1
            return _UploadHandle(self, target, fd, flags)
        except OSError as exc:
            return _errno_status(exc)

    def finish_upload(self, handle: _UploadHandle, size: int) -> None:
        """Decide what a closed upload was: whole (take it in), or not (keep it aside)."""
        path = handle.path
        detail = {"size": size, "session": self.session.session_id, "peer": self.session.peer}
        reason = None
        if handle.connection_lost:
            reason = "connection lost before the client closed the file"
        elif handle.failure:
            reason = handle.failure
        elif not handle.coverage.whole(size):
            reason = "the written data has gaps"
        elif size == 0:
            # an empty file carries no interchange (often a partner's "done" marker): set
            # aside, and the client's close still succeeds
            reason = "empty file: nothing to take in"
        if reason is not None:
            kept = self.layout.keep_partial(path.real, reason, detail)
            log.warning("sftp: %s upload %s kept aside as partial (%s): %s",
                        self.partner_id, path.virtual, reason, kept)  # fmt: skip
            self.hub.record_receipt(
                kind="upload",
                direction=Direction.INBOUND,
                message_id=f"{self.partner_id}:{path.virtual}",
                disposition="partial",
                detail={"partner_id": self.partner_id, "path": path.virtual,
                        "reason": reason, "kept": kept.name, **detail},
            )  # fmt: skip
            metrics.UPLOADS.labels(self.partner_id, "partial").inc()
            if not handle.connection_lost and size > 0:
                raise OSError(errno.EIO, reason)  # the client's close gets a failure status
            return
        sha256 = handle.digest.hexdigest() if handle.hashed_to == size else None
        if _is_temp_name(path.name):
            self.hub.remember_temp(path.real, size, sha256 or _hash_file(path.real))
            return
        self._take_in(path, size, sha256)

    def _take_in(self, path: MailboxPath, size: int, sha256: str | None) -> None:
        """Store a whole upload through intake; it moves to `archive/` when the session ends."""
        with self.hub.intake_lock(self.partner_id):
            sha256 = sha256 or _hash_file(path.real)
            result = take_in(
                self.hub.runtime,
                _read_chunks(path.real),
                transport="sftp",
                transport_ref=path.virtual,
                delivery_key=f"{self.partner_id}:{path.name}:{size}:{sha256}",
                partner_id=self.partner_id,
                meta={"mailbox": self.partner_id, "path": path.virtual, "name": path.name,
                      "username": self.mailbox.username, "peer": self.session.peer,
                      "session": self.session.session_id, "mode": "hosted"},
                actor=f"sftp:{self.partner_id}",
            )  # fmt: skip
            if result.blob.key != sha256:  # the file changed between hashing and storing
                log.error("sftp: %s %s changed while being taken in", self.partner_id, path)
            self.hub.note_taken(path.real, self.session.session_id)
        self.hub.record_receipt(
            interchange_id=result.interchange_id,
            kind="upload",
            direction=Direction.INBOUND,
            message_id=f"{self.partner_id}:{path.virtual}",
            blob_key=result.blob.key,
            disposition="duplicate" if result.duplicate else "stored",
            detail={"partner_id": self.partner_id, "path": path.virtual, "size": size,
                    "sha256": sha256, "session": self.session.session_id},
        )  # fmt: skip
        outcome = "duplicate" if result.duplicate else "stored"
        metrics.UPLOADS.labels(self.partner_id, outcome).inc()
        metrics.BYTES.labels(self.partner_id, "in").inc(size)
        log.info("sftp: %s upload %s taken in as interchange %d%s", self.partner_id,
                 path.virtual, result.interchange_id,
                 f" (duplicate of {result.duplicate_of})" if result.duplicate else "")  # fmt: skip

    # -- changes to the tree -------------------------------------------------------------

    def remove(self, path: str) -> int:
        try:
            target = self._resolve(path)
        except (PathDenied, PathMissing) as exc:
            return self._refuse("remove", path, exc)
        if target.area not in ("inbound", "outbound") or target.depth != 2:
            return self._refuse("remove", path, PathDenied("only files in inbound/outbound"))
        if self.hub.in_flight(target.real):
            return self._refuse("remove", path, PathDenied("file is being uploaded"))
        try:
            if not os.path.isfile(target.real):
                return SFTP_NO_SUCH_FILE if not target.real.exists() else SFTP_PERMISSION_DENIED
            os.unlink(target.real)
            self.hub.pop_temp(target.real)
            self.hub.forget_taken(target.real)
            return SFTP_OK
        except OSError as exc:
            return _errno_status(exc)

    def rename(self, oldpath: str, newpath: str) -> int:
        return self._rename(oldpath, newpath, replace=False)

    def posix_rename(self, oldpath: str, newpath: str) -> int:
        return self._rename(oldpath, newpath, replace=True)

    def _rename(self, oldpath: str, newpath: str, *, replace: bool) -> int:
        try:
            old, new = self._resolve(oldpath), self._resolve(newpath)
        except (PathDenied, PathMissing) as exc:
            return self._refuse("rename", f"{oldpath} -> {newpath}", exc)
        if (old.area, old.depth, new.area, new.depth) != ("inbound", 2, "inbound", 2):
            return self._refuse("rename", oldpath, PathDenied("renames only within inbound/"))
        if self.hub.in_flight(old.real) or self.hub.in_flight(new.real):
            return self._refuse("rename", oldpath, PathDenied("file is being uploaded"))
        try:
            if not os.path.isfile(old.real):
                return SFTP_NO_SUCH_FILE
            if new.real.exists() and not replace:
                return SFTP_FAILURE  # SFTP v3: rename never replaces
            os.replace(old.real, new.real)
        except OSError as exc:
            return _errno_status(exc)
        self.hub.moved_taken(old.real, new.real)
        completed = self.hub.pop_temp(old.real)
        if completed is not None and not _is_temp_name(new.name):
            size, sha256 = completed
            try:
                self._take_in(new, size, sha256)
            except Exception:
                log.exception("sftp: %s could not take in %s", self.partner_id, new.virtual)
                return SFTP_FAILURE
        elif completed is not None:
            self.hub.remember_temp(new.real, *completed)
        return SFTP_OK

    def mkdir(self, path: str, attr: SFTPAttributes) -> int:
        return self._refuse("mkdir", path, PathDenied("mailbox folders are fixed"))

    def rmdir(self, path: str) -> int:
        return self._refuse("rmdir", path, PathDenied("mailbox folders are fixed"))

    def symlink(self, target_path: str, path: str) -> int:
        return self._refuse("symlink", path, PathDenied("links are not allowed"))

    def chattr(self, path: str, attr: SFTPAttributes) -> int:
        try:
            target = self._resolve(path)
        except (PathDenied, PathMissing) as exc:
            return self._refuse("setstat", path, exc)
        # Accepted and ignored: modes and times in a mailbox are the gateway's.
        return SFTP_OK if target.real.exists() else SFTP_NO_SUCH_FILE

    def _refuse(self, operation: str, path: str, exc: Exception) -> int:
        if isinstance(exc, PathMissing):
            return SFTP_NO_SUCH_FILE
        log.warning("sftp: %s %s %r denied: %s", self.partner_id, operation, path, exc)
        return SFTP_PERMISSION_DENIED


def already_taken(runtime: Runtime, delivery_key: str) -> int | None:
    """The interchange an SFTP delivery (partner, name, size, hash) was first taken in as."""
    with runtime.db.session() as session:
        found: int | None = session.scalars(
            select(Interchange.id)
            .where(
                Interchange.direction == Direction.INBOUND,
                Interchange.transport == "sftp",
                Interchange.delivery_key == delivery_key,
                Interchange.duplicate_of.is_(None),
            )
            .order_by(Interchange.id)
            .limit(1)
        ).first()
        return found


def recover_inbound(runtime: Runtime) -> dict[str, list[str]]:
    """Tidy `inbound/` folders left by a previous run (a crash, a kill), before serving.

    A file there was either taken in already (its session ended before it was archived):
    it moves to `archive/`; or its upload's end was never seen: it is kept aside as partial
    and not processed, like any cut-off upload. Returns {partner: [what happened]}."""
    root = sftp_root(runtime)
    report: dict[str, list[str]] = {}
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        inbound = folder / "inbound"
        if folder.name.startswith(".") or not inbound.is_dir():
            continue
        try:
            layout = MailboxLayout(root, folder.name)
        except SftpConfigError:
            continue
        for path in sorted(inbound.iterdir()):
            if path.is_symlink() or not path.is_file():
                continue
            size = path.stat().st_size
            key = f"{folder.name}:{path.name}:{size}:{_hash_file(path)}"
            if already_taken(runtime, key) is not None:
                layout.archive_taken(path)
                report.setdefault(folder.name, []).append(f"archived {path.name}")
            else:
                layout.keep_partial(
                    path, "found in inbound/ at start-up: the upload's end was never seen",
                    {"size": size},
                )  # fmt: skip
                report.setdefault(folder.name, []).append(f"kept aside {path.name}")
    for partner, actions in report.items():
        log.warning("sftp: start-up tidy of %s inbound/: %s", partner, "; ".join(actions))
    return report


def _read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in _read_chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


class SftpServerHandle:
    """A running hosted SFTP server; `stop()` closes the listener and every connection."""

    def __init__(
        self,
        listener: socket.socket,
        hub: _Hub,
        host_key: paramiko.PKey,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self._listener = listener
        self.max_connections = max_connections
        self._connections = 0
        self._hub = hub
        self.host_key = host_key
        self.host, self.port = listener.getsockname()[:2]
        self._stopping = threading.Event()
        self._transports: set[paramiko.Transport] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept_loop, name="sftp-accept", daemon=True)

    @property
    def host_key_line(self) -> str:
        return f"{self.host_key.get_name()} {self.host_key.get_base64()}"

    def active_sessions(self, partner_id: str) -> int:
        return self._hub.active_sessions(partner_id)

    def start(self) -> SftpServerHandle:
        self._thread.start()
        return self

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stopping.is_set():
                    return
                log.exception("sftp: accept failed")
                time.sleep(0.5)
                continue
            with self._lock:
                full = self._connections >= self.max_connections
                if not full:
                    self._connections += 1
            if full:
                # each connection holds a thread until it logs in (or 60 s pass): a cap keeps
                # a flood of idle connections from exhausting the process
                log.warning("sftp: %d connections open, refusing %s", self.max_connections,
                            address[0])  # fmt: skip
                client.close()
                continue
            threading.Thread(
                target=self._serve_connection,
                args=(client, f"{address[0]}:{address[1]}"),
                name=f"sftp-conn-{address[1]}",
                daemon=True,
            ).start()

    def _serve_connection(self, client: socket.socket, peer: str) -> None:
        try:
            self._serve(client, peer)
        finally:
            with self._lock:
                self._connections -= 1

    def _serve(self, client: socket.socket, peer: str) -> None:
        session = _PartnerSession(self._hub, peer)
        transport = paramiko.Transport(client)
        with self._lock:
            if self._stopping.is_set():
                client.close()
                return
            self._transports.add(transport)
        try:
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", _MailboxSFTPServer, _MailboxSFTP)
            try:
                transport.start_server(server=session)
            except (paramiko.SSHException, EOFError, OSError) as exc:
                log.info("sftp: handshake with %s failed: %s", peer, exc)
                return
            deadline = time.monotonic() + AUTH_DEADLINE_SECONDS
            while transport.is_active() and not self._stopping.is_set():
                if not transport.is_authenticated() and time.monotonic() > deadline:
                    log.info("sftp: %s did not log in within %ss", peer, AUTH_DEADLINE_SECONDS)
                    break
                transport.join(0.5)
        finally:
            transport.close()
            session.archive_taken_uploads()
            with self._lock:
                self._transports.discard(transport)
            if session.mailbox is not None:
                self._hub.release_session(session.mailbox.partner_id)

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            transports = list(self._transports)
        for transport in transports:
            transport.close()
        self._thread.join(timeout)


def serve(
    runtime: Runtime,
    directory: MailboxDirectory,
    host: str,
    port: int,
    host_key_path: Path | str,
    *,
    allow_password: bool = False,
    max_connections: int = MAX_CONNECTIONS,
) -> SftpServerHandle:
    """Start the hosted SFTP server on a background thread; port 0 picks a free port.

    The host key is generated on first start (Ed25519, mode 0600) when the file is missing.
    Password login stays off unless `allow_password` and the mailbox names a password."""
    host_key = load_or_create_host_key(host_key_path)
    sftp_root(runtime).mkdir(parents=True, exist_ok=True)
    recover_inbound(runtime)
    hub = _Hub(runtime, directory, allow_password)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(64)
    except OSError:
        listener.close()
        raise
    listener.settimeout(0.5)
    handle = SftpServerHandle(listener, hub, host_key, max_connections).start()
    log.info("sftp: serving mailboxes on %s:%d", handle.host, handle.port)
    return handle
