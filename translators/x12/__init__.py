"""The X12 engine: streaming tokenizer, envelope checks, guide-driven validation, writer, and
997/999/TA1 acknowledgements. Pure code: it reads only the bytes it is given.

Public API (see docs/x12.md):

- `analyse(data, *, overlay=None) -> AnalysisReport` — parse and validate everything.
- `iter_transactions(data) -> Iterator[ParsedTransaction]` — stream transaction sets with
  their envelope metadata and `Segment`s (memory bounded by the largest transaction).
- `validate_stream(data, *, overlay=None)` — the same, each one guide-validated.
- `parse(data) -> Iterator[Interchange]` — interchanges with their groups and sets.
- `validate(transaction, guide_overlay=None) -> list[Issue]` — guide checks of one set.
- `write(...)`, `build_997`, `build_999`, `build_ta1`, `acknowledge`,
  `parse_acknowledgements`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from translators.core.issues import Issue, NotEdiError
from translators.core.overlay import Overlay
from translators.core.report import AnalysisReport, InterchangeReport
from translators.x12._acks import (
    Acknowledgement,
    GroupAck,
    InterchangeAck,
    SegmentNote,
    TransactionAck,
    acknowledge,
    build_997,
    build_999,
    build_ta1,
    parse_acknowledgements,
)
from translators.x12._envelope import (
    GroupHeader,
    InterchangeHeader,
    ParsedTransaction,
    X12Reader,
)
from translators.x12._tokenizer import Delimiters
from translators.x12._validate import DEFAULT_VERSION, compiled_guide, guide_id_for
from translators.x12._validate import validate_transaction as _validate_transaction
from translators.x12._writer import (
    Envelope,
    WriteError,
    write,
    write_interchange,
    write_segments,
)

__all__ = [
    "DEFAULT_VERSION",
    "Acknowledgement",
    "Delimiters",
    "Envelope",
    "FunctionalGroup",
    "GroupAck",
    "GroupHeader",
    "Interchange",
    "InterchangeAck",
    "InterchangeHeader",
    "ParsedTransaction",
    "SegmentNote",
    "TransactionAck",
    "WriteError",
    "acknowledge",
    "analyse",
    "build_997",
    "build_999",
    "build_ta1",
    "compiled_guide",
    "guide_id_for",
    "iter_transactions",
    "parse",
    "parse_acknowledgements",
    "validate",
    "validate_stream",
    "write",
    "write_interchange",
    "write_segments",
]


def _reader(
    data: object, overlay: Overlay | None, retain: bool, bare_delimiters: Delimiters | None
) -> X12Reader:
    if isinstance(data, str):
        data = data.encode("latin-1", errors="replace")
    return X12Reader(data, overlay=overlay, bare_delimiters=bare_delimiters, retain=retain)


def iter_transactions(
    data: object,
    *,
    overlay: Overlay | None = None,
    bare_delimiters: Delimiters | None = None,
) -> Iterator[ParsedTransaction]:
    """Every transaction set in `data` (bytes, str, a binary file or an iterable of byte
    chunks), with envelope findings in `.report.issues`; not guide-validated."""
    yield from _reader(data, overlay, False, bare_delimiters)


def validate(transaction: ParsedTransaction, guide_overlay: Overlay | None = None) -> list[Issue]:
    """Guide findings for one transaction set (not added to its report)."""
    return _validate_transaction(transaction, guide_overlay, DEFAULT_VERSION)


def validate_stream(
    data: object,
    *,
    overlay: Overlay | None = None,
    default_version: str = DEFAULT_VERSION,
    bare_delimiters: Delimiters | None = None,
) -> Iterator[ParsedTransaction]:
    """Stream every transaction set with envelope and guide findings in `.report`; nothing
    is kept once the caller moves on, so memory stays flat for any input size."""
    for transaction in _reader(data, overlay, False, bare_delimiters):
        transaction.report.issues.extend(
            _validate_transaction(transaction, overlay, default_version)
        )
        yield transaction


def analyse(
    data: object,
    *,
    overlay: Overlay | None = None,
    default_version: str = DEFAULT_VERSION,
    bare_delimiters: Delimiters | None = None,
) -> AnalysisReport:
    """Parse and validate everything in `data`: interchanges, groups and transaction sets with
    their statuses and findings. `NotEdiError` when not a single X12 header can be read."""
    reader = _reader(data, overlay, True, bare_delimiters)
    for transaction in reader:
        transaction.report.issues.extend(
            _validate_transaction(transaction, overlay, default_version)
        )
    if not reader.report.interchanges:
        raise NotEdiError("no X12 interchange (ISA) or transaction set (ST) could be read")
    return reader.report


@dataclass(slots=True)
class FunctionalGroup:
    header: GroupHeader
    transactions: list[ParsedTransaction] = field(default_factory=list)


@dataclass(slots=True)
class Interchange:
    """One interchange with its groups and transaction sets (and its envelope report)."""

    header: InterchangeHeader
    groups: list[FunctionalGroup] = field(default_factory=list)
    report: InterchangeReport | None = None

    def transactions(self) -> list[ParsedTransaction]:
        return [t for g in self.groups for t in g.transactions]


def parse(data: object, *, bare_delimiters: Delimiters | None = None) -> Iterator[Interchange]:
    """Interchanges one at a time, each with its groups, transaction sets and envelope report
    (memory bounded by the largest interchange)."""
    reader = _reader(data, None, True, bare_delimiters)
    open_: dict[int, Interchange] = {}

    def drain() -> Iterator[Interchange]:
        while reader.closed:
            header, report = reader.closed.pop(0)
            interchange = open_.pop(header.ordinal, None) or Interchange(header)
            interchange.report = report
            yield interchange

    for transaction in reader:
        yield from drain()
        ordinal = transaction.interchange.ordinal
        interchange = open_.setdefault(ordinal, Interchange(transaction.interchange))
        if not interchange.groups or interchange.groups[-1].header is not transaction.group:
            interchange.groups.append(FunctionalGroup(transaction.group))
        interchange.groups[-1].transactions.append(transaction)
    yield from drain()
