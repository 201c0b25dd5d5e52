"""Canonical documents for the Odoo tests, as the maps would produce them for acme-ltl."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from translators.canonical import (
    ChargeLine,
    FreightInvoice,
    Location,
    Money,
    OriginalCode,
    ShipmentStatus,
    Source,
    StatusEvent,
    TenderResponse,
)
from translators.canonical.vocab import ChargeClass, Milestone, TenderAction


def source(message_type: str, icn: str) -> Source:
    return Source(
        partner="acme-ltl",
        standard="x12",
        version="004010",
        message_type=message_type,
        interchange_control_number=icn,
    )


def event(
    milestone: Milestone,
    when: datetime,
    code: str,
    reason: str = "NS",
    city: str | None = None,
    pod: str | None = None,
) -> StatusEvent:
    return StatusEvent(
        milestone=milestone,
        time=when,
        original=OriginalCode(standard="x12", status=code, reason=reason),
        location=Location(city=city, region="TX", country="US") if city else None,
        pod_name=pod,
    )


DELIVERED_AT = datetime(2026, 11, 22, 15, 5, tzinfo=UTC)


def status_214(
    shipment: str = "WH/OUT/00042",
    *,
    pro: str = "PRO7781234",
    milestones: tuple[Milestone, ...] = (Milestone.PICKED_UP, Milestone.DELIVERED),
    icn: str = "000000101",
) -> ShipmentStatus:
    times = {
        Milestone.PICKED_UP: (datetime(2026, 11, 20, 9, 30, tzinfo=UTC), "AF", None),
        Milestone.IN_TRANSIT: (datetime(2026, 11, 21, 2, 0, tzinfo=UTC), "X6", "Memphis"),
        Milestone.DELAYED: (datetime(2026, 11, 21, 8, 0, tzinfo=UTC), "SD", "Texarkana"),
        Milestone.DELIVERED: (DELIVERED_AT, "D1", "Dallas"),
    }
    events = []
    for milestone in milestones:
        when, code, city = times[milestone]
        reason = "AO" if milestone == Milestone.DELAYED else "NS"
        events.append(
            event(
                milestone,
                when,
                code,
                reason,
                city,
                "J. SMITH" if milestone == Milestone.DELIVERED else None,
            )
        )
    return ShipmentStatus(
        source=source("214", icn),
        shipment_id=shipment,
        carrier_reference=pro,
        carrier_scac="ACMF",
        references={"bol": ["BOL-42"]},
        events=events,
    )


def charge(charge_class: ChargeClass, amount: str, code: str) -> ChargeLine:
    return ChargeLine(
        charge_class=charge_class,
        code=code,
        code_list="x12:150",
        amount=Money(amount=Decimal(amount), currency="USD"),
    )


def invoice_210(
    number: str = "ACME-INV-5001",
    *,
    shipment: str = "WH/OUT/00042",
    line_haul: str = "1000.00",
    fuel: str = "180.00",
    extra: list[ChargeLine] | None = None,
    icn: str = "000000201",
) -> FreightInvoice:
    lines = [
        charge(ChargeClass.LINE_HAUL, line_haul, "400"),
        charge(ChargeClass.FUEL, fuel, "FUE"),
        *(extra or []),
    ]
    total = sum((line.amount.amount for line in lines), Decimal(0))
    return FreightInvoice(
        source=source("210", icn),
        invoice_number=number,
        invoice_date=date(2026, 11, 23),
        shipment_id=shipment,
        carrier_scac="ACMF",
        currency="USD",
        references={"pro": ["PRO7781234"]},
        lines=lines,
        total=Money(amount=total, currency="USD"),
    )


def tender_response(action: TenderAction, shipment: str = "WH/OUT/00042") -> TenderResponse:
    return TenderResponse(
        source=source("990", "000000301"),
        shipment_id=shipment,
        carrier_scac="ACMF",
        action=action,
        action_code="A" if action == TenderAction.ACCEPTED else "D",
        reason_code=None if action == TenderAction.ACCEPTED else "NEQ",
        remarks=[] if action == TenderAction.ACCEPTED else ["no equipment available"],
    )
