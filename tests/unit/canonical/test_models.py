"""The canonical models: explicit types, aware datetimes only, JSON in and out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from translators.canonical import (
    ChargeClass,
    ChargeLine,
    FreightInvoice,
    Milestone,
    Money,
    RecordError,
    StatusEvent,
    Weight,
    json_schemas,
    record_from_json,
)
from translators.canonical.vocab import PARTY_ROLES, REFERENCE_KINDS
from translators.codes import charges, qualifiers, status

pytestmark = pytest.mark.unit


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError):
        StatusEvent(milestone=Milestone.DELIVERED, time=dt.datetime(2024, 1, 1, 12, 0))
    aware = StatusEvent(milestone=Milestone.DELIVERED, time=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert aware.time is not None and aware.time.tzinfo is not None


def test_money_weight_and_currency_are_explicit() -> None:
    with pytest.raises(ValidationError):
        Money(amount=Decimal("1.00"), currency="usd")
    with pytest.raises(ValidationError):
        Weight(value=Decimal(1), unit="stone")  # type: ignore[arg-type]
    money = Money(amount=Decimal("-12.30"), currency="USD")
    assert money.model_dump(mode="json") == {"amount": "-12.30", "currency": "USD"}


def test_json_round_trip_keeps_decimals_and_zones() -> None:
    invoice = FreightInvoice(
        invoice_number="I1",
        currency="USD",
        total=Money(amount=Decimal("10.05"), currency="USD"),
        lines=[
            ChargeLine(
                charge_class=ChargeClass.FUEL,
                amount=Money(amount=Decimal("10.05"), currency="USD"),
            )
        ],
    )
    again = record_from_json(invoice.model_dump_json())
    assert again == invoice
    assert isinstance(again, FreightInvoice) and again.line_total() == Decimal("10.05")


def test_record_errors_are_one_line_per_field() -> None:
    with pytest.raises(RecordError, match="record_type must be one of"):
        record_from_json({"shipment_id": "1"})
    with pytest.raises(RecordError, match="invoice_number: Field required"):
        record_from_json({"record_type": "freight_invoice", "currency": "USD", "total": {}})
    with pytest.raises(RecordError, match="not JSON"):
        record_from_json(b"\xff\xfe")


def test_every_model_has_a_json_schema() -> None:
    schemas = json_schemas()
    assert set(schemas) == {
        "load_tender",
        "tender_response",
        "shipment_status",
        "freight_invoice",
        "functional_ack",
    }
    event = schemas["shipment_status"]["$defs"]["StatusEvent"]
    assert event["properties"]["time"]["anyOf"][0]["format"] == "date-time"


def test_code_tables_only_name_canonical_values() -> None:
    milestones = set(Milestone)
    assert {m for m, _ in status.X12_STATUS.values()} <= milestones
    assert {m for m, _ in status.REC24_STATUS.values()} <= milestones
    assert set(status.MILESTONE_TO_X12.values()) <= set(status.X12_STATUS)
    assert set(status.MILESTONE_TO_REC24.values()) <= set(status.REC24_STATUS)
    assert set(charges.CLASS_TO_X12.values()) <= set(charges.X12_CHARGE)
    assert set(charges.CLASS_TO_EDIFACT.values()) <= set(charges.EDIFACT_CHARGE)
    assert set(qualifiers.X12_REFERENCE.values()) <= REFERENCE_KINDS
    assert set(qualifiers.EDIFACT_REFERENCE.values()) <= REFERENCE_KINDS
    assert set(qualifiers.X12_PARTY.values()) <= PARTY_ROLES
    assert set(qualifiers.EDIFACT_PARTY.values()) <= PARTY_ROLES


def test_rec24_is_not_the_plain_4405_list() -> None:
    # 4405 says 21 = "temporary"; in IFTSTA it keeps its Rec 24 meaning
    assert status.rec24_milestone("21") is Milestone.DELIVERED
