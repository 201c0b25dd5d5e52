"""Envelope rules: UNB/UNZ, UNG/UNE, UNH/UNT counts and references with their 0085 codes,
placement, bare messages, repertoires and positions in the analysis report."""

from __future__ import annotations

import pytest

from translators.core import Overlay, Status
from translators.edifact import analyse, iter_messages

pytestmark = pytest.mark.unit

UNB = "UNB+UNOC:3+SENDER:14+RECEIVER:14+200101:1200+IC1'"


def message(ref: str = "M1", body: str = "BGM+77+X'", count: int | None = None) -> str:
    n = body.count("'") + 2 if count is None else count
    return f"UNH+{ref}+IFTSTA:D:96A:UN'{body}UNT+{n}+{ref}'"


def codes(issues: list) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
    return [(i.code, i.standard_codes.get("contrl")) for i in issues]


def test_clean_interchange_with_two_messages() -> None:
    data = (UNB + message("M1") + message("M2") + "UNZ+2+IC1'").encode()
    report = analyse(data, validate=False)
    (ic,) = report.interchanges
    assert ic.issues == []
    assert ic.version == "UNOC:3"
    assert (ic.sender_id, ic.sender_qualifier, ic.control_number) == ("SENDER", "14", "IC1")
    (group,) = ic.groups
    assert group.implicit
    assert [t.control_number for t in group.transactions] == ["M1", "M2"]
    assert [t.segment_count for t in group.transactions] == [3, 3]


def test_unt_count_and_reference_mismatch_codes_29_and_28() -> None:
    data = UNB + message("M1", count=9) + "UNH+M2+IFTSTA:D:96A:UN'UNT+2+XX'" + "UNZ+2+IC1'"
    report = analyse(data.encode(), validate=False)
    first, second = report.interchanges[0].transactions()
    assert codes(first.issues) == [("unt_count_mismatch", "29")]
    assert first.issues[0].location.segment_position == 3
    assert codes(second.issues) == [("unt_reference_mismatch", "28")]
    assert first.status is Status.REJECTED


def test_unz_count_and_reference() -> None:
    data = UNB + message() + "UNZ+3+OTHER'"
    (ic,) = analyse(data.encode(), validate=False).interchanges
    assert codes(ic.issues) == [("unz_count_mismatch", "29"), ("unz_reference_mismatch", "28")]
    assert ic.transactions()[0].status is Status.ACCEPTED  # the message itself is fine


def test_numeric_references_compare_as_numbers() -> None:
    data = "UNB+UNOC:3+S+R+200101:1200+0001'" + message("01") + "UNT+3+1'UNZ+1+1'"
    (ic,) = analyse(data.encode(), validate=False).interchanges
    assert not any(i.code == "unz_reference_mismatch" for i in ic.issues)


def test_groups_counted_by_unz_and_une_checked() -> None:
    data = (
        UNB
        + "UNG+IFTSTA+APP1+APP2+200101:1200+G1+UN+D:96A'"
        + message("M1")
        + message("M2")
        + "UNE+1+G9'"
        + "UNZ+1+IC1'"
    )
    (ic,) = analyse(data.encode(), validate=False).interchanges
    assert ic.issues == []
    (group,) = ic.groups
    assert not group.implicit
    assert (group.functional_id, group.control_number, group.version) == ("IFTSTA", "G1", "D96A")
    assert codes(group.issues) == [("une_count_mismatch", "29"), ("une_reference_mismatch", "28")]
    assert len(group.transactions) == 2


def test_groups_and_messages_mixed_is_code_30() -> None:
    data = (
        UNB
        + message("M1")
        + "UNG+IFTSTA+A+B+200101:1200+G1+UN+D:96A'"
        + message("M2")
        + "UNE+1+G1'UNZ+2+IC1'"
    )
    (ic,) = analyse(data.encode(), validate=False).interchanges
    assert ("groups_and_messages_mixed", "30") in codes(ic.issues)


