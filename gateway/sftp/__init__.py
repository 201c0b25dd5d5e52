"""SFTP transport: mailboxes the gateway hosts for partners, and polling partners' servers.

Public surface: configuration (`MailboxConfig`, `RemoteConfig`, the directory protocols),
the hosted server (`serve`, `deliver_to_mailbox`), the poller (`poll_once`, `poll_due`,
`due_partners`, `push_file`), the key store, and the error hierarchy in
`gateway.sftp.errors`. Partner profiles stand behind the directory protocols through
`gateway.partners`."""

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
from gateway.sftp.poller import (
    PollResult,
    PushResult,
    due_partners,
    poll_due,
    poll_once,
    push_file,
)
from gateway.sftp.server import (
    SftpServerHandle,
    default_directory,
    default_host_key_path,
    deliver_to_mailbox,
    serve,
)

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
    "PollResult",
    "PushResult",
    "RemoteConfig",
    "RemoteDirectory",
    "RemoteError",
    "SftpConfigError",
    "SftpError",
    "SftpServerHandle",
    "StaticMailboxDirectory",
    "StaticRemoteDirectory",
    "default_directory",
    "default_host_key_path",
    "deliver_to_mailbox",
    "due_partners",
    "place_outbound",
    "poll_due",
    "poll_once",
    "push_file",
    "serve",
]
