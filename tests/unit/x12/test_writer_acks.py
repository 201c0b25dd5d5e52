"""Writer round trips, 997/999/TA1 building and reading, and pyx12's own syntax check of the
997/999 we generate (pyx12 ships maps for 997 004010 and 999 005010, HIPAA-coded)."""

from __future__ import annotations

import io
import logging

import pytest

from tests.unit.x12 import samples
from translators import x12
from translators.core import (
    GroupReport,
    InterchangeReport,
    Issue,
    Level,
    Location,
    Status,
    TransactionReport,
)
from translators.x12 import Delimiters, WriteError

pytestmark = pytest.mark.unit

STAMP = samples.STAMP


def round_trip(data: bytes) -> None:
    first = list(x12.parse(data))
    again = b"".join(x12.write_interchange(ic) for ic in first)
    second = list(x12.parse(again))
    assert [
        [(s.tag, s.elements) for s in t.segments] for ic in first for t in ic.transactions()
    ] == [[(s.tag, s.elements) for s in t.segments] for ic in second for t in ic.transactions()]
    assert [ic.header.fields for ic in first] == [ic.header.fields for ic in second]
    assert again == data


@pytest.mark.parametrize(
    "delimiters",
    [Delimiters(suffix="\n"), Delimiters("|", "^", None, "\n"), Delimiters("*", ":", None, "'")],
)
def test_parse_write_parse_is_lossless(delimiters: Delimiters) -> None:
    data = samples.interchange(
        [samples.status_214("0001"), samples.status_214("0002", "AF")], delimiters=delimiters
    ) + samples.interchange(
        [samples.invoice_210()], functional_id="IM", control=2, delimiters=delimiters
    )
    round_trip(data)


def test_5010_repetitions_round_trip() -> None:
    d = Delimiters("*", ":", "^", "~", "\n")
    ack = [
        samples.seg("ST*999*0001*005010X231A1"),
        samples.seg("AK1*QM*1*005010"),
        samples.seg("AK2*214*0001"),
        samples.seg("IK3*AT7*8**8"),
        x12.write_segments,  # placeholder replaced below
    ]
    ack[-1] = samples.Segment("CTX", [[("SITUATIONAL TRIGGER", ""), ("X", "2")], "AT7"])
    ack += [samples.seg("IK5*R*5"), samples.seg("AK9*R*1*1*0")]
    data = samples.interchange([ack], delimiters=d, version="005010", functional_id="FA")
    assert b"ISA*00*          *00*          *ZZ*SENDER         *" in data
    assert data.split(b"~")[0].split(b"*")[11] == b"^"
    round_trip(data)


def test_writer_computes_counts_and_refuses_delimiters_in_data() -> None:
    body = samples.status_214()[:-1]  # no SE: the writer adds it
    data = samples.interchange([body])
    report = x12.analyse(data)
    assert report.interchanges[0].status is Status.ACCEPTED
    bad = [samples.seg("ST*214*0001"), samples.Segment("B10", ["A~B", "L", "ABCD"])]
    with pytest.raises(WriteError):
        samples.interchange([bad])
    with pytest.raises(WriteError):
        x12.write_segments([], Delimiters("*", "*", None, "~"))


def _group_with_findings(functional_id: str, set_id: str) -> GroupReport:
    bad = TransactionReport(set_id, "005010X222A1", "0002")
    bad.issues.append(
        Issue(
            "element_invalid_code",
            "bad code",
            Level.ELEMENT,
            location=Location(segment_id="CLM", segment_position=5, element=1, loop_id="2300"),
            standard_codes={"ak4": "7", "ak3": "8", "ak5": "5", "ik5": "5", "element_ref": "1028"},
            value="X~Y",
        )
    )
    bad.issues.append(
        Issue(
            "segment_missing",
            "missing",
            Level.SEGMENT,
            location=Location(segment_id="NM1", segment_position=3, loop_id="1000"),
            standard_codes={"ak3": "3", "ak5": "5", "ik5": "5"},
        )
    )
    good = TransactionReport(set_id, "005010X222A1", "0001")
    return GroupReport(functional_id, "005010X222A1", "17", transactions=[good, bad])


