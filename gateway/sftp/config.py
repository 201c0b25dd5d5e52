"""What the SFTP transport needs to know about a partner, and how it looks partners up.

Hosted mailboxes (`MailboxConfig`) and partners' servers (`RemoteConfig`) are small frozen
dataclasses checked when built; `MailboxDirectory` and `RemoteDirectory` are the lookup
protocols the server and the poller call, so partner profiles can stand behind them. The
static directories here serve tests and the command line until profiles are wired in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal, Protocol

from gateway.sftp.errors import SftpConfigError
from gateway.sftp.keys import AuthorizedKey, parse_authorized_key

# Partner ids name folders under var/sftp: no separators, no leading dot (dot-folders there
# are the gateway's own: partial uploads, outbound staging).
_PARTNER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SECRET_REF = re.compile(r"(env|file):.+")

AfterRead = Literal["move", "delete"]


def check_partner_id(partner_id: str) -> str:
    if not _PARTNER_ID.fullmatch(partner_id or ""):
        raise SftpConfigError(
            f"partner id {partner_id!r} must be 1-64 letters, digits, '.', '_' or '-' and "
            "must not start with '.'"
        )
    return partner_id


def check_secret_ref(reference: str, what: str) -> str:
    if not _SECRET_REF.fullmatch(reference or ""):
        raise SftpConfigError(f"{what} must be a secret reference env:NAME or file:PATH")
    return reference


def _remote_dir(path: str, what: str) -> str:
    if not path or "\x00" in path:
        raise SftpConfigError(f"{what} must be a folder path on the partner's server")
    return path.rstrip("/") or "/"


@dataclass(frozen=True)
class MailboxLimits:
    """Per-partner limits of the hosted server."""

    max_file_size: int = 256 * 1024 * 1024  # bytes; a larger upload is refused and kept aside
    max_files_per_session: int = 1000  # uploads opened in one SSH connection
    max_sessions: int = 4  # concurrent SSH connections of one partner

    def __post_init__(self) -> None:
        for name in ("max_file_size", "max_files_per_session", "max_sessions"):
            if getattr(self, name) < 1:
                raise SftpConfigError(f"mailbox limit {name} must be at least 1")


@dataclass(frozen=True)
class MailboxConfig:
    """A mailbox the gateway hosts for one partner: who logs in and with which keys."""

    partner_id: str
    username: str
    authorized_keys: tuple[str, ...] = ()  # OpenSSH public key lines
    limits: MailboxLimits = field(default_factory=MailboxLimits)
    # Password login stays off unless the server enables it AND the mailbox names a secret.
    password_ref: str | None = None

    def __post_init__(self) -> None:
        check_partner_id(self.partner_id)
        if not self.username or any(c in self.username for c in "\x00/:@ \t\r\n"):
            raise SftpConfigError(f"mailbox {self.partner_id}: bad username {self.username!r}")
        object.__setattr__(self, "authorized_keys", tuple(self.authorized_keys))
        for line in self.authorized_keys:
            try:
                parse_authorized_key(line)
            except SftpConfigError as exc:
                raise SftpConfigError(f"mailbox {self.partner_id}: {exc}") from None
        if self.password_ref is not None:
            check_secret_ref(self.password_ref, f"mailbox {self.partner_id} password")

    def public_keys(self) -> list[AuthorizedKey]:
        return [parse_authorized_key(line) for line in self.authorized_keys]


@dataclass(frozen=True)
class RemoteConfig:
    """A partner's SFTP server that the gateway logs into: where, as whom, what to do."""

    partner_id: str
    host: str
    username: str
    key_ref: str  # secret reference to our private key (OpenSSH or PEM text)
    port: int = 22
    key_passphrase_ref: str | None = None
    # Pinned host key: "ssh-ed25519 AAAA..." (type and base64) or "SHA256:..." fingerprint.
    host_key: str | None = None
    # Without a pinned key the first connection is refused, unless this says to learn it.
    learn_host_key: bool = False
    pickup_dir: str = "outbound"  # the partner's folder of files for us
    dropoff_dir: str = "inbound"  # where we push our files for the partner
    after_read: AfterRead = "move"
    archive_dir: str | None = "archive"  # on the partner's server, for after_read="move"
    file_pattern: str = "*"  # fnmatch pattern of the names to fetch
    temp_suffix: str = ".part"  # our pushes are written under name+suffix, then renamed
    min_file_age: timedelta = timedelta(0)  # skip files modified more recently than this
    poll_interval: timedelta = timedelta(minutes=5)
    connect_timeout: timedelta = timedelta(seconds=30)
    backoff_base: timedelta = timedelta(minutes=1)
    backoff_max: timedelta = timedelta(hours=1)
    # Failing this long (since the first failure of a run) opens an exception for a person.
    alert_after: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        check_partner_id(self.partner_id)
        who = f"remote {self.partner_id}"
        if not self.host or any(c.isspace() for c in self.host):
            raise SftpConfigError(f"{who}: host must be a host name or address")
        if not 0 < self.port < 65536:
            raise SftpConfigError(f"{who}: port {self.port} out of range")
        if not self.username:
            raise SftpConfigError(f"{who}: username is required")
        check_secret_ref(self.key_ref, f"{who} key")
        if self.key_passphrase_ref is not None:
            check_secret_ref(self.key_passphrase_ref, f"{who} key passphrase")
        object.__setattr__(self, "pickup_dir", _remote_dir(self.pickup_dir, f"{who} pickup_dir"))
        object.__setattr__(self, "dropoff_dir", _remote_dir(self.dropoff_dir, f"{who} dropoff_dir"))
        if self.after_read not in ("move", "delete"):
            raise SftpConfigError(f"{who}: after_read must be 'move' or 'delete'")
        if self.after_read == "move":
            if not self.archive_dir:
                raise SftpConfigError(f"{who}: after_read 'move' needs an archive_dir")
            object.__setattr__(
                self, "archive_dir", _remote_dir(self.archive_dir, f"{who} archive_dir")
            )
        if not self.temp_suffix or "/" in self.temp_suffix:
            raise SftpConfigError(f"{who}: temp_suffix must be a non-empty name suffix")
        if self.host_key is not None:
            from gateway.sftp.keys import parse_host_key_pin

            parse_host_key_pin(self.host_key)  # raises SftpConfigError when unusable
        if self.backoff_base <= timedelta(0) or self.backoff_max < self.backoff_base:
            raise SftpConfigError(f"{who}: backoff_base must be > 0 and <= backoff_max")


