"""Maps between X12 / EDIFACT transactions and the canonical records, in both directions,
behind one entry point for the CLI and the pipeline:

    to_canonical(standard, doc_type, segments, source, context) -> record | None
    from_canonical(record, standard, version, context) -> segments

Inbound maps take one transaction's segments (ST..SE / UNH..UNT) and never raise for bad
content: what they cannot read becomes a warning on the record. Outbound maps return the
transaction's segments (ST..SE / UNH..UNT) for the engines' writers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from translators.canonical.models import (
    CanonicalRecord,
    FreightInvoice,
    FunctionalAck,
    LoadTender,
    ShipmentStatus,
    Source,
    TenderResponse,
)
from translators.core.segment import Segment
from translators.maps import (
    _fit,
    edifact_ack,
    edifact_iftmbc,
    edifact_iftmin,
    edifact_iftsta,
    edifact_invoic,
    x12_204,
    x12_210,
    x12_214,
    x12_990,
    x12_ack,
)
from translators.maps.context import DEFAULT_CONTEXT, MapContext, MapError

__all__ = [
    "DEFAULT_CONTEXT",
    "MapContext",
    "MapError",
    "canonical_dict",
    "from_canonical",
    "inbound_types",
    "to_canonical",
]

Inbound = Callable[[Sequence[Segment], Source | None, MapContext | None], CanonicalRecord]


def _ta1(
    segments: Sequence[Segment], source: Source | None, context: MapContext | None
) -> CanonicalRecord:
    ta1 = next((s for s in segments if s.tag == "TA1"), Segment("TA1"))
    return x12_ack.ta1_to_canonical(ta1, source)


INBOUND: dict[tuple[str, str], Inbound] = {
    ("x12", "204"): x12_204.to_canonical,
    ("x12", "214"): x12_214.to_canonical,
    ("x12", "210"): x12_210.to_canonical,
    ("x12", "990"): x12_990.to_canonical,
    ("x12", "997"): x12_ack.to_canonical,
    ("x12", "999"): x12_ack.to_canonical,
    ("x12", "TA1"): _ta1,
    ("edifact", "IFTMIN"): edifact_iftmin.to_canonical,
    ("edifact", "IFTSTA"): edifact_iftsta.to_canonical,
    ("edifact", "INVOIC"): edifact_invoic.to_canonical,
    ("edifact", "IFTMBC"): edifact_iftmbc.to_canonical,
    ("edifact", "CONTRL"): edifact_ack.contrl_to_canonical,
    ("edifact", "APERAK"): edifact_ack.aperak_to_canonical,
}

DEFAULT_VERSION = {"x12": "004010", "edifact": "D96A"}


def inbound_types() -> list[tuple[str, str]]:
    return sorted(INBOUND)


def to_canonical(
    standard: str,
    doc_type: str,
    segments: Sequence[Segment],
    source: Source | None = None,
    context: MapContext | None = None,
) -> CanonicalRecord | None:
    """The canonical record of one transaction; None when no map exists for its type."""
    mapper = INBOUND.get((standard.lower(), doc_type.strip().upper()))
    if mapper is None:
        return None
    return mapper(segments, source, context or DEFAULT_CONTEXT)


def canonical_dict(
    standard: str,
    doc_type: str,
    segments: Sequence[Segment],
    source: Source | None = None,
    context: MapContext | None = None,
) -> dict[str, Any] | None:
    """`to_canonical` as JSON-able data for a report; a map failure on input nobody foresaw
    becomes a structured `map_error` entry instead of taking the neighbours down."""
    try:
        record = to_canonical(standard, doc_type, segments, source, context)
    except Exception as exc:  # a bug in one map must not lose the rest of the file
        return {"map_error": {"type": type(exc).__name__, "message": str(exc)}}
    return record.model_dump(mode="json") if record is not None else None


def from_canonical(
    record: CanonicalRecord,
    standard: str,
    version: str | None = None,
    context: MapContext | None = None,
    control_number: str = "0001",
) -> list[Segment]:
    """The transaction (ST..SE or UNH..UNT) for `record` in `standard` and `version`, fitted
    to our implementation guide for it (over-long free text cut to its element's size).
    `MapError` when no map renders the record or it lacks mandatory data."""
    standard = standard.lower()
    version = version or DEFAULT_VERSION.get(standard, "")
    context = context or DEFAULT_CONTEXT
    segments = _render(record, standard, version, context, control_number)
    if standard == "x12":
        return _fit.fit(segments, _fit.x12_guide(segments[0].get(1), version))
    message_type = segments[0].get(2, 1)
    return _fit.fit(segments, _fit.edifact_guide(message_type, version))


def _render(
    record: CanonicalRecord,
    standard: str,
    version: str,
    context: MapContext,
    control_number: str,
) -> list[Segment]:
    if standard == "x12":
        if isinstance(record, LoadTender):
            return x12_204.from_canonical(record, version, context, control_number)
        if isinstance(record, ShipmentStatus):
            return x12_214.from_canonical(record, version, context, control_number)
        if isinstance(record, FreightInvoice):
            return x12_210.from_canonical(record, version, context, control_number)
        if isinstance(record, TenderResponse):
            return x12_990.from_canonical(record, version, context, control_number)
    elif standard == "edifact":
        if isinstance(record, LoadTender):
            return edifact_iftmin.from_canonical(record, version, context, control_number)
        if isinstance(record, ShipmentStatus):
            return edifact_iftsta.from_canonical(record, version, context, control_number)
        if isinstance(record, FreightInvoice):
            return edifact_invoic.from_canonical(record, version, context, control_number)
    else:
        raise MapError(f"unknown standard {standard!r} (x12 or edifact)")
    if isinstance(record, FunctionalAck):
        raise MapError("acknowledgements are built by the engine from a validation report")
    raise MapError(f"no {standard} map renders a {record.record_type}")
