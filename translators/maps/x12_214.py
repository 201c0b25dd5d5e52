"""X12 214 Transportation Carrier Shipment Status <-> ShipmentStatus: every AT7 becomes an
event with its milestone and its original codes; appointment-only lines become appointment
events; unknown codes are kept, flagged and mapped to `unknown`. A delivered event gets its
signer (`pod_name`) from an N1 loop with entity code N5 (party who signed the delivery
receipt) or a K1 remark such as "SIGNED BY J MARTINEZ"; the remark stays a remark too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from translators.canonical.models import (
    Equipment,
    Location,
    OriginalCode,
    Party,
    Quantity,
    References,
    ShipmentStatus,
    Source,
    StatusEvent,
    Weight,
)
from translators.canonical.vocab import EventKind, Milestone
from translators.codes import status as codes
from translators.core.segment import Segment
from translators.maps import _pod, _x12
from translators.maps._common import (
    Findings,
    clean,
    decimal,
    real,
    require,
    x12_date_time_code,
    x12_datetime,
)
from translators.maps.context import DEFAULT_CONTEXT, MapContext, MapError


@dataclass
class _Detail:
    """One LX loop while it is read: its AT7 lines and what applies to all of them."""

    number: str | None
    lines: list[tuple[Segment, Location | None, Equipment | None]] = field(default_factory=list)
    references: References = field(default_factory=dict)
    weight: Weight | None = None
    quantity: Quantity | None = None
    remarks: list[str] = field(default_factory=list)
    signer: str | None = None  # who signed for the goods (N1*N5 or a K1 signer phrase)


# N1-01 (98) N5: "Party Who Signed the Delivery Receipt"; a partner whose own code means the
# same maps it to this role in its party table
SIGNER_CODE = "N5"
SIGNER_ROLE = "pod_signer"


def to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> ShipmentStatus:
    context = context or DEFAULT_CONTEXT
    findings = Findings()
    record = ShipmentStatus(source=source)
    refs: References = {}
    details: list[_Detail] = []
    signer: str | None = None  # the transaction's own (heading N1*N5 or K1)
    items = _x12.body(segments)
    i = 0
    while i < len(items):
        s = items[i]
        detail = details[-1] if details else None
        if s.tag == "B10":
            record.carrier_reference = clean(s.get(1))
            record.shipment_id = clean(s.get(2))
            record.carrier_scac = clean(s.get(3))
            if clean(s.get(5)) and clean(s.get(6)):
                _x12.read_reference(Segment("L11", [s.get(6), s.get(5)]), refs, context)
        elif s.tag == "N1" and detail is None:
            party, i = _x12.read_party(items, i, context, refs)
            record.parties.append(party)
            if signer is None and _is_signer(s, party.role):
                signer = party.name
            continue
        elif s.tag == "N1" and detail is not None:  # 5010 style: parties inside the LX loop
            if detail.signer is None and _is_signer(s, None):
                detail.signer = clean(s.get(2))
        elif s.tag == "LX":
            number = s.get(1).strip()
            details.append(
                _Detail(number=str(int(number)) if number.isdecimal() else clean(number))
            )
        elif s.tag == "AT7":
            if detail is None:  # an AT7 before any LX: tolerate, as its own detail
                detail = _Detail(number=None)
                details.append(detail)
            location: Location | None = None
            equipment: Equipment | None = None
            j = i + 1
            while j < len(items) and items[j].tag in ("MS1", "MS2"):
                if items[j].tag == "MS1":
                    location = _location(items[j])
                else:
                    equipment = _equipment(items[j])
                j += 1
            detail.lines.append((s, location, equipment))
            i = j
            continue
        elif s.tag in ("L11", "N9"):
            _x12.read_reference(s, detail.references if detail else refs, context)
        elif s.tag == "AT8" and detail is not None and detail.weight is None:
            detail.weight = _x12.read_weight(s.get(2), s.get(3), s.get(1))
            count = decimal(s.get(4))
            if count is not None:
                detail.quantity = Quantity(value=count)
        elif s.tag == "K1":
            texts = [v for v in (clean(s.get(1)), clean(s.get(2))) if v]
            named = _pod.signer_in(" ".join(texts))
            if detail is not None:
                detail.remarks.extend(texts)
                detail.signer = detail.signer or named
            else:
                signer = signer or named
        i += 1
    record.references = refs
    for d_index, detail in enumerate(details):
        for l_index, (at7, location, equipment) in enumerate(detail.lines):
            path = f"LX[{d_index + 1}].AT7[{l_index + 1}]"
            event = _event(at7, location, equipment, detail, context, findings, path)
            if event.milestone is Milestone.DELIVERED:
                event.pod_name = detail.signer or signer
            record.events.append(event)
    record.warnings = findings.items
    return record


def _is_signer(n1: Segment, role: str | None) -> bool:
    return n1.get(1).strip() == SIGNER_CODE or role == SIGNER_ROLE


def _location(ms1: Segment) -> Location | None:
    location = Location(city=clean(ms1.get(1)), region=clean(ms1.get(2)), country=clean(ms1.get(3)))
    return location if any((location.city, location.region, location.country)) else None


def _equipment(ms2: Segment) -> Equipment | None:
    number = clean(ms2.get(2))
    if number is None:
        return None
    return Equipment(initial=clean(ms2.get(1)), number=number, type_code=clean(ms2.get(3)))


def _event(
    at7: Segment,
    location: Location | None,
    equipment: Equipment | None,
    detail: _Detail,
    context: MapContext,
    findings: Findings,
    path: str,
) -> StatusEvent:
    status, reason = clean(at7.get(1)), clean(at7.get(2))
    appointment, appointment_reason = clean(at7.get(3)), clean(at7.get(4))
    original = OriginalCode(
        standard="x12",
        status=status,
        reason=reason,
        appointment=appointment,
        appointment_reason=appointment_reason,
    )
    kind = EventKind.STATUS
    if status:
        milestone = codes.x12_milestone(status, context.status_codes or None)
        if milestone is None:
            findings.add("unknown_status_code", f"AT7-01 status code {status!r} not known", path)
            milestone = Milestone.UNKNOWN
    elif appointment:
        kind = EventKind.APPOINTMENT
        milestone = Milestone.APPOINTMENT_SET
        if appointment not in codes.X12_APPOINTMENT:
            findings.add(
                "unknown_appointment_code",
                f"AT7-03 appointment code {appointment!r} not known",
                path,
            )
    else:
        findings.add("missing_status_code", "AT7 has neither a status nor an appointment", path)
        milestone = Milestone.UNKNOWN
    time, assumed = x12_datetime(
        at7.get(5),
        at7.get(6),
        at7.get(7),
        context,
        findings,
        path,
        region=location.region if location else None,
        country=location.country if location else None,
    )
    reason_text = codes.X12_REASON.get(reason or appointment_reason or "")
    return StatusEvent(
        kind=kind,
        milestone=milestone,
        original=original,
        reason=reason_text,
        time=time,
        time_zone_assumed=assumed,
        location=location,
        consignment=detail.number,
        references={k: list(v) for k, v in detail.references.items()},
        equipment=equipment,
        weight=detail.weight,
        quantity=detail.quantity,
        remarks=list(detail.remarks),
    )


def from_canonical(
    record: ShipmentStatus,
    version: str = "004010",
    context: MapContext | None = None,
    control_number: str = "0001",
) -> list[Segment]:
    """A 214 transaction set (ST..SE): one LX per event."""
    context = context or DEFAULT_CONTEXT
    out: list[Segment] = []
    reference_segments = _x12.write_references("L11", record.references, context)
    # B10 needs the carrier's reference (B10-01) or some other one (B10-05/06, R0106)
    spare = reference_segments[0] if reference_segments else None
    if not record.carrier_reference and spare is None:
        raise MapError("cannot render: B10 needs the carrier reference or one reference")
    other = ("", "") if record.carrier_reference or spare is None else (spare.get(2), spare.get(1))
    out.append(
        _x12.seg(
            "B10",
            record.carrier_reference or "",
            require(record.shipment_id, _fallback_id(record), "the shipment id (B10-02)"),
            require(record.carrier_scac, context.carrier_scac, "the carrier SCAC (B10-03)"),
            "",
            *other,
        )
    )
    out.extend(reference_segments)
    for party in record.parties:
        out.extend(_x12.write_party(party, context, max_contacts=1))
    # a signer the heading already names (N1*N5) needs no K1 of its own
    named = {" ".join((p.name or "").split()).upper() for p in record.parties if _signer_party(p)}
    for number, event in enumerate(record.events, start=1):
        at7 = _at7(event, version, context)
        if at7 is None:
            continue  # no valid X12 code says what happened (an unknown status)
        lx = event.consignment if event.consignment and event.consignment.isdecimal() else None
        out.append(_x12.seg("LX", lx or str(number)))
        out.append(at7)
        if event.location is not None:
            loc = event.location
            out.append(_x12.seg("MS1", loc.city, loc.region, loc.country))
        if event.equipment is not None:
            out.append(_x12.seg("MS2", *_x12.equipment_codes(event.equipment)))
        out.extend(_x12.write_references("L11", event.references, context))
        out.extend(_x12.remarks("K1", event.remarks, 30))
        out.extend(_signer_remark(event, named))
        if event.weight is not None:
            qualifier, unit, value = _x12.weight_codes(event.weight)
            count = real(event.quantity.value) if event.quantity else None
            out.append(_x12.seg("AT8", qualifier, unit, value, count))
    return _x12.frame("214", out, control_number)


def _signer_party(party: Party) -> bool:
    return party.role in (SIGNER_ROLE, f"x12:{SIGNER_CODE}")


def _signer_remark(event: StatusEvent, named: set[str]) -> list[Segment]:
    """K1 "SIGNED BY <name>" for a delivered event's signer, unless a remark or the
    heading's N1*N5 says it already; a name too long for K1-01 goes whole into K1-02."""
    name = event.pod_name
    if not name or _pod.says_signer(event.remarks, name):
        return []
    if " ".join(name.split()).upper() in named:
        return []
    text = _pod.signer_text(name)
    if len(text) <= 30:
        return [_x12.seg("K1", text)]
    return [_x12.seg("K1", _pod.SIGNED_BY, " ".join(name.split())[:30].rstrip())]


