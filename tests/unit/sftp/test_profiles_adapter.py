"""The SFTP directories read the shipped example partner profiles."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from gateway.sftp import MailboxLimits
from gateway.sftp.profiles import ProfileMailboxDirectory, ProfileRemoteDirectory
from partner_profiles import PartnerProfile, load_folder

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).resolve().parents[3] / "partner_profiles" / "examples"


@pytest.fixture(scope="module")
def profiles() -> list[PartnerProfile]:
    loaded = load_folder(EXAMPLES)
    assert loaded.ok, loaded.all_problems()
    return [p.profile for p in loaded.profiles.values()]


def test_mailboxes_from_profiles(profiles: list[PartnerProfile]) -> None:
    hosted = [p for p in profiles if p.transports.sftp_mailbox is not None]
    assert hosted, "the examples include a partner on our hosted mailbox"
    directory = ProfileMailboxDirectory(lambda: profiles, MailboxLimits(max_sessions=2))
    for profile in hosted:
        settings = profile.transports.sftp_mailbox
        assert settings is not None
        box = directory.mailbox_for_user(settings.username)
        assert box is not None and box.partner_id == profile.id
        assert box.limits.max_file_size == settings.max_file_bytes
        assert box.limits.max_sessions == 2
        assert len(box.public_keys()) == len(settings.public_keys)
    assert directory.mailbox_for_user("nobody") is None


def test_remotes_from_profiles(profiles: list[PartnerProfile]) -> None:
    polled = [p for p in profiles if p.transports.sftp_remote is not None]
    assert polled, "the examples include a partner whose server we poll"
    directory = ProfileRemoteDirectory(lambda: profiles)
    for profile in polled:
        settings = profile.transports.sftp_remote
        assert settings is not None
        remote = directory.remote(profile.id)
        assert remote is not None
        assert (remote.host, remote.port, remote.username) == (
            settings.host, settings.port, settings.username,
        )  # fmt: skip
        assert remote.key_ref == settings.private_key
        assert remote.pickup_dir == settings.pickup_dir.rstrip("/")
        assert remote.dropoff_dir == settings.drop_dir.rstrip("/")
        assert remote.after_read == settings.after_read
        assert remote.poll_interval == settings.poll_interval


def test_suspended_partners_get_no_access(profiles: list[PartnerProfile]) -> None:
    suspended = [p.model_copy(update={"status": "suspended"}) for p in profiles]
    assert ProfileMailboxDirectory(lambda: suspended).mailboxes() == []
    assert ProfileRemoteDirectory(lambda: suspended).remotes() == []


def test_edits_apply_without_a_new_directory(profiles: list[PartnerProfile]) -> None:
    current = list(profiles)
    directory = ProfileRemoteDirectory(lambda: current)
    polled = next(p for p in current if p.transports.sftp_remote is not None)
    remote_settings = polled.transports.sftp_remote
    assert remote_settings is not None
    faster = remote_settings.model_copy(update={"poll_interval": timedelta(minutes=1)})
    transports = polled.transports.model_copy(update={"sftp_remote": faster})
    edited = polled.model_copy(update={"transports": transports})
    current[current.index(polled)] = edited
    remote = directory.remote(polled.id)
    assert remote is not None and remote.poll_interval == timedelta(minutes=1)
