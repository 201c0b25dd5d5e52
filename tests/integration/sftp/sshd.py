"""A real OpenSSH server for the poller's tests: `sshd -D -f cfg -p PORT` on loopback,
`internal-sftp` chrooted into a folder that plays the partner's server.

sshd insists that every folder on the way to a ChrootDirectory is owned by root and not
writable by group or others, and it refuses keys and configs in world-writable places, so
this lives under root's home (or EDIGW_TEST_SSHD_DIR), never under /tmp. Starting it needs
root; without root or without the package, tests skip with the reason (fail in CI)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests import support

REQUIRED_BY = "EDIGW_REQUIRE_SERVICES"


def _sshd_binary() -> str | None:
    found = shutil.which("sshd")
    if found:
        return found
    return "/usr/sbin/sshd" if os.access("/usr/sbin/sshd", os.X_OK) else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _write_key(path: Path) -> str:
    """Write a new Ed25519 private key (0600) and return its public OpenSSH line."""
    private = ed25519.Ed25519PrivateKey.generate()
    path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )


def _root_safe(folder: Path) -> str | None:
    """Why sshd would refuse `folder` or one of its parents as a chroot path, if it would."""
    for part in (folder, *folder.parents):
        info = part.stat()
        if info.st_uid != 0 or info.st_mode & 0o022:
            return f"{part} is not root-owned or is group/world-writable"
    return None


def _chroot_parents() -> list[Path]:
    """Where the test server may live: never under /tmp (world-writable)."""
    if os.environ.get("EDIGW_TEST_SSHD_DIR"):
        return [Path(os.environ["EDIGW_TEST_SSHD_DIR"])]
    return [Path.home() / ".cache" / "edigw-sshd", Path("/var/lib/edigw-test-sshd")]


@dataclass
class Sshd:
    base: Path
    chroot: Path
    port: int
    host_key_line: str
    client_key: Path
    process: subprocess.Popen[bytes]
    user: str = "root"

    @property
    def log(self) -> str:
        return (self.base / "sshd.log").read_text(errors="replace")

    def drop_connections(self) -> int:
        """SIGKILL every per-connection sshd process (the listener stays): a real cut-off."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        killed, todo = 0, list(children.get(self.process.pid, []))
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, []))
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        return killed

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.drop_connections()
        shutil.rmtree(self.base, ignore_errors=True)


def start_sshd() -> Sshd:
    binary = _sshd_binary()
    if binary is None:
        support.unavailable(
            "OpenSSH server not installed (apt-get install openssh-server)", required_by=REQUIRED_BY
        )
    assert binary is not None
    if os.geteuid() != 0:
        support.unavailable("sshd's ChrootDirectory needs root to run", required_by=REQUIRED_BY)
    parent, problems = None, []
    for candidate in _chroot_parents():
        try:
            candidate.mkdir(parents=True, exist_ok=True, mode=0o755)
        except OSError as exc:
            problems.append(f"{candidate}: {exc.strerror}")
            continue
        problem = _root_safe(candidate)
        if problem is None:
            parent = candidate
            break
        problems.append(problem)
    if parent is None:
        support.unavailable(
            f"no folder fit for sshd's chroot: {'; '.join(problems)}", required_by=REQUIRED_BY
        )
    assert parent is not None
    base = parent / uuid.uuid4().hex[:10]
    base.mkdir(mode=0o755)
    chroot = base / "chroot"
    chroot.mkdir(mode=0o755)
    for folder in ("outbound", "inbound", "archive"):
        (chroot / folder).mkdir(mode=0o755)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    host_key_line = _write_key(base / "ssh_host_ed25519_key")
    client_key = base / "client_ed25519"
    client_public = _write_key(client_key)
    (base / "authorized_keys").write_text(client_public + " edigw-test\n")
    (base / "authorized_keys").chmod(0o600)
    port = _free_port()
    config = base / "sshd_config"
    config.write_text(
        f"""ListenAddress 127.0.0.1
HostKey {base}/ssh_host_ed25519_key
PidFile {base}/sshd.pid
AuthorizedKeysFile {base}/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
AllowUsers root
Subsystem sftp internal-sftp
LogLevel VERBOSE
Match User root
    ChrootDirectory {chroot}
    ForceCommand internal-sftp
    AllowTcpForwarding no
    X11Forwarding no
"""
    )
    config.chmod(0o600)
    check = subprocess.run([binary, "-t", "-f", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        support.unavailable(f"sshd rejects the test config: {check.stderr.strip()}",
                            required_by=REQUIRED_BY)  # fmt: skip
    log = (base / "sshd.log").open("wb")
    process = subprocess.Popen(
        [binary, "-D", "-e", "-f", str(config), "-p", str(port)], stdout=log, stderr=log
    )
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            text = (base / "sshd.log").read_text(errors="replace")
            shutil.rmtree(base, ignore_errors=True)
            support.unavailable(f"sshd exited at start: {text.strip()}", required_by=REQUIRED_BY)
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                support.unavailable("sshd did not start listening", required_by=REQUIRED_BY)
            time.sleep(0.05)
    return Sshd(base, chroot, port, host_key_line, client_key, process)
