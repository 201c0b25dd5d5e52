"""X12 204 Motor Carrier Load Tender <-> LoadTender: B2/B2A identity and purpose, heading
references and parties, equipment, and one Stop per S5 loop with its party, G62 window,
references and weights."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from translators.canonical.models import (
    Equipment,
    LoadTender,
    Money,
    Quantity,
    References,
    Source,
    Stop,
    Volume,
)
from translators.canonical.vocab import PaymentMethod, Purpose, StopKind
from translators.codes import qualifiers as q
from translators.core.segment import Segment
from translators.maps import _x12
from translators.maps._common import (
    Findings,
    clean,
    decimal,
    implied,
    n2,
    real,
    require,
    x12_date_time_code,
    x12_datetime,
)
from translators.maps.context import DEFAULT_CONTEXT, MapContext, MapError

PURPOSE = {
    "00": Purpose.ORIGINAL,
    "01": Purpose.CANCELLATION,
    "04": Purpose.CHANGE,
    "05": Purpose.REPLACE,
}
PURPOSE_CODE = {v: k for k, v in PURPOSE.items()}

STOP_KIND = {
    "CL": StopKind.PICKUP,
    "LD": StopKind.PICKUP,
    "PL": StopKind.PICKUP,
    "CU": StopKind.DELIVERY,
    "UL": StopKind.DELIVERY,
    "PU": StopKind.DELIVERY,
}
STOP_CODE = {StopKind.PICKUP: "LD", StopKind.DELIVERY: "UL", StopKind.OTHER: "CN"}

# G62 date qualifiers (432) that open and close a stop's window, and "must respond by"
EARLIEST = frozenset({"37", "53", "10", "69", "70", "68", "02", "64"})
LATEST = frozenset({"38", "54"})
WINDOW_CODES = {
    StopKind.PICKUP: (("37", "I"), ("38", "K")),
    StopKind.DELIVERY: (("53", "G"), ("54", "L")),
    StopKind.OTHER: (("37", "I"), ("38", "K")),
}


def to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> LoadTender:
    context = context or DEFAULT_CONTEXT
    findings = Findings()
    items = _x12.body(segments)
    b2 = next((s for s in items if s.tag == "B2"), Segment("B2"))
    shipment_id = clean(b2.get(4)) or ""
    if not shipment_id:
        findings.add("missing_shipment_id", "B2-04 shipment identification is empty", "B2-04")
    tender = LoadTender(
        source=source,
        shipment_id=shipment_id,
        carrier_scac=clean(b2.get(2)),
        payment_method=q.X12_PAYMENT.get(b2.get(6).strip()),
    )
    refs: References = {}
    i = 0
    stop: Stop | None = None
    stop_region: tuple[str | None, str | None] = (None, None)
    pending_windows: list[Segment] = []
    while i < len(items):
        s = items[i]
        if s.tag == "B2A":
            code = s.get(1).strip()
            tender.purpose = PURPOSE.get(code, Purpose.ORIGINAL)
            if code and code not in PURPOSE:
                findings.add("unknown_purpose", f"B2A-01 purpose {code!r} not known", "B2A-01")
        elif s.tag == "S5":
            if stop is not None:
                _close_stop(stop, pending_windows, stop_region, context, findings)
                tender.stops.append(stop)
            stop, pending_windows, stop_region = _open_stop(s, findings), [], (None, None)
        elif s.tag in ("L11", "N9"):
            _x12.read_reference(s, stop.references if stop else refs, context)
        elif s.tag == "G62":
            if stop is not None:
                pending_windows.append(s)
            elif s.get(1).strip() == "64":
                tender.response_due, _ = x12_datetime(
                    s.get(2), s.get(4), s.get(5), context, findings, "G62"
                )
        elif s.tag == "NTE":
            text = clean(s.get(2))
            if text:
                (stop.notes if stop else tender.notes).append(text)
        elif s.tag == "N1":
            party, i = _x12.read_party(items, i, context, None if stop else refs)
            if stop is None:
                tender.parties.append(party)
            elif stop.party is None:
                stop.party = party
                if party.address is not None:
                    stop_region = (party.address.region, party.address.country)
            continue
        elif s.tag == "N7":
            number = clean(s.get(2))
            if number:
                tender.equipment.append(
                    Equipment(initial=clean(s.get(1)), number=number, type_code=clean(s.get(11)))
                )
        elif s.tag == "AT8" and stop is not None and stop.weight is None:
            stop.weight = _x12.read_weight(s.get(2), s.get(3), s.get(1))
        elif s.tag in ("OID", "L5", "LAD", "PLD", "AT5", "G61", "LH6"):
            # order and lading detail: not part of the canonical tender yet; the stop keeps
            # its own totals from S5/AT8
            i = _skip_detail(items, i)
            continue
        elif s.tag == "L3":
            tender.total_weight = _x12.read_weight(s.get(12) or "L", s.get(1), s.get(2))
            amount = implied(s.get(5), 2)
            if amount is not None:
                tender.total_charge = Money(amount=amount, currency=context.default_currency)
        i += 1
    if stop is not None:
        _close_stop(stop, pending_windows, stop_region, context, findings)
        tender.stops.append(stop)
    tender.references = refs
    tender.warnings = findings.items
    return tender


def _skip_detail(items: Sequence[Segment], i: int) -> int:
    """Past one detail segment and the segments that belong to it (never past a stop,
    party or summary segment)."""
    i += 1
    while i < len(items) and items[i].tag in ("L5", "AT8", "G61", "LAD", "PLD", "LH6", "G62"):
        i += 1
    return i


def _open_stop(s5: Segment, findings: Findings) -> Stop:
    raw = s5.get(1).strip()
    sequence = int(raw) if raw.isdecimal() else 0
    if not raw.isdecimal():
        findings.add("invalid_stop_sequence", f"S5-01 {raw!r} is not a number", "S5-01")
    reason = clean(s5.get(2))
    stop = Stop(
        sequence=sequence, kind=STOP_KIND.get(reason or "", StopKind.OTHER), reason_code=reason
    )
    stop.weight = _x12.read_weight(s5.get(4), s5.get(3))
    count = decimal(s5.get(5))
    if count is not None and count != 0:
        stop.quantity = Quantity(value=count, unit=clean(s5.get(6)))
    volume = decimal(s5.get(7))
    unit = q.X12_VOLUME_UNIT.get(s5.get(8).strip())
    if volume is not None and volume != 0 and unit:
        stop.volume = Volume(value=volume, unit=unit)
    return stop


def _close_stop(
    stop: Stop,
    windows: list[Segment],
    region: tuple[str | None, str | None],
    context: MapContext,
    findings: Findings,
) -> None:
    for g62 in windows:
        qualifier = g62.get(1).strip()
        moment, assumed = x12_datetime(
            g62.get(2),
            g62.get(4),
            g62.get(5),
            context,
            findings,
            f"S5[{stop.sequence}].G62",
            region=region[0],
            country=region[1],
        )
        if moment is None:
            continue
        stop.time_zone_assumed = stop.time_zone_assumed or assumed
        if qualifier in LATEST:
            stop.latest = moment
        elif qualifier in EARLIEST or stop.earliest is None:
            stop.earliest = moment


def from_canonical(
    tender: LoadTender,
    version: str = "004010",
    context: MapContext | None = None,
    control_number: str = "0001",
) -> list[Segment]:
    """A 204 transaction set (ST..SE)."""
    context = context or DEFAULT_CONTEXT
    if not tender.stops:
        raise MapError("cannot render: a 204 needs at least one stop (S5)")
    if tender.purpose not in PURPOSE_CODE:
        raise MapError(f"cannot render: a 204 has no purpose code for a {tender.purpose.value}")
    payment = q.X12_PAYMENT_CODE.get(tender.payment_method or PaymentMethod.PREPAID, "PP")
    scac = require(tender.carrier_scac, context.carrier_scac, "the carrier SCAC (B2-02)")
    out = [
        _x12.seg("B2", "", scac, "", tender.shipment_id, "", payment),
        _x12.seg("B2A", PURPOSE_CODE[tender.purpose], "LT"),
    ]
    out.extend(_x12.write_references("L11", tender.references, context))
    if tender.response_due is not None:
        out.append(_g62("64", "1", tender.response_due))
    out.extend(_x12.remarks("NTE", tender.notes, 80))
    for party in tender.parties:
        out.extend(_x12.write_party(party, context))
    for unit in tender.equipment:
        initial, number, code = _x12.equipment_codes(unit)
        out.append(_x12.seg("N7", initial, number, *[""] * 8, code))
    for stop in tender.stops:
        out.extend(_write_stop(stop, context))
    if tender.total_weight is not None or tender.total_charge is not None:
        weight = _x12.weight_codes(tender.total_weight) if tender.total_weight else None
        out.append(
            _x12.seg(
                "L3",
                weight[2] if weight else "",
                weight[0] if weight else "",
                "",
                "",
                n2(tender.total_charge.amount) if tender.total_charge else "",
                *[""] * 6,
                weight[1] if weight else "",
            )
        )
    return _x12.frame("204", out, control_number)


def _g62(qualifier: str, time_qualifier: str, moment: dt.datetime, local: bool = False) -> Segment:
    date, clock, zone = x12_date_time_code(moment, local=local)
    return _x12.seg("G62", qualifier, date, time_qualifier, clock, zone)


def _write_stop(stop: Stop, context: MapContext) -> list[Segment]:
    reason = stop.reason_code
    if reason is None or STOP_KIND.get(reason, StopKind.OTHER) is not stop.kind:
        reason = STOP_CODE[stop.kind]
    # a weight with a gross/net qualifier needs AT8; a bare one fits in S5
    weight = _x12.weight_codes(stop.weight) if stop.weight and not stop.weight.qualifier else None
    volume_unit = q.X12_VOLUME_UNIT_CODE.get(stop.volume.unit) if stop.volume else None
    out = [
        _x12.seg(
            "S5",
            str(stop.sequence),
            reason,
            weight[2] if weight else "",
            weight[1] if weight else "",
            # S5-05 and S5-06 go together (P0506): a count without its unit stays out
            real(stop.quantity.value) if stop.quantity and stop.quantity.unit else "",
            (stop.quantity.unit or "") if stop.quantity else "",
            real(stop.volume.value) if stop.volume and volume_unit else "",
            volume_unit or "",
        )
    ]
    out.extend(_x12.write_references("L11", stop.references, context))
    first, last = WINDOW_CODES[stop.kind]
    if stop.earliest is not None:
        out.append(_g62(first[0], first[1], stop.earliest, stop.time_zone_assumed))
    if stop.latest is not None:
        out.append(_g62(last[0], last[1], stop.latest, stop.time_zone_assumed))
    if stop.weight is not None and stop.weight.qualifier:
        qualifier, unit, value = _x12.weight_codes(stop.weight)
        out.append(_x12.seg("AT8", qualifier, unit, value))
    out.extend(_x12.remarks("NTE", stop.notes, 80))
    if stop.party is not None:
        out.extend(_x12.write_party(stop.party, context))
    return out
