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