class MailboxDirectory(Protocol):
    """Where the hosted server finds mailboxes (partner profiles stand behind it)."""

    def mailbox_for_user(self, username: str) -> MailboxConfig | None: ...

    def mailbox(self, partner_id: str) -> MailboxConfig | None: ...

    def mailboxes(self) -> Iterable[MailboxConfig]: ...


class RemoteDirectory(Protocol):
    """Where the poller finds partners' servers (partner profiles stand behind it)."""

    def remote(self, partner_id: str) -> RemoteConfig | None: ...

    def remotes(self) -> Iterable[RemoteConfig]: ...


class StaticMailboxDirectory:
    """Mailboxes given as a list: for tests, the command line, and small fixed setups."""

    def __init__(self, mailboxes: Iterable[MailboxConfig]) -> None:
        self._by_partner: dict[str, MailboxConfig] = {}
        self._by_user: dict[str, MailboxConfig] = {}
        for box in mailboxes:
            if box.partner_id in self._by_partner or box.username in self._by_user:
                raise SftpConfigError(
                    f"mailbox {box.partner_id}: partner id or username {box.username!r} "
                    "is used twice"
                )
            self._by_partner[box.partner_id] = box
            self._by_user[box.username] = box

    def mailbox_for_user(self, username: str) -> MailboxConfig | None:
        return self._by_user.get(username)

    def mailbox(self, partner_id: str) -> MailboxConfig | None:
        return self._by_partner.get(partner_id)

    def mailboxes(self) -> Iterable[MailboxConfig]:
        return list(self._by_partner.values())


class StaticRemoteDirectory:
    """Partners' servers given as a list."""

    def __init__(self, remotes: Iterable[RemoteConfig]) -> None:
        self._by_partner = {r.partner_id: r for r in remotes}

    def remote(self, partner_id: str) -> RemoteConfig | None:
        return self._by_partner.get(partner_id)

    def remotes(self) -> Iterable[RemoteConfig]:
        return list(self._by_partner.values())
