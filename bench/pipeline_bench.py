"""End-to-end pipeline benchmark: interchanges of 10 transactions (214 and 210 mixed) sent
signed and encrypted over AS2 to a running gateway (`edigw serve`), worked by Celery worker
processes on Redis with PostgreSQL, posted into the Odoo emulator (its own process).

Reports the intake rate (AS2 messages/s and documents/s), end-to-end documents/s (first
intake to last posting), p50/p99 intake-to-posted latency, and lost/duplicated documents
(checked in the store and in Odoo), and the CPU seconds each process spent, which say where
the work is whatever else the machine was doing. Everything runs on loopback; the Redis
server, the PostgreSQL database and all processes are the benchmark's own and are removed
after. The partner's messages are signed and encrypted before the clock starts (that work is
the partner's, on its own machine); posting them and verifying every signed MDN is timed.

Usage: python bench/pipeline_bench.py [--interchanges 1000] [--workers 2] [--threads 4]
       [--profile DIR]  (py-spy on PATH: a GIL-sampled profile of every gateway process)
Figures go to bench/results/pipeline.md."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from statistics import quantiles
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

RESULTS = ROOT / "bench" / "results" / "pipeline.md"
PG_ADMIN_URL = os.environ.get(
    "EDIGW_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PER_INTERCHANGE = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), 1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{what} did not come up on port {port}") from None
            time.sleep(0.2)


def _interchange(n: int) -> bytes:
    """Interchange n from the partner: ten 214s (the statuses of one trip, on delivery
    BENCH/OUT/n) when n is even, ten 210s when odd (one functional group holds one kind of
    transaction set)."""
    from translators.core import Segment
    from translators.x12 import Delimiters, Envelope, write

    def tx(control: str, lines: list[str]) -> list[Segment]:
        body = [Segment(t.split("*")[0], t.split("*")[1:]) for t in lines]
        return [*body, Segment("SE", [str(len(body) + 1), control])]

    sets = []
    for t in range(PER_INTERCHANGE):
        control = f"{t + 1:04d}"
        if n % 2 == 0:
            sets.append(tx(control, [
                f"ST*214*{control}", f"B10*PRO{n:06d}*BENCH/OUT/{n}*ACMF", "LX*1",
                f"AT7*X6*NS***20261128*{t:02d}{n % 60:02d}*CT", "MS1*CHICAGO*IL*US",
            ]))  # fmt: skip
        else:
            total = 120000 + t  # within the profile's tolerance of the tendered 1,200.00
            sets.append(tx(control, [
                f"ST*210*{control}",
                f"B3**BENCH-{n}-{t}*WH/OUT/00042*PP**20261128*{total}**20261127*035*ACMF",
                "C3*USD", "LX*1", "L1*1***120000****400", "LX*2", f"L1*2***{total - 120000}****FUE",
                f"L3*1200*G***{total}",
            ]))  # fmt: skip
    envelope = Envelope(
        sender_id="ACMF", sender_qualifier="02", receiver_id="061524983",
        receiver_qualifier="01", application_sender="ACMF", application_receiver="061524983",
        control_number=n, group_control_number=n, functional_id="QM" if n % 2 == 0 else "IM",
        version="004010",
    )  # fmt: skip
    return write(sets, envelope, Delimiters(suffix="\n"))


def _profile(work: Path, keys: dict[str, Path], port: int) -> Path:
    import yaml

    data = yaml.safe_load((ROOT / "partner_profiles/examples/acme-ltl.yaml").read_text())
    data["transports"] = {
        "as2": {
            "our_as2_id": "NORTHWIND-EDI",
            "their_as2_id": "ACMEFREIGHT",
            "url": "http://127.0.0.1:9/unused",
            "our_key": f"file:{keys['our_key']}",
            "our_certificate": f"file:{keys['our_cert']}",
            "their_certificates": [f"file:{keys['their_cert']}"],
        },
        # acknowledgements go to ACME's mailbox on our SFTP server, not back over AS2
        "sftp_mailbox": {
            "username": "acme",
            "public_keys": [
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmZfLSU9p9L74UZ4KE3YuZc6z/SkezPXJcVINJepeWi b"
            ],
        },
        "send_via": "sftp_mailbox",
    }
    data["sla"]["210"].pop("batch_window", None)
    folder = work / "profiles"
    folder.mkdir()
    (folder / "acme-ltl.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interchanges", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="job threads per worker")
    parser.add_argument("--senders", type=int, default=4, help="concurrent AS2 senders")
    parser.add_argument(
        "--profile",
        type=Path,
        help="record each gateway process with py-spy (must be on PATH) into this folder "
        "(the CPU table then counts py-spy, not the process it samples)",
    )
    args = parser.parse_args()

    from concurrent.futures import ThreadPoolExecutor

    import httpx
    from as2_bench import _identity
    from sqlalchemy import create_engine, func, select, text

    from gateway.as2.build import OutboundMessage, build_message
    from gateway.as2.client import _parse_response_mdn, evaluate_mdn
    from gateway.as2.config import PartnerAs2Config, load_certificates, load_key_pair
    from gateway.odoo.client import OdooClient
    from gateway.runtime import Runtime
    from gateway.settings import load_settings
    from gateway.store import Document, Event, Interchange

    work = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    db_name = f"edigw_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{db_name}"
    try:
        our_key, our_cert = _identity("northwind", work)
        their_key, their_cert = _identity("acme", work)
        keys = {"our_key": our_key, "our_cert": our_cert, "their_cert": their_cert}
        redis_port, http_port, odoo_port, sftp_port = (_free_port() for _ in range(4))
        profiles = _profile(work, keys, http_port)
        env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")} | {
            "EDIGW_DATABASE_URL": db_url,
            "EDIGW_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "EDIGW_VAR_DIR": str(work / "var"),
            "EDIGW_PROFILES_DIR": str(profiles),
            "EDIGW_ODOO_URL": f"http://127.0.0.1:{odoo_port}",
            "EDIGW_HTTP_PORT": str(http_port),
            "EDIGW_SFTP_PORT": str(sftp_port),
            "EDIGW_LOG_LEVEL": "WARNING",
        }
        edigw = str(Path(sys.executable).with_name("edigw"))
        logs = work / "logs"
        logs.mkdir()

        names: dict[str, subprocess.Popen[bytes]] = {}

        def start(name: str, argv: list[str]) -> None:
            out = (logs / f"{name}.log").open("wb")
            if args.profile and name != "redis":
                args.profile.mkdir(parents=True, exist_ok=True)
                target = args.profile / f"{name}.txt"
                argv = ["py-spy", "record", "--gil", "-r", "200", "-f", "raw", "-o", str(target),
                        "--", *argv]  # fmt: skip
            # each in a process group of its own, so teardown reaches what it started too
            proc = subprocess.Popen(
                argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
            procs.append(proc)
            names[name] = proc

        redis = shutil.which("redis-server") or "redis-server"
        start("redis", [redis, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--dir", str(work)])  # fmt: skip
        start("odoo", [sys.executable, "-m", "gateway.odoo.emulator", "--port", str(odoo_port),
                       "--db-path", str(work / "odoo.sqlite3")])  # fmt: skip
        _wait_port(redis_port, "redis")
        _wait_port(odoo_port, "odoo emulator")
        start("serve", [edigw, "serve"])
        _wait_port(http_port, "edigw serve")
        for w in range(args.workers):
            start(f"worker-{w}", [edigw, "worker", "--pool", "threads", "-c", str(args.threads),
                                  "--without-gossip", "--without-mingle"])  # fmt: skip

        # one delivery per trip, as in real traffic (copies of the seeded WH/OUT/00042)
        with OdooClient(f"http://127.0.0.1:{odoo_port}", "edigw", "admin", "admin") as odoo:
            (template,) = odoo.search("stock.picking", [["name", "=", "WH/OUT/00042"]])
            for n in range(0, args.interchanges, 2):
                odoo.call(
                    "stock.picking", "copy", {"name": f"BENCH/OUT/{1000 + n}"}, ids=[template]
                )
        partner = PartnerAs2Config(
            partner_id="northwind", partner_as2_id="NORTHWIND-EDI", our_as2_id="ACMEFREIGHT",
            our_keys=[load_key_pair(str(their_key), str(their_cert))],
            partner_certificates=load_certificates(str(our_cert)),
            url=f"http://127.0.0.1:{http_port}/as2",
        )  # fmt: skip
        # The partner's own work (signing, encrypting) happens on its machine: the messages
        # are built before the clock starts, so on this shared 2-core box the partner does
        # not take CPU from the gateway. Posting them and verifying each signed MDN is timed.
        messages = [
            build_message(partner, _interchange(1000 + n), "bench.edi")
            for n in range(args.interchanges)
        ]
        expected = args.interchanges * PER_INTERCHANGE
        clients = threading.local()

        def push(message: OutboundMessage) -> bool:
            client = getattr(clients, "http", None)
            if client is None:
                client = clients.http = httpx.Client(timeout=120)
            response = client.post(partner.url or "", content=message.body, headers=message.headers)
            if response.status_code != 200:
                return False
            mdn = _parse_response_mdn(
                list(response.headers.multi_items()), response.content, partner
            )
            return evaluate_mdn(mdn, message.message_id, message.mics, True) is None

        calls0 = _odoo_calls(odoo_port)
        busy0 = _machine_busy()
        cpu0 = {name: _cpu_seconds(proc.pid) for name, proc in names.items()}
        pg0 = _postgres_cpu()
        own0 = time.process_time()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.senders) as pool:
            delivered = list(pool.map(push, messages))
        intake_s = time.perf_counter() - t0
        if not all(delivered):
            raise SystemExit(f"{delivered.count(False)} AS2 sends failed; see {logs}")

        store = Runtime.from_settings(load_settings(database_url=db_url, var_dir=work / "var"))

        def posted() -> int:
            with store.db.session() as s:
                return int(s.scalar(select(func.count()).where(Document.state == "posted")) or 0)

        deadline = time.monotonic() + 3600
        while posted() < expected and time.monotonic() < deadline:
            time.sleep(1)
        e2e_s = time.perf_counter() - t0
        cpu = {name: _cpu_seconds(proc.pid) - cpu0[name] for name, proc in names.items()}
        busy1 = _machine_busy()
        cpu["postgres (all backends)"] = _postgres_cpu() - pg0
        odoo_calls = _odoo_calls(odoo_port) - calls0
        cpu["benchmark (AS2 senders)"] = time.process_time() - own0
        cpu["whole machine (all processes)"] = busy1[0] - busy0[0]
        utilisation = (busy1[0] - busy0[0]) / max(busy1[1] - busy0[1], 1e-9)
        with store.db.session() as s:
            documents = int(s.scalar(select(func.count()).select_from(Document)) or 0)
            done = posted()
            rows = s.execute(
                select(Interchange.received_at, func.max(Event.at))
                .join(Document, Document.interchange_id == Interchange.id)
                .join(Event, Event.document_id == Document.id)
                .where(Event.to_state == "posted", Interchange.direction == "in")
                .group_by(Document.id, Interchange.received_at)
            ).all()
        latencies = sorted((at - received).total_seconds() for received, at in rows)
        cuts = quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
        with OdooClient(f"http://127.0.0.1:{odoo_port}", "edigw", "admin", "admin") as odoo:
            odoo.connect()
            bodies = odoo.search_read("mail.message", [["model", "=", "stock.picking"]], ["body"])
            bills = odoo.search_read("account.move", [["ref", "like", "BENCH-"]], ["ref"])
        # every status note names its interchange and differs by event time; every bill
        # has its own reference: a repeated body or reference is a double posting
        notes = [str(b["body"]) for b in bodies if "interchange" in str(b["body"])]
        refs = [b["ref"] for b in bills]
        duplicated = (len(notes) - len(set(notes))) + (len(refs) - len(set(refs)))
        lost = expected - done
        figures = {
            "interchanges": args.interchanges,
            "documents": expected,
            "workers": args.workers,
            "threads": args.threads,
            "intake_messages_per_s": args.interchanges / intake_s,
            "intake_documents_per_s": expected / intake_s,
            "end_to_end_documents_per_s": done / e2e_s,
            "p50_latency_s": cuts[49] if cuts else None,
            "p99_latency_s": cuts[98] if cuts else None,
            "stored_documents": documents,
            "lost": lost,
            "duplicated": duplicated,
            "cpu": cpu,
            "utilisation": utilisation,
            "odoo_calls_per_document": odoo_calls / max(done, 1),
        }
        _report(figures)
    finally:
        for proc in reversed(procs):
            # py-spy writes its profile when interrupted; the group gets the signal
            _signal_group(proc, signal.SIGINT if args.profile else signal.SIGTERM)
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
            _signal_group(proc, signal.SIGKILL)  # whatever is left of it
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its reaped children (uvicorn, Celery)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    ticks = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _odoo_calls(port: int) -> int:
    """Object calls the emulator has answered so far (its own counter)."""
    import httpx

    call = {"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}
    answer = httpx.post(f"http://127.0.0.1:{port}/_emulator/stats", json=call, timeout=10)
    return int(answer.json()["result"]["object_calls"])


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def _postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL server process alive now (the backends of this run
    stay connected until the end; other databases' backends count too)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            total += _cpu_seconds(int(stat.parent.name))
    return total


def _machine_busy() -> tuple[float, float]:
    """(busy CPU seconds, all CPU seconds) of the whole machine so far, from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


