"""Benchmark of the Odoo emulator's cost per call as the data it holds grows: the gateway's
call mix (find a picking by name, write it, message_post, xml-id lookup, load() of a bill
and the write of its lines) against databases that already hold 1k and 10k documents.

The emulator is driven in-process through its object service (`execute_kw` with the
integration user's credentials, as odoorpc calls it, minus HTTP and JSON), so the CPU time
measured is the emulator's own. The databases are built once (bench/out/) and copied
before each run, so that two versions of the emulator can be compared on the same data:

    .venv/bin/python bench/odoo_emulator_bench.py --label after
    git worktree add /tmp/emu-before <commit>
    .venv/bin/python bench/odoo_emulator_bench.py --label before --code-root /tmp/emu-before
    .venv/bin/python bench/odoo_emulator_bench.py --report before after
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
DB = "edigw"
INTEGRATION = (6, "edigw")  # uid and password of the seeded integration user
PICKING_FIELDS = [
    "name",
    "state",
    "origin",
    "carrier_tracking_ref",
    "carrier_id",
    "carrier_price",
    "user_id",
    "picking_type_code",
    "partner_id",
    "date_done",
    "scheduled_date",
    "location_id",
]
KINDS = [
    ("search_read picking by name", "find"),
    ("write picking carrier_tracking_ref", "write"),
    ("message_post on picking", "message_post"),
    ("xml-id lookup (check_object_reference)", "xmlid"),
    ("load() bill header with external id", "load"),
    ("write bill lines (2 lines, totals recomputed)", "lines"),
]


def _emulator_module() -> Any:
    from gateway.odoo.emulator import server

    return server


def prepare(path: Path, documents: int) -> None:
    """A demo database plus `documents` of each: an outgoing picking with one move, its
    'Transfer created' note and a status message, its raw-file attachment under an
    external id, and a draft vendor bill (two lines) created through load()."""
    server = _emulator_module()
    from gateway.odoo.emulator.orm import Env

    emulator = server.Emulator(path, seed="demo")
    store = emulator.store
    try:
        with store.transaction() as tx:
            env = Env(server.registry, tx, 2, {}, su=True, version=18, acl=server.ACL)
            out_type = env["stock.picking.type"].search([("code", "=", "outgoing")])[0]
            ptype = env["stock.picking.type"].read([out_type], ["default_location_src_id"])[0]
            src = ptype["default_location_src_id"][0]
            dest = env["stock.location"].search([("usage", "=", "customer")])[0]
            customer = env["res.partner"].search([("is_company", "=", True)])[-1]
            vendor = env["res.partner"].search([("ref", "=", "ACME-FREIGHT")])[0]
            products = env["product.product"].search(
                [("default_code", "in", ["FREIGHT-LINEHAUL", "FREIGHT-FUEL"])]
            )
        step = 250
        for start in range(0, documents, step):
            with store.transaction() as tx:
                env = Env(server.registry, tx, 2, {}, su=True, version=18, acl=server.ACL)
                pickings = env["stock.picking"]
                bills = env["account.move"]
                for i in range(start, min(start + step, documents)):
                    pid = pickings.create(
                        {
                            "picking_type_id": out_type,
                            "partner_id": customer,
                            "origin": f"SO{i:06d}",
                            "carrier_tracking_ref": f"PRO{i:06d}",
                            "location_id": src,
                            "location_dest_id": dest,
                            "move_ids": [
                                [
                                    0,
                                    0,
                                    {
                                        "name": "Pallet",
                                        "product_id": products[0],
                                        "product_uom_qty": 1,
                                        "product_uom": 1,
                                        "location_id": src,
                                        "location_dest_id": dest,
                                    },
                                ]
                            ],
                        }
                    )
                    pickings.message_post([pid], body=f"Picked up ({i})", message_type="comment")
                    env["ir.attachment"].load(
                        ["id", "name", "res_model", "res_id", "datas"],
                        [[f"edigw.raw_{i}", f"{i}.edi", "stock.picking", str(pid), "SVNB"]],
                    )
                    bill = bills.load(
                        ["id", "move_type", "partner_id/.id", "ref", "invoice_date"],
                        [
                            [
                                f"edigw.bill_{i}",
                                "in_invoice",
                                str(vendor),
                                f"INV{i:06d}",
                                "2026-11-02",
                            ]
                        ],
                    )["ids"][0]
                    bills.write(
                        [bill],
                        {
                            "invoice_line_ids": [
                                [0, 0, {"product_id": products[0], "price_unit": 100.0}],
                                [0, 0, {"product_id": products[1], "price_unit": 12.5}],
                            ]
                        },
                    )
                tx.commit()
    finally:
        emulator.close()


def _database(documents: int) -> Path:
    path = OUT / f"odoo_emulator_{documents}.sqlite3"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        building = path.with_suffix(".building")
        for stale in OUT.glob(building.name + "*"):
            stale.unlink()
        started = time.perf_counter()
        prepare(building, documents)
        building.rename(path)
        print(f"built {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def measure(documents: int, calls: int) -> dict[str, Any]:
    """CPU and wall ms per call of each kind, `calls` documents' worth, on a copy."""
    server = _emulator_module()
    source = _database(documents)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "odoo.sqlite3"
        shutil.copyfile(source, path)
        emulator = server.Emulator(path, seed="demo")
        uid, password = INTEGRATION

        def call(model: str, method: str, *args: Any, **kwargs: Any) -> Any:
            return emulator._object(
                "execute_kw", [DB, uid, password, model, method, list(args), kwargs]
            )

        try:
            targets, products, vendor = _targets(call, documents, calls)
            first = time.process_time()
            # untimed warm-up: the first call of a kind decodes its tables from SQLite
            _document(call, targets[0], documents, products, vendor)
            load_cpu = time.process_time() - first
            cpu = {key: 0.0 for _label, key in KINDS}
            wall = {key: 0.0 for _label, key in KINDS}
            load_before = os.getloadavg()
            for n, target in enumerate(targets, start=1):
                steps = _document(call, target, documents + n, products, vendor)
                for key, (spent_cpu, spent_wall) in steps.items():
                    cpu[key] += spent_cpu
                    wall[key] += spent_wall
            load_after = os.getloadavg()
        finally:
            emulator.close()
    return {
        "documents": documents,
        "calls": calls,
        "warmup_cpu_s": round(load_cpu, 3),
        "cpu_ms": {key: round(cpu[key] * 1000 / calls, 3) for key in cpu},
        "wall_ms": {key: round(wall[key] * 1000 / calls, 3) for key in wall},
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }


