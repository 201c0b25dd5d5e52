"""Inbound X12 997 / 999 / TA1 -> FunctionalAck (the outbound ones are built by the engine
from its validation report)."""

from __future__ import annotations

from collections.abc import Sequence

from translators.canonical.models import (
    AckError,
    AcknowledgedTransaction,
    FunctionalAck,
    Source,
)
from translators.canonical.vocab import AckStatus
from translators.core.segment import Segment
from translators.maps import _x12
from translators.maps._common import Findings, clean
from translators.maps.context import MapContext

# AK5-01 / IK5-01 (717) and AK9-01 (715)
STATUS = {
    "A": AckStatus.ACCEPTED,
    "E": AckStatus.ACCEPTED_WITH_ERRORS,
    "P": AckStatus.PARTIALLY_ACCEPTED,
    "R": AckStatus.REJECTED,
    "M": AckStatus.REJECTED,
    "W": AckStatus.REJECTED,
    "X": AckStatus.REJECTED,
}
# TA1-04 interchange acknowledgment code (17)
TA1_STATUS = {"A": AckStatus.ACCEPTED, "E": AckStatus.ACCEPTED_WITH_ERRORS, "R": AckStatus.REJECTED}


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdecimal() else None


def to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> FunctionalAck:
    """A 997 or 999 transaction set (ST..SE)."""
    findings = Findings()
    items = _x12.body(segments)
    st = segments[0] if segments and segments[0].tag == "ST" else None
    kind = "999" if st is not None and st.get(1).strip() == "999" else "997"
    ack = FunctionalAck(ack_type=kind, status=AckStatus.UNKNOWN, source=source)
    current: AcknowledgedTransaction | None = None
    segment_error: AckError | None = None
    for s in items:
        if s.tag == "AK1":
            ack.functional_id = clean(s.get(1))
            ack.group_control_number = clean(s.get(2))
            ack.acknowledged_version = clean(s.get(3))
        elif s.tag == "AK2":
            current = AcknowledgedTransaction(
                type=clean(s.get(1)), control_number=clean(s.get(2)), status=AckStatus.UNKNOWN
            )
            ack.transactions.append(current)
        elif s.tag in ("AK3", "IK3") and current is not None:
            segment_error = AckError(
                code=s.get(4).strip(),
                segment_id=clean(s.get(1)),
                segment_position=_int(s.get(2)),
            )
            current.errors.append(segment_error)
        elif s.tag in ("AK4", "IK4") and current is not None:
            current.errors.append(
                AckError(
                    code=s.get(3).strip(),
                    segment_id=segment_error.segment_id if segment_error else None,
                    segment_position=segment_error.segment_position if segment_error else None,
                    element_position=_int(s.get(1, 1)),
                    component_position=_int(s.get(1, 2)),
                    message=clean(s.get(4)),
                )
            )
        elif s.tag in ("AK5", "IK5") and current is not None:
            code = s.get(1).strip()
            current.status_code = code
            current.status = STATUS.get(code, AckStatus.UNKNOWN)
            for pos in range(2, 7):
                if clean(s.get(pos)):
                    current.errors.append(AckError(code=s.get(pos).strip()))
            current, segment_error = None, None
        elif s.tag == "AK9":
            code = s.get(1).strip()
            ack.status_code = code
            ack.status = STATUS.get(code, AckStatus.UNKNOWN)
            ack.transactions_included = _int(s.get(2))
            ack.transactions_received = _int(s.get(3))
            ack.transactions_accepted = _int(s.get(4))
            for pos in range(5, 10):
                if clean(s.get(pos)):
                    ack.errors.append(AckError(code=s.get(pos).strip()))
    if ack.status is AckStatus.UNKNOWN:
        findings.add("missing_ak9", "no AK9 verdict for the group", "AK9")
    ack.warnings = findings.items
    return ack


def ta1_to_canonical(ta1: Segment, source: Source | None = None) -> FunctionalAck:
    """One TA1 segment (interchange acknowledgement)."""
    code = ta1.get(4).strip()
    note = ta1.get(5).strip()
    return FunctionalAck(
        source=source,
        ack_type="TA1",
        status=TA1_STATUS.get(code, AckStatus.UNKNOWN),
        status_code=code or None,
        interchange_control_number=clean(ta1.get(1)),
        errors=[AckError(code=note)] if note and note != "000" else [],
    )
