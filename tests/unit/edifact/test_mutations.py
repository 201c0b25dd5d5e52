"""Bad input of any kind yields a structured outcome, never a traceback, and nothing in a valid
neighbouring message is lost: mutations (drop, duplicate, truncate, swap delimiters, inject
binary) of valid interchanges, with hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.edifact.engine_paths import mutated
from translators.core import AnalysisReport
from translators.edifact import acknowledge, analyse, iter_messages, parse_acknowledgements

pytestmark = pytest.mark.unit

FIRST = "UNH+M1+IFTSTA:D:96A:UN'BGM+77+FIRST+9'DTM+137:202403010930:203'CNI+1'STS+1+21'UNT+6+M1'"
MIDDLE = "UNH+M2+INVOIC:D:96A:UN'BGM+380+INV?+1+9'DTM+137:20240301:102'UNS+S'MOA+77:12.50'UNT+6+M2'"
LAST = "UNH+M3+IFTSTA:D:96A:UN'BGM+77+LAST+9'CNI+1'STS+1+13'UNT+5+M3'"
VALID = "UNA:+.? 'UNB+UNOC:3+SENDER:14+RECEIVER:14+240301:0930+77'" + FIRST + MIDDLE + LAST
VALID += "UNZ+3+77'"


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["drop", "duplicate", "truncate", "swap", "inject"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=40),
    st.binary(min_size=1, max_size=20),
)
def test_any_mutation_gives_a_structured_outcome(
    kind: str, at: int, length: int, junk: bytes
) -> None:
    data = mutated(VALID, kind, at, length, junk)
    report = analyse(data)
    assert isinstance(report, AnalysisReport)
    report.to_dict()  # serialisable, every issue has its location
    contrl = acknowledge(report)
    for ack in parse_acknowledgements(contrl):
        assert ack.status.value in {"accepted", "partially_accepted", "rejected", "received"}


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["drop", "duplicate", "swap", "inject"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=30),
    st.binary(min_size=1, max_size=20).filter(lambda b: b"'" not in b and b"?" not in b),
)
def test_a_broken_middle_message_leaves_its_neighbours_whole(
    kind: str, at: int, length: int, junk: bytes
) -> None:
    head = VALID.index(MIDDLE)
    # mutate strictly inside the middle message's body (after its UNH, before its UNT)
    start, end = head + MIDDLE.index("BGM"), head + MIDDLE.index("UNT")
    at = start + at % (end - start)
    length = min(length, end - at)
    data = mutated(VALID, kind, at, length, junk)
    by_reference = {m.reference: m for m in iter_messages(data)}
    original = {m.reference: m for m in iter_messages(VALID.encode())}
    for reference in ("M1", "M3"):
        assert reference in by_reference
        got = [(s.tag, s.elements) for s in by_reference[reference].segments()]
        assert got == [(s.tag, s.elements) for s in original[reference].segments()]
    statuses = {
        t.control_number: t.status.value
        for ic in analyse(data).interchanges
        for t in ic.transactions()
    }
    assert statuses["M1"] == "accepted" and statuses["M3"] == "accepted"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_after_a_header(noise: bytes) -> None:
    for prefix in (b"UNB+UNOC:3+S+R+240301:0930+1'", b"UNA:+.? '", b"UNH+1+X:D:96A:UN'"):
        report = analyse(prefix + noise)
        assert isinstance(report, AnalysisReport)
        acknowledge(report)