def test_several_message_types_in_a_group_is_code_31() -> None:
    invoic = "UNH+M2+INVOIC:D:96A:UN'BGM+380+1'UNT+3+M2'"
    data = UNB + "UNG+IFTSTA+A+B+200101:1200+G1+UN+D:96A'" + message() + invoic + "UNE+2+G1'"
    data += "UNZ+1+IC1'"
    (ic,) = analyse(data.encode(), validate=False).interchanges
    assert ("several_message_types_in_group", "31") in codes(ic.transactions()[1].issues)


def test_missing_unt_does_not_take_the_next_message_down() -> None:
    data = UNB + "UNH+M1+IFTSTA:D:96A:UN'BGM+77+X'" + message("M2") + "UNZ+2+IC1'"
    first, second = analyse(data.encode(), validate=False).interchanges[0].transactions()
    assert codes(first.issues) == [("missing_unt", "13")]
    assert second.issues == [] and second.status is Status.ACCEPTED


def test_missing_unz_and_empty_interchange() -> None:
    report = analyse((UNB + message()).encode(), validate=False)
    assert ("missing_unz", "13") in codes(report.interchanges[0].issues)
    report = analyse((UNB + "UNZ+0+IC1'").encode(), validate=False)
    assert ("empty_interchange", "32") in codes(report.interchanges[0].issues)


def test_segment_between_messages_is_code_33() -> None:
    data = UNB + message("M1") + "FTX+AAI+++STRAY'" + message("M2") + "UNZ+2+IC1'"
    (ic,) = analyse(data.encode(), validate=False).interchanges
    assert codes(ic.issues) == [("segment_outside_message", "33")]
    assert len(ic.transactions()) == 2


def test_trailing_data_after_unz_is_reported_not_fatal() -> None:
    data = UNB + message() + "UNZ+1+IC1'" + "GARBAGE HERE'\n"
    report = analyse(data.encode(), validate=False)
    assert [i.code for i in report.issues] == ["data_outside_interchange"]
    assert report.interchanges[0].status is Status.ACCEPTED


def test_bare_message_needs_the_partner_to_allow_it() -> None:
    data = message().encode()
    (ic,) = analyse(data, validate=False).interchanges
    assert not ic.enveloped
    assert codes(ic.issues) == [("no_envelope", "13")]
    (ic,) = analyse(data, validate=False, overlay=Overlay(allow_unenveloped=True)).interchanges
    assert ic.issues == [] and ic.transactions()[0].status is Status.ACCEPTED


def test_tolerated_issue_becomes_a_warning() -> None:
    data = (UNB + message(count=7) + "UNZ+1+IC1'").encode()
    report = analyse(
        data, validate=False, overlay=Overlay(tolerated=frozenset({"unt_count_mismatch"}))
    )
    (transaction,) = report.interchanges[0].transactions()
    assert transaction.status is Status.ACCEPTED_WITH_ERRORS


def test_syntax_identifier_problems() -> None:
    data = "UNB+UNOc+S+R+200101:1200+1'" + message() + "UNZ+1+1'"
    (ic,) = analyse(data.encode(), validate=False).interchanges
    assert [i.code for i in ic.issues] == ["syntax_identifier_case", "missing_syntax_version"]
    assert ic.status is Status.ACCEPTED_WITH_ERRORS
    data = "UNB+XXXX:9+S+R+200101:1200+1'" + message() + "UNZ+1+1'"
    (ic,) = analyse(data.encode(), validate=False).interchanges
    assert ("unsupported_syntax_identifier", "2") in codes(ic.issues)
    assert ("unsupported_syntax_version", "2") in codes(ic.issues)


def test_repertoire_unoa_lower_case_is_code_21_warning() -> None:
    data = "UNB+UNOA:3+S+R+200101:1200+1'" + message(body="FTX+AAI+++lower'") + "UNZ+1+1'"
    (ic,) = analyse(data.encode(), validate=False).interchanges
    assert codes(ic.issues) == [("character_outside_repertoire", "21")]
    assert ic.issues[0].value == "l"


