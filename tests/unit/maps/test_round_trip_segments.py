"""canonical -> segments -> canonical gives the same record, for generated records, through
each map alone (the round trips through the engines' writers and parsers are in
tests/conformance/test_maps_corpus.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from tests.unit.maps import strategies as gen
from translators.canonical import CanonicalRecord
from translators.maps import from_canonical, to_canonical

pytestmark = pytest.mark.unit

TYPES = {
    ("x12", "load_tender"): "204",
    ("x12", "shipment_status"): "214",
    ("x12", "freight_invoice"): "210",
    ("x12", "tender_response"): "990",
    ("edifact", "load_tender"): "IFTMIN",
    ("edifact", "shipment_status"): "IFTSTA",
    ("edifact", "freight_invoice"): "INVOIC",
}


def comparable(record: CanonicalRecord) -> dict[str, Any]:
    return record.model_dump(exclude={"warnings", "source"})


def round_trip(record: CanonicalRecord, standard: str) -> CanonicalRecord:
    segments = from_canonical(record, standard)
    again = to_canonical(standard, TYPES[(standard, record.record_type)], segments)
    assert again is not None
    return again


@settings(max_examples=60, deadline=None)
@given(gen.shipment_statuses("x12"))
def test_x12_214(record: CanonicalRecord) -> None:
    assert comparable(round_trip(record, "x12")) == comparable(record)


@settings(max_examples=60, deadline=None)
@given(gen.shipment_statuses("edifact"))
def test_edifact_iftsta(record: CanonicalRecord) -> None:
    assert comparable(round_trip(record, "edifact")) == comparable(record)


@settings(max_examples=60, deadline=None)
@given(gen.load_tenders("x12"))
def test_x12_204(record: CanonicalRecord) -> None:
    assert comparable(round_trip(record, "x12")) == comparable(record)


@settings(max_examples=60, deadline=None)
@given(gen.load_tenders("edifact"))
def test_edifact_iftmin(record: CanonicalRecord) -> None:
    assert comparable(round_trip(record, "edifact")) == comparable(record)


@settings(max_examples=60, deadline=None)
@given(gen.freight_invoices("x12"))
def test_x12_210(record: CanonicalRecord) -> None:
    assert comparable(round_trip(record, "x12")) == comparable(record)


@settings(max_examples=60, deadline=None)
@given(gen.freight_invoices("edifact"))
def test_edifact_invoic(record: CanonicalRecord) -> None:
    assert comparable(round_trip(record, "edifact")) == comparable(record)


@settings(max_examples=60, deadline=None)
@given(gen.tender_responses("004010"))
def test_x12_990(record: CanonicalRecord) -> None:
    assert comparable(round_trip(record, "x12")) == comparable(record)
