"""The result of analysing a file: the same shape for X12 and EDIFACT, and the JSON that
`edigw translate` prints. Status is derived from issues, never stored twice."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from translators.core.issues import Issue, Severity


class Status(enum.StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    REJECTED = "rejected"


def _status(issues: list[Issue]) -> Status:
    if any(i.severity is Severity.ERROR for i in issues):
        return Status.REJECTED
    if issues:
        return Status.ACCEPTED_WITH_ERRORS
    return Status.ACCEPTED


@dataclass(slots=True)
class TransactionReport:
    """One ST..SE transaction set or UNH..UNT message."""

    type: str | None  # "214", "IFTSTA"
    version: str | None  # "004010", "D96A"
    control_number: str | None
    issues: list[Issue] = field(default_factory=list)
    segment_count: int = 0
    # filled by the canonical maps when the transaction translates
    canonical: dict[str, Any] | None = None

    @property
    def status(self) -> Status:
        return _status(self.issues)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "version": self.version,
            "control_number": self.control_number,
            "status": self.status.value,
            "segment_count": self.segment_count,
            "errors": [i.to_dict() for i in self.issues],
        }
        if self.canonical is not None:
            out["canonical"] = self.canonical
        return out


@dataclass(slots=True)
class GroupReport:
    """One GS..GE or UNG..UNE group; EDIFACT messages without UNG sit in an implicit group
    (`implicit=True`) so consumers walk one shape."""

    functional_id: str | None  # GS-01 / UNG 0038
    version: str | None
    control_number: str | None
    sender_id: str | None = None
    receiver_id: str | None = None
    implicit: bool = False
    issues: list[Issue] = field(default_factory=list)
    transactions: list[TransactionReport] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """Rejected when the group itself is bad or every transaction is rejected."""
        own = _status(self.issues)
        if own is Status.REJECTED:
            return own
        statuses = {t.status for t in self.transactions}
        if self.transactions and statuses == {Status.REJECTED}:
            return Status.REJECTED
        if own is Status.ACCEPTED_WITH_ERRORS or statuses - {Status.ACCEPTED}:
            return Status.ACCEPTED_WITH_ERRORS
        return Status.ACCEPTED

    def to_dict(self) -> dict[str, Any]:
        return {
            "functional_id": self.functional_id,
            "version": self.version,
            "control_number": self.control_number,
            "sender_id": self.sender_id,
            "receiver_id": self.receiver_id,
            "implicit": self.implicit,
            "status": self.status.value,
            "errors": [i.to_dict() for i in self.issues],
            "transactions": [t.to_dict() for t in self.transactions],
        }


@dataclass(slots=True)
class InterchangeReport:
    standard: str  # "x12" | "edifact"
    version: str | None  # ISA-12 / UNB syntax id and version
    sender_qualifier: str | None
    sender_id: str | None
    receiver_qualifier: str | None
    receiver_id: str | None
    control_number: str | None
    test_indicator: str | None = None  # ISA-15 / UNB 0035
    issues: list[Issue] = field(default_factory=list)
    groups: list[GroupReport] = field(default_factory=list)
    enveloped: bool = True  # False for a bare ST..SE / UNH..UNT
    byte_offset: int | None = None  # where its ISA / UNB starts in the input (enveloped only)

    @property
    def status(self) -> Status:
        own = _status(self.issues)
        if own is Status.REJECTED:
            return own
        groups = {g.status for g in self.groups}
        if own is Status.ACCEPTED_WITH_ERRORS or groups - {Status.ACCEPTED}:
            return Status.ACCEPTED_WITH_ERRORS
        return Status.ACCEPTED

    def transactions(self) -> list[TransactionReport]:
        return [t for g in self.groups for t in g.transactions]

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "version": self.version,
            "sender": {"qualifier": self.sender_qualifier, "id": self.sender_id},
            "receiver": {"qualifier": self.receiver_qualifier, "id": self.receiver_id},
            "control_number": self.control_number,
            "test_indicator": self.test_indicator,
            "enveloped": self.enveloped,
            "status": self.status.value,
            "errors": [i.to_dict() for i in self.issues],
            "groups": [g.to_dict() for g in self.groups],
        }


@dataclass(slots=True)
class AnalysisReport:
    """Everything found in one input: its interchanges and file-level issues (e.g. trailing
    garbage after the last trailer, reported but not fatal)."""

    standard: str
    interchanges: list[InterchangeReport] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def any_rejected(self) -> bool:
        return (
            any(t.status is Status.REJECTED for ic in self.interchanges for t in ic.transactions())
            or any(ic.status is Status.REJECTED for ic in self.interchanges)
            # a rejected group (e.g. GE-02 wrong) rejects its sets even when each one is fine
            or any(g.status is Status.REJECTED for ic in self.interchanges for g in ic.groups)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "interchanges": [ic.to_dict() for ic in self.interchanges],
            "errors": [i.to_dict() for i in self.issues],
        }
