"""Polling partners' SFTP servers (paramiko client): fetch their files, push ours.

`poll_once` lists the partner's pickup folder, downloads new files into a local spool
(resuming a download cut off earlier), verifies the size, takes each file in, then moves or
deletes it on the server. It is safe to run twice: a file already taken in (same partner,
name, size and hash) is not taken again, only its after-read action is retried. Failing
connections back off; failing past the partner's threshold opens an exception for a person.
`push_file` writes our file under a temporary name and renames it when whole."""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import hashlib
import json
import logging
import os
import posixpath
import socket
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import paramiko
from sqlalchemy import select, text

from gateway.intake import take_in
from gateway.runtime import Runtime
from gateway.secrets import SecretError, resolve_secret
from gateway.sftp import metrics
from gateway.sftp.config import RemoteConfig, RemoteDirectory
from gateway.sftp.errors import (
    ConnectError,
    HostKeyError,
    MailboxError,
    RemoteError,
    SftpConfigError,
)
from gateway.sftp.keys import host_key_line, load_private_key, parse_host_key_pin
from gateway.sftp.mailbox import TEMP_SUFFIXES, check_file_name, utc_stamp
from gateway.sftp.server import already_taken
from gateway.store.models import Direction, ExceptionRecord, ExceptionStatus, TransportReceipt

log = logging.getLogger(__name__)

CHUNK = 1 << 20
EXCEPTION_KIND = "sftp_poll_failing"
# Errors that mean "the conversation with the server broke", as opposed to one file's trouble.
_LINK_ERRORS = (paramiko.SSHException, EOFError, socket.timeout, ConnectionError)

ProgressCallback = Callable[[str, int, int], None]  # (file name, bytes so far, total)
PollStatus = Literal["ok", "partial", "failed", "backoff", "busy"]


def client_dir(runtime: Runtime) -> Path:
    """The poller's local state: spools, backoff state, learned host keys."""
    return runtime.settings.var_dir / "sftp-client"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class PolledFile:
    name: str
    remote_path: str
    size: int
    sha256: str | None = None
    interchange_id: int | None = None
    outcome: str = "pending"  # taken | already_taken | changed | failed
    resumed_from: int = 0  # bytes already in the spool from an earlier, cut-off poll
    downloaded: int = 0  # bytes fetched by this poll
    after_read: str | None = None  # moved | deleted | None when it failed
    error: str | None = None


@dataclass
class PollResult:
    partner_id: str
    status: PollStatus = "ok"
    files: list[PolledFile] = field(default_factory=list)
    error: str | None = None
    learned_host_key: str | None = None
    next_attempt_at: datetime | None = None
    exception_id: int | None = None

    @property
    def taken(self) -> list[PolledFile]:
        return [f for f in self.files if f.outcome == "taken"]

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["next_attempt_at"] = self.next_attempt_at.isoformat() if self.next_attempt_at else None
        return data


@dataclass
class PushResult:
    partner_id: str
    remote_path: str
    size: int
    already_present: bool = False


# -- local state: backoff, spool, lock -------------------------------------------------------


@dataclass
class _BackoffState:
    failures: int = 0
    first_failure_at: str | None = None
    next_attempt_at: str | None = None
    last_error: str | None = None
    last_attempt_at: str | None = None
    last_success_at: str | None = None

    @classmethod
    def load(cls, path: Path) -> _BackoffState:
        try:
            return cls(**json.loads(path.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return cls()

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self)))
        os.replace(tmp, path)

    def next_attempt(self) -> datetime | None:
        return datetime.fromisoformat(self.next_attempt_at) if self.next_attempt_at else None


def backoff_delay(remote: RemoteConfig, failures: int) -> timedelta:
    """Wait after the n-th consecutive failure: base, doubled each time, capped."""
    if failures <= 0:
        return timedelta(0)
    doubled: timedelta = remote.backoff_base * (2 ** min(failures - 1, 30))
    return min(doubled, remote.backoff_max)


