"""Fixtures for the SFTP transport: generated keys, our hosted server, OpenSSH's client."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from gateway.runtime import Runtime
from gateway.sftp import MailboxConfig, MailboxLimits, StaticMailboxDirectory
from gateway.sftp.server import SftpServerHandle, serve
from tests import support
from tests.integration.sftp.sshd import Sshd, start_sshd


@dataclass(frozen=True)
class KeyPair:
    private_path: Path
    public_line: str


def make_keypair(folder: Path, name: str) -> KeyPair:
    """An Ed25519 key pair in OpenSSH format, private file mode 0600 (ssh insists)."""
    folder.mkdir(parents=True, exist_ok=True)
    private = ed25519.Ed25519PrivateKey.generate()
    path = folder / name
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    line = f"{public.decode()} {name}@test"
    path.with_suffix(".pub").write_text(line + "\n")
    return KeyPair(path, line)


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o700)
    return folder


@dataclass
class Hosted:
    """Our server with two partners' mailboxes, and what intake enqueued."""

    runtime: Runtime
    server: SftpServerHandle
    keys: dict[str, KeyPair]
    known_hosts: Path
    enqueued: list[tuple[str, int]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.port)

    def mailbox(self, partner: str) -> Path:
        return self.runtime.settings.var_dir / "sftp" / partner


def hosted_server(runtime: Runtime, keys_dir: Path, limits: MailboxLimits | None = None) -> Hosted:
    keys = {p: make_keypair(keys_dir, p) for p in ("acme", "globex")}
    limits = limits or MailboxLimits()
    directory = StaticMailboxDirectory(
        MailboxConfig(p, f"{p}-user", (k.public_line,), limits) for p, k in keys.items()
    )
    server = serve(runtime, directory, "127.0.0.1", 0, keys_dir / "host_ed25519")
    known_hosts = keys_dir / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{server.port} {server.host_key_line}\n")
    hosted = Hosted(runtime, server, keys, known_hosts)

    def record(task: str, interchange_id: int) -> None:
        hosted.enqueued.append((task, interchange_id))

    runtime.enqueue = record
    return hosted


def wait_for_archive(hosted: Hosted, name: str, partner: str = "acme") -> None:
    """Taken-in uploads leave inbound/ when their session ends (just after logout)."""
    mailbox = hosted.mailbox(partner)
    deadline = time.monotonic() + 10
    while (mailbox / "inbound" / name).exists() or not list(mailbox.glob(f"archive/*_{name}")):
        assert time.monotonic() < deadline, f"{name} was not archived"
        time.sleep(0.02)


@pytest.fixture
def hosted(runtime: Runtime, keys_dir: Path) -> Iterator[Hosted]:
    h = hosted_server(runtime, keys_dir)
    yield h
    h.server.stop()


@pytest.fixture
def sshd() -> Iterator[Sshd]:
    """A real OpenSSH server playing a partner's SFTP server (see sshd.py)."""
    server = start_sshd()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def openssh_sftp() -> str:
    path = shutil.which("sftp")
    if path is None:
        support.unavailable(
            "OpenSSH's sftp client is not installed (apt-get install openssh-client)",
            required_by="EDIGW_REQUIRE_SERVICES",
        )
    assert path is not None
    return path


def sftp_batch_command(
    sftp: str, hosted: Hosted, partner: str, *, rate_kbit: int | None = None
) -> list[str]:
    """OpenSSH's sftp in batch mode against our server, with key auth and a pinned host key."""
    cmd = [
        sftp, "-b", "-", "-P", str(hosted.port), "-i", str(hosted.keys[partner].private_path),
        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", f"UserKnownHostsFile={hosted.known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
        "-o", "PasswordAuthentication=no", "-o", "ConnectTimeout=10",
    ]  # fmt: skip
    if rate_kbit:
        cmd += ["-l", str(rate_kbit)]
    return [*cmd, f"{partner}-user@127.0.0.1"]


def run_sftp(
    sftp: str, hosted: Hosted, partner: str, script: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        sftp_batch_command(sftp, hosted, partner),
        input=script, capture_output=True, text=True, timeout=60, cwd=cwd,
    )  # fmt: skip
