"""Inbound 997 / 999 / TA1 / CONTRL / APERAK -> FunctionalAck."""

from __future__ import annotations

import pytest

from tests.unit.maps.segments import edifact, x12
from translators.canonical import AckStatus
from translators.maps import to_canonical

pytestmark = pytest.mark.unit


def test_997_partial_acceptance_with_segment_and_element_errors() -> None:
    ack = to_canonical(
        "x12",
        "997",
        x12(
            "ST*997*1~AK1*QM*77~AK2*214*0001~AK5*A~AK2*214*0002~AK3*AT7*5**8~AK4*1**7*ZZ~"
            "AK5*R*5~AK9*P*2*2*1~SE*10*1~"
        ),
    )
    assert ack is not None and ack.record_type == "functional_ack"
    assert (ack.ack_type, ack.status, ack.group_control_number) == (
        "997",
        AckStatus.PARTIALLY_ACCEPTED,
        "77",
    )
    assert (ack.transactions_included, ack.transactions_accepted) == (2, 1)
    rejected = ack.transactions[1]
    assert rejected.status is AckStatus.REJECTED and rejected.control_number == "0002"
    assert [
        (e.code, e.segment_id, e.segment_position, e.element_position) for e in rejected.errors
    ] == [
        ("8", "AT7", 5, None),
        ("7", "AT7", 5, 1),
        ("5", None, None, None),
    ]


def test_999_and_ta1() -> None:
    ack = to_canonical(
        "x12", "999", x12("ST*999*1~AK1*SM*5*005010~AK2*204*1~IK5*E~AK9*A*1*1*1~SE*6*1~")
    )
    assert ack is not None and ack.ack_type == "999"
    assert ack.transactions[0].status is AckStatus.ACCEPTED_WITH_ERRORS
    ta1 = to_canonical("x12", "TA1", x12("TA1*000000123*240301*1200*R*022~"))
    assert ta1 is not None and ta1.ack_type == "TA1"
    assert (ta1.status, ta1.interchange_control_number) == (AckStatus.REJECTED, "000000123")
    assert [e.code for e in ta1.errors] == ["022"]


def test_contrl_acknowledged_with_one_message_rejected_is_partial() -> None:
    ack = to_canonical(
        "edifact",
        "CONTRL",
        edifact(
            "UNH+1+CONTRL:D:3:UN'UCI+IC55+SENDER+US+7'UCM+M1+IFTSTA:D:96A:UN+7'"
            "UCM+M2+IFTSTA:D:96A:UN+4'UCS+5+12'UCD+12+2:1'UNT+7+1'"
        ),
    )
    assert ack is not None and ack.ack_type == "CONTRL"
    assert (ack.status, ack.interchange_control_number) == (AckStatus.PARTIALLY_ACCEPTED, "IC55")
    assert [t.status for t in ack.transactions] == [AckStatus.ACCEPTED, AckStatus.REJECTED]
    assert [
        (e.code, e.segment_position, e.element_position) for e in ack.transactions[1].errors
    ] == [
        ("12", 5, None),
        ("12", 5, 2),
    ]


def test_contrl_receipt_only() -> None:
    ack = to_canonical("edifact", "CONTRL", edifact("UNH+1+CONTRL:D:3:UN'UCI+IC1+S+R+8'UNT+3+1'"))
    assert ack is not None and ack.status is AckStatus.RECEIVED


def test_aperak_with_errors_is_a_rejection() -> None:
    ack = to_canonical(
        "edifact",
        "APERAK",
        edifact(
            "UNH+1+APERAK:D:96A:UN'BGM+7+A1+9'RFF+ACW:MSG9'ERC+Z29'FTX+AAO+++BAD ADDRESS'UNT+6+1'"
        ),
    )
    assert ack is not None and ack.status is AckStatus.REJECTED
    assert ack.transactions[0].control_number == "MSG9"
    assert [(e.code, e.message) for e in ack.transactions[0].errors] == [("Z29", "BAD ADDRESS")]
    accepted = to_canonical(
        "edifact", "APERAK", edifact("UNH+1+APERAK:D:96A:UN'BGM+7+A2+9+AP'UNT+3+1'")
    )
    assert accepted is not None and accepted.status is AckStatus.ACCEPTED


def test_no_map_for_other_types() -> None:
    assert to_canonical("x12", "850", x12("ST*850*1~SE*2*1~")) is None
