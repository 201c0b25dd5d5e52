"""Canonical shipment, status, invoice, tender-response and acknowledgement records: the one
shape both standards are mapped to, whatever dialect a partner speaks."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

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
    "RecordError",
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


class RecordError(ValueError):
    """A canonical JSON document that is not one of the canonical records."""


def record_from_json(data: str | bytes | dict[str, Any]) -> CanonicalRecord:
    """Parse a canonical record; `record_type` picks the model. `RecordError` says, one line
    per field, what does not fit."""
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise RecordError(f"not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise RecordError("a canonical record is a JSON object")
    kind = data.get("record_type")
    if kind not in MODELS:
        raise RecordError(f"record_type must be one of {', '.join(sorted(MODELS))}, not {kind!r}")
    try:
        return MODELS[kind].model_validate(data)  # type: ignore[return-value]
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(part) for part in error['loc']) or '(record)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise RecordError("\n".join(lines)) from exc


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each canonical model, keyed by its `record_type`."""
    return {name: model.model_json_schema() for name, model in MODELS.items()}
