"""EDIFACT throughput in one run on one deterministic corpus of IFTSTA and INVOIC interchanges:
a plain split baseline, our tokenizer, our full validation (envelopes + guides), and pydifact's
parser on the same bytes, with the ratios; then the peak RSS of validating one ~200 MB
interchange as a stream in a child process. Wall and CPU time are both printed (the machine
is shared). Usage: python bench/edifact_bench.py [--mb 50] [--single-mb 200]."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streaming import run_stream_child  # noqa: E402  (bench/, beside this file)

from translators.edifact import Tokenizer, analyse  # noqa: E402
from translators.edifact.syntax import decode  # noqa: E402

OUT = ROOT / "bench" / "out"
STATUS = ["21", "24", "13", "1", "31", "74", "23", "20"]
PLACES = ["DEHAM", "NLRTM", "BEANR", "FRPAR", "PLWAW", "SEGOT", "DKAAR", "ITMIL"]
# one name in eight needs the release character, as in real traffic
NAMES = [
    "MUELLER LOGISTIK GMBH",
    "O?'BRIEN HAULAGE LTD",
    "KOEBENHAVN TRANSPORT AS",
    "ACME FREIGHT",
    "NORDIC ROAD CARRIERS",
    "TRANSPORTES IBERICOS SA",
    "WAREHOUSE 7 BV",
    "BALTIC SHIPPING",
]


def _stamp(rng: random.Random) -> str:
    return f"2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 23):02d}00"


def _iftsta(rng: random.Random, ref: int) -> list[str]:
    segments = [
        f"UNH+{ref}+IFTSTA:D:96A:UN",
        f"BGM+77+ST{rng.randrange(10**8):08d}+9",
        f"DTM+137:{_stamp(rng)}:203",
        f"NAD+CA+CARR{rng.randrange(1000):03d}::87",
    ]
    for consignment in range(1, rng.randint(2, 4)):
        segments += [
            f"CNI+{consignment}+SHP{rng.randrange(10**7):07d}",
            f"STS+1+{rng.choice(STATUS)}",
            f"RFF+BM:BL{rng.randrange(10**9):09d}",
            f"RFF+CU:PO{rng.randrange(10**6):06d}",
            f"DTM+334:2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}1212:203",
            f"NAD+CN+++{rng.choice(NAMES)}",
            f"LOC+175+{rng.choice(PLACES)}::6",
            f"TDT+20+V{rng.randrange(1000)}+3",
            f"EQD+CN+TRHU{rng.randrange(10**7):07d}+45G1:102:5",
            f"MEA+AAE+G+KGM:{rng.randint(100, 30000)}",
        ]
    return segments


def _invoic(rng: random.Random, ref: int) -> list[str]:
    segments = [
        f"UNH+{ref}+INVOIC:D:96A:UN",
        f"BGM+380+INV{rng.randrange(10**8):08d}+9",
        f"DTM+137:2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}:102",
        f"RFF+ON:{rng.randrange(10**6)}",
        f"NAD+SE+{rng.randrange(10**9)}::16++{rng.choice(NAMES)}",
        f"NAD+BY+{rng.randrange(10**9)}::16++{rng.choice(NAMES)}",
        "CUX+2:EUR:4",
    ]
    total = 0
    for line in range(1, rng.randint(3, 8)):
        amount = rng.randint(100, 99999)
        total += amount
        segments += [
            f"LIN+{line}++{rng.randrange(10**6)}:IN",
            f"IMD+F++:::FREIGHT CHARGE {line}",
            f"QTY+47:{rng.randint(1, 50)}:EA",
            f"MOA+203:{amount / 100:.2f}",
            f"PRI+INV:{rng.randint(1, 999)}.{rng.randint(0, 99):02d}",
        ]
    segments += ["UNS+S", f"MOA+77:{total / 100:.2f}", "ALC+C+FC", f"MOA+8:{rng.randint(1, 999)}"]
    return segments


def generate(target_bytes: int, seed: int = 1996) -> bytes:
    """Interchanges of 1..20 messages each, alternating IFTSTA and INVOIC, until the target."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    control = 0
    while size < target_bytes:
        control += 1
        messages = []
        for ref in range(1, rng.randint(2, 21)):
            body = (_iftsta if control % 2 else _invoic)(rng, ref)
            body.append(f"UNT+{len(body) + 1}+{ref}")
            messages.append("'\n".join(body))
        # default delimiters, so no UNA: pydifact refuses a second UNA in one input
        head = f"UNB+UNOC:3+SENDER{control % 7}:14+RECEIVER:14+240301:0930+{control}'\n"
        text = head + "'\n".join(messages) + f"'\nUNZ+{len(messages)}+{control}'\n"
        parts.append(text)
        size += len(text.encode("utf-8"))
    return "".join(parts).encode("utf-8")


def generate_single(path: Path, target_bytes: int, seed: int = 2001) -> None:
    """One interchange of alternating IFTSTA and INVOIC messages, written as it is made."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        head = "UNB+UNOC:3+SENDER1:14+RECEIVER:14+240301:0930+1'\n"
        out.write(head.encode())
        size, ref = len(head), 0
        while size < target_bytes:
            ref += 1
            body = (_iftsta if ref % 2 else _invoic)(rng, ref)
            body.append(f"UNT+{len(body) + 1}+{ref}")
            text = "'\n".join(body) + "'\n"
            out.write(text.encode())
            size += len(text)
        out.write(f"UNZ+{ref}+1'\n".encode())


STREAM_CHILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from translators.edifact import validate_stream
count = bad = 0
start = time.process_time()
with open({path!r}, "rb") as handle:
    for result in validate_stream(handle):
        count += 1
        bad += bool(result.report.issues)
cpu = time.process_time() - start
hwm = 0
with open("/proc/self/status") as status:  # VmHWM: peak RSS of this process image only
    for line in status:
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(count, usage, hwm, cpu, bad)
"""


