"""Numbers, dates, zones and the report helper the maps share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from translators.core.report import (
    AnalysisReport,
    GroupReport,
    InterchangeReport,
    TransactionReport,
)
from translators.maps import MapContext
from translators.maps._common import (
    Findings,
    edifact_datetime,
    edifact_dtm_value,
    implied,
    n2,
    wrap,
    x12_date_time_code,
    x12_datetime,
)
from translators.maps.files import attach_canonical

pytestmark = pytest.mark.unit
CONTEXT = MapContext()


@pytest.mark.parametrize(
    ("text", "value"),
    [("65940", "659.40"), ("-1274", "-12.74"), ("0", "0.00"), ("12.5", "12.5"), ("x", None)],
)
def test_implied_decimals(text: str, value: str | None) -> None:
    assert implied(text, 2) == (Decimal(value) if value else None)


def test_n2_writes_cents() -> None:
    assert [n2(Decimal(v)) for v in ("659.4", "-12.74", "0")] == ["65940", "-1274", "0"]


def test_x12_time_codes() -> None:
    findings = Findings()
    eastern, _ = x12_datetime("20240701", "1200", "ET", CONTEXT, findings, "p")
    assert eastern is not None and eastern.utcoffset() == dt.timedelta(hours=-4)  # daylight
    fixed, assumed = x12_datetime("20240101", "120030", "CD", CONTEXT, findings, "p")
    assert fixed == dt.datetime(2024, 1, 1, 17, 0, 30, tzinfo=dt.UTC) and not assumed
    numeric, _ = x12_datetime("20240101", "1200", "14", CONTEXT, findings, "p")
    assert numeric is not None and numeric.utcoffset() == dt.timedelta(hours=-2)
    local, assumed = x12_datetime("20240101", "1200", "LT", CONTEXT, findings, "p", region="TX")
    assert assumed and local is not None and local.utcoffset() == dt.timedelta(hours=-6)
    assert findings.items == []
    odd, _ = x12_datetime("20240101", "1200", "QQ", CONTEXT, findings, "p")
    assert odd is not None and [w.code for w in findings.items] == ["unknown_time_code"]


def test_x12_writes_the_zone_it_can_name() -> None:
    eastern = dt.timezone(dt.timedelta(hours=-5))
    assert x12_date_time_code(dt.datetime(2024, 1, 1, 8, 0, tzinfo=eastern)) == (
        "20240101",
        "0800",
        "ES",
    )
    kolkata = dt.timezone(dt.timedelta(hours=5, minutes=30))
    assert x12_date_time_code(dt.datetime(2024, 1, 1, 8, 0, tzinfo=kolkata)) == (
        "20240101",
        "0230",
        "UT",
    )


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        ("202403011430UTC", "303", dt.datetime(2024, 3, 1, 14, 30, tzinfo=dt.UTC)),
        ("20240301143000+01", "304", dt.datetime(2024, 3, 1, 13, 30, tzinfo=dt.UTC)),
        ("202403011430-0500", "205", dt.datetime(2024, 3, 1, 19, 30, tzinfo=dt.UTC)),
        ("202403011430", "203", dt.datetime(2024, 3, 1, 14, 30, tzinfo=dt.UTC)),
    ],
)
def test_edifact_dtm_formats(value: str, fmt: str, expected: dt.datetime) -> None:
    moment, _ = edifact_datetime(value, fmt, CONTEXT, Findings(), "p")
    assert moment == expected


def test_edifact_format_mismatch_is_read_and_flagged() -> None:
    findings = Findings()
    moment, assumed = edifact_datetime("20150820", "203", CONTEXT, findings, "p")
    assert moment == dt.datetime(2015, 8, 20, tzinfo=dt.UTC) and assumed
    assert [w.code for w in findings.items] == ["dtm_format_mismatch"]


def test_edifact_write_and_read_back() -> None:
    for moment in (
        dt.datetime(2024, 3, 1, 14, 30, tzinfo=dt.UTC),
        dt.datetime(2024, 3, 1, 14, 30, 15, tzinfo=dt.UTC),
        dt.datetime(2024, 3, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
    ):
        value, fmt = edifact_dtm_value(moment)
        again, assumed = edifact_datetime(value, fmt, CONTEXT, Findings(), "p")
        assert again == moment and not assumed


def test_wrap_keeps_words_together() -> None:
    text = "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG"
    pieces = wrap(text, 10)
    assert all(len(p) <= 10 for p in pieces)
    assert " ".join(pieces) == text
    assert wrap("X" * 25, 10) == ["X" * 10, "X" * 10, "X" * 5]


def test_attach_canonical_leaves_mismatched_transactions_alone() -> None:
    data = (
        b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*U*"
        b"00401*000000001*0*P*>~GS*QM*A*B*20240101*1200*1*X*004010~ST*214*0001~"
        b"B10*PRO*LOAD*ABCD~LX*1~AT7*D1*NS***20240101*1200*UT~SE*5*0001~GE*1*1~"
        b"IEA*1*000000001~"
    )
    wrong = TransactionReport(type="214", version="004010", control_number="9999")
    report = AnalysisReport(
        standard="x12",
        interchanges=[
            InterchangeReport(
                standard="x12",
                version="00401",
                sender_qualifier="ZZ",
                sender_id="A",
                receiver_qualifier="ZZ",
                receiver_id="B",
                control_number="000000001",
                groups=[GroupReport("QM", "004010", "1", transactions=[wrong])],
            )
        ],
    )
    attach_canonical(report, data)
    assert wrong.canonical is None
    wrong.control_number = "0001"
    attach_canonical(report, data, MapContext(partner="acme"))
    assert wrong.canonical is not None
    assert wrong.canonical["events"][0]["milestone"] == "delivered"
    assert wrong.canonical["source"]["partner"] == "acme"
