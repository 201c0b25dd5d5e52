"""SFTP transport: mailboxes the gateway hosts for partners, and polling partners' servers.

Public surface: configuration (`MailboxConfig`, `RemoteConfig`, the directory protocols),
the hosted server (`serve`, `place_outbound`), the poller (`poll_once`, `push_file`), the
key store behind `edigw sftp keys`, and the error hierarchy in `gateway.sftp.errors`."""

from gateway.sftp.config import (
    MailboxConfig,
    MailboxDirectory,
    MailboxLimits,
    RemoteConfig,
    RemoteDirectory,
    StaticMailboxDirectory,
    StaticRemoteDirectory,
)
from gateway.sftp.errors import (
    ConnectError,
    HostKeyError,
    MailboxError,
    RemoteError,
    SftpConfigError,
    SftpError,
)
from gateway.sftp.keys import AuthorizedKeysStore, KeyStoreMailboxDirectory
from gateway.sftp.mailbox import MailboxLayout, place_outbound

__all__ = [
    "AuthorizedKeysStore",
    "ConnectError",
    "HostKeyError",
    "KeyStoreMailboxDirectory",
    "MailboxConfig",
    "MailboxDirectory",
    "MailboxError",
    "MailboxLayout",
    "MailboxLimits",
    "RemoteConfig",
    "RemoteDirectory",
    "RemoteError",
    "SftpConfigError",
    "SftpError",
    "StaticMailboxDirectory",
    "StaticRemoteDirectory",
    "place_outbound",
]
