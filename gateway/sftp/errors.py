"""The SFTP transport's errors, one hierarchy so callers catch what they mean.

SftpError
├── SftpConfigError     a mailbox or remote configuration is unusable (bad key, bad path)
├── MailboxError        placing or moving a file in a hosted mailbox failed
└── RemoteError         talking to a partner's server failed
    ├── HostKeyError    the server's host key is not the pinned one (or not pinned at all)
    └── ConnectError    the server could not be reached or refused our login
"""

from __future__ import annotations


class SftpError(Exception):
    """Base of every SFTP transport error."""


class SftpConfigError(SftpError, ValueError):
    """A mailbox or remote configuration cannot be used as given (a bad value: callers that
    build configurations from profiles may catch it as a `ValueError`)."""


class MailboxError(SftpError):
    """A hosted-mailbox file operation failed (bad name, conflicting file, I/O error)."""


class RemoteError(SftpError):
    """Talking to a partner's SFTP server failed."""


class HostKeyError(RemoteError):
    """The partner server's host key is not the one pinned (or nothing is pinned)."""


class ConnectError(RemoteError):
    """The partner server could not be reached, or it refused our login."""
