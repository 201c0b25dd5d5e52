"""X12 204, 210 and 990 maps on hand-built transactions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.unit.maps.segments import x12
from translators.canonical import (
    ChargeClass,
    PaymentMethod,
    Purpose,
    StopKind,
    TenderAction,
)
from translators.maps import MapContext, MapError, x12_204, x12_210, x12_990

pytestmark = pytest.mark.unit

TENDER = x12(
    "ST*204*0001~B2**ABCD**LOAD1**CC~B2A*04*LT~L11*PO55*PO~G62*64*20240301*1*1200*CT~"
    "NTE**CALL BEFORE ARRIVAL~N1*BT*NORTHWIND*1*123456789~N3*1 MAIN ST~N4*DALLAS*TX*75201*US~"
    "N7*ABCD*123456*********TL~"
    "S5*1*LD*1200*L*10*PL~L11*BOL1*BM~G62*37*20240302*I*0800~G62*38*20240302*K*1700~"
    "N1*SH*ACME MILL*93*A1~N3*9 MILL RD~N4*RUMFORD*ME*04276*US~G61*SH*DOCK*TE*5551234~"
    "S5*2*UL~G62*53*20240304*G*0900*PT~N1*CN*BIG STORE~N4*FRESNO*CA*93650*US~"
    "L3*1200*G***150000******L~SE*26*0001~"
)


def test_204_identity_purpose_payment_and_heading() -> None:
    tender = x12_204.to_canonical(TENDER)
    assert (tender.shipment_id, tender.carrier_scac) == ("LOAD1", "ABCD")
    assert tender.purpose is Purpose.CHANGE
    assert tender.payment_method is PaymentMethod.COLLECT
    assert tender.references == {"po": ["PO55"]}
    assert tender.response_due == dt.datetime(2024, 3, 1, 18, 0, tzinfo=dt.UTC)  # CT, winter
    assert tender.notes == ["CALL BEFORE ARRIVAL"]
    assert tender.parties[0].role == "bill_to" and tender.parties[0].id_scheme == "duns"
    assert tender.equipment[0].number == "123456" and tender.equipment[0].type_code == "TL"
    assert tender.total_charge is not None and tender.total_charge.amount == Decimal("1500.00")
    assert tender.total_weight is not None and tender.total_weight.unit == "lb"


def test_204_stops_with_parties_windows_and_references() -> None:
    pickup, delivery = x12_204.to_canonical(TENDER).stops
    assert (pickup.sequence, pickup.kind, pickup.reason_code) == (1, StopKind.PICKUP, "LD")
    assert delivery.kind is StopKind.DELIVERY
    assert pickup.party is not None and pickup.party.role == "shipper"
    assert pickup.party.contacts[0].phone == "5551234"
    assert pickup.references == {"bol": ["BOL1"]}
    assert pickup.weight is not None and pickup.weight.value == 1200
    assert pickup.quantity is not None and pickup.quantity.unit == "PL"
    # no time code: local to the stop (Maine, Eastern), flagged
    assert pickup.time_zone_assumed
    assert pickup.earliest == dt.datetime(2024, 3, 2, 13, 0, tzinfo=dt.UTC)
    assert pickup.latest == dt.datetime(2024, 3, 2, 22, 0, tzinfo=dt.UTC)
    assert not delivery.time_zone_assumed
    assert delivery.earliest == dt.datetime(2024, 3, 4, 17, 0, tzinfo=dt.UTC)


def test_204_outbound_refuses_what_a_204_cannot_be() -> None:
    tender = x12_204.to_canonical(TENDER)
    with pytest.raises(MapError, match="SCAC"):
        x12_204.from_canonical(tender.model_copy(update={"carrier_scac": None}))
    with pytest.raises(MapError, match="stop"):
        x12_204.from_canonical(tender.model_copy(update={"stops": []}))
    with pytest.raises(MapError, match="duplicate"):
        x12_204.from_canonical(tender.model_copy(update={"purpose": Purpose.DUPLICATE}))
    context = MapContext(carrier_scac="ZZZZ")
    segments = x12_204.from_canonical(
        tender.model_copy(update={"carrier_scac": None}), context=context
    )
    assert segments[1].elements[1] == "ZZZZ"


INVOICE = x12(
    "ST*210*0001~B3**INV9*LOAD1*PP**20240310*12345**20240308*035*ABCD*20240305~C3*CAD~"
    "N9*BM*BOL1~N1*BT*NORTHWIND~N9*PO*PO55~"
    "LX*1~L5*1*STEEL COILS~L0*1***9000*G***3*PCS*****L~L1*1*11.00*PH*99000~"
    "LX*2~L1*2***2500****FUE~"
    "LX*3~L1*3***-1000****DSC~"
    "LX*4~L1*4***1345****XYZ****LUMPER~"
    "L3*9000*G***112345~SE*20*0001~"
)


def test_210_lines_classes_implied_decimals_and_negative_amounts() -> None:
    invoice = x12_210.to_canonical(INVOICE)
    assert (invoice.invoice_number, invoice.shipment_id, invoice.currency) == (
        "INV9",
        "LOAD1",
        "CAD",
    )
    assert invoice.invoice_date == dt.date(2024, 3, 10)
    assert invoice.references == {"bol": ["BOL1"], "po": ["PO55"]}
    assert [(line.charge_class, line.amount.amount) for line in invoice.lines] == [
        (ChargeClass.LINE_HAUL, Decimal("990.00")),
        (ChargeClass.FUEL, Decimal("25.00")),
        (ChargeClass.DISCOUNT, Decimal("-10.00")),
        (ChargeClass.OTHER, Decimal("13.45")),
    ]
    assert invoice.lines[0].weight is not None and invoice.lines[0].weight.value == 9000
    assert invoice.lines[3].description == "LUMPER" and invoice.lines[3].code == "XYZ"
    assert invoice.total.amount == Decimal("123.45")


def test_210_total_mismatch_is_a_warning_not_a_rejection() -> None:
    codes = [w.code for w in x12_210.to_canonical(INVOICE).warnings]
    # lines add up to 1018.45, B3-07 and L3-05 say 123.45 and 1123.45
    assert codes.count("total_mismatch") == 2
    assert "unknown_charge_code" in codes


def test_210_partner_charge_table_wins() -> None:
    context = MapContext(charge_codes={"XYZ": "accessorial_handling", "FUE": "other"})
    invoice = x12_210.to_canonical(INVOICE, context=context)
    assert invoice.lines[3].charge_class is ChargeClass.ACCESSORIAL_HANDLING
    assert invoice.lines[1].charge_class is ChargeClass.OTHER
    assert "unknown_charge_code" not in [w.code for w in invoice.warnings]


def test_210_balanced_invoice_has_no_total_warning() -> None:
    balanced = x12(
        "ST*210*1~B3**I1*S1*PP**20240310*3500***035*ABCD~LX*1~L1*1***4000~LX*2~"
        "L1*2***-500****DSC~L3*****3500~SE*8*1~"
    )
    assert x12_210.to_canonical(balanced).warnings == []


def test_990_accept_decline_and_references() -> None:
    response = x12_990.to_canonical(
        x12("ST*990*1~B1*ABCD*LOAD1*20240301*D~N9*CN*PRO7~V9*DEC~K1*NO EQUIPMENT~SE*6*1~")
    )
    assert response.action is TenderAction.DECLINED
    assert (response.shipment_id, response.carrier_scac) == ("LOAD1", "ABCD")
    assert response.response_date == dt.date(2024, 3, 1)
    assert response.references == {"pro": ["PRO7"]}
    assert (response.reason_code, response.remarks) == ("DEC", ["NO EQUIPMENT"])
    unknown = x12_990.to_canonical(x12("ST*990*1~B1*ABCD*LOAD1**Q~SE*3*1~"))
    assert unknown.action is TenderAction.UNKNOWN
    assert unknown.warnings[0].code == "unknown_action_code"


def test_990_conditional_answer_needs_a_later_version() -> None:
    response = x12_990.to_canonical(x12("ST*990*1~B1*ABCD*LOAD1**B~SE*3*1~"))
    with pytest.raises(MapError, match="004040"):
        x12_990.from_canonical(response, "004010")
    assert x12_990.from_canonical(response, "005010")[1].elements[3] == "B"


def test_a_partner_entry_naming_nothing_canonical_does_not_break_the_map() -> None:
    context = MapContext(charge_codes={"FUE": "rocket_fuel"})
    invoice = x12_210.to_canonical(INVOICE, context=context)
    assert invoice.lines[1].charge_class is ChargeClass.FUEL  # the standard table decides
