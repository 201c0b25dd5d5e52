"""Parsed inbound acknowledgements in one shape for both standards (997 / 999 / TA1 and CONTRL /
APERAK): which interchange, group and transaction of ours the partner accepted, accepted with
errors, partially accepted, only received, or rejected, and why. Field names and status values
follow `translators.canonical.models.FunctionalAck`, so mapping one onto the other is direct."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class AckStatus(enum.StrEnum):
    ACCEPTED = "accepted"  # 997 A / CONTRL action 7 with nothing rejected / APERAK accepted
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"  # 997 E (no EDIFACT equivalent)
    PARTIALLY_ACCEPTED = "partially_accepted"  # 997 P / UCI 7 with some UCM 4
    REJECTED = "rejected"  # 997 R / action 4 / APERAK rejected
    RECEIVED = "received"  # CONTRL action 8: receipt only, no verdict yet
    UNKNOWN = "unknown"  # a code the parser does not know (kept in status_code)


@dataclass(slots=True)
class AckError:
    """One reported problem, with the standard's own code (AK3-04, AK4-03, IK3, 0085, ERC)."""

    code: str
    segment_id: str | None = None
    segment_position: int | None = None
    element_position: int | None = None
    component_position: int | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in _fields(self).items() if v is not None}


@dataclass(slots=True)
class AcknowledgedTransaction:
    """AK2/AK5 (IK5) or UCM: one of our transactions / messages."""

    control_number: str | None
    type: str | None
    status: AckStatus
    status_code: str | None = None  # AK5-01 / IK5-01 / UCM 0083 as sent
    version: str | None = None
    errors: list[AckError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "control_number": self.control_number,
            "type": self.type,
            "version": self.version,
            "status": self.status.value,
            "status_code": self.status_code,
            "errors": [e.to_dict() for e in self.errors],
        }


@dataclass(slots=True)
class AcknowledgedGroup:
    """AK1..AK9 or UCF: one of our functional groups (EDIFACT messages without UNG sit in an
    implicit group, as in the analysis report)."""

    control_number: str | None
    functional_id: str | None
    status: AckStatus
    status_code: str | None = None
    version: str | None = None
    implicit: bool = False
    transactions_included: int | None = None
    transactions_received: int | None = None
    transactions_accepted: int | None = None
    transactions: list[AcknowledgedTransaction] = field(default_factory=list)
    errors: list[AckError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "control_number": self.control_number,
            "functional_id": self.functional_id,
            "version": self.version,
            "implicit": self.implicit,
            "status": self.status.value,
            "status_code": self.status_code,
            "transactions_included": self.transactions_included,
            "transactions_received": self.transactions_received,
            "transactions_accepted": self.transactions_accepted,
            "errors": [e.to_dict() for e in self.errors],
            "transactions": [t.to_dict() for t in self.transactions],
        }


@dataclass(slots=True)
class Acknowledgement:
    """One inbound acknowledgement, about one interchange of ours (TA1-01 / UCI 0020) and the
    groups and transactions in it."""

    standard: str  # "x12" | "edifact"
    ack_type: str  # "997" | "999" | "TA1" | "CONTRL" | "APERAK"
    status: AckStatus
    status_code: str | None = None  # AK9-01 / TA1-04 / UCI 0083 / APERAK verdict, as sent
    interchange_control_number: str | None = None  # of the acknowledged interchange
    sender_id: str | None = None  # the acknowledged interchange's sender (us)
    receiver_id: str | None = None
    reference: str | None = None  # the acknowledgement's own control number / message ref
    groups: list[AcknowledgedGroup] = field(default_factory=list)
    errors: list[AckError] = field(default_factory=list)  # interchange level

    def transactions(self) -> list[AcknowledgedTransaction]:
        return [t for g in self.groups for t in g.transactions]

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "ack_type": self.ack_type,
            "status": self.status.value,
            "status_code": self.status_code,
            "interchange_control_number": self.interchange_control_number,
            "sender_id": self.sender_id,
            "receiver_id": self.receiver_id,
            "reference": self.reference,
            "errors": [e.to_dict() for e in self.errors],
            "groups": [g.to_dict() for g in self.groups],
        }


def _fields(error: AckError) -> dict[str, Any]:
    return {
        "code": error.code,
        "segment_id": error.segment_id,
        "segment_position": error.segment_position,
        "element_position": error.element_position,
        "component_position": error.component_position,
        "message": error.message,
    }
