"""EDIFACT IFTMIN <-> LoadTender. Identity and purpose from BGM, notes FTX, totals CNT/MOA,
payment CPI, references RFF, carrier from TDT, parties NAD, equipment EQD.

Stops: IFTMIN has no stop loop, so our writer marks each stop with a place in the transport
group (`LOC+9|11|13+<sequence>::ZZZ` followed by its window DTMs), repeats the marker after
the stop's NAD, and numbers the stop's goods item (GID) with the stop sequence. A partner's
IFTMIN without markers gets a pick-up and a delivery stop built from the despatch
(PW) and delivery (DP) parties and the header collection/delivery dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from translators.canonical.models import (
    Equipment,
    LoadTender,
    Money,
    Party,
    References,
    Source,
    Stop,
    Volume,
    Weight,
)
from translators.canonical.vocab import Purpose, StopKind
from translators.codes import qualifiers as q
from translators.core.segment import Segment
from translators.maps import _edifact as e
from translators.maps._common import Findings, clean, decimal, real
from translators.maps._common import currency as to_currency
from translators.maps.context import DEFAULT_CONTEXT, MapContext, MapError

PURPOSE = {
    "9": Purpose.ORIGINAL,
    "5": Purpose.REPLACE,
    "4": Purpose.CHANGE,
    "1": Purpose.CANCELLATION,
    "7": Purpose.DUPLICATE,
    "31": Purpose.COPY,
}
PURPOSE_CODE = {v: k for k, v in PURPOSE.items()}
STOP_PLACE = {"9": StopKind.PICKUP, "11": StopKind.DELIVERY, "13": StopKind.OTHER}
STOP_PLACE_CODE = {v: k for k, v in STOP_PLACE.items()}
MARKER_AGENCY = "ZZZ"
# window DTM qualifiers (2005): (earliest, latest) per stop kind
WINDOW = {
    StopKind.PICKUP: ("234", "235"),
    StopKind.DELIVERY: ("64", "63"),
    StopKind.OTHER: ("234", "235"),
}
PICKUP_EARLIEST = frozenset({"234", "200", "10"})
DELIVERY_EARLIEST = frozenset({"64", "2", "17"})
LATEST = {"235": StopKind.PICKUP, "63": StopKind.DELIVERY}
DEFAULT_ROLE = {StopKind.PICKUP: "pickup", StopKind.DELIVERY: "delivery", StopKind.OTHER: "notify"}
FREIGHT_CHARGE = "64"  # MOA 5025: freight charge


def _marker(loc: Segment) -> tuple[StopKind, int] | None:
    sequence = loc.get(2, 1).strip()
    kind = STOP_PLACE.get(loc.get(1).strip())
    if kind is None or not sequence.isdecimal() or loc.get(2, 3).strip() != MARKER_AGENCY:
        return None
    return kind, int(sequence)


def _empty(party: Party) -> bool:
    return not (party.name or party.id or party.address or party.contacts)


def to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> LoadTender:
    context = context or DEFAULT_CONTEXT
    findings = Findings()
    items = e.body(segments)
    bgm = next((s for s in items if s.tag == "BGM"), Segment("BGM"))
    shipment_id = clean(bgm.get(2, 1)) or ""
    if not shipment_id:
        findings.add("missing_shipment_id", "BGM document number is empty", "BGM")
    purpose_code = bgm.get(3).strip()
    tender = LoadTender(
        source=source, shipment_id=shipment_id, purpose=PURPOSE.get(purpose_code, Purpose.ORIGINAL)
    )
    cux = next((s for s in items if s.tag == "CUX"), None)
    currency = to_currency(
        cux.get(1, 2) if cux else None, context.default_currency, findings, "CUX"
    )
    refs: References = {}
    stops: dict[int, Stop] = {}
    header_times: list[Segment] = []
    stop_for_times: Stop | None = None
    ref_target: References = refs
    goods_stop: Stop | None = None
    in_goods = False  # FTX inside goods items describe the goods, not the tender
    windows: list[tuple[Stop, Segment]] = []  # resolved at the end, once parties are known
    i = 0
    while i < len(items):
        s = items[i]
        tag = s.tag
        if tag == "DTM":
            if stop_for_times is not None:
                windows.append((stop_for_times, s))
            elif not in_goods:
                header_times.append(s)
        elif tag == "FTX" and not in_goods and stop_for_times is None:
            text = " ".join(v for v in (clean(s.get(4, n)) for n in range(1, 6)) if v)
            if text:
                tender.notes.append(text)
        elif tag == "CNT" and s.get(1, 1).strip() == "7":
            measure = e.read_measure(Segment("MEA", ["WT", "G", (s.get(1, 3), s.get(1, 2))]))
            tender.total_weight = measure if isinstance(measure, Weight) else None
        elif tag == "MOA" and s.get(1, 1).strip() == FREIGHT_CHARGE:
            amount = decimal(s.get(1, 2))
            if amount is not None:
                money_currency = to_currency(s.get(1, 3), currency, findings, "MOA")
                tender.total_charge = Money(amount=amount, currency=money_currency)
        elif tag == "CPI":
            tender.payment_method = q.EDIFACT_PAYMENT.get(s.get(3).strip())
        elif tag == "RFF":
            e.read_reference(s, ref_target, context)
        elif tag == "TDT":
            if s.get(5, 3).strip() == "182" and clean(s.get(5, 1)):
                tender.carrier_scac = clean(s.get(5, 1))
        elif tag == "LOC":
            marker = _marker(s)
            if marker is not None:
                kind, sequence = marker
                stop_for_times = stops.setdefault(sequence, Stop(sequence=sequence, kind=kind))
        elif tag == "NAD":
            stop_for_times, goods_stop = None, None
            places: list[Segment] = []
            party, i = e.read_party(items, i, context, places)
            marker = next((m for m in map(_marker, places) if m is not None), None)
            if marker is not None:
                kind, sequence = marker
                stop = stops.setdefault(sequence, Stop(sequence=sequence, kind=kind))
                if not (_empty(party) and party.role == DEFAULT_ROLE[kind]):
                    stop.party = party
                ref_target = stop.references
            else:
                tender.parties.append(party)
                ref_target = refs
            continue
        elif tag == "GID":
            stop_for_times, in_goods = None, True
            raw = s.get(1).strip()
            goods_stop = stops.get(int(raw)) if raw.isdecimal() else None
            if goods_stop is not None:
                goods_stop.quantity = e.read_quantity(s.get(2, 1), s.get(2, 2))
        elif tag == "MEA" and goods_stop is not None:
            measure = e.read_measure(s)
            if isinstance(measure, Weight):
                goods_stop.weight = measure
            elif isinstance(measure, Volume):
                goods_stop.volume = measure
        elif tag == "EQD":
            stop_for_times, goods_stop = None, None
            number = clean(s.get(2, 1))
            if number:
                tender.equipment.append(Equipment(number=number, type_code=clean(s.get(3, 1))))
        i += 1
    tender.references = refs
    for stop, dtm in windows:
        _window(stop, dtm, context, findings)
    if stops:
        tender.stops = [stops[n] for n in sorted(stops)]
    else:
        tender.stops = _derived_stops(tender.parties, header_times, context, findings)
    tender.warnings = findings.items
    return tender


def _window(stop: Stop, dtm: Segment, context: MapContext, findings: Findings) -> None:
    region = stop.party.address.region if stop.party and stop.party.address else None
    country = stop.party.address.country if stop.party and stop.party.address else None
    moment, assumed = e.read_time(
        dtm, context, findings, f"stop[{stop.sequence}].DTM", region=region, country=country
    )
    if moment is None:
        return
    stop.time_zone_assumed = stop.time_zone_assumed or assumed
    if dtm.get(1, 1).strip() in LATEST:
        stop.latest = moment
    else:
        stop.earliest = moment


def _derived_stops(
    parties: list[Party], times: list[Segment], context: MapContext, findings: Findings
) -> list[Stop]:
    """Pick-up and delivery stops of an IFTMIN that has no stop markers."""

    def party(*roles: str) -> Party | None:
        for role in roles:
            for candidate in parties:
                if candidate.role == role:
                    return candidate
        return None

    out: list[Stop] = []
    plan = (
        (StopKind.PICKUP, party("pickup"), PICKUP_EARLIEST, "235"),
        (StopKind.DELIVERY, party("delivery"), DELIVERY_EARLIEST, "63"),
    )
    for kind, who, earliest_codes, latest_code in plan:
        stop = Stop(sequence=len(out) + 1, kind=kind, party=who)
        for dtm in times:
            qualifier = dtm.get(1, 1).strip()
            if (qualifier in earliest_codes and stop.earliest is None) or qualifier == latest_code:
                _window(stop, dtm, context, findings)
        if stop.party is not None or stop.earliest is not None or stop.latest is not None:
            stop.sequence = len(out) + 1
            out.append(stop)
    return out


def from_canonical(
    tender: LoadTender,
    version: str = "D96A",
    context: MapContext | None = None,
    reference: str = "1",
) -> list[Segment]:
    """An IFTMIN message (UNH..UNT) with the stop markers described above."""
    context = context or DEFAULT_CONTEXT
    if not tender.stops and not tender.parties:
        raise MapError("cannot render: an IFTMIN needs a party (NAD) or a stop")
    out = [e.seg("BGM", "610", tender.shipment_id, PURPOSE_CODE.get(tender.purpose, "9"))]
    if tender.total_charge is not None:
        money = tender.total_charge
        out.append(e.seg("MOA", e.comp(FREIGHT_CHARGE, real(money.amount), money.currency)))
    out.extend(e.free_text("AAI", tender.notes))
    if tender.total_weight is not None:
        weight = tender.total_weight
        unit = q.EDIFACT_WEIGHT_UNIT_CODE[weight.unit]
        out.append(e.seg("CNT", e.comp("7", real(weight.value), unit)))
    out.extend(e.write_references(tender.references, context))
    if tender.payment_method is not None:
        out.append(e.seg("CPI", "", "", q.EDIFACT_PAYMENT_CODE[tender.payment_method]))
    carrier = e.comp(tender.carrier_scac, "172", "182") if tender.carrier_scac else ""
    out.append(e.seg("TDT", "20", "", "3", "", carrier))
    for stop in tender.stops:
        earliest_code, latest_code = WINDOW[stop.kind]
        written = False
        for code, moment in ((earliest_code, stop.earliest), (latest_code, stop.latest)):
            if moment is not None:
                # D96A allows one DTM per place: each end of the window gets its own marker
                out.append(_stop_marker(stop))
                out.append(_time(code, moment, stop.time_zone_assumed))
                written = True
        if not written:
            out.append(_stop_marker(stop))
    for party in tender.parties:
        out.extend(e.write_party(party, context))
    for stop in tender.stops:
        party = stop.party or Party(role=DEFAULT_ROLE[stop.kind])
        role_code = q.code_for(
            party.role, q.EDIFACT_PARTY_CODE, "edifact", context.party_roles or None
        )
        group = e.write_party(
            party, context, role_code=role_code or "DP", after_nad=[_stop_marker(stop)]
        )
        if not group:  # a role EDIFACT cannot name: the stop keeps the default one
            default = Party(role=DEFAULT_ROLE[stop.kind])
            group = e.write_party(default, context, after_nad=[_stop_marker(stop)])
        out.extend(group)
        out.extend(e.write_references(stop.references, context))
    for stop in tender.stops:
        if stop.quantity is None and stop.weight is None and stop.volume is None:
            continue
        quantity = stop.quantity
        count = e.comp(real(quantity.value), quantity.unit) if quantity else ""
        out.append(e.seg("GID", str(stop.sequence), count))
        if stop.weight is not None:
            out.append(e.write_weight(stop.weight))
        if stop.volume is not None:
            out.append(e.write_volume(stop.volume))
    for equipment in tender.equipment:
        number = (equipment.initial or "") + equipment.number
        out.append(e.seg("EQD", "CN", number, equipment.type_code))
    return e.frame("IFTMIN", version, out, reference)


def _stop_marker(stop: Stop) -> Segment:
    return e.seg("LOC", STOP_PLACE_CODE[stop.kind], e.comp(str(stop.sequence), "", MARKER_AGENCY))


def _time(qualifier: str, moment: dt.datetime, local: bool) -> Segment:
    return e.write_time(qualifier, moment, local=local)
