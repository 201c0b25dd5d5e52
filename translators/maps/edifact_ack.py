"""Inbound EDIFACT CONTRL (syntax report) and APERAK (application acknowledgement) ->
FunctionalAck (the outbound CONTRL is built by the engine from its validation report)."""

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
from translators.maps import _edifact as e
from translators.maps._common import Findings, clean
from translators.maps.context import MapContext

# 0083 action codes; 1-3, 5, 6 are syntax-2 era codes still sent by old systems
ACTION = {
    "4": AckStatus.REJECTED,
    "7": AckStatus.ACCEPTED,
    "8": AckStatus.RECEIVED,
    "1": AckStatus.ACCEPTED,
    "2": AckStatus.ACCEPTED_WITH_ERRORS,
    "3": AckStatus.PARTIALLY_ACCEPTED,
    "5": AckStatus.ACCEPTED,
    "6": AckStatus.REJECTED,
}
# APERAK verdicts: BGM 4343 response type, then BGM 1225 message function
RESPONSE_TYPE = {
    "AP": AckStatus.ACCEPTED,
    "RE": AckStatus.REJECTED,
    "CA": AckStatus.ACCEPTED_WITH_ERRORS,
}
MESSAGE_FUNCTION = {"27": AckStatus.REJECTED, "44": AckStatus.ACCEPTED}


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdecimal() else None


def _error(code: str, tag: str | None, position: str, element: str, component: str) -> AckError:
    return AckError(
        code=code,
        segment_id=tag or None,
        segment_position=_int(position),
        element_position=_int(element),
        component_position=_int(component),
    )


def contrl_to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> FunctionalAck:
    findings = Findings()
    ack = FunctionalAck(ack_type="CONTRL", status=AckStatus.UNKNOWN, source=source)
    current: AcknowledgedTransaction | None = None
    segment_position = ""
    for s in e.body(segments):
        if s.tag == "UCI":
            code = s.get(4).strip()
            ack.interchange_control_number = clean(s.get(1))
            ack.status_code = code or None
            ack.status = ACTION.get(code, AckStatus.UNKNOWN)
            if clean(s.get(5)):
                ack.errors.append(
                    _error(s.get(5).strip(), clean(s.get(6)), "", s.get(7, 1), s.get(7, 2))
                )
        elif s.tag == "UCF":
            ack.group_control_number = clean(s.get(1))
            if clean(s.get(5)):
                ack.errors.append(
                    _error(s.get(5).strip(), clean(s.get(6)), "", s.get(7, 1), s.get(7, 2))
                )
        elif s.tag == "UCM":
            code = s.get(3).strip()
            current = AcknowledgedTransaction(
                control_number=clean(s.get(1)),
                type=clean(s.get(2, 1)),
                status=ACTION.get(code, AckStatus.UNKNOWN),
                status_code=code or None,
            )
            if clean(s.get(4)):
                current.errors.append(
                    _error(s.get(4).strip(), clean(s.get(5)), "", s.get(6, 1), s.get(6, 2))
                )
            ack.transactions.append(current)
        elif s.tag == "UCS" and current is not None:
            segment_position = s.get(1)
            if clean(s.get(2)):
                current.errors.append(_error(s.get(2).strip(), None, segment_position, "", ""))
        elif s.tag == "UCD" and current is not None:
            current.errors.append(
                _error(s.get(1).strip(), None, segment_position, s.get(2, 1), s.get(2, 2))
            )
    rejected = [t for t in ack.transactions if t.status is AckStatus.REJECTED]
    if ack.status is AckStatus.ACCEPTED and rejected:
        # UCI 7 with some UCM 4: the X12 "partially accepted" case
        ack.status = AckStatus.PARTIALLY_ACCEPTED
    if ack.status is AckStatus.UNKNOWN:
        findings.add("missing_uci", "no UCI action code", "UCI")
    ack.transactions_received = len(ack.transactions) or None
    ack.warnings = findings.items
    return ack


def aperak_to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> FunctionalAck:
    items = e.body(segments)
    bgm = next((s for s in items if s.tag == "BGM"), Segment("BGM"))
    errors: list[AckError] = []
    acknowledged: str | None = None
    for s in items:
        if s.tag == "RFF" and s.get(1, 1).strip() == "ACW" and acknowledged is None:
            acknowledged = clean(s.get(1, 2))
        elif s.tag == "ERC":
            errors.append(AckError(code=s.get(1, 1).strip()))
        elif s.tag == "FTX" and errors and errors[-1].message is None:
            text = " ".join(v for v in (clean(s.get(4, n)) for n in range(1, 6)) if v)
            errors[-1].message = text or None
    response_type, function = bgm.get(4).strip(), bgm.get(3).strip()
    status = RESPONSE_TYPE.get(response_type) or MESSAGE_FUNCTION.get(function)
    if status is None:
        status = AckStatus.REJECTED if errors else AckStatus.ACCEPTED
    return FunctionalAck(
        source=source,
        ack_type="APERAK",
        status=status,
        status_code=response_type or function or None,
        transactions=[
            AcknowledgedTransaction(control_number=acknowledged, status=status, errors=errors)
        ],
    )
