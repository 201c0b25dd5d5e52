"""Envelope checks: control numbers and counts give the standard codes; a bad transaction or
group never fails its neighbours."""

from __future__ import annotations

import pytest

from tests.unit.x12 import samples
from translators import x12
from translators.core import Overlay, Severity, Status
from translators.core.issues import NotEdiError
from translators.x12 import _codes as c

pytestmark = pytest.mark.unit

GOOD = samples.interchange([samples.status_214("0001"), samples.status_214("0002", "D1")])


def codes(issues: list) -> dict[str, dict[str, str]]:
    return {i.code: i.standard_codes for i in issues}


def test_valid_interchange_is_accepted() -> None:
    report = x12.analyse(GOOD)
    assert report.to_dict()["interchanges"][0]["status"] == "accepted"
    ic = report.interchanges[0]
    assert (ic.sender_id, ic.receiver_id, ic.control_number) == ("SENDER", "RECEIVER", "000000001")
    group = ic.groups[0]
    assert (group.functional_id, group.version, group.control_number) == ("QM", "004010", "1")
    assert [t.control_number for t in group.transactions] == ["0001", "0002"]
    assert not report.any_rejected


def test_bad_se_count_rejects_only_that_set() -> None:
    data = GOOD.replace(b"SE*12*0001", b"SE*15*0001")
    group = x12.analyse(data).interchanges[0].groups[0]
    first, second = group.transactions
    assert codes(first.issues)["se_count_mismatch"] == {"ak5": "4", "ik5": "4"}
    assert first.status is Status.REJECTED and second.status is Status.ACCEPTED
    assert group.status is Status.ACCEPTED_WITH_ERRORS


def test_se_reference_and_duplicate_st() -> None:
    data = GOOD.replace(b"SE*12*0001", b"SE*12*0003").replace(b"ST*214*0002", b"ST*214*0001")
    data = data.replace(b"SE*12*0002", b"SE*12*0001")
    first, second = x12.analyse(data).interchanges[0].groups[0].transactions
    assert codes(first.issues)["se_control_number_mismatch"]["ak5"] == "3"
    assert codes(second.issues)["st_control_number_duplicate"]["ak5"] == "23"


def test_zero_padded_counts_compare_numerically() -> None:
    data = GOOD.replace(b"SE*12*0001", b"SE*0000000012*0001").replace(b"GE*2*1", b"GE*000002*1")
    data = data.replace(b"IEA*1*", b"IEA*00001*")
    assert x12.analyse(data).interchanges[0].status is Status.ACCEPTED


def test_group_trailer_problems() -> None:
    data = GOOD.replace(b"GE*2*1", b"GE*3*7")
    group = x12.analyse(data).interchanges[0].groups[0]
    found = codes(group.issues)
    assert found["ge_count_mismatch"]["ak9"] == "5"
    assert found["ge_control_number_mismatch"]["ak9"] == "4"
    assert group.status is Status.REJECTED
    assert all(t.status is Status.ACCEPTED for t in group.transactions)
    assert x12.analyse(data).any_rejected


def test_interchange_trailer_problems() -> None:
    data = GOOD.replace(b"IEA*1*000000001", b"IEA*2*000000009")
    ic = x12.analyse(data).interchanges[0]
    assert codes(ic.issues)["iea_group_count_mismatch"]["ta1"] == "021"
    assert codes(ic.issues)["iea_control_number_mismatch"]["ta1"] == "001"
    assert ic.status is Status.REJECTED


def test_missing_trailers() -> None:
    cut = GOOD[: GOOD.index(b"SE*12*0002")]
    ic = x12.analyse(cut).interchanges[0]
    assert codes(ic.issues)["iea_missing"]["ta1"] == "023"
    assert codes(ic.groups[0].issues)["ge_missing"]["ak9"] == "3"
    first, second = ic.groups[0].transactions
    assert first.status is Status.ACCEPTED
    assert codes(second.issues)["se_missing"]["ak5"] == "2"


