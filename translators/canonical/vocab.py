"""The canonical vocabularies shared by both standards: milestones, charge classes, party
roles and reference kinds. Codes from either standard are normalised onto these."""

from __future__ import annotations

import enum


class Milestone(enum.StrEnum):
    """One event vocabulary for X12 AT7 and EDIFACT STS (design, "Canonical records")."""

    TENDERED = "tendered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ARRIVED_PICKUP = "arrived_pickup"
    LOADED = "loaded"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    ARRIVED_DELIVERY = "arrived_delivery"
    DELIVERED = "delivered"
    DEPARTED_DELIVERY = "departed_delivery"
    DELAYED = "delayed"
    EXCEPTION = "exception"
    APPOINTMENT_SET = "appointment_set"
    ETA_UPDATED = "eta_updated"
    CANCELLED = "cancelled"
    # a code no table knows: kept with the event and flagged, never dropped
    UNKNOWN = "unknown"


class EventKind(enum.StrEnum):
    STATUS = "status"
    # an AT7 line that carries only appointment codes (AT7-03/04): a booked time, not a fact
    APPOINTMENT = "appointment"


class ChargeClass(enum.StrEnum):
    LINE_HAUL = "line_haul"
    FUEL = "fuel"
    ACCESSORIAL_DETENTION = "accessorial_detention"
    ACCESSORIAL_LIFTGATE = "accessorial_liftgate"
    ACCESSORIAL_APPOINTMENT = "accessorial_appointment"
    ACCESSORIAL_HANDLING = "accessorial_handling"
    ACCESSORIAL_DELIVERY = "accessorial_delivery"
    ACCESSORIAL_INSURANCE = "accessorial_insurance"
    ACCESSORIAL_CUSTOMS = "accessorial_customs"
    ACCESSORIAL_ADDRESS_CORRECTION = "accessorial_address_correction"
    ACCESSORIAL_OTHER = "accessorial_other"
    DISCOUNT = "discount"
    TAX = "tax"
    OTHER = "other"


class Purpose(enum.StrEnum):
    """Why a tender is sent (X12 B2A-01 / EDIFACT BGM 1225)."""

    ORIGINAL = "original"
    CANCELLATION = "cancellation"
    CHANGE = "change"
    REPLACE = "replace"
    DUPLICATE = "duplicate"
    COPY = "copy"


class StopKind(enum.StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"
    OTHER = "other"


class PaymentMethod(enum.StrEnum):
    PREPAID = "prepaid"
    COLLECT = "collect"
    THIRD_PARTY = "third_party"


class TenderAction(enum.StrEnum):
    """The carrier's answer to a tender (X12 990 B1-04)."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    CONDITIONALLY_ACCEPTED = "conditionally_accepted"
    COUNTER_PROPOSAL = "counter_proposal"
    UNKNOWN = "unknown"


class AckStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    RECEIVED = "received"  # CONTRL action 8: receipt only, no verdict
    UNKNOWN = "unknown"


class InvoiceKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    DEBIT_NOTE = "debit_note"
    CORRECTED = "corrected"


# Party roles and reference kinds are open vocabularies: the standard names below, plus
# "x12:<code>" / "edifact:<code>" for a qualifier no table knows (kept, never dropped).
PARTY_ROLES = frozenset(
    {
        "shipper",
        "consignee",
        "bill_to",
        "ship_from",
        "ship_to",
        "carrier",
        "freight_payer",
        "pickup",
        "delivery",
        "forwarder",
        "buyer",
        "seller",
        "invoicee",
        "payee",
        "notify",
    }
)

REFERENCE_KINDS = frozenset(
    {
        "bol",
        "pro",
        "po",
        "shipment_id",
        "load_id",
        "container",
        "customer_ref",
        "booking",
        "delivery_number",
        "invoice",
        "pickup_ref",
        "appointment",
        "waybill",
        "forwarder_ref",
        "seal",
        "order",
        "stop_number",
    }
)
