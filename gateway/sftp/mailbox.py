"""Hosted mailboxes on disk: one chrooted folder per partner and the path jail around it.

Layout under `<var>/sftp`: `<partner>/inbound` (partner uploads), `<partner>/outbound` (files
for the partner, placed atomically), `<partner>/archive` (uploads already taken in). The
gateway's own folders sit beside them and are never visible to a partner: `.partial/<partner>`
(uploads cut off or refused) and `.staging/<partner>` (outbound files being written)."""

from __future__ import annotations

import json
import os
import posixpath
import re
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gateway.sftp.config import check_partner_id
from gateway.sftp.errors import MailboxError

AREAS = ("inbound", "outbound", "archive")
# Names a client writes first and renames when done (WinSCP, FileZilla, our own poller):
# such a file is taken in when renamed to its final name, and never fetched by the poller.
TEMP_SUFFIXES = (".part", ".filepart", ".tmp", ".partial", ".upload")
_FILE_NAME = re.compile(r"[^/\x00]{1,255}")


class PathDenied(Exception):
    """A client path is outside the mailbox or names something the partner may not touch."""


class PathMissing(Exception):
    """A client path names nothing inside the mailbox."""


def check_file_name(name: str) -> str:
    """A plain file name: no folders, not hidden, not '.' or '..'."""
    if not _FILE_NAME.fullmatch(name or "") or name.startswith("."):
        raise MailboxError(f"file name {name!r} must be a plain, non-hidden name")
    return name


def utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


@dataclass(frozen=True)
class MailboxPath:
    """A client path resolved inside a mailbox: what the client sees and where it lives."""

    virtual: str  # normalised, absolute inside the chroot: "/inbound/x.edi"
    real: Path
    area: str | None  # "inbound" / "outbound" / "archive"; None for the mailbox root
    depth: int  # 0 root, 1 an area folder, 2 a file directly in an area, ...

    @property
    def name(self) -> str:
        return posixpath.basename(self.virtual)


class MailboxLayout:
    """Folders of one partner's mailbox, and resolution of client paths inside them."""

    def __init__(self, sftp_root: Path | str, partner_id: str) -> None:
        self.partner_id = check_partner_id(partner_id)
        self.sftp_root = Path(sftp_root)
        self.root = self.sftp_root / partner_id
        self.partial_dir = self.sftp_root / ".partial" / partner_id
        self.staging_dir = self.sftp_root / ".staging" / partner_id

    def area(self, name: str) -> Path:
        return self.root / name

    @property
    def inbound(self) -> Path:
        return self.root / "inbound"

    @property
    def outbound(self) -> Path:
        return self.root / "outbound"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    def ensure(self) -> MailboxLayout:
        for folder in (*(self.root / a for a in AREAS), self.partial_dir, self.staging_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o750)
        return self

    def resolve(self, client_path: str, cwd: str = "/") -> MailboxPath:
        """Map a client path to the disk, refusing anything that could leave the mailbox.

        Paths are taken relative to the mailbox root (the chroot): '..' above it, NUL bytes,
        and any symbolic link on the way are refused rather than clamped, so an attempt to
        escape is answered with "permission denied", never with some other file."""
        if "\x00" in client_path:
            raise PathDenied("NUL byte in path")
        joined = client_path if client_path.startswith("/") else posixpath.join(cwd, client_path)
        parts: list[str] = []
        for part in joined.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    raise PathDenied("path climbs above the mailbox")
                parts.pop()
                continue
            parts.append(part)
        if parts and parts[0] not in AREAS:
            raise PathMissing(f"/{parts[0]}")
        real = self.root.joinpath(*parts)
        # Nothing below the mailbox may be a symlink: partners cannot create them, so one
        # found here was planted by someone else and is refused outright.
        probe = self.root
        for part in parts:
            probe = probe / part
            if probe.is_symlink():
                raise PathDenied("symbolic links are not followed")
        root_real = os.path.realpath(self.root)
        real_resolved = os.path.realpath(real)
        if real_resolved != root_real and not real_resolved.startswith(root_real + os.sep):
            raise PathDenied("path resolves outside the mailbox")
        return MailboxPath("/" + "/".join(parts), real, parts[0] if parts else None, len(parts))

    # -- moves made by the gateway -------------------------------------------------------

    def keep_partial(self, real: Path, reason: str, detail: dict[str, object]) -> Path:
        """Move an unfinished or refused upload aside, with a note saying why."""
        self.partial_dir.mkdir(parents=True, exist_ok=True)
        target = self.partial_dir / f"{utc_stamp()}_{secrets.token_hex(3)}_{real.name}"
        try:
            os.replace(real, target)
        except FileNotFoundError:
            target.touch()  # the partner removed it meanwhile; keep the note all the same
        note = {"reason": reason, "original": real.name, **detail}
        target.with_name(target.name + ".json").write_text(json.dumps(note, indent=1))
        return target

    def archive_taken(self, real: Path) -> Path:
        """Move an upload that was taken in out of `inbound/`, so a partner sees it is done."""
        self.archive.mkdir(parents=True, exist_ok=True)
        target = self.archive / f"{utc_stamp()}_{real.name}"
        os.replace(real, target)
        return target


def place_outbound(
    sftp_root: Path | str, partner_id: str, name: str, payload: bytes | Iterable[bytes]
) -> Path:
    """Put a file into a partner's `outbound/` so that it appears whole or not at all.

    Written and fsynced under a staging name outside the partner's view, then renamed into
    place. Placing the same bytes again is a no-op (a retried outbound task); a different
    file already waiting under that name is never overwritten."""
    layout = MailboxLayout(sftp_root, partner_id).ensure()
    check_file_name(name)
    target = layout.outbound / name
    chunks = [payload] if isinstance(payload, bytes) else payload
    fd, tmp = tempfile.mkstemp(dir=layout.staging_dir, prefix="out-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o640)
        if target.exists():
            if _same_content(Path(tmp), target):
                os.unlink(tmp)
                return target
            raise MailboxError(
                f"{partner_id}: outbound/{name} already holds a different file the partner "
                "has not collected; not overwriting it"
            )
        # link() fails if the name appeared meanwhile, so a concurrent placement cannot be
        # silently replaced; the rename-free path keeps the file whole either way.
        try:
            os.link(tmp, target)
        except FileExistsError:
            if not _same_content(Path(tmp), target):
                raise MailboxError(f"{partner_id}: outbound/{name} appeared meanwhile") from None
        os.unlink(tmp)
        return target
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _same_content(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as fa, b.open("rb") as fb:
        while True:
            block_a, block_b = fa.read(1 << 20), fb.read(1 << 20)
            if block_a != block_b:
                return False
            if not block_a:
                return True