def test_bad_group_does_not_fail_other_groups() -> None:
    first = GOOD.split(b"\n")[:-2]  # ISA..GE of the 214 group
    other = samples.interchange([samples.invoice_210()], functional_id="IM", control=2)
    second = other.split(b"\n")[1:-2]  # GS..GE of the 210 group
    second[-1] = b"GE*1*99~"
    data = b"\n".join([*first, *second, b"IEA*2*000000001~", b""])
    groups = x12.analyse(data).interchanges[0].groups
    assert [g.status for g in groups] == [Status.ACCEPTED, Status.REJECTED]
    assert x12.analyse(data).interchanges[0].issues == []


def test_several_interchanges_and_tolerated_deviation() -> None:
    data = GOOD + GOOD.replace(b"SE*12*0001", b"SE*99*0001").replace(b"000000001", b"000000002")
    report = x12.analyse(data)
    assert len(report.interchanges) == 2
    assert report.interchanges[1].groups[0].transactions[0].status is Status.REJECTED
    relaxed = x12.analyse(data, overlay=Overlay(tolerated=frozenset({"se_count_mismatch"})))
    tx = relaxed.interchanges[1].groups[0].transactions[0]
    assert tx.status is Status.ACCEPTED_WITH_ERRORS
    assert tx.issues[0].severity is Severity.WARNING


def test_isa_header_findings() -> None:
    data = GOOD.replace(b"*260304*0506*", b"*261304*0599*", 1)
    found = codes(x12.analyse(data).interchanges[0].issues)
    assert found["isa_date_invalid"]["ta1"] == "014"
    assert found["isa_time_invalid"]["ta1"] == "015"


def test_garbage_after_iea_is_reported_not_fatal() -> None:
    report = x12.analyse(GOOD + b"THIS IS NOT EDI")
    assert [i.code for i in report.issues] == ["trailing_data"]
    assert report.issues[0].severity is Severity.WARNING
    assert report.interchanges[0].status is Status.ACCEPTED


def test_not_x12_at_all() -> None:
    with pytest.raises(NotEdiError):
        x12.analyse(b"hello world")
    with pytest.raises(NotEdiError):
        x12.analyse(b"")


def test_guide_findings_carry_locations_and_codes() -> None:
    data = GOOD.replace(b"AT7*X1*NS", b"AT7*ZZ*NS", 1)
    tx = x12.analyse(data).interchanges[0].groups[0].transactions[0]
    (issue,) = tx.issues
    assert issue.code == "element_invalid_code"
    assert issue.standard_codes == {
        "ak4": "7",
        "ak3": "8",
        "ak5": "5",
        "ik5": "5",
        "element_ref": "1650",
    }
    loc = issue.location
    assert (loc.segment_id, loc.segment_position, loc.element, loc.loop_id) == ("AT7", 8, 1, "0205")
    assert GOOD[loc.byte_offset : loc.byte_offset + 3] == b"AT7"
    assert (loc.interchange, loc.group, loc.transaction) == (1, 1, 1)


def test_4030_reads_through_the_nearest_guide() -> None:
    assert x12.guide_id_for("214", "004030") == "214-004010"
    assert x12.guide_id_for("999", "004010") == "999-005010"
    assert x12.guide_id_for("214", "005010X999") == "214-005010"
    assert x12.guide_id_for("850", "004010") is None


def test_unsupported_set_and_parse_structure() -> None:
    data = GOOD.replace(b"ST*214*0002", b"ST*850*0002")
    tx = x12.analyse(data).interchanges[0].groups[0].transactions[1]
    assert codes(tx.issues)["transaction_set_unsupported"]["ak5"] == "1"
    (interchange,) = list(x12.parse(GOOD))
    assert interchange.header.control_number == "000000001"
    assert [t.set_id for t in interchange.transactions()] == ["214", "214"]
    assert interchange.report is not None and interchange.report.status is Status.ACCEPTED


def test_st_and_se_findings_say_which_group_and_set() -> None:
    sets = [samples.status_214("0001"), samples.status_214("0002")]
    data = samples.interchange(sets).replace(b"SE*12*0002", b"SE*11*0003")
    second = x12.analyse(data).interchanges[0].groups[0].transactions[1]
    found = {i.code: i.location for i in second.issues}
    for code in (c.SE_COUNT_MISMATCH, c.SE_CONTROL_NUMBER_MISMATCH):
        where = found[code]
        assert (where.interchange, where.group, where.transaction) == (1, 1, 2)
        assert (where.segment_id, where.segment_position) == ("SE", 12)
