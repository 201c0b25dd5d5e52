"""The tokenizer copes with what real files do: odd terminators, line breaks, wrapped lines,
unpadded or split ISAs, several interchanges, bare sets, trailing garbage, any chunking."""

from __future__ import annotations

import pytest

from tests.unit.x12 import samples
from translators import x12
from translators.x12 import Delimiters
from translators.x12._tokenizer import (
    BareStart,
    Batch,
    Garbage,
    InterchangeStart,
    RawSegment,
    Tokenizer,
)

pytestmark = pytest.mark.unit


def raw(data: object) -> list[RawSegment]:
    return [
        seg for token in Tokenizer(data) if isinstance(token, Batch) for seg in token.segments()
    ]


def segments(data: object) -> list[tuple[str, list[object]]]:
    return [(seg[0], seg[1]) for seg in raw(data)]


BASE = samples.interchange([samples.status_214("0001"), samples.status_214("0002", "D1")])
EXPECTED = segments(BASE)


def test_standard_file_reads_every_segment_with_offsets() -> None:
    tokens = raw(BASE)
    assert [t[0] for t in tokens][:3] == ["ISA", "GS", "ST"]
    assert len(tokens) == 2 + 2 * 12 + 2
    for tag, _, offset, _ in tokens:
        assert BASE[offset : offset + len(tag)].decode() == tag
    assert len(BASE.split(b"\n")[0]) == 106  # ISA padded to fixed width incl. terminator


@pytest.mark.parametrize(
    ("terminator", "suffix"),
    [("~", ""), ("~", "\n"), ("~", "\r\n"), ("\n", ""), ("|", "\n"), ("'", ""), ("\x1c", "")],
)
def test_terminators(terminator: str, suffix: str) -> None:
    d = Delimiters("*", ">", None, terminator, suffix)
    data = samples.interchange([samples.status_214()], delimiters=d)
    if terminator == "\n" and suffix == "":
        data = data.replace(b"\n", b"\r\n")  # CR before a newline terminator is dropped
    found = segments(data)
    assert [s[0] for s in found] == [
        "ISA",
        "GS",
        *[s.tag for s in samples.status_214()],
        "GE",
        "IEA",
    ]


def test_dot_terminator_and_indentation() -> None:
    d = Delimiters("*", ":", None, ".", "\r\n")
    plain = samples.interchange([samples.tender_204()], delimiters=d, functional_id="SM")
    indented = b"\r\n".join(b"   " + line for line in plain.split(b"\r\n"))
    assert segments(indented) == segments(plain)


def test_wrapped_at_80_columns() -> None:
    flat = BASE.replace(b"\n", b"")
    wrapped = b"\n".join(flat[i : i + 80] for i in range(0, len(flat), 80))
    assert segments(wrapped) == segments(flat) == EXPECTED


def test_unpadded_and_split_isa() -> None:
    text = BASE.decode()
    isa, rest = text.split("\n", 1)
    fields = isa.split("*")
    short = "*".join(f.strip() if f.strip() else f for f in fields)
    parsed = segments((short + "\n" + rest).encode())
    assert parsed[1:] == EXPECTED[1:]
    split = isa[:60] + "\r\n" + isa[60:]
    assert segments((split + "\n" + rest).encode()) == EXPECTED
    starts = [t for t in Tokenizer(short + "\n" + rest) if isinstance(t, InterchangeStart)]
    assert "isa_not_fixed_width" in starts[0].oddities


def test_several_interchanges_with_different_delimiters() -> None:
    other = samples.interchange(
        [samples.status_214("0009")], control=2, delimiters=Delimiters("|", "^", None, "\n")
    )
    tokens = list(Tokenizer(BASE + other + BASE))
    starts = [t for t in tokens if isinstance(t, InterchangeStart)]
    assert [s.delimiters.element for s in starts] == ["*", "|", "*"]
    assert [h for t in tokens if isinstance(t, Batch) for h in t.heads].count("IEA") == 3


def test_repetition_and_components_in_5010() -> None:
    d = Delimiters("*", ":", "^", "~", "\n")
    sets = [[samples.seg("ST*999*0001"), samples.seg("AK1*QM*1*005010")]]
    data = samples.interchange(sets, delimiters=d, version="005010", functional_id="FA")
    data = data.replace(b"AK1*QM*1*005010", b"AK1*QM*1*005010~CTX*A:1^B:2*N1")
    ctx = next(s for s in segments(data) if s[0] == "CTX")
    assert ctx[1][0] == [("A", "1"), ("B", "2")]


def test_trailing_garbage_and_whitespace() -> None:
    tokens = list(Tokenizer(BASE + b"   \r\n\r\n"))
    assert not [t for t in tokens if isinstance(t, Garbage)]
    tokens = list(Tokenizer(BASE + b"\x00\x00 junk after the end"))
    garbage = [t for t in tokens if isinstance(t, Garbage)]
    assert len(garbage) == 1 and garbage[0].offset == len(BASE) + 3


def test_bare_transaction_set() -> None:
    body = (
        b"~\n".join(
            b"*".join([s.tag.encode(), *[str(e).encode() for e in s.elements]])
            for s in samples.status_214()
        )
        + b"~\n"
    )
    tokens = list(Tokenizer(body))
    assert isinstance(tokens[0], BareStart) and tokens[0].delimiters.segment == "~"
    assert raw(body)[0][0] == "ST"


@pytest.mark.parametrize("size", [1, 7, 64, 4096])
def test_any_chunking_gives_the_same_segments_and_offsets(size: int) -> None:
    data = BASE + samples.interchange([samples.invoice_210()], functional_id="IM", control=2)
    whole = [(t[0], t[2]) for t in raw(data)]
    chunks = (data[i : i + size] for i in range(0, len(data), size))
    assert [(t[0], t[2]) for t in raw(chunks)] == whole


def test_str_and_file_inputs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.edi"
    path.write_bytes(BASE)
    with path.open("rb") as handle:
        assert segments(handle) == EXPECTED
    assert segments(BASE.decode("latin-1")) == EXPECTED
    assert len(list(x12.iter_transactions(BASE))) == 2


@pytest.mark.parametrize("suffix", ["\n", "\r\n"])
def test_chunks_ending_inside_the_line_break_after_a_terminator(suffix: str) -> None:
    data = samples.interchange(
        [samples.status_214("0001"), samples.invoice_210("0002")],
        delimiters=Delimiters(suffix=suffix),
    )
    whole = [(t[0], t[1], t[2]) for t in raw(data)]
    for cut in range(len(data)):
        if data[cut - 1 : cut] in (b"~", b"\r"):
            assert [(t[0], t[1], t[2]) for t in raw([data[:cut], data[cut:]])] == whole, cut
