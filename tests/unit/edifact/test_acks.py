"""CONTRL built from analysis results (UCI 4/7/8, UCF, UCM, UCS, UCD with 0085 codes) and read
back, plus inbound APERAK, all into the shared acknowledgement shape."""

from __future__ import annotations

import datetime as dt

import pytest

from translators.core.acks import AckStatus
from translators.edifact import acknowledge, analyse, build_contrl, parse_acknowledgements

pytestmark = pytest.mark.unit

WHEN = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
UNB = "UNB+UNOC:3+THEM:14+US:14+200101:1200+IC7+++1'"


def contrl_for(text: str, **options: object) -> str:
    return acknowledge(text.encode(), prepared=WHEN, control_reference="900", **options).decode()


def test_clean_interchange_gets_uci_7_and_no_ucm() -> None:
    data = UNB + "UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+M1'UNZ+1+IC7'"
    contrl = contrl_for(data)
    assert "UNB+UNOC:3+US:14+THEM:14+240301:0930+900'" in contrl
    assert "UNH+1+CONTRL:D:3:UN'" in contrl
    assert "UCI+IC7+THEM:14+US:14+7'" in contrl
    assert "UCM" not in contrl
    (ack,) = parse_acknowledgements(contrl.encode())
    assert (ack.status, ack.interchange_control_number) == (AckStatus.ACCEPTED, "IC7")


def test_positive_ucm_when_asked() -> None:
    data = UNB + "UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+M1'UNZ+1+IC7'"
    assert "UCM+M1+IFTSTA:D:96A:UN+7'" in contrl_for(data, positive_ucm=True)


def test_rejected_message_gets_ucm_4_with_its_code_and_neighbour_stays_accepted() -> None:
    data = (
        UNB
        + "UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'UNT+9+M1'"
        + "UNH+M2+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+M2'"
        + "UNZ+2+IC7'"
    )
    contrl = contrl_for(data)
    assert "UCI+IC7+THEM:14+US:14+7'" in contrl
    assert "UCM+M1+IFTSTA:D:96A:UN+4+29+UNT+1'" in contrl
    assert "UCM+M2" not in contrl
    (ack,) = parse_acknowledgements(contrl.encode())
    assert ack.status is AckStatus.PARTIALLY_ACCEPTED
    (transaction,) = ack.transactions()
    assert (transaction.control_number, transaction.status) == ("M1", AckStatus.REJECTED)
    assert [(e.code, e.segment_id, e.element_position) for e in transaction.errors] == [
        ("29", "UNT", 1)
    ]


def test_interchange_error_gets_uci_4() -> None:
    data = UNB + "UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+M1'UNZ+1+WRONG'"
    contrl = contrl_for(data)
    assert "UCI+IC7+THEM:14+US:14+4+28+UNZ+2'" in contrl
    (ack,) = parse_acknowledgements(contrl.encode())
    assert ack.status is AckStatus.REJECTED and ack.errors[0].code == "28"


def test_receipt_only_is_action_8() -> None:
    data = UNB + "UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+M1'UNZ+1+IC7'"
    contrl = contrl_for(data, receipt_only=True)
    assert "UCI+IC7+THEM:14+US:14+8'" in contrl
    (ack,) = parse_acknowledgements(contrl.encode())
    assert ack.status is AckStatus.RECEIVED


def test_group_responses_and_syntax_4_identifier() -> None:
    data = (
        "UNB+UNOC:4+THEM+US+20200101:1200+IC8'"
        + "UNG+IFTSTA+A+B+20200101:1200+G1+UN+D:96A'"
        + "UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+M1'UNE+2+G1'"
        + "UNZ+1+IC8'"
    )
    contrl = contrl_for(data)
    assert "CONTRL:4:1:UN" in contrl and "+20240301:0930+" in contrl
    assert "UCF+G1+A+B+4+29+UNE+1'" in contrl
    (ack,) = parse_acknowledgements(contrl.encode())
    assert ack.groups[0].status is AckStatus.REJECTED
    assert ack.status is AckStatus.PARTIALLY_ACCEPTED


def test_ucs_and_ucd_from_segment_and_element_findings() -> None:
    from translators.core.issues import Issue, Level
    from translators.core.location import Location

    report = analyse(
        (UNB + "UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+M1'UNZ+1+IC7'").encode(), validate=False
    )
    transaction = report.interchanges[0].transactions()[0]
    transaction.issues += [
        Issue(
            "segment_missing",
            "x",
            Level.SEGMENT,
            location=Location(segment_position=2),
            standard_codes={"contrl": "13"},
        ),
        Issue(
            "element_too_long",
            "x",
            Level.ELEMENT,
            location=Location(segment_position=2, element=2, component=1),
            standard_codes={"contrl": "39"},
        ),
    ]
    contrl = build_contrl(report, prepared=WHEN).decode()
    assert "UCM+M1+IFTSTA:D:96A:UN+4'\nUCS+2+13'\nUCD+39+2:1'" in contrl
    (ack,) = parse_acknowledgements(contrl.encode())
    errors = ack.transactions()[0].errors
    assert [
        (e.code, e.segment_position, e.element_position, e.component_position) for e in errors
    ] == [("13", 2, None, None), ("39", 2, 2, 1)]


def test_no_contrl_for_a_contrl_or_a_bare_message() -> None:
    contrl = contrl_for(UNB + "UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+M1'UNZ+1+IC7'")
    assert acknowledge(contrl.encode()) == b""
    assert acknowledge(b"UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+M1'") == b""


def test_aperak_verdicts() -> None:
    def aperak(bgm: str, extra: str = "") -> str:
        return UNB + f"UNH+A1+APERAK:D:96A:UN'{bgm}'RFF+ACW:ORDER9'{extra}UNT+4+A1'UNZ+1+IC7'"

    (ack,) = parse_acknowledgements(aperak("BGM+7+X+9+AP").encode())
    assert ack.status is AckStatus.ACCEPTED and ack.transactions()[0].control_number == "ORDER9"
    (ack,) = parse_acknowledgements(aperak("BGM+7+X+27").encode())
    assert ack.status is AckStatus.REJECTED
    (ack,) = parse_acknowledgements(aperak("BGM+7+X", "ERC+Z29'FTX+AAO+++Bad: code'").encode())
    assert ack.status is AckStatus.REJECTED
    assert [(e.code, e.message) for e in ack.transactions()[0].errors] == [("Z29", "Bad: code")]


def test_contrl_echoes_ids_outside_the_declared_repertoire() -> None:
    data = "UNB+UNOC:3+ŁÓDŹ:ZZ+US+200101:1200+IC9'UNH+1+IFTSTA:D:96A:UN'BGM+77+X'UNT+3+1'"
    data += "UNZ+1+IC9'"
    contrl = acknowledge(data.encode(), prepared=WHEN)
    assert "UCI+IC9+ŁÓDŹ:ZZ+US+7'".encode() in contrl
    (ack,) = parse_acknowledgements(contrl)
    assert ack.sender_id == "ŁÓDŹ"
