"""Partner profiles as the transports see them: one adapter per transport, so AS2 and SFTP
keep their own small configuration types and the profile stays the single source.

Configurations that load keys and certificates are built once per served profile version
and rebuilt when the profile changes (the registry hands out a new object). One that could
not be built (a key file not there yet, a certificate half written) is tried again when a
file it names changes, or after `retry_after` seconds; one that loads is never re-read."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generic, TypeVar

from gateway.as2.config import (
    ConfigError,
    KeyPair,
    PartnerAs2Config,
    load_certificates,
    load_key_pair,
)
from gateway.profiles import ProfileRegistry
from gateway.secrets import SecretError
from gateway.sftp.config import MailboxConfig, MailboxLimits, RemoteConfig
from gateway.sftp.keys import AuthorizedKeysStore
from partner_profiles.schema import PartnerProfile

log = logging.getLogger(__name__)

T = TypeVar("T")

# how long a configuration that failed to build waits before it is tried again even though
# none of its files changed (an `env:` secret, a folder's permissions)
RETRY_AFTER = 30.0

CONTENT_TYPES = {"x12": "application/edi-x12", "edifact": "application/edifact"}
# profile spelling -> AS2 module spelling
ENCRYPTION = {
    "tripledes_cbc": "3des",
    "aes128_cbc": "aes128-cbc",
    "aes192_cbc": "aes192-cbc",
    "aes256_cbc": "aes256-cbc",
    "aes128_gcm": "aes128-gcm",
    "aes192_gcm": "aes192-gcm",
    "aes256_gcm": "aes256-gcm",
}


def as2_config(profile: PartnerProfile) -> PartnerAs2Config | None:
    """The AS2 configuration of a profile, keys and certificates loaded; None without AS2."""
    as2 = profile.transports.as2
    if as2 is None:
        return None
    if not (as2.our_key and as2.our_certificate):
        raise ConfigError(f"partner {profile.id}: AS2 needs our_key and our_certificate")
    theirs = [cert for ref in as2.their_certificates for cert in load_certificates(ref)]
    return PartnerAs2Config(
        partner_id=profile.id,
        partner_as2_id=as2.their_as2_id,
        our_as2_id=as2.our_as2_id,
        our_keys=[load_key_pair(as2.our_key, as2.our_certificate)],
        partner_certificates=theirs,
        url=as2.url,
        sign=as2.sign,
        sign_algorithm=as2.signing_algorithm,
        encrypt=as2.encrypt,
        encryption_algorithm=ENCRYPTION[as2.encryption_algorithm],
        key_transport=as2.key_transport.replace("_", "-"),
        compress=as2.compress,
        content_type=CONTENT_TYPES[profile.standard],
        mdn_mode=as2.mdn.mode,
        mdn_signed=as2.mdn.signed,
        async_mdn_url=as2.mdn.async_url,
        binary_signing=as2.binary_signing,
        max_message_bytes=as2.max_message_bytes,
    )


def as2_files(profile: PartnerProfile) -> list[str]:
    """The key and certificate files `as2_config` reads (`env:` secrets are no files)."""
    as2 = profile.transports.as2
    if as2 is None:
        return []
    references = [as2.our_key, as2.our_certificate, *as2.their_certificates]
    files = []
    for reference in references:
        if not reference or reference.startswith("env:"):
            continue
        files.append(reference.removeprefix("file:"))
    return files


def as2_config_of_partner(
    profile: PartnerProfile, partner_keys: list[KeyPair], url: str
) -> PartnerAs2Config:
    """The same AS2 agreement seen from the partner's side: its keys, our certificate to
    encrypt for and to verify our MDNs with, the AS2 ids swapped, posting to `url`, and a
    signed sync MDN asked for. What plays a partner against the gateway (the demo, tests)."""
    ours = as2_config(profile)
    if ours is None:
        raise ConfigError(f"partner {profile.id} has no AS2 transport")
    return replace(
        ours,
        partner_as2_id=ours.our_as2_id,
        our_as2_id=ours.partner_as2_id,
        our_keys=list(partner_keys),
        partner_certificates=[pair.certificate for pair in ours.our_keys],
        url=url,
        mdn_mode="sync",
        mdn_signed=True,
        async_mdn_url=None,
        require_signed=ours.sign,
        require_encrypted=ours.encrypt,
    )


def mailbox_config(profile: PartnerProfile) -> MailboxConfig | None:
    mailbox = profile.transports.sftp_mailbox
    if mailbox is None:
        return None
    return MailboxConfig(
        partner_id=profile.id,
        username=mailbox.username,
        authorized_keys=tuple(mailbox.public_keys),
        limits=MailboxLimits(max_file_size=mailbox.max_file_bytes),
    )


def remote_config(profile: PartnerProfile) -> RemoteConfig | None:
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
        archive_dir=remote.archive_dir,
        after_read=remote.after_read,
        file_pattern=remote.file_pattern,
        poll_interval=remote.poll_interval,
    )


FileStamp = tuple[str, tuple[int, int, int, int] | None]


def _stamp(files: list[str]) -> tuple[FileStamp, ...]:
    """What identifies each file's current content: inode, size, change and modification
    times (None: it cannot be looked at)."""
    stamps: list[FileStamp] = []
    for name in files:
        try:
            st = os.stat(Path(name).expanduser())
        except OSError:
            stamps.append((name, None))
            continue
        stamps.append((name, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)))
    return tuple(stamps)


@dataclass(frozen=True)
class _Built(Generic[T]):
    profile: PartnerProfile  # the served profile object it was built from
    config: T | None
    # set when the build failed: when it was tried and what its files looked like then
    failed_at: float | None = None
    stamp: tuple[FileStamp, ...] = ()


class _Adapted(Generic[T]):
    """Configurations built from the registry's current profiles, cached per profile object
    (a reloaded profile is a new object, so a change rebuilds its configuration). A profile
    whose configuration cannot be built is left out, its error kept in `problems` and
    logged; it is built again when one of `files(profile)` changes or `retry_after` seconds
    have passed, so a key copied in later is picked up without a restart."""

    def __init__(
        self,
        registry: ProfileRegistry,
        build: Callable[[PartnerProfile], T | None],
        *,
        cache: bool = True,
        files: Callable[[PartnerProfile], list[str]] | None = None,
        retry_after: float = RETRY_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self._build = build
        self._use_cache = cache
        self._files = files or (lambda profile: [])
        self.retry_after = retry_after
        self._clock = clock
        self._cache: dict[str, _Built[T]] = {}
        self.problems: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, partner_id: str) -> T | None:
        profile = self.registry.get(partner_id)
        if profile is None or profile.status == "suspended":
            return None
        with self._lock:
            cached = self._cache.get(partner_id)
            if (
                self._use_cache
                and cached is not None
                and cached.profile is profile
                and (cached.failed_at is None or not self._worth_retrying(cached))
            ):
                return cached.config
            self._cache[partner_id] = built = self._try_build(partner_id, profile)
            return built.config

    def _worth_retrying(self, failed: _Built[T]) -> bool:
        assert failed.failed_at is not None
        if self._clock() - failed.failed_at >= self.retry_after:
            return True
        return _stamp(self._files(failed.profile)) != failed.stamp

    def _try_build(self, partner_id: str, profile: PartnerProfile) -> _Built[T]:
        # stamped before reading, so a file changing during the build is read again later
        stamp = _stamp(self._files(profile))
        try:
            config = self._build(profile)
        except (ConfigError, SecretError, ValueError, OSError) as exc:
            error = str(exc)
            if self.problems.get(partner_id) != error:
                log.warning(
                    "partner %s: configuration not usable, its files are looked at again "
                    "when they change: %s",
                    partner_id,
                    error,
                )
            self.problems[partner_id] = error
            return _Built(profile, None, self._clock(), stamp)
        if self.problems.pop(partner_id, None) is not None:
            log.info("partner %s: configuration usable again", partner_id)
        return _Built(profile, config)

    def all(self) -> list[T]:
        found = (self.get(p.id) for p in self.registry.all())
        return [config for config in found if config is not None]


class ProfileAs2Directory:
    """`gateway.as2.config.As2Directory` over the partner profiles."""

    def __init__(
        self,
        registry: ProfileRegistry,
        *,
        retry_after: float = RETRY_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._configs = _Adapted(
            registry, as2_config, files=as2_files, retry_after=retry_after, clock=clock
        )

    @property
    def problems(self) -> dict[str, str]:
        """Partners whose AS2 configuration cannot be built now, with the reason."""
        return dict(self._configs.problems)

    def lookup(self, as2_from: str, as2_to: str) -> PartnerAs2Config | None:
        return next(
            (
                c
                for c in self._configs.all()
                if c.partner_as2_id == as2_from and c.our_as2_id == as2_to
            ),
            None,
        )

    def get(self, partner_id: str) -> PartnerAs2Config | None:
        return self._configs.get(partner_id)

    def all(self) -> Iterable[PartnerAs2Config]:
        return self._configs.all()


class ProfileMailboxDirectory:
    """`gateway.sftp.config.MailboxDirectory` over the partner profiles. Keys rotated with
    `edigw sftp keys PARTNER --rotate` (the key store) take the place of the profile's."""

    def __init__(self, registry: ProfileRegistry, store: AuthorizedKeysStore | None = None) -> None:
        def build(profile: PartnerProfile) -> MailboxConfig | None:
            config = mailbox_config(profile)
            rotated = store.get(profile.id) if store is not None and config else []
            if config is None or not rotated:
                return config
            keys = tuple(key.openssh_line() for key in rotated)
            return MailboxConfig(config.partner_id, config.username, keys, config.limits)

        # cheap to build, and the key store can change under a running server: no cache
        self._configs = _Adapted(registry, build, cache=False)

    def mailbox_for_user(self, username: str) -> MailboxConfig | None:
        return next((m for m in self._configs.all() if m.username == username), None)

    def mailbox(self, partner_id: str) -> MailboxConfig | None:
        return self._configs.get(partner_id)

    def mailboxes(self) -> Iterable[MailboxConfig]:
        return self._configs.all()


class ProfileRemoteDirectory:
    """`gateway.sftp.config.RemoteDirectory` over the partner profiles."""

    def __init__(self, registry: ProfileRegistry) -> None:
        self._configs = _Adapted(registry, remote_config)

    def remote(self, partner_id: str) -> RemoteConfig | None:
        return self._configs.get(partner_id)

    def remotes(self) -> Iterable[RemoteConfig]:
        return self._configs.all()