def poll_due(runtime: Runtime, remote: RemoteConfig, now: datetime | None = None) -> bool:
    """Whether a scheduled poll of this partner should run now: its interval has passed
    since the last attempt and no backoff wait is running. (Celery beat asks this every
    minute or so, then enqueues `poll_once`; the wait lives here, not in broker ETAs.)"""
    now = now or _utcnow()
    state = _BackoffState.load(client_dir(runtime) / remote.partner_id / "state.json")
    next_attempt = state.next_attempt()
    if next_attempt is not None:
        return now >= next_attempt
    if state.last_attempt_at is None:
        return True
    return now - datetime.fromisoformat(state.last_attempt_at) >= remote.poll_interval


def due_partners(
    runtime: Runtime, directory: RemoteDirectory, now: datetime | None = None
) -> list[str]:
    """Partners whose server should be polled now (for the beat sweep to enqueue)."""
    now = now or _utcnow()
    return [r.partner_id for r in directory.remotes() if poll_due(runtime, r, now)]


class _PollLock:
    """One poll per partner at a time: a file lock on this host and, on PostgreSQL, an
    advisory lock shared by every worker host."""

    def __init__(self, runtime: Runtime, folder: Path, partner_id: str) -> None:
        self.runtime = runtime
        self.path = folder / "lock"
        self.partner_id = partner_id
        self._fh: Any = None
        self._conn: Any = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a")
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.close()
            self._fh = None
            return False
        if self.runtime.db.dialect == "postgresql":
            self._conn = self.runtime.db.engine.connect()
            got = self._conn.execute(
                text("SELECT pg_try_advisory_lock(hashtext(:k))"),
                {"k": f"edigw-sftp-poll:{self.partner_id}"},
            ).scalar()
            self._conn.commit()
            if not got:
                self.release()
                return False
        return True

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.execute(
                    text("SELECT pg_advisory_unlock(hashtext(:k))"),
                    {"k": f"edigw-sftp-poll:{self.partner_id}"},
                )
                self._conn.commit()
            self._conn.close()
            self._conn = None
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


