"""Inbound maps turn any segment list into a record (with warnings), never an exception:
generated segments built from the tags each map reads, with odd values in every position."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translators.core.segment import Segment
from translators.maps import INBOUND, to_canonical

pytestmark = pytest.mark.unit

TAGS = {
    "x12": [
        "B2",
        "B2A",
        "B3",
        "B10",
        "B1",
        "C3",
        "L11",
        "N9",
        "G62",
        "NTE",
        "N1",
        "N2",
        "N3",
        "N4",
        "G61",
        "N7",
        "S5",
        "AT8",
        "L5",
        "L0",
        "L1",
        "L3",
        "LX",
        "AT7",
        "MS1",
        "MS2",
        "K1",
        "V9",
        "OID",
        "AK1",
        "AK2",
        "AK3",
        "AK4",
        "AK5",
        "IK3",
        "IK4",
        "IK5",
        "AK9",
        "TA1",
        "ST",
        "SE",
    ],
    "edifact": [
        "BGM",
        "DTM",
        "FTX",
        "CNT",
        "MOA",
        "CPI",
        "RFF",
        "TDT",
        "LOC",
        "NAD",
        "CTA",
        "COM",
        "GID",
        "MEA",
        "EQD",
        "CNI",
        "STS",
        "CUX",
        "PAI",
        "LIN",
        "IMD",
        "PRI",
        "ALC",
        "TAX",
        "UNS",
        "UCI",
        "UCM",
        "UCS",
        "UCD",
        "UCF",
        "ERC",
        "UNH",
        "UNT",
    ],
}
odd_text = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "1,5",
        "99999999999999999999",
        "NaN",
        "Infinity",
        "1E+999",
        "20240230",
        "240101",
        "2401",
        "9999",
        "ZZ",
        "USD",
        "usd",
        "LT",
        "UTC",
        "+01",
        "A" * 90,
        "1:2",
        "ü",
        "\x00",
        "12345678901234567890123",
    ]
) | st.text(max_size=12)
value = odd_text | st.tuples(odd_text, odd_text, odd_text) | st.lists(odd_text, max_size=2)


def segments(standard: str) -> st.SearchStrategy[list[Segment]]:
    segment = st.builds(
        Segment,
        st.sampled_from(TAGS[standard]),
        st.lists(value, max_size=14),  # type: ignore[arg-type]
    )
    return st.lists(segment, max_size=25)


@pytest.mark.parametrize("key", sorted(INBOUND))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_segments_give_a_record(key: tuple[str, str], data: st.DataObject) -> None:
    standard, doc_type = key
    record = to_canonical(standard, doc_type, data.draw(segments(standard)))
    assert record is not None
    record.model_dump_json()  # and it serialises


NASTY = [
    ("x12", "210", "ST*210*1~B3**I*S*PP**20240101*100~C3*usd~SE*3*1~"),
    ("x12", "210", "ST*210*1~B3**I*S*PP**00000000*1E+999~L1*1*NaN*PH*Infinity~SE*3*1~"),
    ("x12", "204", "ST*204*1~S5*A*LD*NaN*L*Infinity*PC*1E+999*E~L3*1E+999*G***NaN~SE*3*1~"),
    ("x12", "214", "ST*214*1~LX*X~AT7*D1*NS***20241301*2500*ZZ~MS1*~AT8*G*K*-~SE*3*1~"),
    ("x12", "990", "ST*990*1~B1~SE*2*1~"),
    ("edifact", "INVOIC", "UNH+1+INVOIC:D:96A:UN'CUX+2:eu1:4'ALC+A'MOA+204:x'UNT+2+1'"),
    ("edifact", "IFTMIN", "UNH+1+IFTMIN:D:96A:UN'MOA+64:1:xx'LOC+9+A::ZZZ'DTM+234:1:999'UNT+2+1'"),
    ("edifact", "IFTSTA", "UNH+1+IFTSTA:D:96A:UN'STS'DTM+334:20240101:303'CNT+7:x:KGM'UNT+2+1'"),
]


@pytest.mark.parametrize(("standard", "doc_type", "text"), NASTY)
def test_known_nasty_inputs(standard: str, doc_type: str, text: str) -> None:
    from tests.unit.maps.segments import edifact, x12

    parse = x12 if standard == "x12" else edifact
    record = to_canonical(standard, doc_type, parse(text))
    assert record is not None
    assert record.warnings  # each of them has something to say