def _targets(call: Any, documents: int, calls: int) -> tuple[list[tuple[int, str]], list[int], int]:
    """The pickings to post to (spread over the database), the two freight products and
    the carrier's vendor, looked up before timing."""
    every = max(1, documents // calls)
    targets = []
    for n in range(calls):
        index = min(documents - 1, n * every)
        origin = f"SO{index:06d}"
        rows = call("stock.picking", "search_read", [["origin", "=", origin]], ["name"])
        if len(rows) != 1:
            raise RuntimeError(f"picking with origin {origin}: {rows}")
        targets.append((index, rows[0]["name"]))
    products = call(
        "product.product",
        "search",
        [["default_code", "in", ["FREIGHT-LINEHAUL", "FREIGHT-FUEL"]]],
    )
    vendor = call("res.partner", "search", [["ref", "=", "ACME-FREIGHT"]])[0]
    return targets, products, vendor


def measure_http(documents: int, calls: int, root: Path) -> dict[str, Any]:
    """The same documents against the emulator in its own process over JSON-RPC (as the
    pipeline runs it): that process's CPU (user + system, from /proc) per document."""
    import httpx

    source = _database(documents)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "odoo.sqlite3"
        shutil.copyfile(source, path)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway.odoo.emulator",
                "--db-path",
                str(path),
                "--port",
                str(port),
            ],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdout=subprocess.DEVNULL,
        )
        uid, password = INTEGRATION
        try:
            http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
            for _ in range(200):
                try:
                    http.post("/web/webclient/version_info", json={"params": {}})
                    break
                except httpx.TransportError:
                    time.sleep(0.05)

            def call(model: str, method: str, *args: Any, **kwargs: Any) -> Any:
                params = {
                    "service": "object",
                    "method": "execute_kw",
                    "args": [DB, uid, password, model, method, list(args), kwargs],
                }
                answer = http.post(
                    "/jsonrpc", json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
                ).json()
                if "error" in answer:
                    raise RuntimeError(answer["error"]["data"]["message"])
                return answer["result"]

            targets, products, vendor = _targets(call, documents, calls)
            _document(call, targets[0], documents, products, vendor)  # warm-up, untimed
            load_before = os.getloadavg()
            cpu0, wall0 = _process_cpu(process.pid), time.perf_counter()
            for n, target in enumerate(targets, start=1):
                _document(call, target, documents + n, products, vendor)
            cpu1, wall1 = _process_cpu(process.pid), time.perf_counter()
            load_after = os.getloadavg()
            http.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    return {
        "documents": documents,
        "calls": calls,
        "emulator_process_cpu_ms_per_document": round((cpu1 - cpu0) * 1000 / calls, 2),
        "wall_ms_per_document": round((wall1 - wall0) * 1000 / calls, 2),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc; clock-tick resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _document(
    call: Any, target: tuple[int, str], serial: int, products: list[int], vendor: int
) -> dict[str, tuple[float, float]]:
    """One document's calls, as the gateway makes them; (cpu s, wall s) per kind."""
    spent: dict[str, tuple[float, float]] = {}

    def timed(key: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = fn(*args, **kwargs)
        spent[key] = (time.process_time() - cpu0, time.perf_counter() - wall0)
        return result

    index, name = target
    rows = timed(
        "find",
        call,
        "stock.picking",
        "search_read",
        [["name", "in", [name]], ["state", "!=", "cancel"]],
        PICKING_FIELDS,
        order="id desc",
    )
    if len(rows) != 1:
        raise RuntimeError(f"picking {name} not found exactly once: {rows}")
    pid = rows[0]["id"]
    timed(
        "write",
        call,
        "stock.picking",
        "write",
        [pid],
        {"carrier_tracking_ref": f"PRO-{serial}"},
    )
    timed(
        "message_post",
        call,
        "stock.picking",
        "message_post",
        [pid],
        body=f"Delivered ({serial})",
        message_type="comment",
        subtype_xmlid="mail.mt_note",
    )
    found = timed(
        "xmlid", call, "ir.model.data", "check_object_reference", "edigw", f"bill_{index}", True
    )
    if found[0] != "account.move" or not found[1]:
        raise RuntimeError(f"bill_{index} not found: {found}")
    loaded = timed(
        "load",
        call,
        "account.move",
        "load",
        ["id", "move_type", "partner_id/.id", "ref", "invoice_date"],
        [[f"edigw.bench_bill_{serial}", "in_invoice", str(vendor), f"B{serial}", "2026-11-03"]],
    )
    bill = loaded["ids"][0]
    timed(
        "lines",
        call,
        "account.move",
        "write",
        [bill],
        {
            "invoice_line_ids": [
                [0, 0, {"product_id": products[0], "price_unit": 100.0}],
                [0, 0, {"product_id": products[1], "price_unit": 12.5}],
            ]
        },
    )
    return spent


def _report(labels: list[str]) -> str:
    runs = {
        label: json.loads((OUT / f"odoo_emulator_{label}.json").read_text()) for label in labels
    }
    first = runs[labels[0]]
    sizes = [r["documents"] for r in first["results"]]
    lines = [
        "| call | " + " | ".join(f"{label} {size:,}" for size in sizes for label in labels) + " |",
        "|---|" + "---:|" * (len(sizes) * len(labels)),
    ]
    for text, key in KINDS:
        cells = []
        for index in range(len(sizes)):
            for label in labels:
                cells.append(f"{runs[label]['results'][index]['cpu_ms'][key]:.2f}")
        lines.append(f"| {text} | " + " | ".join(cells) + " |")
    cells = []
    for index in range(len(sizes)):
        for label in labels:
            total = sum(runs[label]["results"][index]["cpu_ms"].values())
            cells.append(f"**{total:.2f}**")
    lines.append("| **one document (all six calls)** | " + " | ".join(cells) + " |")
    if all("http" in result for run in runs.values() for result in run["results"]):
        for key, text in (
            ("emulator_process_cpu_ms_per_document", "over HTTP: emulator process CPU ms"),
            ("wall_ms_per_document", "over HTTP: wall ms (client included)"),
        ):
            cells = [
                f"{runs[label]['results'][index]['http'][key]:.2f}"
                for index in range(len(sizes))
                for label in labels
            ]
            lines.append(f"| {text}, one document | " + " | ".join(cells) + " |")
    lines.append("")
    for label in labels:
        run = runs[label]
        for result in run["results"]:
            lines.append(
                f"- {label}, {result['documents']:,} documents: commit {run['commit']}, "
                f"{result['calls']} documents timed, started {run['started']}, load average "
                f"{result['loadavg_before'][0]} before / {result['loadavg_after'][0]} after; "
                f"wall ms per document {sum(result['wall_ms'].values()):.2f}; untimed "
                f"warm-up (tables decoded) {result['warmup_cpu_s']} s CPU"
                + (
                    f"; HTTP run load average {result['http']['loadavg_before'][0]} before / "
                    f"{result['http']['loadavg_after'][0]} after"
                    if "http" in result
                    else ""
                )
            )
    return "\n".join(lines)


def _commit(root: Path) -> str:
    """The checkout's commit, marked when its emulator has uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("log", "-1", "--format=%h", "--", "gateway/odoo/emulator")
    if changed and changed != commit:
        commit += f" (emulator last changed in {changed})"
    if git("status", "--porcelain", "--", "gateway/odoo/emulator"):
        commit += " (+ uncommitted emulator changes)"
    return commit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--calls", type=int, default=100, help="documents timed per size")
    parser.add_argument("--label", default="after")
    parser.add_argument("--code-root", help="import the emulator from this checkout")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument(
        "--http", action="store_true", help="also time the emulator in its own process"
    )
    parser.add_argument("--report", nargs="+", metavar="LABEL", help="print a comparison")
    args = parser.parse_args()
    if args.report:
        print(_report(args.report))
        return
    root = Path(args.code_root).resolve() if args.code_root else Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    import gateway.odoo.emulator

    loaded_from = Path(gateway.odoo.emulator.__file__).resolve()
    if root not in loaded_from.parents:
        raise SystemExit(f"emulator imported from {loaded_from}, not from {root}")
    if args.prepare_only:
        for size in args.sizes:
            _database(size)
        return
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results = []
    for size in args.sizes:
        _database(size)  # built outside the timed run
        result = measure(size, args.calls)
        if args.http:
            result["http"] = measure_http(size, args.calls, root)
        results.append(result)
        print(json.dumps(result), file=sys.stderr)
    run = {
        "label": args.label,
        "commit": _commit(root),
        "started": started,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "results": results,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"odoo_emulator_{args.label}.json").write_text(json.dumps(run, indent=2))
    print(json.dumps(run, indent=2))


if __name__ == "__main__":
    main()
