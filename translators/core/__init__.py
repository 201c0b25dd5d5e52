"""What the X12 and EDIFACT engines share: where a thing is (`Location`), what is wrong with
it (`Issue`, with the standard's own codes), and the report shape every analysis returns
(`InterchangeReport` > `GroupReport` > `TransactionReport`)."""

from translators.core.issues import Issue, Level, Severity
from translators.core.location import Location
from translators.core.overlay import NO_OVERLAY, Overlay
from translators.core.report import (
    AnalysisReport,
    GroupReport,
    InterchangeReport,
    Status,
    TransactionReport,
)
from translators.core.segment import Segment, Value

__all__ = [
    "NO_OVERLAY",
    "AnalysisReport",
    "GroupReport",
    "InterchangeReport",
    "Issue",
    "Level",
    "Location",
    "Overlay",
    "Segment",
    "Severity",
    "Status",
    "TransactionReport",
    "Value",
]
