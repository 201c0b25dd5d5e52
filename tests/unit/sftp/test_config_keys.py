"""SFTP configuration checks, key parsing and pins, the key store, backoff arithmetic."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from gateway.sftp import (
    AuthorizedKeysStore,
    KeyStoreMailboxDirectory,
    MailboxConfig,
    MailboxLimits,
    RemoteConfig,
    SftpConfigError,
    StaticMailboxDirectory,
)
from gateway.sftp.keys import (
    load_or_create_host_key,
    parse_authorized_key,
    parse_authorized_keys,
    parse_host_key_pin,
    sha256_fingerprint,
)
from gateway.sftp.poller import backoff_delay
from gateway.sftp.server import _Coverage

pytestmark = pytest.mark.unit


def public_line(comment: str = "") -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return f"{line.decode()} {comment}".strip()


def remote(**changes: object) -> RemoteConfig:
    fields: dict[str, object] = {"partner_id": "fwd", "host": "sftp.example", "username": "us",
                                 "key_ref": "env:FWD_KEY"} | changes  # fmt: skip
    return RemoteConfig(**fields)  # type: ignore[arg-type]


def test_authorized_key_lines() -> None:
    line = public_line("ops@acme")
    key = parse_authorized_key(line)
    assert key.key_type == "ssh-ed25519" and key.comment == "ops@acme"
    assert key.openssh_line() == line
    assert key.fingerprint.startswith("SHA256:")
    text = f"# acme keys\n\n{line}\n{public_line()}\n"
    assert len(parse_authorized_keys(text)) == 2


@pytest.mark.parametrize(
    "line",
    ["", "ssh-ed25519", "ssh-ed25519 !!!notbase64", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIDts",
     'from="10.0.0.1" ssh-ed25519 AAAA'],
)  # fmt: skip
def test_bad_key_lines_are_clear_errors(line: str) -> None:
    with pytest.raises(SftpConfigError):
        parse_authorized_key(line)


def test_key_type_must_match_key_material() -> None:
    _kind, b64 = public_line().split()[:2]
    with pytest.raises(SftpConfigError, match=r"inner type|not a usable"):
        parse_authorized_key(f"ecdsa-sha2-nistp256 {b64}")


def test_host_key_pins(tmp_path: Path) -> None:
    key = load_or_create_host_key(tmp_path / "host")
    assert (tmp_path / "host").stat().st_mode & 0o777 == 0o600
    assert load_or_create_host_key(tmp_path / "host").asbytes() == key.asbytes()  # reused
    line = f"{key.get_name()} {key.get_base64()}"
    assert parse_host_key_pin(line).matches(key)
    assert parse_host_key_pin(sha256_fingerprint(key.asbytes())).matches(key)
    assert parse_host_key_pin(key.fingerprint).matches(key)  # paramiko's own rendering
    assert not parse_host_key_pin(public_line()).matches(key)
    for bad in ("SHA256:short", "nonsense", "ssh-ed25519 AAAA"):
        with pytest.raises(SftpConfigError):
            parse_host_key_pin(bad)


def test_mailbox_config_checks() -> None:
    box = MailboxConfig("acme", "acme-user", (public_line(),))
    assert len(box.public_keys()) == 1
    with pytest.raises(SftpConfigError, match="partner id"):
        MailboxConfig("../acme", "u")
    with pytest.raises(SftpConfigError, match="partner id"):
        MailboxConfig(".partial", "u")
    with pytest.raises(SftpConfigError, match="username"):
        MailboxConfig("acme", "a/b")
    with pytest.raises(SftpConfigError, match="acme"):
        MailboxConfig("acme", "u", ("ssh-ed25519 broken",))
    with pytest.raises(SftpConfigError, match="secret reference"):
        MailboxConfig("acme", "u", password_ref="hunter2")
    with pytest.raises(SftpConfigError, match="at least 1"):
        MailboxLimits(max_sessions=0)
    with pytest.raises(SftpConfigError, match="used twice"):
        StaticMailboxDirectory([MailboxConfig("a", "u"), MailboxConfig("b", "u")])


def test_remote_config_checks() -> None:
    r = remote(pickup_dir="/out/", archive_dir="/done/")
    assert (r.pickup_dir, r.archive_dir) == ("/out", "/done")
    cases: list[tuple[dict[str, object], str]] = [
        ({"key_ref": "/home/us/.ssh/id"}, "secret reference"),
        ({"port": 70000}, "port"),
        ({"after_read": "keep"}, "after_read"),
        ({"after_read": "move", "archive_dir": None}, "archive_dir"),
        ({"host_key": "SHA256:nope"}, "fingerprint"),
        ({"host": "two words"}, "host"),
        ({"backoff_base": timedelta(0)}, "backoff"),
        ({"temp_suffix": ""}, "temp_suffix"),
    ]
    for changes, message in cases:
        with pytest.raises(SftpConfigError, match=message):
            remote(**changes)
    assert remote(after_read="delete", archive_dir=None).after_read == "delete"


def test_backoff_doubles_and_caps() -> None:
    r = remote(backoff_base=timedelta(seconds=30), backoff_max=timedelta(minutes=5))
    delays = [backoff_delay(r, n).total_seconds() for n in range(0, 7)]
    assert delays == [0, 30, 60, 120, 240, 300, 300]
    assert backoff_delay(r, 10_000) == timedelta(minutes=5)


def test_key_store_rotation_and_directory(tmp_path: Path) -> None:
    store = AuthorizedKeysStore(tmp_path / "keys")
    directory = KeyStoreMailboxDirectory(store, MailboxLimits(max_sessions=2))
    assert store.get("acme") == [] and directory.mailbox_for_user("acme") is None
    first = parse_authorized_key(public_line("first"))
    store.replace("acme", [first])
    box = directory.mailbox_for_user("acme")
    assert box is not None and box.public_keys() == [first] and box.limits.max_sessions == 2
    second = parse_authorized_key(public_line("second"))
    store.replace("acme", [second])
    assert [k.comment for k in store.get("acme")] == ["second"]
    assert (tmp_path / "keys" / "acme.pub").stat().st_mode & 0o777 == 0o600
    with pytest.raises(SftpConfigError, match="empty"):
        store.replace("acme", [])
    with pytest.raises(SftpConfigError):
        store.replace("../etc", [second])
    assert directory.mailbox_for_user("../etc") is None
    assert [b.partner_id for b in directory.mailboxes()] == ["acme"]


def test_upload_coverage_tells_whole_from_gapped() -> None:
    cov = _Coverage()
    assert cov.whole(0)
    for start, end in [(0, 10), (20, 30), (10, 20)]:
        cov.add(start, end)
    assert cov.whole(30) and not cov.whole(31)
    gap = _Coverage()
    gap.add(0, 10)
    gap.add(11, 20)
    assert not gap.whole(20)
    late = _Coverage()
    late.add(5, 10)
    assert not late.whole(10)