def _at7(event: StatusEvent, version: str, context: MapContext) -> Segment | None:
    original = event.original if event.original and event.original.standard == "x12" else None
    date, clock, zone = ("", "", "")
    if event.time is not None:
        date, clock, zone = x12_date_time_code(event.time, local=event.time_zone_assumed)
    if event.kind is EventKind.APPOINTMENT:
        appointment = (original.appointment if original else None) or "AB"
        appointment_reason = (original.appointment_reason if original else None) or "NA"
        return _x12.seg("AT7", "", "", appointment, appointment_reason, date, clock, zone)
    known = original is not None and (
        original.status in codes.X12_STATUS or original.status in context.status_codes
    )
    if original and original.status and known:
        status, reason = original.status, original.reason
    else:
        # a code outside the standard and partner tables would fail the guide: the
        # milestone's standard code stands in, and an unknown milestone cannot be sent
        status = codes.MILESTONE_TO_X12.get(event.milestone, "")
        reason = original.reason if original and original.standard == "x12" else None
        if event.original and event.original.reason:  # an EDIFACT 9013 reason
            reason = codes.REASON_EDIFACT_TO_X12.get(event.original.reason)
    if not status:
        return None
    # 004010 pairs AT7-01 with AT7-02, so a status without a reason says "normal status"
    if status and not reason and version.startswith("0040") and version < "004030":
        reason = "NS"
    return _x12.seg("AT7", status, reason, "", "", date, clock, zone)


def _fallback_id(record: ShipmentStatus) -> str | None:
    """B10-02 is mandatory: an IFTSTA that names no consignment still has references."""
    for kind in ("shipment_id", "load_id", "bol"):
        if record.references.get(kind):
            return record.references[kind][0]
    return record.carrier_reference
