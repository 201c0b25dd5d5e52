"""The canonical records every map reads and writes: pydantic v2 models with explicit types
(money as Decimal with a currency, weights and volumes with units, aware datetimes only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from translators.canonical.vocab import (
    AckStatus,
    ChargeClass,
    EventKind,
    InvoiceKind,
    Milestone,
    PaymentMethod,
    Purpose,
    StopKind,
    TenderAction,
)

StandardName = Literal["x12", "edifact"]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
# {"bol": ["123"], "po": ["A", "B"], "x12:2I": ["..."]}: canonical kinds or "<std>:<qualifier>"
References = dict[str, list[str]]


class _Model(BaseModel):
    # defer_build: schemas are built on first use, so importing the maps stays quick
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)


class Money(_Model):
    amount: Decimal
    currency: Currency


class Weight(_Model):
    value: Decimal
    unit: Literal["kg", "lb", "g", "t"]
    qualifier: Literal["gross", "net"] | None = None


class Volume(_Model):
    value: Decimal
    unit: Literal["m3", "ft3", "l", "dm3"]


class Quantity(_Model):
    value: Decimal
    unit: str | None = None  # package/handling unit as sent (X12 355 / EDIFACT Rec 21)


class Address(_Model):
    lines: list[str] = Field(default_factory=list)
    city: str | None = None
    region: str | None = None  # state / province
    postal_code: str | None = None
    country: str | None = None
    location_code: str | None = None  # e.g. UN/LOCODE, SPLC


class Contact(_Model):
    function: str | None = None  # X12 366 / EDIFACT 3139 as sent
    name: str | None = None
    phone: str | None = None
    email: str | None = None


class Party(_Model):
    # a canonical role ("shipper", "consignee", ...) or "x12:<N1-01>" / "edifact:<NAD 3035>"
    role: str
    name: str | None = None
    id: str | None = None
    # "duns", "gln", "scac", "mutual", ... or "x12:<N1-03>" / "edifact:<3055>"
    id_scheme: str | None = None
    address: Address | None = None
    contacts: list[Contact] = Field(default_factory=list)


class Source(_Model):
    """Where a record came from: enough to find the raw message again."""

    partner: str | None = None
    standard: StandardName
    version: str | None = None  # "004010", "D96A"
    message_type: str | None = None  # "214", "IFTSTA"
    interchange_control_number: str | None = None
    group_control_number: str | None = None
    transaction_control_number: str | None = None
    sender_id: str | None = None
    receiver_id: str | None = None


class ValidationWarning(_Model):
    """A finding about the content (a total that does not add up, an unknown code), attached
    to the record instead of rejecting it."""

    code: str
    message: str
    path: str | None = None


class Equipment(_Model):
    initial: str | None = None  # X12 N7-01 / MS2-01 (SCAC of the owner)
    number: str
    type_code: str | None = None  # X12 40 / EDIFACT ISO size-type


class Location(_Model):
    name: str | None = None
    code: str | None = None  # UN/LOCODE or partner code
    city: str | None = None
    region: str | None = None
    country: str | None = None


class OriginalCode(_Model):
    """The codes exactly as the partner sent them (kept on every event)."""

    standard: StandardName
    status: str | None = None  # AT7-01 / STS C555 event code
    reason: str | None = None  # AT7-02 / STS C556 9013
    appointment: str | None = None  # AT7-03
    appointment_reason: str | None = None  # AT7-04
    category: str | None = None  # STS C601 9015
    text: str | None = None  # STS C555 free text (9010 / 4404), e.g. a carrier's own wording


class StatusEvent(_Model):
    kind: EventKind = EventKind.STATUS
    milestone: Milestone
    original: OriginalCode | None = None
    reason: str | None = None  # plain words for the reason code, when a table knows it
    time: AwareDatetime | None = None
    # the time was sent as local (X12 LT / no time code, EDIFACT 203) and the zone is ours
    time_zone_assumed: bool = False
    location: Location | None = None
    consignment: str | None = None  # X12 LX-01 / EDIFACT CNI-01
    references: References = Field(default_factory=dict)
    equipment: Equipment | None = None
    weight: Weight | None = None
    quantity: Quantity | None = None
    pod_name: str | None = None
    remarks: list[str] = Field(default_factory=list)


class Stop(_Model):
    sequence: int
    kind: StopKind
    reason_code: str | None = None  # X12 S5-02 as sent
    party: Party | None = None
    earliest: AwareDatetime | None = None
    latest: AwareDatetime | None = None
    time_zone_assumed: bool = False  # the window was sent as local time
    references: References = Field(default_factory=dict)
    weight: Weight | None = None
    quantity: Quantity | None = None
    volume: Volume | None = None
    notes: list[str] = Field(default_factory=list)


class ChargeLine(_Model):
    line_number: int | None = None
    charge_class: ChargeClass
    code: str | None = None  # as sent: L1-08, ALC 7161, LIN item number
    # which list `code` belongs to: "x12:150", "edifact:7161", "edifact:item", "partner"
    code_list: str | None = None
    description: str | None = None
    amount: Money  # negative for discounts and allowances
    rate: Decimal | None = None
    rate_qualifier: str | None = None
    weight: Weight | None = None


class _Record(_Model):
    source: Source | None = None
    references: References = Field(default_factory=dict)
    warnings: list[ValidationWarning] = Field(default_factory=list)

    @field_validator("references")
    @classmethod
    def _no_empty_kinds(cls, value: References) -> References:
        return {k: v for k, v in value.items() if v}


class LoadTender(_Record):
    record_type: Literal["load_tender"] = "load_tender"
    shipment_id: str
    purpose: Purpose = Purpose.ORIGINAL
    carrier_scac: str | None = None
    payment_method: PaymentMethod | None = None
    response_due: AwareDatetime | None = None
    parties: list[Party] = Field(default_factory=list)
    stops: list[Stop] = Field(default_factory=list)
    equipment: list[Equipment] = Field(default_factory=list)
    total_weight: Weight | None = None
    total_charge: Money | None = None
    notes: list[str] = Field(default_factory=list)


class TenderResponse(_Record):
    record_type: Literal["tender_response"] = "tender_response"
    shipment_id: str
    carrier_scac: str | None = None
    action: TenderAction
    action_code: str | None = None  # B1-04 / BGM 4343 as sent
    response_date: dt.date | None = None
    reason_code: str | None = None  # V9-01
    remarks: list[str] = Field(default_factory=list)


class ShipmentStatus(_Record):
    record_type: Literal["shipment_status"] = "shipment_status"
    shipment_id: str | None = None  # B10-02 (the shipper's load id)
    carrier_reference: str | None = None  # B10-01 (PRO) / BGM 1004
    carrier_scac: str | None = None
    parties: list[Party] = Field(default_factory=list)
    events: list[StatusEvent] = Field(default_factory=list)


class FreightInvoice(_Record):
    record_type: Literal["freight_invoice"] = "freight_invoice"
    invoice_number: str
    kind: InvoiceKind = InvoiceKind.INVOICE
    invoice_date: dt.date | None = None
    shipment_id: str | None = None
    carrier_scac: str | None = None
    payment_method: PaymentMethod | None = None
    currency: Currency
    parties: list[Party] = Field(default_factory=list)
    lines: list[ChargeLine] = Field(default_factory=list)
    total: Money
    total_weight: Weight | None = None
    delivery_date: dt.date | None = None
    ship_date: dt.date | None = None

    def line_total(self) -> Decimal:
        return sum((line.amount.amount for line in self.lines), Decimal(0))


class AckError(_Model):
    code: str  # the standard's code (AK3-04, AK4-03, 0085, ERC ...)
    segment_id: str | None = None
    segment_position: int | None = None
    element_position: int | None = None
    component_position: int | None = None
    message: str | None = None


class AcknowledgedTransaction(_Model):
    control_number: str | None = None
    type: str | None = None  # AK2-01 / UCM S009 0065
    status: AckStatus
    status_code: str | None = None  # AK5-01 / IK5-01 / UCM 0083 as sent
    errors: list[AckError] = Field(default_factory=list)


class FunctionalAck(_Record):
    record_type: Literal["functional_ack"] = "functional_ack"
    ack_type: Literal["997", "999", "TA1", "CONTRL", "APERAK"]
    status: AckStatus
    status_code: str | None = None  # AK9-01 / TA1-04 / UCI 0083 / BGM verdict, as sent
    interchange_control_number: str | None = None  # TA1-01 / UCI 0020
    group_control_number: str | None = None  # AK1-02 / UCF 0048
    functional_id: str | None = None  # AK1-01
    acknowledged_version: str | None = None  # AK1-03
    transactions_included: int | None = None
    transactions_received: int | None = None
    transactions_accepted: int | None = None
    transactions: list[AcknowledgedTransaction] = Field(default_factory=list)
    errors: list[AckError] = Field(default_factory=list)  # group/interchange level


CanonicalRecord = LoadTender | TenderResponse | ShipmentStatus | FreightInvoice | FunctionalAck

MODELS: dict[str, type[_Record]] = {
    "load_tender": LoadTender,
    "tender_response": TenderResponse,
    "shipment_status": ShipmentStatus,
    "freight_invoice": FreightInvoice,
    "functional_ack": FunctionalAck,
}