def _report(f: dict[str, Any]) -> None:
    load = os.getloadavg()
    lines = [
        "# Pipeline benchmark",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.node()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} at the end; Python "
        f"{platform.python_version()}.",
        "",
        f"{f['interchanges']} AS2 messages (signed + encrypted) of {PER_INTERCHANGE} "
        f"transactions each (214s and 210s, alternating), {f['documents']} documents, "
        f"{f['workers']} Celery worker processes ({f['threads']} job threads each), Redis, "
        "PostgreSQL, the Odoo emulator.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| intake (AS2 messages/s) | {f['intake_messages_per_s']:.1f} |",
        f"| intake (documents/s) | {f['intake_documents_per_s']:.1f} |",
        f"| end to end (documents/s, first intake to last posting) | "
        f"{f['end_to_end_documents_per_s']:.1f} |",
        f"| intake-to-posted latency p50 (s) | {f['p50_latency_s']:.1f} |",
        f"| intake-to-posted latency p99 (s) | {f['p99_latency_s']:.1f} |",
        f"| documents stored | {f['stored_documents']} |",
        f"| lost | {f['lost']} |",
        f"| duplicated in Odoo | {f['duplicated']} |",
        f"| Odoo calls per posted document | {f['odoo_calls_per_document']:.2f} |",
        "",
        "CPU seconds per process from first intake to last posting (a load-independent view",
        f"of where the work is); the machine's cores were {100 * f['utilisation']:.0f} % busy",
        "(other work on the machine included):",
        "",
        "| process | CPU s | ms per document |",
        "|---|---:|---:|",
        *(
            f"| {name} | {sec:.1f} | {1000 * sec / f['documents']:.2f} |"
            for name, sec in f["cpu"].items()
        ),
        "",
    ]
    text = "\n".join(lines)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