def test_build_997_and_999_read_back() -> None:
    group = _group_with_findings("HC", "837")
    for kind, builder in (("997", x12.build_997), ("999", x12.build_999)):
        segments = builder(group)
        tags = [s.tag for s in segments]
        assert tags[0] == "ST" and tags[-1] == "SE" and segments[-1].get(1) == str(len(tags))
        data = x12.write(
            [segments],
            x12.Envelope("RECEIVER", "SENDER", 5, 5, "FA", version="005010", timestamp=STAMP),
        )
        (ack,) = x12.parse_acknowledgements(data)
        assert ack.kind == kind
        (read,) = ack.groups
        assert (read.functional_id, read.control_number, read.code) == ("HC", "17", "P")
        assert (read.received, read.accepted) == (2, 1)
        first, second = read.transactions
        assert (first.code, second.code, second.errors) == ("A", "R", ["5"])
        notes = {(n.segment_id, n.position, n.code) for n in second.segments}
        assert notes == {("NM1", "3", "3"), ("CLM", "5", "8")}
        clm = next(n for n in second.segments if n.segment_id == "CLM")
        assert clm.elements[0]["code"] == "7" and clm.elements[0]["value"] == "XY"


def test_build_ta1() -> None:
    report = InterchangeReport("x12", "00401", "ZZ", "A", "ZZ", "B", "000000042")
    assert x12.build_ta1(report, date="260304", time="0506").elements == [
        "000000042",
        "260304",
        "0506",
        "A",
        "000",
    ]
    report.issues.append(
        Issue("iea_control_number_mismatch", "x", Level.INTERCHANGE, standard_codes={"ta1": "001"})
    )
    assert x12.build_ta1(report, date="260304", time="0506").elements[3:] == ["R", "001"]


def test_acknowledge_answers_each_interchange() -> None:
    good = samples.interchange([samples.status_214()])
    bad = samples.interchange([samples.status_214("0001", "QQ")], control=2)
    out = x12.acknowledge(good + bad, timestamp=STAMP)
    acks = x12.parse_acknowledgements(out)
    assert [a.kind for a in acks] == ["997", "997"]
    assert [a.groups[0].code for a in acks] == ["A", "R"]
    assert (acks[0].sender_id, acks[0].receiver_id) == ("RECEIVER", "SENDER")
    assert all(not a.issues for a in acks)  # our own acks pass our own 997 guide
    five = samples.interchange([samples.status_214()], version="005010")
    (ack,) = x12.parse_acknowledgements(x12.acknowledge(five, timestamp=STAMP))
    assert ack.kind == "999" and not ack.issues
    broken = good.replace(b"IEA*1*000000001", b"IEA*1*000000007")
    (ack,) = x12.parse_acknowledgements(x12.acknowledge(broken, timestamp=STAMP))
    assert ack.kind == "TA1" and ack.interchanges[0].note_code == "001"
    assert ack.interchanges[0].status is Status.REJECTED


def _pyx12_errors(data: bytes, caplog: pytest.LogCaptureFixture) -> list[str]:
    pyx12_document = pytest.importorskip("pyx12.x12n_document")
    params = pytest.importorskip("pyx12.params")
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        pyx12_document.x12n_document(
            param=params.params(),
            src_file=io.StringIO(data.decode("latin-1")),
            fd_997=io.StringIO(),
            fd_html=None,
            fd_xmldoc=None,
            map_path=None,
        )
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("kind", "version"), [("997", "004010"), ("999", "005010X231A1")])
def test_generated_acks_pass_pyx12(
    kind: str, version: str, caplog: pytest.LogCaptureFixture
) -> None:
    # pyx12's 997/999 maps only know HIPAA functional ids and sets: acknowledge an 837 group
    group = _group_with_findings("HC", "837")
    group.version = version if kind == "999" else "004010X098A1"
    segments = x12.build_997(group, version="004010") if kind == "997" else x12.build_999(group)
    envelope = x12.Envelope("RECEIVER", "SENDER", 7, 7, "FA", version=version, timestamp=STAMP)
    d = Delimiters("*", ":", "^" if kind == "999" else None, "~", "\n")
    data = x12.write([segments], envelope, d)
    assert _pyx12_errors(data, caplog) == []
    # and pyx12 does see real problems in the same kind of file
    broken = data.replace(b"AK9*P*2*2*1", b"AK9*Q*2*2*1")
    assert _pyx12_errors(broken, caplog)


def test_ak9_reports_the_declared_count_beside_the_received_one() -> None:
    data = samples.interchange([samples.status_214("0001"), samples.status_214("0002")])
    data = data.replace(b"GE*2*1", b"GE*3*1")
    (ack,) = x12.parse_acknowledgements(x12.acknowledge(data, timestamp=STAMP))
    (group,) = ack.groups
    assert (group.code, group.included, group.received, group.accepted) == ("R", 3, 2, 0)
    assert group.errors == ["5"]
