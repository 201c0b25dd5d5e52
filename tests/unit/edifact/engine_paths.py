"""Runs EDIFACT input through the engine with the compiled helpers and with their pure-Python
twins (translators.edifact.compiled.module set to None: the same code a machine without a C
compiler runs) and gives everything each produces, so tests can assert they are identical."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from translators.edifact import analyse, compiled, validate_stream
from translators.edifact.stream import Source


@contextmanager
def pure_python() -> Iterator[None]:
    """Everything inside runs on the pure-Python twins of the compiled helpers."""
    before = compiled.module
    compiled.module = None
    try:
        yield
    finally:
        compiled.module = before


def outcome(data: Source | Callable[[], Source]) -> Any:
    """All the engine says about `data`: the analysis report and every streamed message
    (type, reference, segments with elements and locations, its report). `data` may be a
    function that makes the input (a stream can be read once only)."""
    make = data if callable(data) else lambda: data
    report = analyse(make()).to_dict()
    streamed = []
    for result in validate_stream(make()):
        message = result.message
        streamed.append(
            (
                message.type,
                message.reference,
                [repr(segment) for segment in message.segments()],
                result.report.to_dict(),
                [issue.to_dict() for issue in message.interchange.issues],
            )
        )
    return json.loads(json.dumps({"report": report, "streamed": streamed}, default=repr))


def both(data: bytes) -> tuple[Any, Any]:
    """(compiled outcome, pure-Python outcome)."""
    fast = outcome(data)
    with pure_python():
        slow = outcome(data)
    return fast, slow


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


# -- inputs -----------------------------------------------------------------------------------

NAMES = ["MUELLER LOGISTIK", "O?'BRIEN HAULAGE", "A?+B?:C??D", "KØBENHAVN", "ACME"]


def traffic(seed: int, interchanges: int = 6) -> bytes:
    """Regular IFTSTA/INVOIC traffic in varied dialects: with and without UNA, syntax 3 and
    4 (repetition), CRLF, LF or no line ends, released characters, a few bad values."""
    rng = random.Random(seed)
    out = []
    for control in range(1, interchanges + 1):
        syntax = rng.choice(["3", "4"])
        line_end = rng.choice(["", "\n", "\r\n"])
        una = rng.choice(["", "UNA:+.? '", "UNA:+,? '", "UNA:+.?*'"])
        if syntax == "4" and una == "":
            una = "UNA:+.?*'"
        messages = []
        for ref in range(1, rng.randint(2, 6)):
            if rng.random() < 0.5:
                body = [
                    f"UNH+{ref}+IFTSTA:D:96A:UN",
                    f"BGM+77+ST{rng.randrange(10**6)}+9",
                    f"DTM+137:2024{rng.randint(1, 13):02d}{rng.randint(1, 31):02d}1200:203",
                    f"NAD+CN+++{rng.choice(NAMES)}",
                    f"CNI+1+SHP{rng.randrange(10**5)}",
                    f"STS+1+{rng.choice(['21', '24', 'X'])}",
                    f"RFF+BM:BL{rng.randrange(10**6)}",
                    f"LOC+175+{rng.choice(['DEHAM', 'NLRTM', ''])}::6",
                    f"MEA+AAE+G+KGM:{rng.choice(['12', '1.5', '-3,25', 'X'])}",
                ]
            else:
                body = [
                    f"UNH+{ref}+INVOIC:D:96A:UN",
                    f"BGM+380+INV{rng.randrange(10**6)}+9",
                    f"DTM+137:2024{rng.randint(1, 12):02d}{rng.randint(1, 30):02d}:102",
                    f"NAD+SE+{rng.randrange(10**6)}::16++{rng.choice(NAMES)}",
                    "CUX+2:EUR:4",
                    f"LIN+1++{rng.randrange(10**6)}:IN",
                    f"QTY+47:{rng.randint(1, 50)}:EA",
                    f"MOA+203:{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}",
                    "UNS+S",
                    f"MOA+77:{rng.randint(1, 99999)}",
                ]
            count = len(body) + 1 + rng.choice([0, 0, 0, 1])
            body.append(f"UNT+{count}+{ref}")
            messages.append(body)
        segments = [f"UNB+UNOC:{syntax}+S{control}:14+R:14+240301:0930+{control}"]
        for body in messages:
            segments += body
        segments.append(f"UNZ+{len(messages)}+{control}")
        out.append(una + line_end * bool(una) + "".join(s + "'" + line_end for s in segments))
    return "".join(out).encode("utf-8")


VALID_SAMPLE = (
    "UNA:+.? 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240301:0930+77'"
    "UNH+M1+IFTSTA:D:96A:UN'BGM+77+FIRST+9'DTM+137:202403010930:203'CNI+1'STS+1+21'UNT+6+M1'"
    "UNH+M2+INVOIC:D:96A:UN'BGM+380+INV?+1+9'DTM+137:20240301:102'UNS+S'MOA+77:12.50'UNT+6+M2'"
    "UNZ+2+77'"
)


def mutated(text: str, kind: str, at: int, length: int, junk: bytes) -> bytes:
    """One mutation of `text`: drop, duplicate, truncate, swap delimiters or inject bytes."""
    at %= max(len(text), 1)
    data = text.encode()
    if kind == "drop":
        return data[:at] + data[at + length :]
    if kind == "duplicate":
        return data[:at] + data[at : at + length] * 2 + data[at + length :]
    if kind == "truncate":
        return data[:at]
    if kind == "swap":
        table = bytes.maketrans(b"+:'", b":'+")
        return data[:at] + data[at : at + length].translate(table) + data[at + length :]
    return data[:at] + junk + data[at:]
