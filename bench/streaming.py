"""What the engine benchmarks share: validating one large file as a stream in a fresh
interpreter and reading back its counts, time and peak memory."""

from __future__ import annotations

import subprocess
import sys
import time


def run_stream_child(code: str, unit: str) -> tuple[int, float, float, float, float]:
    """Run `code` (which prints: count, ru_maxrss KB, VmHWM KB, CPU s, count not clean) in a
    fresh interpreter: (count, wall s, CPU s, peak RSS MB from getrusage, peak RSS MB from
    /proc VmHWM). Linux carries the parent's peak across fork+exec into ru_maxrss, so call
    this before the parent loads anything big; VmHWM (the child's image alone) is beside it."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    count, kilobytes, hwm, cpu, bad = done.stdout.split()
    if int(bad):
        raise SystemExit(f"{bad} generated {unit} did not validate cleanly")
    return int(count), seconds, float(cpu), int(kilobytes) / 1024, int(hwm) / 1024
