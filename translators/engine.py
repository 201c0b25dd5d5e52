"""One entry point over both standards: tell X12 from EDIFACT and hand the input to the
right engine. Each engine package exposes `analyse(data, ...) -> AnalysisReport`."""

from __future__ import annotations

import importlib
from typing import Any, Literal

from translators.core import AnalysisReport
from translators.core.issues import NotEdiError

Standard = Literal["x12", "edifact"]

_BOM = b"\xef\xbb\xbf"


def sniff(data: bytes) -> Standard:
    """Which standard `data` is, from its first bytes; `NotEdiError` when it is neither."""
    head = data[:512].removeprefix(_BOM).lstrip(b" \t\r\n\x00")
    tag = head[:3].upper()
    if tag == b"ISA" and len(head) > 3:
        return "x12"
    if tag in (b"UNA", b"UNB", b"UNH"):
        return "edifact"
    # a bare transaction set: "ST" then an element separator (punctuation, not a letter/digit)
    if head[:2] == b"ST" and len(head) > 2 and not chr(head[2]).isalnum():
        return "x12"
    raise NotEdiError("the input does not start with ISA, ST, UNA, UNB or UNH")


def analyse(data: bytes, **options: Any) -> AnalysisReport:
    """Parse and validate `data` with the engine of its standard."""
    standard = sniff(data)
    engine = importlib.import_module(f"translators.{standard}")
    report: AnalysisReport = engine.analyse(data, **options)
    return report


def acknowledge(data: bytes, **options: Any) -> bytes:
    """The acknowledgement interchange(s) the gateway would send back for `data` (X12 TA1 /
    997 / 999, EDIFACT CONTRL), from the engine of its standard; b"" when none is due."""
    standard = sniff(data)
    engine = importlib.import_module(f"translators.{standard}")
    acknowledgement: bytes = engine.acknowledge(data, **options)
    return acknowledgement


def interchange_cuts(data: bytes, report: AnalysisReport) -> list[int]:
    """Where to cut `data` (whose analysis is `report`) so that each piece holds one
    interchange: the byte offsets at which the second, third... interchange begins (at its
    UNA when it has one). The pieces together are the input byte for byte; whatever lies
    between two interchanges goes with the later one. Empty for a single interchange, and
    when any interchange has no envelope (a bare ST..SE or UNH..UNT cannot stand alone)."""
    starts: list[int] = []
    for interchange in report.interchanges:
        start = interchange.byte_offset
        if start is None:
            return []
        if report.standard == "edifact":
            # a service string advice (UNA, 9 characters) just before the UNB belongs to it
            una = data.rfind(b"UNA", starts[-1] if starts else 0, start)
            if una >= 0 and not data[una + 9 : start].strip():
                start = una
        starts.append(start)
    cuts = starts[1:]
    return cuts if all(a < b for a, b in zip([0, *cuts], cuts, strict=False)) else []
