"""Throughput of a 50 MB upload and download through the hosted SFTP server (MB/s).

Clients: OpenSSH's `sftp` and paramiko. Peer in the same run: OpenSSH's own sshd with
internal-sftp (when it is installed and we are root), so our numbers sit next to theirs.
An upload through our server counts until the close is answered, i.e. including intake
(hashing, the blob store copy with fsync, the database row). Writes bench/results/sftp.md.

    .venv/bin/python bench/sftp_bench.py [--size-mb 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import paramiko  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: E402

from gateway.runtime import Runtime  # noqa: E402
from gateway.settings import load_settings  # noqa: E402
from gateway.sftp import MailboxConfig, MailboxLimits, StaticMailboxDirectory  # noqa: E402
from gateway.sftp.mailbox import place_outbound  # noqa: E402
from gateway.sftp.server import serve  # noqa: E402

RESULTS = REPO / "bench" / "results" / "sftp.md"


@dataclass
class Target:
    """An SFTP server to measure: where it is and how to log in."""

    label: str
    port: int
    user: str
    key: Path
    known_hosts: Path
    upload_path: str  # remote path for the upload
    download_path: str  # remote path of a ready file of the same size


@dataclass
class Row:
    server: str
    client: str
    direction: str
    seconds: list[float]
    size: int

    def mbps(self, seconds: float) -> float:
        return self.size / (1024 * 1024) / seconds


def write_key(path: Path) -> str:
    private = ed25519.Ed25519PrivateKey.generate()
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
    return public.decode()


def openssh(target: Target, script: str, cwd: Path) -> float:
    """Seconds for one OpenSSH sftp batch (connection set-up included)."""
    cmd = [
        "sftp", "-b", "-", "-P", str(target.port), "-i", str(target.key),
        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", f"UserKnownHostsFile={target.known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
        f"{target.user}@127.0.0.1",
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(cmd, input=script, capture_output=True, text=True, cwd=cwd)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"sftp failed against {target.label}: {done.stderr.strip()}")
    return elapsed


def openssh_transfer(target: Target, script: str, cwd: Path) -> float:
    # Subtract a session that only logs in, so the figure is the transfer itself.
    return openssh(target, script, cwd) - openssh(target, "pwd\n", cwd)


def paramiko_session(target: Target) -> tuple[paramiko.Transport, paramiko.SFTPClient]:
    transport = paramiko.Transport(("127.0.0.1", target.port))
    transport.connect(username=target.user, pkey=paramiko.PKey.from_path(target.key))
    sftp = paramiko.SFTPClient.from_transport(transport)
    assert sftp is not None
    return transport, sftp


def paramiko_upload(target: Target, local: Path) -> float:
    transport, sftp = paramiko_session(target)
    try:
        started = time.perf_counter()
        with local.open("rb") as fh:
            sftp.putfo(fh, target.upload_path, file_size=local.stat().st_size, confirm=True)
        return time.perf_counter() - started
    finally:
        transport.close()


def paramiko_download(target: Target, local: Path) -> float:
    transport, sftp = paramiko_session(target)
    try:
        started = time.perf_counter()
        with local.open("wb") as fh:
            sftp.getfo(target.download_path, fh)
        return time.perf_counter() - started
    finally:
        transport.close()


def measure(
    target: Target, payload: Path, work: Path, repeat: int, reset: Callable[[], None]
) -> list[Row]:
    size = payload.stat().st_size
    rows = []
    cases: list[tuple[str, str, Callable[[], float]]] = [
        ("OpenSSH sftp", "upload",
         lambda: openssh_transfer(target, f"put {payload} {target.upload_path}\n", work)),
        ("OpenSSH sftp", "download",
         lambda: openssh_transfer(target, f"get {target.download_path} fetched.bin\n", work)),
        ("paramiko", "upload", lambda: paramiko_upload(target, payload)),
        ("paramiko", "download", lambda: paramiko_download(target, work / "fetched.bin")),
    ]  # fmt: skip
    for client, direction, run in cases:
        seconds = []
        for _ in range(repeat):
            reset()
            seconds.append(run())
        if direction == "download":
            assert (work / "fetched.bin").stat().st_size == size
        rows.append(Row(target.label, client, direction, seconds, size))
        print(f"{target.label:28} {client:13} {direction:8} "
              f"median {rows[-1].mbps(statistics.median(seconds)):7.1f} MB/s")  # fmt: skip
    return rows


def ours(work: Path, payload: Path) -> tuple[Target, Callable[[], None], Callable[[], None]]:
    runtime = Runtime.from_settings(load_settings(var_dir=work / "var"))
    public = write_key(work / "client_key")
    directory = StaticMailboxDirectory(
        [MailboxConfig("bench", "bench", (public,), MailboxLimits(max_file_size=1 << 34))]
    )
    server = serve(runtime, directory, "127.0.0.1", 0, work / "host_key")
    known = work / "known_hosts_ours"
    known.write_text(f"[127.0.0.1]:{server.port} {server.host_key_line}\n")
    root = runtime.settings.var_dir / "sftp"
    with payload.open("rb") as fh:
        place_outbound(root, "bench", "ready.bin", iter(lambda: fh.read(1 << 20), b""))
    target = Target("edigw hosted (paramiko)", server.port, "bench", work / "client_key", known,
                    "/inbound/upload.bin", "/outbound/ready.bin")  # fmt: skip

    def reset() -> None:
        # the last session's upload moves to archive/ as that session ends: wait for it
        deadline = time.monotonic() + 30
        while server.active_sessions("bench") and time.monotonic() < deadline:
            time.sleep(0.01)
        # each upload is a new file for intake (else it is a recorded duplicate, same cost)
        for folder in ("inbound", "archive"):
            for path in (root / "bench" / folder).iterdir():
                path.unlink(missing_ok=True)

    def stop() -> None:
        server.stop()
        runtime.close()

    return target, reset, stop


def openssh_peer(payload: Path) -> tuple[Target, Callable[[], None], Callable[[], None]] | None:
    try:
        from tests.integration.sftp.sshd import start_sshd

        sshd = start_sshd()
    except BaseException as exc:  # pytest's skip outcome when sshd cannot run here
        print(f"OpenSSH sshd peer not measured: {exc}")
        return None
    shutil.copyfile(payload, sshd.chroot / "outbound" / "ready.bin")
    known = sshd.base / "known_hosts"
    known.write_text(f"[127.0.0.1]:{sshd.port} {sshd.host_key_line}\n")
    target = Target("OpenSSH sshd internal-sftp", sshd.port, sshd.user, sshd.client_key, known,
                    "/inbound/upload.bin", "/outbound/ready.bin")  # fmt: skip

    def reset() -> None:
        for path in (sshd.chroot / "inbound").iterdir():
            path.unlink()

    return target, reset, sshd.stop


def tool_version(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
        return (done.stderr or done.stdout).strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def write_report(rows: list[Row], size_mb: int, repeat: int) -> None:
    lines = [
        "# SFTP throughput",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M UTC} by `bench/sftp_bench.py`: one "
        f"{size_mb} MB file of random bytes, {repeat} runs each, over loopback on "
        f"{os.cpu_count()} CPU cores shared with other work (load average "
        f"{os.getloadavg()[0]:.2f} at the end); {tool_version(['ssh', '-V'])}, "
        f"paramiko {paramiko.__version__}, Python {platform.python_version()}.",
        "",
        "| server | client | transfer | median MB/s | best MB/s | median s |",
        "|---|---|---|---:|---:|---:|",
    ]
    for row in rows:
        median = statistics.median(row.seconds)
        lines.append(
            f"| {row.server} | {row.client} | {row.direction} | {row.mbps(median):.1f} | "
            f"{row.mbps(min(row.seconds)):.1f} | {median:.2f} |"
        )
    lines += [
        "",
        "Notes:",
        "- An upload to the edigw server is timed until the client's close is answered, and "
        "the server answers only after intake stored the file (sha256, blob copy with fsync, "
        "database row), so it includes the cost of taking the file in.",
        "- OpenSSH client figures subtract a log-in-only session measured right after; "
        "paramiko figures time the transfer on an open session.",
        "- The server keeps paramiko's default window and packet sizes.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print(f"written to {RESULTS.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("sftp") is None:
        sys.exit("OpenSSH's sftp client is needed (apt-get install openssh-client)")
    with tempfile.TemporaryDirectory(prefix="edigw-sftp-bench-") as tmp:
        work = Path(tmp)
        payload = work / "payload.bin"
        with payload.open("wb") as out:
            for _ in range(args.size_mb):
                out.write(os.urandom(1 << 20))
        rows: list[Row] = []
        for setup in (ours, lambda w, p: openssh_peer(p)):
            prepared = setup(work, payload)
            if prepared is None:
                continue
            target, reset, stop = prepared
            try:
                rows += measure(target, payload, work, args.repeat, reset)
            finally:
                stop()
        write_report(rows, args.size_mb, args.repeat)


if __name__ == "__main__":
    main()
