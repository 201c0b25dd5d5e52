"""Partner profiles behind the SFTP directories: mailboxes and remotes read from profiles.

Both directories take a callable that returns the profiles being served now (for example
`ProfileRegistry.all`), so an edited profile (a rotated key, a new host key) applies at the
next login or poll without a restart. Suspended and draft partners get no SFTP access.
`rewrite_public_keys` rotates a hosted partner's keys inside its profile text."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterable

import yaml

from gateway.sftp.config import MailboxConfig, MailboxLimits, RemoteConfig
from gateway.sftp.errors import SftpConfigError
from partner_profiles import PartnerProfile

log = logging.getLogger(__name__)

ProfileSource = Callable[[], Iterable[PartnerProfile]]
SERVED_STATUSES = frozenset({"testing", "active"})


def mailbox_from_profile(
    profile: PartnerProfile, defaults: MailboxLimits | None = None
) -> MailboxConfig | None:
    """The hosted mailbox a profile asks for, or None when it has none."""
    mailbox = profile.transports.sftp_mailbox
    if mailbox is None:
        return None
    base = defaults or MailboxLimits()
    return MailboxConfig(
        partner_id=profile.id,
        username=mailbox.username,
        authorized_keys=tuple(mailbox.public_keys),
        limits=MailboxLimits(
            max_file_size=mailbox.max_file_bytes,
            max_files_per_session=base.max_files_per_session,
            max_sessions=base.max_sessions,
        ),
    )


def remote_from_profile(profile: PartnerProfile) -> RemoteConfig | None:
    """The partner's server a profile describes, or None when it has none."""
    remote = profile.transports.sftp_remote
    if remote is None:
        return None
    return RemoteConfig(
        partner_id=profile.id,
        host=remote.host,
        port=remote.port,
        username=remote.username,
        key_ref=remote.private_key,
        key_passphrase_ref=remote.passphrase,
        host_key=remote.host_key,
        learn_host_key=remote.learn_host_key,
        pickup_dir=remote.pickup_dir,
        dropoff_dir=remote.drop_dir,
        after_read=remote.after_read,
        archive_dir=remote.archive_dir,
        file_pattern=remote.file_pattern,
        poll_interval=remote.poll_interval,
    )


class _ProfileDirectory:
    def __init__(self, source: ProfileSource, statuses: Collection[str]) -> None:
        self._source = source
        self._statuses = frozenset(statuses)

    def _served(self) -> list[PartnerProfile]:
        return [p for p in self._source() if p.status in self._statuses]


class ProfileMailboxDirectory(_ProfileDirectory):
    """`MailboxDirectory` over partner profiles (`transports.sftp_mailbox`)."""

    def __init__(
        self,
        source: ProfileSource,
        defaults: MailboxLimits | None = None,
        statuses: Collection[str] = SERVED_STATUSES,
    ) -> None:
        super().__init__(source, statuses)
        self._defaults = defaults

    def mailboxes(self) -> list[MailboxConfig]:
        boxes = []
        for profile in self._served():
            try:
                box = mailbox_from_profile(profile, self._defaults)
            except SftpConfigError as exc:  # one bad profile never locks out the others
                log.error("sftp: mailbox of %s unusable: %s", profile.id, exc)
                continue
            if box is not None:
                boxes.append(box)
        return boxes

    def mailbox_for_user(self, username: str) -> MailboxConfig | None:
        return next((b for b in self.mailboxes() if b.username == username), None)

    def mailbox(self, partner_id: str) -> MailboxConfig | None:
        return next((b for b in self.mailboxes() if b.partner_id == partner_id), None)


class ProfileRemoteDirectory(_ProfileDirectory):
    """`RemoteDirectory` over partner profiles (`transports.sftp_remote`)."""

    def __init__(self, source: ProfileSource, statuses: Collection[str] = SERVED_STATUSES):
        super().__init__(source, statuses)

    def remotes(self) -> list[RemoteConfig]:
        remotes = []
        for profile in self._served():
            try:
                remote = remote_from_profile(profile)
            except SftpConfigError as exc:
                log.error("sftp: remote of %s unusable: %s", profile.id, exc)
                continue
            if remote is not None:
                remotes.append(remote)
        return remotes

    def remote(self, partner_id: str) -> RemoteConfig | None:
        return next((r for r in self.remotes() if r.partner_id == partner_id), None)


def rewrite_public_keys(text: str, keys: list[str]) -> str:
    """A profile's YAML text with `transports.sftp_mailbox.public_keys` replaced by `keys`,
    everything else (comments, order, layout) left as written.

    Only a block list (`- key` lines) is rewritten; anything else is a `SftpConfigError`
    saying where to edit by hand."""
    if not keys:
        raise SftpConfigError("refusing an empty key set: it would lock the partner out")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise SftpConfigError(f"the profile is not valid YAML: {exc}") from None
    node = root
    for name in ("transports", "sftp_mailbox", "public_keys"):
        if not isinstance(node, yaml.MappingNode):
            node = None
            break
        node = next((v for k, v in node.value if getattr(k, "value", None) == name), None)
    if node is None:
        raise SftpConfigError("the profile has no transports.sftp_mailbox.public_keys")
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise SftpConfigError(
            "transports.sftp_mailbox.public_keys is not a '- key' list; edit it by hand"
        )
    lines = text.splitlines(keepends=True)
    first, last = node.value[0], node.value[-1]
    start = first.start_mark.line
    end = last.end_mark.line if last.end_mark.column > 0 else last.end_mark.line - 1
    item_line = lines[start]
    indent = item_line[: len(item_line) - len(item_line.lstrip(" "))]
    ending = "\r\n" if item_line.endswith("\r\n") else "\n"
    new_items = [f"{indent}- {_yaml_scalar(key)}{ending}" for key in keys]
    return "".join(lines[:start] + new_items + lines[end + 1 :])


def _yaml_scalar(value: str) -> str:
    """`value` as it reads back from YAML: plain when that is safe, else double-quoted."""
    try:
        if yaml.safe_load(f"- {value}") == [value]:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value)  # a JSON string is a valid YAML double-quoted scalar
