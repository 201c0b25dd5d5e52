"""EDIFACT IFTSTA, INVOIC, IFTMIN, IFTMBC maps on hand-built messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.unit.maps.segments import edifact
from translators.canonical import ChargeClass, InvoiceKind, Milestone, StopKind, TenderAction
from translators.maps import (
    MapContext,
    edifact_iftmbc,
    edifact_iftmin,
    edifact_iftsta,
    edifact_invoic,
)

pytestmark = pytest.mark.unit

IFTSTA = edifact(
    "UNH+1+IFTSTA:D:96A:UN'BGM+23+STAT1+9'NAD+CA+CARR:160:87'RFF+BM:BOL1'"
    "CNI+1+CONS1'STS+1+21+7'RFF+CU:C55'DTM+334:202403011430UTC:303'FTX+AAI+++LEFT AT GATE'"
    "LOC+14+DEHAM:::HAMBURG'EQD+CN+MSKU1234567+45G1'"
    "TDT+20+V1+1'LOC+9+NOOSL'DTM+186:202402201200:203'"
    "STS+1+31'DTM+334:202402281000:203'LOC+14+NOOSL'"
    "CNI+2+CONS2'STS++Z9'DTM+334:202402270815-0100:205'"
    "UNT+20+1'"
)


def test_iftsta_events_with_rec24_codes_and_their_originals() -> None:
    status = edifact_iftsta.to_canonical(IFTSTA)
    assert status.carrier_reference == "STAT1"
    assert status.shipment_id == "CONS1"
    assert status.references == {"bol": ["BOL1"]}
    assert [e.milestone for e in status.events] == [
        Milestone.DELIVERED,
        Milestone.IN_TRANSIT,
        Milestone.UNKNOWN,
    ]
    first = status.events[0]
    assert first.original is not None
    assert (first.original.category, first.original.status, first.original.reason) == (
        "1",
        "21",
        "7",
    )
    assert first.reason == "business closed"
    assert first.references == {"customer_ref": ["C55"]}
    assert first.remarks == ["LEFT AT GATE"]
    assert first.location is not None and first.location.country == "DE"
    assert first.equipment is not None and first.equipment.number == "MSKU1234567"


def test_iftsta_times_honour_the_dtm_format() -> None:
    events = edifact_iftsta.to_canonical(IFTSTA).events
    # 303 with UTC; the transport leg's DTM+186 is not the event's time
    assert events[0].time == dt.datetime(2024, 3, 1, 14, 30, tzinfo=dt.UTC)
    assert not events[0].time_zone_assumed
    # 203 is local: Oslo in winter is UTC+1, assumed from the place and flagged
    assert events[1].time == dt.datetime(2024, 2, 28, 9, 0, tzinfo=dt.UTC)
    assert events[1].time_zone_assumed
    # 205 carries its own offset
    assert events[2].time == dt.datetime(2024, 2, 27, 9, 15, tzinfo=dt.UTC)


def test_iftsta_unknown_code_flagged_and_second_consignment_kept() -> None:
    status = edifact_iftsta.to_canonical(IFTSTA)
    assert [w.code for w in status.warnings] == ["unknown_status_code"]
    third = status.events[2]
    assert third.original is not None and third.original.status == "Z9"
    assert third.consignment == "2"
    assert third.references == {"shipment_id": ["CONS2"]}


def test_iftsta_partner_table_reads_a_proprietary_c601() -> None:
    ups_style = edifact("UNH+1+IFTSTA:D:96A:UN'BGM+23+X+9'CNI+1'STS+1:D2:21'UNT+5+1'")
    context = MapContext(status_codes={"1:D2:21": "delivered"})
    event = edifact_iftsta.to_canonical(ups_style, context=context).events[0]
    assert event.milestone is Milestone.DELIVERED


INVOIC = edifact(
    "UNH+1+INVOIC:D:96A:UN'BGM+381+CN77+9'DTM+3:20240310:102'RFF+SRN:LOAD1'RFF+BM:BOL1'"
    "NAD+SE+CARR::16++CARRIER AS'CUX+2:EUR:4'TDT+20++3++ABCD:172:182'"
    "ALC+C++++FC:::FREIGHT'MOA+23:800.00'ALC+A++++ABK'MOA+204:50'"
    "LIN+1++WAIT:SRV'IMD+F++:::WAITING TIME'MOA+203:120'PRI+INV:60'TAX+7+VAT'MOA+124:30'"
    "UNS+S'MOA+77:900.50'ALC+C+Q7'MOA+23:0.50'UNT+21+1'"
)


def test_invoic_alc_lin_tax_lines_and_allowances() -> None:
    invoice = edifact_invoic.to_canonical(INVOIC)
    assert invoice.kind is InvoiceKind.CREDIT_NOTE
    assert (invoice.invoice_number, invoice.shipment_id, invoice.currency) == (
        "CN77",
        "LOAD1",
        "EUR",
    )
    assert invoice.carrier_scac == "ABCD"
    assert invoice.invoice_date == dt.date(2024, 3, 10)
    assert [(line.charge_class, line.code, line.amount.amount) for line in invoice.lines] == [
        (ChargeClass.LINE_HAUL, "FC", Decimal("800.00")),
        (ChargeClass.ACCESSORIAL_OTHER, "ABK", Decimal("-50")),
        (ChargeClass.OTHER, "WAIT", Decimal("120")),
        (ChargeClass.TAX, "VAT", Decimal("30")),
        (ChargeClass.OTHER, "Q7", Decimal("0.50")),
    ]
    assert invoice.lines[0].description == "FREIGHT"
    assert invoice.total.amount == Decimal("900.50")
    assert not [w for w in invoice.warnings if w.code == "total_mismatch"]


def test_invoic_total_mismatch_and_total_order_from_the_partner() -> None:
    context = MapContext(invoice_total_qualifiers=("9",))
    lines_only = edifact(
        "UNH+1+INVOIC:D:96A:UN'BGM+380+I1+9'DTM+137:20240310:102'LIN+1++A:SRV'MOA+203:10'"
        "UNS+S'MOA+77:10'MOA+9:12'UNT+8+1'"
    )
    assert edifact_invoic.to_canonical(lines_only).warnings == []
    by_partner = edifact_invoic.to_canonical(lines_only, context=context)
    assert by_partner.total.amount == 12
    assert [w.code for w in by_partner.warnings] == ["total_mismatch"]


IFTMIN = edifact(
    "UNH+1+IFTMIN:D:96A:UN'BGM+610+SHIP9+9'DTM+234:202403020800:203'DTM+2:20240304:102'"
    "FTX+AAI+++FRAGILE'CNT+7:1500:KGM'RFF+CU:CUST1'CPI+++C'TDT+20++3++ABCD:172:182'"
    "NAD+PW+++PICKUP PLACE+STREET 1+BERGEN++5003+NO'NAD+DP+++DROP PLACE+ROAD 2+OSLO++0150+NO'"
    "EQD+CN+TRLU1234567+45G1'UNT+14+1'"
)


def test_iftmin_without_markers_derives_pickup_and_delivery_stops() -> None:
    tender = edifact_iftmin.to_canonical(IFTMIN)
    assert (tender.shipment_id, tender.carrier_scac) == ("SHIP9", "ABCD")
    assert tender.references == {"customer_ref": ["CUST1"]}
    assert tender.total_weight is not None and tender.total_weight.value == 1500
    assert tender.notes == ["FRAGILE"]
    pickup, delivery = tender.stops
    assert pickup.kind is StopKind.PICKUP and delivery.kind is StopKind.DELIVERY
    assert pickup.party is not None and pickup.party.name == "PICKUP PLACE"
    # local times in Norway: Europe/Oslo, flagged as assumed
    assert pickup.earliest == dt.datetime(2024, 3, 2, 7, 0, tzinfo=dt.UTC)
    assert pickup.time_zone_assumed
    assert delivery.earliest == dt.datetime(2024, 3, 3, 23, 0, tzinfo=dt.UTC)


def test_iftmin_stop_markers_round_trip() -> None:
    tender = edifact_iftmin.to_canonical(IFTMIN)
    again = edifact_iftmin.to_canonical(edifact_iftmin.from_canonical(tender))
    assert again.model_dump(exclude={"warnings"}) == tender.model_dump(exclude={"warnings"})


def test_iftmbc_is_a_tender_response() -> None:
    confirmation = edifact(
        "UNH+1+IFTMBC:D:99B:UN'BGM+770++6+RE'FTX+AAI+++NO SPACE ON VESSEL'RFF+BN:BK1'"
        "TDT+20+V1+1++HLCU:172:182'UNT+6+1'"
    )
    response = edifact_iftmbc.to_canonical(confirmation)
    assert response.action is TenderAction.DECLINED and response.action_code == "RE"
    assert (response.shipment_id, response.carrier_scac) == ("BK1", "HLCU")
    assert response.remarks == ["NO SPACE ON VESSEL"]