def test_utf8_inside_latin1_declared_file_is_decoded_without_loss() -> None:
    body = "NAD+CN+++BØRGE ÅS'"
    utf8 = ("UNB+UNOC:3+S+R+200101:1200+1'" + message(body=body) + "UNZ+1+1'").encode()
    (m,) = iter_messages(utf8)
    assert m.segments()[1].get(4) == "BØRGE ÅS"
    report = analyse(utf8, validate=False)
    assert [i.code for i in report.interchanges[0].issues] == ["utf8_in_single_byte_repertoire"]
    latin1 = utf8.decode().encode("latin-1")
    (m,) = iter_messages(latin1)
    assert m.segments()[1].get(4) == "BØRGE ÅS"
    assert analyse(latin1, validate=False).interchanges[0].issues == []


def test_bom_is_dropped_and_byte_offsets_count_it() -> None:
    data = b"\xef\xbb\xbf" + (UNB + message(count=9) + "UNZ+1+IC1'").encode()
    (transaction,) = analyse(data, validate=False).interchanges[0].transactions()
    issue = transaction.issues[0]
    offset = issue.location.byte_offset
    assert offset is not None and data[offset : offset + 3] == b"UNT"


def test_byte_offsets_after_multibyte_characters() -> None:
    data = (UNB + message(body="NAD+CN+++ÆØÅ'", count=9) + "UNZ+1+IC1'").encode()
    (transaction,) = analyse(data, validate=False).interchanges[0].transactions()
    offset = transaction.issues[0].location.byte_offset
    assert offset is not None and data[offset : offset + 3] == b"UNT"
    assert transaction.issues[0].location.line == 1


def test_iter_messages_gives_segments_with_locations() -> None:
    data = UNB + "UNG+IFTSTA+A+B+200101:1200+G1+UN+D:96A'" + message() + "UNE+1+G1'UNZ+1+IC1'"
    (m,) = iter_messages(data.encode())
    assert (m.type, m.directory, m.reference, m.group and m.group.reference) == (
        "IFTSTA",
        "D96A",
        "M1",
        "G1",
    )
    segs = m.segments()
    assert [s.tag for s in segs] == ["UNH", "BGM", "UNT"]
    assert segs[1].location is not None and segs[1].location.segment_position == 2
    assert m.interchange.sender_id == "SENDER"


def test_analyse_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    data = (UNB + message() + "UNZ+1+IC1'").encode()
    assert gc.isenabled()
    analyse(data)
    assert gc.isenabled()
    gc.disable()
    try:
        analyse(data)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_segment_index_counts_from_unb_across_messages_and_groups() -> None:
    data = (
        UNB  # 1
        + "UNG+IFTSTA+A+B+200101:1200+G1+UN+D:96A'"  # 2
        + message("M1")  # 3..5
        + message("M2", count=9)  # 6..8
        + "UNE+2+G1'UNZ+1+IC1'"
    ).encode()
    first, second = list(iter_messages(data))
    assert [s.location.segment_index for s in first.segments()] == [3, 4, 5]  # type: ignore[union-attr]
    assert [s.location.segment_index for s in second.segments()] == [6, 7, 8]  # type: ignore[union-attr]
    (_, bad) = analyse(data, validate=False).interchanges[0].transactions()
    assert bad.issues[0].location.segment_index == 8
    assert bad.issues[0].location.segment_position == 3


def test_non_ascii_digits_in_counts_and_references_are_mismatches_not_crashes() -> None:
    # '²' passes str.isdigit() but not int(): found by fuzzing mutated corpus files
    data = (UNB + "UNH+1²+IFTSTA:D:96A:UN'BGM+77+X+9'UNT+³+1²'UNZ+1+IC1²'").encode()
    (ic,) = analyse(data).interchanges
    (transaction,) = ic.transactions()
    assert ("unt_count_mismatch", "29") in codes(transaction.issues)
    assert ("unz_reference_mismatch", "28") in codes(ic.issues)