def streaming_peak_rss(path: Path) -> tuple[int, float, float, float, float]:
    """Validate the file as a stream in a fresh interpreter (see `run_stream_child`); run it
    before this process reads anything big."""
    return run_stream_child(STREAM_CHILD.format(root=str(ROOT), path=str(path)), "messages")


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best (wall, CPU) seconds over `repeat` runs; CPU time is the fairer figure while other
    work shares the machine."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def split_baseline(data: bytes) -> int:
    text = data.decode("utf-8")
    return sum(len(s.split("+")) for s in text.split("'"))


def tokenize(data: bytes) -> int:
    """Our lexer: segments with tags and positions, elements parsed on demand."""
    return sum(len(batch) for batch in Tokenizer(decode(data).text).batches())


def tokenize_elements(data: bytes) -> int:
    """Our lexer with every segment's elements and components parsed."""
    return sum(len(elements) for _, elements, _ in Tokenizer(decode(data).text))


def validate(data: bytes) -> int:
    report = analyse(data)
    return sum(len(ic.transactions()) for ic in report.interchanges)


def pydifact_parse(data: bytes) -> int:
    from pydifact.parser import Parser

    return sum(1 for _ in Parser().parse(data.decode("utf-8")))


def prefix(data: bytes, limit: int) -> bytes:
    """The first whole interchanges of `data` within `limit` bytes."""
    if len(data) <= limit:
        return data
    cut = data.rfind(b"UNB+", 0, limit)
    return data[:cut] if cut > 0 else data[:limit]


def main() -> None:
    warnings.filterwarnings("ignore")  # pydifact warns about every directory it lacks
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per measurement")
    parser.add_argument(
        "--single-mb",
        type=float,
        default=200.0,
        help="size of the one-interchange file validated as a stream for peak RSS (0 = skip)",
    )
    parser.add_argument(
        "--pydifact-mb",
        type=float,
        default=5.0,
        help="pydifact reads this many MB of the same corpus (it runs under 1 MB/s); 0 = all",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before")
    rss = None
    if args.single_mb:
        single = OUT / f"edifact_single_{args.single_mb:g}mb.edi"
        if not single.exists():
            generate_single(single, int(args.single_mb * 1_000_000))
        count, seconds, cpu, rss, hwm = streaming_peak_rss(single)
        size = single.stat().st_size / 1e6
        rss = min(rss, hwm)
        print(
            f"streaming validation of {single.relative_to(ROOT)} ({size:.0f} MB, one "
            f"interchange, {count} messages): wall {seconds:.1f} s ({size / seconds:.2f} MB/s), "
            f"CPU {cpu:.1f} s ({size / cpu:.2f} MB/s), peak RSS {rss:.0f} MB (getrusage), "
            f"{hwm:.0f} MB (VmHWM); load average {os.getloadavg()[0]:.2f}"
        )
    path = OUT / f"edifact_{args.mb:g}mb.edi"
    if not path.exists():
        path.write_bytes(generate(int(args.mb * 1_000_000)))
    data = path.read_bytes()
    mb = len(data) / 1_000_000
    sample = data if args.pydifact_mb == 0 else prefix(data, int(args.pydifact_mb * 1_000_000))
    sample_mb = len(sample) / 1_000_000
    print(
        f"corpus {path.relative_to(ROOT)}: {mb:.1f} MB, "
        f"{data.count(b'UNB+')} interchanges, {data.count(b'UNH+')} messages"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")
    results: dict[str, tuple[float, float]] = {}
    print(f"{'':36} {'wall s':>8} {'MB/s':>8} {'CPU s':>8} {'MB/s':>8}")
    for name, fn, size in (
        ("split baseline", lambda: split_baseline(data), mb),
        ("our tokenizer (lexemes)", lambda: tokenize(data), mb),
        ("our tokenizer + all elements", lambda: tokenize_elements(data), mb),
        ("our full validation", lambda: validate(data), mb),
        (f"pydifact Parser ({sample_mb:.1f} MB)", lambda: pydifact_parse(sample), sample_mb),
    ):
        wall, cpu = timed(fn, args.repeat)
        results[name] = (size / wall, size / cpu)
        print(f"{name:36} {wall:8.2f} {size / wall:8.2f} {cpu:8.2f} {size / cpu:8.2f}")
    full = results["our full validation"]
    pyd = next(v for k, v in results.items() if k.startswith("pydifact"))
    split = results["split baseline"]
    print(
        f"full validation / pydifact parser: {full[0] / pyd[0]:.1f}x wall, "
        f"{full[1] / pyd[1]:.1f}x CPU"
    )
    print(
        f"full validation / split baseline: {full[0] / split[0]:.2f}x wall, "
        f"{full[1] / split[1]:.2f}x CPU"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    met = full[1] >= 10 and full[1] >= 10 * pyd[1] and (rss is None or rss < 150)
    print("targets (CPU: >= 10 MB/s, >= 10x pydifact; < 150 MB RSS):", "met" if met else "NOT met")


if __name__ == "__main__":
    main()
