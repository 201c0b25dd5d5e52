"""canonical -> X12 / EDIFACT bytes (our maps, then the engines' writers) -> the engines'
parsers -> canonical gives the same record back, and what we wrote passes our own guides
with zero errors, for generated records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.unit.maps import strategies as gen
from translators import edifact, x12
from translators.canonical import CanonicalRecord
from translators.core.issues import Severity
from translators.maps.files import iter_translated, render

pytestmark = pytest.mark.unit

PREPARED = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def comparable(record: CanonicalRecord) -> dict[str, Any]:
    return record.model_dump(exclude={"warnings", "source"})


def through_engine(record: CanonicalRecord, standard: str, version: str) -> CanonicalRecord:
    data = render(record, standard, version, prepared=PREPARED)
    if standard == "x12":
        parsed = list(x12.iter_transactions(data))
        assert len(parsed) == 1
        issues = parsed[0].report.issues + x12.validate(parsed[0])
    else:
        messages = list(edifact.iter_messages(data))
        assert len(messages) == 1
        issues = messages[0].issues + edifact.validate_message(messages[0])
    errors = [i.to_dict() for i in issues if i.severity is Severity.ERROR]
    assert errors == [], data.decode("latin-1")
    (translated,) = list(iter_translated(data, standard))
    assert translated.record is not None
    assert translated.source.version == version
    return translated.record


@SETTINGS
@given(gen.shipment_statuses("x12"))
def test_214_004010(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "x12", "004010")) == comparable(record)


@SETTINGS
@given(gen.shipment_statuses("x12"))
def test_214_005010(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "x12", "005010")) == comparable(record)


@SETTINGS
@given(gen.load_tenders("x12"))
def test_204(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "x12", "004010")) == comparable(record)


@SETTINGS
@given(gen.freight_invoices("x12"))
def test_210(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "x12", "004010")) == comparable(record)


@SETTINGS
@given(gen.tender_responses("004010"))
def test_990_004010(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "x12", "004010")) == comparable(record)


@SETTINGS
@given(gen.tender_responses("005010"))
def test_990_005010(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "x12", "005010")) == comparable(record)


@SETTINGS
@given(gen.shipment_statuses("edifact"))
def test_iftsta_d96a(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "edifact", "D96A")) == comparable(record)


@SETTINGS
@given(gen.shipment_statuses("edifact"))
def test_iftsta_d01b(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "edifact", "D01B")) == comparable(record)


@SETTINGS
@given(gen.load_tenders("edifact"))
def test_iftmin(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "edifact", "D96A")) == comparable(record)


@SETTINGS
@given(gen.freight_invoices("edifact"))
def test_invoic(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "edifact", "D96A")) == comparable(record)


@SETTINGS
@given(gen.load_tenders("edifact"))
def test_iftmin_d01b(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "edifact", "D01B")) == comparable(record)


@SETTINGS
@given(gen.freight_invoices("edifact"))
def test_invoic_d01b(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "edifact", "D01B")) == comparable(record)


@SETTINGS
@given(gen.load_tenders("x12"))
def test_204_005010(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "x12", "005010")) == comparable(record)


@SETTINGS
@given(gen.freight_invoices("x12"))
def test_210_005010(record: CanonicalRecord) -> None:
    assert comparable(through_engine(record, "x12", "005010")) == comparable(record)
