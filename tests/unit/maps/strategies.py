"""Hypothesis strategies for canonical records that a standard can carry in full, so that
canonical -> segments -> canonical must give the same record back (docs/canonical.md lists
what each standard cannot carry; those fields are left at their defaults here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from translators.canonical import (
    Address,
    ChargeClass,
    ChargeLine,
    Contact,
    Equipment,
    EventKind,
    FreightInvoice,
    InvoiceKind,
    LoadTender,
    Location,
    Milestone,
    Money,
    OriginalCode,
    Party,
    PaymentMethod,
    Purpose,
    Quantity,
    ShipmentStatus,
    StatusEvent,
    Stop,
    StopKind,
    TenderAction,
    TenderResponse,
    Volume,
    Weight,
)
from translators.codes import charges, status
from translators.codes import qualifiers as q
from translators.maps import x12_204, x12_990

Draw = Any

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ident = st.text(ALNUM, min_size=2, max_size=10)
# free text as partners send it: single spaces, at least two characters (X12 minimum sizes)
words = (
    st.text(ALNUM + " ", min_size=2, max_size=30)
    .map(lambda t: " ".join(t.split()))
    .filter(lambda t: len(t) >= 2)
)
digits = st.text("0123456789", min_size=1, max_size=10)
counts = st.integers(1, 999999).map(Decimal)  # package counts are whole numbers (N0)
package = st.sampled_from(["PC", "CA", "PL", "CT"])
scac = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=4)
currency = st.sampled_from(["USD", "CAD", "EUR", "NOK", "GBP"])
amount = st.decimals(min_value=-99999, max_value=99999, places=2, allow_nan=False)
positive = st.decimals(min_value=Decimal("0.01"), max_value=99999, places=2, allow_nan=False)

# offsets both standards can name (X12 time codes, EDIFACT 205); any other offset would be
# written as the same instant in UTC, which compares equal too
ZONES = [dt.UTC, *(dt.timezone(dt.timedelta(hours=h)) for h in (-8, -7, -6, -5, -4, 1, 2, 9))]
moments = st.builds(
    lambda d, zone: d.replace(tzinfo=zone),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2060, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.sampled_from(ZONES),
)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31))


def _names(table: dict[str, str] | Any) -> list[str]:
    return sorted(set(table.values()))


def references(standard: str) -> st.SearchStrategy[dict[str, list[str]]]:
    table = q.X12_REFERENCE if standard == "x12" else q.EDIFACT_REFERENCE
    foreign = st.text("QWXYZ", min_size=3, max_size=3).map(lambda c: f"{standard}:{c}")
    kinds = st.sampled_from(_names(table)) | foreign
    return st.dictionaries(kinds, st.lists(ident, min_size=1, max_size=2, unique=True), max_size=3)


def weights(units: list[str], qualifiers: list[str | None]) -> st.SearchStrategy[Weight]:
    return st.builds(
        Weight,
        value=positive,
        unit=st.sampled_from(units),
        qualifier=st.sampled_from(qualifiers),
    )


@st.composite
def parties(draw: Draw, standard: str, roles: list[str] | None = None) -> Party:
    table = q.X12_PARTY if standard == "x12" else q.EDIFACT_PARTY
    schemes = _names(q.X12_ID_SCHEME if standard == "x12" else q.EDIFACT_ID_SCHEME)
    role = draw(st.sampled_from(roles or _names(table)))
    with_id = draw(st.booleans())
    name = draw(words) if standard == "x12" and not with_id else draw(st.none() | words)
    address = draw(
        st.none()
        | st.builds(
            Address,
            lines=st.lists(words, max_size=2 if standard == "x12" else 4),
            city=words,
            region=st.none() | st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2),
            postal_code=st.none() | st.text(ALNUM, min_size=3, max_size=9),
            country=st.none() | st.sampled_from(["US", "CA", "DE", "NO"]),
        )
    )
    contacts = draw(
        st.lists(
            st.builds(
                Contact,
                function=st.sampled_from(["IC", "SH", "DC"]),
                name=words if standard == "x12" else st.none() | words,
                phone=st.none() | st.text("0123456789", min_size=5, max_size=12),
                email=st.none(),
            ),
            max_size=1,
        )
    )
    return Party(
        role=role,
        name=name,
        id=draw(ident) if with_id else None,
        id_scheme=draw(st.sampled_from(schemes)) if with_id else None,
        address=address,
        contacts=contacts,
    )


# -- ShipmentStatus -------------------------------------------------------------------------


@st.composite
def x12_events(draw: Draw) -> StatusEvent:
    appointment = draw(st.booleans()) and draw(st.booleans())
    if appointment:
        code = draw(st.sampled_from(sorted(status.X12_APPOINTMENT)))
        original = OriginalCode(standard="x12", appointment=code, appointment_reason="NA")
        kind, milestone, reason = EventKind.APPOINTMENT, Milestone.APPOINTMENT_SET, "NA"
    else:
        # unknown codes are covered by the reader tests: outbound they cannot pass the guide
        code = draw(st.sampled_from(sorted(status.X12_STATUS)))
        reason = draw(st.sampled_from(sorted(set(status.X12_REASON) - {"NA"})))
        original = OriginalCode(standard="x12", status=code, reason=reason)
        kind = EventKind.STATUS
        milestone = status.x12_milestone(code) or Milestone.UNKNOWN
    weight = draw(st.none() | weights(["lb", "kg"], ["gross", "net"]))
    return StatusEvent(
        kind=kind,
        milestone=milestone,
        original=original,
        reason=status.X12_REASON.get(reason),
        time=draw(st.none() | moments),
        location=draw(
            st.none()
            | st.builds(
                Location,
                city=words,
                region=st.none() | st.sampled_from(["ME", "TX", "ON"]),
                country=st.none() | st.sampled_from(["US", "CA", "USA"]),
            )
        ),
        consignment=str(draw(st.integers(1, 999))),
        references=draw(references("x12")),
        equipment=draw(st.none() | st.builds(Equipment, initial=st.none() | scac, number=digits)),
        weight=weight,
        quantity=draw(st.none() | st.builds(Quantity, value=counts)) if weight else None,
        remarks=draw(st.lists(words, max_size=2)),
    )


@st.composite
def edifact_events(draw: Draw) -> StatusEvent:
    code = draw(st.sampled_from(sorted(status.REC24_STATUS)) | st.sampled_from(["Z1", "P"]))
    reason = draw(st.none() | st.sampled_from(sorted(status.EDIFACT_REASON)))
    locode = draw(st.none() | st.sampled_from(["DEHAM", "NOOSL", "USNYC"]))
    location = draw(
        st.none()
        | st.builds(
            Location,
            code=st.just(locode),
            city=st.none() | words,
            region=st.none() | ident,
            country=st.just(locode[:2]) if locode else st.none() | st.just("SE"),
        ).filter(lambda loc: any((loc.code, loc.city, loc.region, loc.country)))
    )
    weight = draw(st.none() | weights(["kg", "lb", "g", "t"], ["gross", "net", None]))
    return StatusEvent(
        milestone=status.rec24_milestone(code) or Milestone.UNKNOWN,
        original=OriginalCode(
            standard="edifact",
            category=draw(st.sampled_from([None, "1"])),
            status=code,
            reason=reason,
            text=draw(st.none() | words),
        ),
        reason=status.EDIFACT_REASON.get(reason or ""),
        time=draw(st.none() | moments),
        location=location,
        consignment=str(draw(st.integers(1, 99))),
        references=draw(references("edifact")),
        equipment=draw(st.none() | st.builds(Equipment, number=ident, type_code=st.none() | ident)),
        weight=weight,
        quantity=draw(st.none() | st.builds(Quantity, value=counts, unit=st.none() | package)),
        remarks=draw(st.lists(words, max_size=2)),
    )


@st.composite
def shipment_statuses(draw: Draw, standard: str) -> ShipmentStatus:
    if standard == "x12":
        refs = draw(references("x12"))
        return ShipmentStatus(
            shipment_id=draw(ident),
            # B10 needs the carrier reference or another reference
            carrier_reference=draw(st.none() | ident) if refs else draw(ident),
            carrier_scac=draw(scac),
            references=refs,
            parties=draw(st.lists(parties("x12"), max_size=3)),
            events=draw(st.lists(x12_events(), max_size=4)),
        )
    return ShipmentStatus(
        shipment_id=draw(st.none() | ident),
        carrier_reference=draw(ident),
        references=draw(references("edifact")),
        parties=draw(st.lists(parties("edifact"), max_size=3)),
        events=draw(st.lists(edifact_events(), min_size=1, max_size=4)),
    )


# -- LoadTender -----------------------------------------------------------------------------


@st.composite
def stops(draw: Draw, standard: str, sequence: int) -> Stop:
    kind = draw(st.sampled_from(list(StopKind)))
    if standard == "x12":
        codes = [c for c, k in x12_204.STOP_KIND.items() if k is kind] or ["CN", "TL", "HT"]
        reason: str | None = draw(st.sampled_from(codes))
        weight = draw(st.none() | weights(["lb", "kg"], [None, "gross", "net"]))
        volume_units = ["ft3", "m3"]
    else:
        reason = None
        weight = draw(st.none() | weights(["kg", "lb", "g", "t"], [None, "gross", "net"]))
        volume_units = ["m3", "ft3", "l", "dm3"]
    party = draw(st.none() | parties(standard))
    if (
        party is not None
        and standard == "edifact"
        and not (party.name or party.id or party.address or party.contacts)
    ):
        party = None  # an empty party is indistinguishable from the stop marker's own NAD
    return Stop(
        sequence=sequence,
        kind=kind,
        reason_code=reason,
        party=party,
        earliest=draw(st.none() | moments),
        latest=draw(st.none() | moments),
        references=draw(references(standard)),
        weight=weight,
        quantity=draw(
            st.none()
            | st.builds(
                Quantity, value=counts, unit=package if standard == "x12" else st.none() | package
            )
        ),
        volume=draw(
            st.none() | st.builds(Volume, value=positive, unit=st.sampled_from(volume_units))
        ),
        notes=draw(st.lists(words, max_size=2)) if standard == "x12" else [],
    )


@st.composite
def load_tenders(draw: Draw, standard: str) -> LoadTender:
    count = draw(st.integers(1, 3))  # a 204 needs a stop, an IFTMIN a NAD
    x12 = standard == "x12"
    roles = None
    if not x12 and count == 0:
        # without stop markers, PW/DP parties become derived stops on the way back in
        roles = [r for r in _names(q.EDIFACT_PARTY) if r not in ("pickup", "delivery")]
    x12_purposes = (Purpose.ORIGINAL, Purpose.CANCELLATION, Purpose.CHANGE, Purpose.REPLACE)
    purposes = list(x12_purposes) if x12 else list(Purpose)
    return LoadTender(
        shipment_id=draw(ident),
        purpose=draw(st.sampled_from(purposes)),
        carrier_scac=draw(scac) if x12 else draw(st.none() | scac),
        payment_method=draw(st.sampled_from(list(PaymentMethod)))
        if x12
        else draw(st.none() | st.sampled_from(list(PaymentMethod))),
        response_due=draw(st.none() | moments) if x12 else None,
        references=draw(references(standard)),
        parties=draw(st.lists(parties(standard, roles), max_size=3)),
        stops=[draw(stops(standard, n)) for n in range(1, count + 1)],
        equipment=draw(
            st.lists(
                st.builds(
                    Equipment,
                    initial=st.none() | scac if x12 else st.none(),
                    number=digits if x12 else ident,
                    type_code=st.none()
                    | st.sampled_from(["TL", "CN"] if x12 else ["TL", "CN", "45G1"]),
                ),
                max_size=2,
            )
        ),
        total_weight=draw(
            st.none()
            | (weights(["lb", "kg"], ["gross", "net"]) if x12 else weights(["kg"], ["gross"]))
        ),
        total_charge=draw(
            st.none()
            | st.builds(Money, amount=amount, currency=st.just("USD") if x12 else currency)
        ),
        notes=draw(st.lists(words, max_size=2)),
    )


# -- FreightInvoice -------------------------------------------------------------------------


@st.composite
def x12_lines(draw: Draw, currency_code: str, number: int) -> ChargeLine:
    code = draw(st.none() | st.sampled_from(sorted(charges.X12_CHARGE)))
    rate = draw(st.none() | positive)
    return ChargeLine(
        line_number=number,
        charge_class=charges.X12_CHARGE[code][0] if code else ChargeClass.LINE_HAUL,
        code=code,
        code_list="x12:150" if code else None,
        description=draw(words),
        amount=Money(amount=draw(amount), currency=currency_code),
        rate=rate,
        rate_qualifier=draw(st.sampled_from(["PH", "FR", "PM"])) if rate is not None else None,
        weight=draw(st.none() | weights(["lb", "kg"], ["gross", "net"])),
    )


@st.composite
def edifact_charges(draw: Draw, currency_code: str) -> ChargeLine:
    value = draw(amount)
    if draw(st.booleans()):
        code = draw(st.sampled_from(sorted(charges.EDIFACT_CHARGE)))
        charge_class, code_list = charges.EDIFACT_CHARGE[code][0], "edifact:7161"
    else:
        code = draw(st.text("QWXYZ", min_size=3, max_size=3))
        charge_class = ChargeClass.DISCOUNT if value < 0 else ChargeClass.OTHER
        code_list = "partner"
    return ChargeLine(
        charge_class=charge_class,
        code=code,
        code_list=code_list,
        description=draw(words),
        amount=Money(amount=value, currency=currency_code),
    )


@st.composite
def edifact_items(draw: Draw, currency_code: str, number: int) -> ChargeLine:
    return ChargeLine(
        line_number=number,
        charge_class=ChargeClass.OTHER,
        code=draw(ident),
        code_list="edifact:item",
        description=draw(st.none() | words),
        amount=Money(amount=draw(amount), currency=currency_code),
        rate=draw(st.none() | positive),
        weight=draw(st.none() | weights(["kg", "lb"], ["gross", "net", None])),
    )


def edifact_taxes(currency_code: str) -> st.SearchStrategy[ChargeLine]:
    return st.builds(
        ChargeLine,
        charge_class=st.just(ChargeClass.TAX),
        code=st.sampled_from(["VAT", "GST"]),
        code_list=st.just("edifact:5153"),
        amount=st.builds(Money, amount=amount, currency=st.just(currency_code)),
    )


@st.composite
def freight_invoices(draw: Draw, standard: str) -> FreightInvoice:
    code = draw(currency)
    x12 = standard == "x12"
    if x12:
        lines = [draw(x12_lines(code, n)) for n in range(1, draw(st.integers(0, 4)) + 1)]
    else:
        # header taxes, header charges, item lines (a tax may follow one), then summary
        # charges: the order an INVOIC can express
        header = draw(st.lists(edifact_taxes(code), max_size=1))
        header += draw(st.lists(edifact_charges(code), max_size=2))
        middle: list[ChargeLine] = []
        for n in range(1, draw(st.integers(0, 3)) + 1):
            middle.append(draw(edifact_items(code, n)))
            middle.extend(draw(st.lists(edifact_taxes(code), max_size=1)))
        trailing = draw(st.lists(edifact_charges(code), max_size=2)) if middle else []
        lines = header + middle + trailing
    shipment = draw(st.none() | ident)
    refs = draw(references(standard))
    if not x12 and shipment is None:
        refs.pop("shipment_id", None)
    if not x12 and shipment is not None and shipment in refs.get("shipment_id", []):
        refs.pop("shipment_id")
    return FreightInvoice(
        invoice_number=draw(ident),
        kind=InvoiceKind.INVOICE if x12 else draw(st.sampled_from(list(InvoiceKind))),
        invoice_date=draw(dates),
        shipment_id=shipment,
        carrier_scac=draw(scac) if x12 else draw(st.none() | scac),
        payment_method=draw(st.sampled_from(list(PaymentMethod)))
        if x12
        else draw(st.none() | st.sampled_from(list(PaymentMethod))),
        currency=code,
        parties=[
            p.model_copy(update={"contacts": []}) if x12 else p
            for p in draw(st.lists(parties(standard), max_size=3))
        ],
        references=refs,
        lines=lines,
        total=Money(amount=draw(amount), currency=code),
        total_weight=draw(st.none() | weights(["lb", "kg"], ["gross", "net"])) if x12 else None,
        delivery_date=draw(st.none() | dates),
        ship_date=draw(st.none() | dates),
    )


# -- TenderResponse (X12 990 only) ----------------------------------------------------------


@st.composite
def tender_responses(draw: Draw, version: str = "005010") -> TenderResponse:
    actions = [a for a in TenderAction if a is not TenderAction.UNKNOWN]
    if version < "004040":  # 004010 answers accept or decline only
        actions = [TenderAction.ACCEPTED, TenderAction.DECLINED]
    action = draw(st.sampled_from(actions))
    refs = draw(references("x12"))
    first = next(iter(refs.items()), None)  # a 990 has room for one N9
    return TenderResponse(
        shipment_id=draw(ident),
        carrier_scac=draw(scac),
        action=action,
        action_code=x12_990.ACTION_CODE[action],
        response_date=draw(st.none() | dates),
        reason_code=draw(st.none() | st.sampled_from(["ACC", "DEC"])),
        remarks=draw(st.lists(words, max_size=2)),
        references={first[0]: first[1][:1]} if first else {},
    )
