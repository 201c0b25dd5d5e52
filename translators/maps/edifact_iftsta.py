"""EDIFACT IFTSTA <-> ShipmentStatus: one event per STS (inside its CNI consignment), with the
UN/ECE Rec 24 code resolved to a milestone, the original codes kept, the event time from its
DTM (334 first) with the DTM format's zone, and the event's references, place and equipment.
A delivered event gets its signer (`pod_name`) from an FTX signer phrase in its status group
("SIGNED BY J MARTINEZ") or a CTA accepting contact (3139 `AC`); the FTX stays a remark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from translators.canonical.models import (
    Equipment,
    Location,
    OriginalCode,
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
from translators.maps import _edifact as e
from translators.maps import _pod
from translators.maps._common import Findings, add_reference, clean, real
from translators.maps.context import DEFAULT_CONTEXT, MapContext

# DTM qualifiers (2005) that can stand for the event's time, best first
EVENT_TIMES = ("334", "178", "186", "7", "78")
ESTIMATED_ARRIVAL = "132"
# Rec 24 has no "estimate" status: an in-transit status whose only time is an estimated
# arrival (DTM+132) is how an IFTSTA says "ETA updated", and how we write one
ETA_STATUS = "31"
LOCATION_QUALIFIER = "14"  # written: location of goods
# CTA 3139 AC "accepting contact": the department or person in charge of accepting incoming
# goods, which at delivery is who signed for them
SIGNER_CONTACT = "AC"


@dataclass
class _Status:
    sts: Segment
    consignment: str | None
    consignment_document: str | None
    references: References = field(default_factory=dict)
    times: list[Segment] = field(default_factory=list)
    location: Location | None = None
    place: str | None = None  # the LOC qualifier: which side of the trip the event is on
    equipment: Equipment | None = None
    weight: Weight | None = None
    quantity: Quantity | None = None
    remarks: list[str] = field(default_factory=list)
    signer: str | None = None  # an FTX signer phrase or a CTA accepting contact
    in_transport: bool = False  # inside the TDT group: its LOC/DTM describe legs, not the event


def to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> ShipmentStatus:
    context = context or DEFAULT_CONTEXT
    findings = Findings()
    record = ShipmentStatus(source=source)
    refs: References = {}
    statuses: list[_Status] = []
    consignment: str | None = None
    document: str | None = None
    consignment_weight: Weight | None = None
    items = e.body(segments)
    i = 0
    while i < len(items):
        s = items[i]
        current = statuses[-1] if statuses else None
        if s.tag == "BGM":
            record.carrier_reference = clean(s.get(2, 1))
        elif s.tag == "NAD" and consignment is None:
            party, i = e.read_party(items, i, context)
            record.parties.append(party)
            continue
        elif s.tag == "RFF":
            e.read_reference(s, current.references if current else refs, context)
        elif s.tag == "CNI":
            consignment = clean(s.get(1)) or str(len(statuses) + 1)
            document = clean(s.get(2, 1))
            if record.shipment_id is None and document:
                record.shipment_id = document
            consignment_weight = None
        elif s.tag == "CNT" and current is None and s.get(1, 1).strip() == "7":
            consignment_weight = _weight(s.get(1, 2), s.get(1, 3))
        elif s.tag == "STS":
            statuses.append(_Status(s, consignment, document))
            if consignment_weight is not None:
                statuses[-1].weight = consignment_weight
        elif current is not None:
            _status_detail(current, s)
        i += 1
    record.references = refs
    for index, status in enumerate(statuses, start=1):
        record.events.append(_event(status, record, context, findings, f"STS[{index}]"))
    record.warnings = findings.items
    return record


def _weight(value: str, unit: str) -> Weight | None:
    measure = e.read_measure(Segment("MEA", ["WT", "G", (unit, value)]))
    return measure if isinstance(measure, Weight) else None


def _status_detail(current: _Status, s: Segment) -> None:
    if s.tag == "TDT":
        current.in_transport = True
    elif (s.tag == "DTM" and not current.in_transport) or (
        s.tag == "DTM" and s.get(1, 1).strip() == "334"
    ):
        current.times.append(s)
    elif s.tag == "LOC" and not current.in_transport and current.place is None:
        current.place = clean(s.get(1))
        current.location = _location(s)
    elif s.tag == "EQD" and current.equipment is None:
        number = clean(s.get(2, 1))
        if number:
            current.equipment = Equipment(number=number, type_code=clean(s.get(3, 1)))
    elif s.tag == "FTX":
        text = " ".join(v for v in (clean(s.get(4, n)) for n in range(1, 6)) if v)
        if text:
            current.remarks.append(text)
            current.signer = current.signer or _pod.signer_in(text)
    elif s.tag == "CTA" and s.get(1).strip() == SIGNER_CONTACT:
        current.signer = current.signer or clean(s.get(2, 2))
    elif s.tag == "GID":
        current.quantity = e.read_quantity(s.get(2, 1), s.get(2, 2)) or current.quantity
    elif s.tag == "MEA":
        measure = e.read_measure(s)
        if isinstance(measure, Weight) and current.weight is None:
            current.weight = measure


def _location(loc: Segment) -> Location | None:
    code = clean(loc.get(2, 1))
    city = clean(loc.get(2, 4))
    region = clean(loc.get(3, 1))
    country = clean(loc.get(4, 1))
    if country is None and code and len(code) == 5 and code[:2].isalpha():
        country = code[:2]  # a UN/LOCODE starts with the country
    location = Location(code=code, city=city, region=region, country=country)
    return location if any((code, city, region, country)) else None


def _event(
    status: _Status,
    record: ShipmentStatus,
    context: MapContext,
    findings: Findings,
    path: str,
) -> StatusEvent:
    sts = status.sts
    category = clean(sts.get(1, 1))
    code = clean(sts.get(2, 1))
    reason = clean(sts.get(3, 1))
    original = OriginalCode(
        standard="edifact",
        category=category,
        status=code,
        reason=reason,
        text=clean(sts.get(2, 4)),
    )
    # carriers that put their own list into C601 (UPS `STS+1:D2:21`) are matched on it whole
    key = code or ":".join(v for v in (sts.get(1, n).strip() for n in range(1, 4)) if v)
    milestone = (
        codes.rec24_milestone(key, context.status_codes or None, status.place) if key else None
    )
    if milestone is None:
        findings.add("unknown_status_code", f"STS status code {key!r} not known", path)
        milestone = Milestone.UNKNOWN
    location = status.location
    time, assumed = None, False
    qualifiers = {d.get(1, 1).strip() for d in status.times}
    if (
        milestone is Milestone.IN_TRANSIT
        and ESTIMATED_ARRIVAL in qualifiers
        and not qualifiers & set(EVENT_TIMES)
    ):
        milestone = Milestone.ETA_UPDATED
        estimate = next(d for d in status.times if d.get(1, 1).strip() == ESTIMATED_ARRIVAL)
        time, assumed = e.read_time(
            estimate,
            context,
            findings,
            f"{path}.DTM",
            region=location.region if location else None,
            country=location.country if location else None,
        )
    ordered = sorted(
        status.times,
        key=lambda d: (
            EVENT_TIMES.index(d.get(1, 1).strip())
            if d.get(1, 1).strip() in EVENT_TIMES
            else len(EVENT_TIMES)
        ),
    )
    for dtm in ordered:
        if dtm.get(1, 1).strip() not in EVENT_TIMES:
            continue
        time, assumed = e.read_time(
            dtm,
            context,
            findings,
            f"{path}.DTM",
            region=location.region if location else None,
            country=location.country if location else None,
        )
        if time is not None:
            break
    references = {k: list(v) for k, v in status.references.items()}
    if status.consignment_document and status.consignment_document != record.shipment_id:
        add_reference(references, "shipment_id", status.consignment_document)
    return StatusEvent(
        kind=EventKind.STATUS,
        milestone=milestone,
        original=original,
        reason=codes.EDIFACT_REASON.get(reason or ""),
        time=time,
        time_zone_assumed=assumed,
        location=location,
        consignment=status.consignment,
        references=references,
        equipment=status.equipment,
        weight=status.weight,
        quantity=status.quantity,
        pod_name=status.signer if milestone is Milestone.DELIVERED else None,
        remarks=status.remarks,
    )


def from_canonical(
    record: ShipmentStatus,
    version: str = "D96A",
    context: MapContext | None = None,
    reference: str = "1",
) -> list[Segment]:
    """An IFTSTA message (UNH..UNT): one CNI per consignment, one STS group per event.
    Appointment events have no IFTSTA counterpart and are left out."""
    context = context or DEFAULT_CONTEXT
    document = record.carrier_reference or record.shipment_id or "1"
    out = [e.seg("BGM", "23", document, "9")]
    for party in record.parties:
        out.extend(e.write_party(party, context))
    out.extend(e.write_references(record.references, context))
    consignment: str | None = None
    for index, event in enumerate(record.events, start=1):
        sts = _sts(event)
        if sts is None:
            continue
        number = event.consignment or str(index)
        if number != consignment:
            out.append(e.seg("CNI", number, record.shipment_id or ""))
            consignment = number
        out.append(sts)
        out.extend(e.write_references(event.references, context))
        if event.time is not None:
            qualifier = ESTIMATED_ARRIVAL if event.milestone is Milestone.ETA_UPDATED else "334"
            out.append(e.write_time(qualifier, event.time, local=event.time_zone_assumed))
        out.extend(e.free_text("AAI", event.remarks))
        if event.pod_name and not _pod.says_signer(event.remarks, event.pod_name):
            out.extend(e.free_text("AAI", [_pod.signer_text(event.pod_name)]))
        place = codes.PLACE_FOR_MILESTONE.get(event.milestone, LOCATION_QUALIFIER)
        if event.location is not None:
            loc = event.location
            out.append(
                e.seg("LOC", place, e.comp(loc.code, "", "", loc.city), loc.region, loc.country)
            )
        elif place != LOCATION_QUALIFIER:
            out.append(e.seg("LOC", place))  # the side of the trip is part of the meaning
        if event.equipment is not None:
            eq = event.equipment
            out.append(e.seg("EQD", "CN", (eq.initial or "") + eq.number, eq.type_code))
        if event.weight is not None or event.quantity is not None:
            quantity = event.quantity
            out.append(
                e.seg(
                    "GID",
                    "1",
                    e.comp(real(quantity.value), quantity.unit) if quantity else "",
                )
            )
            if event.weight is not None:
                out.append(e.write_weight(event.weight))
    return e.frame("IFTSTA", version, out, reference)


def _sts(event: StatusEvent) -> Segment | None:
    if event.kind is EventKind.APPOINTMENT:
        return None
    original = event.original
    if original is not None and original.standard == "edifact" and original.status:
        event_code = e.comp(original.status, "", "", original.text)
        return e.seg("STS", original.category or "", event_code, original.reason)
    code = codes.MILESTONE_TO_REC24.get(event.milestone)
    if event.milestone is Milestone.ETA_UPDATED:
        code = ETA_STATUS
    if code is None:
        return None
    reason = None
    if original is not None and original.standard == "x12" and original.reason:
        reason = codes.REASON_X12_TO_EDIFACT.get(original.reason)
    return e.seg("STS", "1", code, reason)
