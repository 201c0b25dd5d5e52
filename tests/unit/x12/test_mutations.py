"""Any byte sequence yields a structured result or a clean NotEdiError, never a traceback;
and the fast acceptance path never passes a set that full validation would fault."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.x12 import samples
from translators import x12
from translators.core import AnalysisReport
from translators.core.issues import NotEdiError
from translators.x12 import Delimiters

pytestmark = pytest.mark.unit

VALID = [
    samples.interchange([samples.status_214("0001"), samples.status_214("0002", "AF")]),
    samples.interchange([samples.invoice_210()], functional_id="IM", control=2),
    samples.interchange(
        [samples.tender_204()],
        functional_id="SM",
        control=3,
        delimiters=Delimiters("|", "^", None, "\n"),
    ),
    samples.interchange(
        [samples.status_214()], version="005010", delimiters=Delimiters("*", ":", "^", "~", "\r\n")
    ),
]
DELIMITERS = b"*~:^|>\n\r."


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(VALID)) * draw(st.integers(1, 2)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["drop", "duplicate", "truncate", "swap", "binary", "flip"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "drop":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 60)))
            data[at:at] = data[at:end]
        elif kind == "truncate":
            del data[at:]
        elif kind == "swap":
            old, new = draw(st.sampled_from(DELIMITERS)), draw(st.sampled_from(DELIMITERS))
            data = bytearray(data.replace(bytes([old]), bytes([new])))
        elif kind == "binary":
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
        else:
            data[at] = draw(st.integers(0, 255))
    return bytes(data)


def check_structured(data: bytes) -> AnalysisReport | None:
    try:
        report = x12.analyse(data)
    except NotEdiError:
        return None
    json.dumps(report.to_dict())  # every finding serialises
    for ic in report.interchanges:
        for group in ic.groups:
            for tx in group.transactions:
                for issue in tx.issues:
                    assert issue.code and issue.message
    return report


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_give_structured_outcomes(data: bytes) -> None:
    check_structured(data)
    try:
        acks = x12.acknowledge(data)
    except NotEdiError:
        return
    assert isinstance(acks, bytes)
    for ack in x12.parse_acknowledgements(acks):
        assert ack.kind in ("997", "999", "TA1")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_fast_acceptance_agrees_with_full_validation(data: bytes) -> None:
    for tx in x12.iter_transactions(data):
        guide = x12.compiled_guide(tx.report.type or "", tx.version or "004010")
        if guide is None or tx.complex:
            continue
        if guide.accepts_texts(tx.texts, tx.interchange.delimiters.element):
            assert guide.validate(tx.segments) == [], tx.texts


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes(data: bytes) -> None:
    check_structured(data)
    check_structured(b"ISA*" + data)
    check_structured(b"ST*214*0001~" + data)


def test_a_broken_set_leaves_its_neighbours_intact() -> None:
    data = samples.interchange([samples.status_214(f"{n:04d}") for n in range(1, 6)])
    broken = data.replace(b"ST*214*0003~\nB10*PRO12345*LOAD778*ABCD~\n", b"ST*214*0003~\n")
    txs = x12.analyse(broken).interchanges[0].groups[0].transactions
    assert [t.status.value for t in txs] == ["accepted"] * 2 + ["rejected"] + ["accepted"] * 2
