"""Canonical shipment, status, invoice, tender-response and acknowledgement records: the one
shape both standards are mapped to, whatever dialect a partner speaks."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from translators.canonical.models import (
    MODELS,
    AckError,
    AcknowledgedTransaction,
    Address,
    CanonicalRecord,
    ChargeLine,
    Contact,
    Equipment,
    FreightInvoice,
    FunctionalAck,
    LoadTender,
    Location,
    Money,
    OriginalCode,
    Party,
    Quantity,
    References,
    ShipmentStatus,
    Source,
    StatusEvent,
    Stop,
    TenderResponse,
    ValidationWarning,
    Volume,
    Weight,
)
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

__all__ = [
    "MODELS",
    "AckError",
    "AckStatus",
    "AcknowledgedTransaction",
    "Address",
    "CanonicalRecord",
    "ChargeClass",
    "ChargeLine",
    "Contact",
    "Equipment",
    "EventKind",
    "FreightInvoice",
    "FunctionalAck",
    "InvoiceKind",
    "LoadTender",
    "Location",
    "Milestone",
    "Money",
    "OriginalCode",
    "Party",
    "PaymentMethod",
    "Purpose",
    "Quantity",
    "References",
    "ShipmentStatus",
    "Source",
    "StatusEvent",
    "Stop",
    "StopKind",
    "TenderAction",
    "TenderResponse",
    "ValidationWarning",
    "Volume",
    "Weight",
    "json_schemas",
    "record_from_json",
]

_RECORD_ADAPTER: TypeAdapter[CanonicalRecord] = TypeAdapter(CanonicalRecord)


class RecordError(ValueError):
    """A canonical JSON document that is not one of the canonical records."""


def record_from_json(data: str | bytes | dict[str, Any]) -> CanonicalRecord:
    """Parse a canonical record; `record_type` picks the model. Raises `RecordError` with
    pydantic's field-by-field explanation when it does not fit."""
    try:
        if isinstance(data, dict):
            kind = data.get("record_type")
            if kind in MODELS:
                return MODELS[kind].model_validate(data)  # type: ignore[return-value]
            return _RECORD_ADAPTER.validate_python(data)
        return _RECORD_ADAPTER.validate_json(data)
    except ValidationError as exc:
        raise RecordError(str(exc)) from exc


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each canonical model, keyed by its `record_type`."""
    return {name: model.model_json_schema() for name, model in MODELS.items()}