class _Spool:
    """Partly downloaded files, kept between polls so a cut-off download resumes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _paths(self, remote_path: str) -> tuple[Path, Path]:
        key = hashlib.sha256(remote_path.encode()).hexdigest()[:32]
        return self.folder / f"{key}.part", self.folder / f"{key}.json"

    def start(self, remote_path: str, size: int, mtime: int | None) -> tuple[Path, int]:
        """The spool file for this remote file and how much of it is already here."""
        part, note = self._paths(remote_path)
        wanted = {"remote_path": remote_path, "size": size, "mtime": mtime}
        try:
            known = json.loads(note.read_text())
        except (FileNotFoundError, ValueError):
            known = None
        if known == wanted and part.exists() and part.stat().st_size <= size:
            return part, part.stat().st_size
        # a different file (or none) was spooled under this name: start over
        part.write_bytes(b"")
        note.write_text(json.dumps(wanted))
        return part, 0

    def finish(self, remote_path: str) -> None:
        for path in self._paths(remote_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


# -- connecting ---------------------------------------------------------------------------


class _LearnedHostKeys:
    """Host keys learned on first use (only for remotes whose profile allows it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def _name(remote: RemoteConfig) -> str:
        return remote.host if remote.port == 22 else f"[{remote.host}]:{remote.port}"

    def lookup(self, remote: RemoteConfig) -> dict[str, paramiko.PKey]:
        keys = paramiko.HostKeys()
        if self.path.exists():
            keys.load(str(self.path))
        found = keys.lookup(self._name(remote))
        return dict(found) if found else {}

    def learn(self, remote: RemoteConfig, key: paramiko.PKey) -> None:
        keys = paramiko.HostKeys()
        if self.path.exists():
            keys.load(str(self.path))
        keys.add(self._name(remote), key.get_name(), key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        keys.save(str(tmp))
        os.replace(tmp, self.path)


def _check_host_key(
    runtime: Runtime, remote: RemoteConfig, key: paramiko.PKey, result: PollResult | None
) -> None:
    offered = f"{host_key_line(key)} ({key.fingerprint})"
    where = f"{remote.host}:{remote.port}"
    if remote.host_key is not None:
        if not parse_host_key_pin(remote.host_key).matches(key):
            raise HostKeyError(
                f"host key of {where} does not match the pinned key; it offers {offered}"
            )
        return
    learned = _LearnedHostKeys(client_dir(runtime) / "known_hosts")
    known = learned.lookup(remote)
    if known:
        if key.get_name() in known and known[key.get_name()].asbytes() == key.asbytes():
            return
        raise HostKeyError(f"host key of {where} changed since it was learned; it offers {offered}")
    if not remote.learn_host_key:
        raise HostKeyError(
            f"no host key pinned for {where}; it offers {offered}. Pin it in the profile "
            "(or allow learning it on first use)"
        )
    learned.learn(remote, key)
    log.warning("sftp: learned the host key of %s on first use: %s", where, offered)
    if result is not None:
        result.learned_host_key = host_key_line(key)


def _client_key(remote: RemoteConfig) -> paramiko.PKey:
    try:
        data = resolve_secret(remote.key_ref)
        passphrase = (
            resolve_secret(remote.key_passphrase_ref).strip() if remote.key_passphrase_ref else None
        )
    except SecretError as exc:
        raise SftpConfigError(f"remote {remote.partner_id}: {exc}") from None
    return load_private_key(data, passphrase, what=f"remote {remote.partner_id} key")


@contextlib.contextmanager
def connect(
    runtime: Runtime, remote: RemoteConfig, result: PollResult | None = None
) -> Iterator[paramiko.SFTPClient]:
    """An SFTP session with a partner's server, its host key checked against the pin."""
    key = _client_key(remote)  # a broken key reference fails before any network traffic
    timeout = remote.connect_timeout.total_seconds()
    where = f"{remote.host}:{remote.port}"
    try:
        sock = socket.create_connection((remote.host, remote.port), timeout=timeout)
    except OSError as exc:
        raise ConnectError(f"cannot reach {where}: {exc}") from None
    transport = paramiko.Transport(sock)
    transport.banner_timeout = timeout
    transport.handshake_timeout = timeout
    try:
        try:
            transport.start_client(timeout=timeout)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise ConnectError(f"SSH handshake with {where} failed: {exc}") from None
        _check_host_key(runtime, remote, transport.get_remote_server_key(), result)
        try:
            transport.auth_publickey(remote.username, key)
        except paramiko.AuthenticationException:
            raise ConnectError(f"{where} refused our key for user {remote.username}") from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise ConnectError(f"login at {where} failed: {exc}") from None
        try:
            sftp = paramiko.SFTPClient.from_transport(transport)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise ConnectError(f"{where} offers no SFTP subsystem: {exc}") from None
        sftp.get_channel().settimeout(timeout)
        try:
            yield sftp
        finally:
            sftp.close()
    finally:
        transport.close()


# -- polling ------------------------------------------------------------------------------


def poll_once(
    runtime: Runtime,
    remote: RemoteConfig,
    *,
    now: datetime | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> PollResult:
    """Poll one partner's server now; see the module docstring. Never raises for the
    partner's or the network's trouble: the result says what happened.

    `force` ignores the backoff wait (an operator's `edigw sftp poll`)."""
    result = _poll_once(runtime, remote, now or _utcnow(), force, progress)
    metrics.POLLS.labels(remote.partner_id, result.status).inc()
    for polled in result.files:
        if polled.downloaded:
            metrics.BYTES.labels(remote.partner_id, "in").inc(polled.downloaded)
        if polled.outcome == "taken":
            metrics.FILES.labels(remote.partner_id, "fetched").inc()
    return result


def _poll_once(
    runtime: Runtime,
    remote: RemoteConfig,
    now: datetime,
    force: bool,
    progress: ProgressCallback | None,
) -> PollResult:
    result = PollResult(remote.partner_id)
    folder = client_dir(runtime) / remote.partner_id
    folder.mkdir(parents=True, exist_ok=True)
    lock = _PollLock(runtime, folder, remote.partner_id)
    if not lock.acquire():
        result.status = "busy"
        return result
    try:
        state_path = folder / "state.json"
        state = _BackoffState.load(state_path)
        next_attempt = state.next_attempt()
        if not force and next_attempt is not None and now < next_attempt:
            result.status = "backoff"
            result.next_attempt_at = next_attempt
            result.error = state.last_error
            return result
        try:
            with connect(runtime, remote, result) as sftp:
                _fetch_all(runtime, remote, sftp, _Spool(folder / "spool"), result, now, progress)
        except (RemoteError, SftpConfigError, *_LINK_ERRORS, OSError) as exc:
            _record_failure(runtime, remote, state, state_path, result, now, exc)
            return result
        if state.failures:
            log.info("sftp: %s reachable again after %d failures", remote.partner_id,
                     state.failures)  # fmt: skip
        _BackoffState(last_attempt_at=now.isoformat(), last_success_at=now.isoformat()).save(
            state_path
        )
        _resolve_exceptions(runtime, remote, now)
        if any(f.outcome in ("failed", "changed") or f.error for f in result.files):
            result.status = "partial"
        return result
    finally:
        lock.release()


def _candidates(
    sftp: paramiko.SFTPClient, remote: RemoteConfig, now: datetime
) -> list[paramiko.SFTPAttributes]:
    listing = sftp.listdir_attr(remote.pickup_dir)
    ignored = (*TEMP_SUFFIXES, remote.temp_suffix)
    found = []
    for attrs in listing:
        name = attrs.filename
        if attrs.st_mode is None or not stat.S_ISREG(attrs.st_mode):
            continue
        if name.startswith(".") or name.endswith(ignored):
            continue
        if not fnmatch.fnmatchcase(name, remote.file_pattern):
            continue
        if remote.min_file_age and attrs.st_mtime is not None:
            modified = datetime.fromtimestamp(attrs.st_mtime, UTC)
            if now - modified < remote.min_file_age:
                continue  # possibly still being written by the partner
        found.append(attrs)
    # oldest first: EDI often depends on order (a tender before its update)
    return sorted(found, key=lambda a: (a.st_mtime or 0, a.filename))


def _fetch_all(
    runtime: Runtime,
    remote: RemoteConfig,
    sftp: paramiko.SFTPClient,
    spool: _Spool,
    result: PollResult,
    now: datetime,
    progress: ProgressCallback | None,
) -> None:
    for attrs in _candidates(sftp, remote, now):
        polled = PolledFile(
            attrs.filename, posixpath.join(remote.pickup_dir, attrs.filename), attrs.st_size or 0
        )
        result.files.append(polled)
        try:
            _fetch_one(runtime, remote, sftp, spool, attrs, polled, progress)
        except _LINK_ERRORS:
            raise
        except (OSError, RemoteError, MailboxError) as exc:
            if not sftp.get_channel().get_transport().is_active():
                raise  # the connection itself went away: the whole poll failed
            polled.outcome = polled.outcome if polled.outcome != "pending" else "failed"
            polled.error = str(exc)
            log.warning("sftp: %s %s: %s", remote.partner_id, polled.remote_path, exc)


def _fetch_one(
    runtime: Runtime,
    remote: RemoteConfig,
    sftp: paramiko.SFTPClient,
    spool: _Spool,
    attrs: paramiko.SFTPAttributes,
    polled: PolledFile,
    progress: ProgressCallback | None,
) -> None:
    size, mtime = polled.size, attrs.st_mtime
    part, offset = spool.start(polled.remote_path, size, mtime)
    polled.resumed_from = offset
    if offset < size:
        with sftp.open(polled.remote_path, "rb") as remote_file, part.open("ab") as local:
            remote_file.seek(offset)
            remote_file.prefetch(size)
            done = offset
            while done < size:
                chunk = remote_file.read(min(CHUNK, size - done))
                if not chunk:
                    break
                local.write(chunk)
                done += len(chunk)
                polled.downloaded += len(chunk)
                if progress is not None:
                    local.flush()  # a crash in the callback still leaves this on disk
                    progress(polled.name, done, size)
            local.flush()
            os.fsync(local.fileno())
    # Verify: the local copy has the listed size, and the file did not change meanwhile.
    now_attrs = sftp.stat(polled.remote_path)
    local_size = part.stat().st_size
    if local_size != size or now_attrs.st_size != size or now_attrs.st_mtime != mtime:
        polled.outcome = "changed"
        polled.error = (
            f"size or time changed while fetching (listed {size}, local {local_size}, "
            f"now {now_attrs.st_size}); fetched again next poll"
        )
        spool.finish(polled.remote_path)
        return
    digest = hashlib.sha256()
    with part.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    polled.sha256 = digest.hexdigest()
    delivery_key = f"{remote.partner_id}:{polled.name}:{size}:{polled.sha256}"
    earlier = already_taken(runtime, delivery_key)
    if earlier is not None:
        # a retried poll, or the partner offering the same file again: not taken twice
        polled.outcome, polled.interchange_id = "already_taken", earlier
    else:
        taken = take_in(
            runtime,
            _file_chunks(part),
            transport="sftp",
            transport_ref=polled.remote_path,
            delivery_key=delivery_key,
            partner_id=remote.partner_id,
            meta={"mode": "poll", "host": remote.host, "port": remote.port,
                  "remote_path": polled.remote_path, "name": polled.name, "mtime": mtime,
                  "resumed_from": polled.resumed_from},
            actor=f"sftp-poll:{remote.partner_id}",
        )  # fmt: skip
        polled.outcome, polled.interchange_id = "taken", taken.interchange_id
        _record_receipt(
            runtime, taken.interchange_id, "download", Direction.INBOUND, polled.remote_path,
            {"partner_id": remote.partner_id, "host": remote.host, "size": size,
             "sha256": polled.sha256, "resumed_from": polled.resumed_from},
            blob_key=taken.blob.key,
        )  # fmt: skip
    spool.finish(polled.remote_path)
    _after_read(sftp, remote, polled)


def _after_read(sftp: paramiko.SFTPClient, remote: RemoteConfig, polled: PolledFile) -> None:
    if remote.after_read == "delete":
        sftp.remove(polled.remote_path)
        polled.after_read = "deleted"
        return
    assert remote.archive_dir is not None
    target = posixpath.join(remote.archive_dir, polled.name)
    with contextlib.suppress(FileNotFoundError):
        sftp.stat(target)  # already archived once under this name: keep both
        target = posixpath.join(remote.archive_dir, f"{utc_stamp()}_{polled.name}")
    sftp.rename(polled.remote_path, target)
    polled.after_read = "moved"


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            yield block


def _record_receipt(
    runtime: Runtime,
    interchange_id: int | None,
    kind: str,
    direction: str,
    ref: str,
    detail: dict[str, Any],
    blob_key: str | None = None,
) -> None:
    try:
        with runtime.db.session() as session:
            session.add(
                TransportReceipt(
                    interchange_id=interchange_id,
                    transport="sftp",
                    kind=kind,
                    direction=direction,
                    message_id=ref,
                    blob_key=blob_key,
                    detail=detail,
                )
            )
    except Exception:  # bookkeeping only
        log.warning("could not record an SFTP transport receipt", exc_info=True)


# -- failures, backoff and the exception a person sees ------------------------------------


def _record_failure(
    runtime: Runtime,
    remote: RemoteConfig,
    state: _BackoffState,
    state_path: Path,
    result: PollResult,
    now: datetime,
    exc: BaseException,
) -> None:
    message = str(exc) or type(exc).__name__
    state.failures += 1
    state.first_failure_at = state.first_failure_at or now.isoformat()
    next_attempt = now + backoff_delay(remote, state.failures)
    state.next_attempt_at = next_attempt.isoformat()
    state.last_error = message
    state.last_attempt_at = now.isoformat()
    state.save(state_path)
    result.status, result.error, result.next_attempt_at = "failed", message, next_attempt
    failing_for = now - datetime.fromisoformat(state.first_failure_at)
    # Host keys and configuration do not heal by waiting: a person is told at once.
    urgent = isinstance(exc, HostKeyError | SftpConfigError)
    log.warning("sftp: poll of %s failed (%d in a row, next attempt %s): %s",
                remote.partner_id, state.failures, next_attempt.isoformat(), message)  # fmt: skip
    if urgent or failing_for >= remote.alert_after:
        result.exception_id = _open_exception(runtime, remote, state, message)


def _open_exception(
    runtime: Runtime, remote: RemoteConfig, state: _BackoffState, message: str
) -> int:
    detail = {"host": remote.host, "port": remote.port, "failures": state.failures,
              "first_failure_at": state.first_failure_at, "last_error": message}  # fmt: skip
    with runtime.db.session() as session:
        record = session.scalars(
            select(ExceptionRecord).where(
                ExceptionRecord.kind == EXCEPTION_KIND,
                ExceptionRecord.subject_type == "transport",
                ExceptionRecord.subject_id == f"sftp:{remote.partner_id}",
                ExceptionRecord.status == ExceptionStatus.OPEN,
            )
        ).first()
        if record is None:
            record = ExceptionRecord(
                kind=EXCEPTION_KIND,
                partner_id=remote.partner_id,
                subject_type="transport",
                subject_id=f"sftp:{remote.partner_id}",
                message=f"polling {remote.partner_id}'s SFTP server fails: {message}",
                detail=detail,
                next_action=(
                    "check the partner's server, our key and the pinned host key; "
                    f"`edigw sftp poll {remote.partner_id}` tries again at once"
                ),
            )
            session.add(record)
            log.error("sftp: exception opened: polling %s fails: %s", remote.partner_id, message)
        else:
            record.detail = detail
            record.message = f"polling {remote.partner_id}'s SFTP server fails: {message}"
        session.flush()
        return int(record.id)


def _resolve_exceptions(runtime: Runtime, remote: RemoteConfig, now: datetime) -> None:
    with runtime.db.session() as session:
        for record in session.scalars(
            select(ExceptionRecord).where(
                ExceptionRecord.kind == EXCEPTION_KIND,
                ExceptionRecord.subject_id == f"sftp:{remote.partner_id}",
                ExceptionRecord.status == ExceptionStatus.OPEN,
            )
        ):
            record.status = ExceptionStatus.RESOLVED
            record.resolution_note = "the partner's server was polled successfully again"
            record.resolved_by = "sftp-poller"
            record.resolved_at = now


# -- pushing ------------------------------------------------------------------------------


def push_file(
    runtime: Runtime,
    remote: RemoteConfig,
    name: str,
    payload: bytes | Iterable[bytes] | Path,
    *,
    interchange_id: int | None = None,
) -> PushResult:
    """Deliver one of our files to the partner's drop-off folder, whole or not at all.

    Written as `name + temp_suffix`, checked for size, then renamed (a rename that never
    replaces). A file of the same
    name and size already there counts as delivered (a retried push); a different one is
    never overwritten. Raises `RemoteError`/`SftpConfigError` when the delivery failed."""
    check_file_name(name)
    target = posixpath.join(remote.dropoff_dir, name)
    temp = target + remote.temp_suffix
    if isinstance(payload, Path):
        chunks: Iterable[bytes] = _file_chunks(payload)
    elif isinstance(payload, bytes):
        chunks = [payload]
    else:
        chunks = payload
    # Spool first, so the size is known and a retried push sends identical bytes.
    spool = client_dir(runtime) / remote.partner_id / "push"
    spool.mkdir(parents=True, exist_ok=True)
    local = spool / f"{utc_stamp()}_{name}"
    size = 0
    with local.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
            size += len(chunk)
    try:
        with connect(runtime, remote) as sftp:
            try:
                existing = sftp.stat(target)
            except FileNotFoundError:
                existing = None
            if existing is not None:
                if existing.st_size == size:
                    return PushResult(remote.partner_id, target, size, already_present=True)
                raise RemoteError(
                    f"{remote.partner_id}: {target} already exists with another size "
                    f"({existing.st_size} bytes, ours {size}); not overwriting it"
                )
            with local.open("rb") as fh:
                sftp.putfo(fh, temp, file_size=size, confirm=True)
            # SFTP's plain rename refuses to replace an existing file (OpenSSH links then
            # unlinks), so a file the partner put there meanwhile is never overwritten
            sftp.rename(temp, target)
    except (*_LINK_ERRORS, OSError) as exc:
        raise RemoteError(f"push of {name} to {remote.partner_id} failed: {exc}") from exc
    finally:
        local.unlink(missing_ok=True)
    _record_receipt(
        runtime, interchange_id, "upload", Direction.OUTBOUND, target,
        {"partner_id": remote.partner_id, "host": remote.host, "size": size},
    )  # fmt: skip
    log.info("sftp: pushed %s (%d bytes) to %s:%s", name, size, remote.partner_id, target)
    metrics.FILES.labels(remote.partner_id, "pushed").inc()
    metrics.BYTES.labels(remote.partner_id, "out").inc(size)
    return PushResult(remote.partner_id, target, size)
