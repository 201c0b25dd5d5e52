"""The EDIFACT lexer: UNA and defaults, release characters, newline terminators, wrapped
records, several interchanges, repetition separators, and what it notes on the way."""

from __future__ import annotations

import pytest

from translators.edifact.syntax import parse_una
from translators.edifact.tokenizer import Tokenizer

pytestmark = pytest.mark.unit


def segments(text: str) -> list[tuple[str, list[object]]]:
    return [(tag, elements) for tag, elements, _ in Tokenizer(text)]


def test_defaults_without_una() -> None:
    got = segments("UNB+UNOA:3+S+R+200101:1200+1'UNH+1+IFTSTA:D:96A:UN'UNT+2+1'UNZ+1+1'")
    assert got[0] == ("UNB", [("UNOA", "3"), "S", "R", ("200101", "1200"), "1"])
    assert got[1] == ("UNH", ["1", ("IFTSTA", "D", "96A", "UN")])
    assert [t for t, _ in got] == ["UNB", "UNH", "UNT", "UNZ"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("?+49 40 123", "+49 40 123"),  # a value that starts with an escaped separator
        ("DE?'", "DE'"),  # a value that ends with an escaped terminator
        ("A??", "A?"),  # the release character itself
        ("?????+", "??+"),  # a run
        ("X?:Y", "X:Y"),
    ],
)
def test_release_character_before_every_service_character(raw: str, value: str) -> None:
    got = segments(f"UNA:+.? 'UNB+UNOC:3+S+R+200101:1200+1'FTX+{raw}+Z'UNZ+0+1'")
    assert got[1] == ("FTX", [value, "Z"])


def test_release_before_ordinary_character_is_kept_leniently_and_noted() -> None:
    tokens = Tokenizer("UNB+UNOC:3+S+R+200101:1200+1'RFF+ON:006?415160'UNZ+0+1'")
    got = [(t, e) for t, e, _ in tokens]
    assert got[1] == ("RFF", [("ON", "006415160")])
    assert [n.code for n in tokens.notes] == ["released_ordinary_character"]
    assert tokens.notes[0].contrl == "22"


def test_non_default_una() -> None:
    text = "UNA=*.?^~UNB*UNOC=3*S*R*200101=1200*1~FTX*A?*B=C~UNZ*0*1~"
    tokens = Tokenizer(text)
    got = [(t, e) for t, e, _ in tokens]
    assert tokens.una_present
    assert got[1] == ("FTX", [("A*B", "C")])


def test_una_with_space_release_means_no_release_character() -> None:
    advice = parse_una("UNA:+.  '")
    assert advice.delimiters.release is None
    got = segments("UNA:+.  'UNB+UNOC:3+S+R+200101:1200+1'FTX+A?B'UNZ+0+1'")
    assert got[1] == ("FTX", ["A?B"])


def test_invalid_una_is_noted_with_code_20() -> None:
    tokens = Tokenizer("UNAA+.? 'UNB+UNOC:3+S+R+200101:1200+1'UNZ+0+1'")
    list(tokens)
    assert [(n.code, n.contrl) for n in tokens.notes] == [("invalid_una", "20")]


def test_newline_as_terminator() -> None:
    text = "UNB+UNOA:2+S+R+170113:0501+9\nUNH+1+IFTSTA:D:96A:UN\nBGM+77+X\nUNT+3+1\nUNZ+1+9\n"
    tokens = Tokenizer(text)
    got = [(t, e) for t, e, _ in tokens]
    assert tokens.newline_terminated
    assert [t for t, _ in got] == ["UNB", "UNH", "BGM", "UNT", "UNZ"]
    assert got[2] == ("BGM", ["77", "X"])


def test_crlf_and_blank_lines_around_terminators() -> None:
    got = segments("UNB+UNOC:3+S+R+200101:1200+1'\r\n\r\nUNZ+0+1'\r\n\r\n")
    assert got == [("UNB", [("UNOC", "3"), "S", "R", ("200101", "1200"), "1"]), ("UNZ", ["0", "1"])]


def test_segments_wrapped_at_80_columns() -> None:
    flat = "UNB+UNOC:3+S+R+200101:1200+1'" + "FTX+AAI+++" + "X" * 150 + "'UNZ+0+1'"
    wrapped = "\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    assert segments(wrapped) == segments(flat)


def test_several_interchanges_with_different_unas() -> None:
    first = "UNA:+.? 'UNB+UNOC:3+S+R+200101:1200+1'FTX+A?+B'UNZ+0+1'"
    second = "UNA|^.! ~UNB^UNOC|3^S^R^200101|1200^2~FTX^A!^B~UNZ^0^2~"
    third = "UNB+UNOA:3+S+R+200101:1200+3'FTX+C'UNZ+0+3'"
    got = segments(first + "\n" + second + third)
    assert [t for t, _ in got].count("UNB") == 3
    ftx = [e for t, e in got if t == "FTX"]
    assert ftx == [["A+B"], ["A^B"], ["C"]]


def test_repetition_separator_only_in_syntax_4() -> None:
    v4 = segments("UNA:+.?*'UNB+UNOC:4+S+R+20200101:1200+1'NAD+A*B:C'UNZ+0+1'")
    assert v4[1] == ("NAD", [["A", ("B", "C")]])
    v3 = segments("UNA:+.?*'UNB+UNOC:3+S+R+200101:1200+1'NAD+A*B:C'UNZ+0+1'")
    assert v3[1] == ("NAD", [("A*B", "C")])


def test_empty_segment_and_unterminated_end_are_noted() -> None:
    tokens = Tokenizer("UNB+UNOC:3+S+R+200101:1200+1'FTX+A''UNZ+0+1")
    got = [t for t, _, _ in tokens]
    assert got == ["UNB", "FTX", "UNZ"]
    assert [n.code for n in tokens.notes] == ["empty_segment", "unterminated_segment"]


def test_offsets_point_at_segment_starts() -> None:
    text = "UNB+UNOC:3+S+R+200101:1200+1'\nUNH+1+X:D:96A:UN'\nUNT+2+1'\nUNZ+1+1'"
    for tag, _, offset in Tokenizer(text):
        assert text[offset : offset + 3] == tag


def test_large_input_crosses_block_boundaries_with_released_terminators() -> None:
    body = "".join(f"FTX+AAI+++LINE {i} ends with ?'+X'" for i in range(60_000))
    text = "UNB+UNOC:3+S+R+200101:1200+1'" + body + "UNZ+0+1'"
    got = segments(text)
    assert len(got) == 60_002
    assert all(
        e == ["AAI", "", "", f"LINE {i} ends with '", "X"] for i, (_, e) in enumerate(got[1:-1])
    )


def test_records_padded_with_blanks_to_a_fixed_width() -> None:
    lines = ["UNA:+.? '", "UNB+UNOC:3+S+R+240301:0930+1'", "FTX+AAI+++X'", "UNZ+0+1'"]
    padded = "".join(line.ljust(80) + "\r\n" for line in lines)
    assert segments(padded) == segments("".join(lines))
