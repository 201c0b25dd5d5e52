"""The writer: release escaping, UNA only when needed, computed counts, and lossless round
trips through the tokenizer (hypothesis over arbitrary values and delimiters)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translators.core import Segment
from translators.edifact import (
    Delimiters,
    OutboundGroup,
    OutboundMessage,
    Tokenizer,
    WriterError,
    analyse,
    render_segments,
    write,
)

pytestmark = pytest.mark.unit

WHEN = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)


def body() -> list[Segment]:
    return [
        Segment("BGM", [("23", "", "", "STATUS"), "REF+1", "9"]),
        Segment("FTX", ["AAI", "", "", ("It's 50% done: ok?", "x")]),
    ]


def test_escapes_every_service_character() -> None:
    text = render_segments([Segment("FTX", ["a+b:c'd?e"])], Delimiters())
    assert text == "FTX+a?+b?:c?'d??e'"


def test_interchange_counts_and_no_una_for_defaults() -> None:
    data = write(
        [OutboundMessage("M1", "IFTSTA", body=body()), OutboundMessage("M2", "IFTSTA")],
        sender="US",
        recipient="THEM",
        control_reference="42",
        prepared=WHEN,
    )
    text = data.decode("latin-1")
    assert text.startswith("UNB+UNOC:3+US+THEM+240301:0930+42'")
    assert "UNT+4+M1'" in text and "UNT+2+M2'" in text and text.endswith("UNZ+2+42'")
    report = analyse(data, validate=False)
    assert report.interchanges[0].issues == []
    assert all(t.issues == [] for t in report.interchanges[0].transactions())


def test_una_written_when_delimiters_differ_and_groups_counted() -> None:
    custom = Delimiters(component="=", element="*", release="!", terminator="~")
    group = OutboundGroup("G1", "IFTSTA", "A", "B", [OutboundMessage("M1", "IFTSTA", body=body())])
    data = write(
        [group],
        sender="US",
        recipient="THEM",
        control_reference="7",
        delimiters=custom,
        prepared=WHEN,
    )
    text = data.decode()
    assert text.startswith("UNA=*.! ~UNB*UNOC=3*")
    assert "UNE*1*G1~" in text and text.endswith("UNZ*1*7~")
    (ic,) = analyse(data, validate=False).interchanges
    assert ic.issues == [] and ic.groups[0].issues == []
    segs = ic.transactions()
    assert segs[0].segment_count == 4


def test_syntax_4_date_and_repetitions() -> None:
    message = OutboundMessage("M1", "IFTSTA", body=[Segment("NAD", [["A", ("B", "C")]])])
    data = write(
        [message],
        sender="S",
        recipient="R",
        control_reference="1",
        syntax_version="4",
        delimiters=Delimiters(repetition="*"),
        prepared=WHEN,
    )
    text = data.decode()
    assert "+20240301:0930+" in text and not text.startswith("UNA")
    nad = [e for t, e, _ in Tokenizer(text) if t == "NAD"]
    assert nad == [[["A", ("B", "C")]]]


def test_misuse_is_a_writer_error() -> None:
    with pytest.raises(WriterError):
        render_segments([Segment("FTX", ["a'b"])], Delimiters(release=None))
    with pytest.raises(WriterError):
        write(
            [OutboundMessage("1", "X", body=[Segment("FTX", ["ŁÓDŹ"])])],
            sender="S",
            recipient="R",
            control_reference="1",
            syntax_identifier="UNOC",
        )


_text = st.text(alphabet=st.characters(codec="latin-1", exclude_categories=("Cc",)), max_size=12)
_value = st.one_of(_text, st.tuples(_text, _text), st.tuples(_text, _text, _text))
_segment = st.builds(
    Segment,
    st.sampled_from(["FTX", "NAD", "RFF", "LOC"]),
    st.lists(_value, min_size=1, max_size=5),
)
_delimiters = st.sampled_from(
    [
        Delimiters(),
        Delimiters(component="=", element="*", release="!", terminator="~"),
        Delimiters(component="|", element="^", release="\\", terminator="#"),
    ]
)


def _normalised(elements: list) -> list:  # type: ignore[type-arg]
    # a one-component composite and a plain value are the same on the wire
    return [v[0] if isinstance(v, tuple) and len(v) == 1 else v for v in elements]


@settings(max_examples=200, deadline=None)
@given(st.lists(_segment, min_size=1, max_size=6), _delimiters)
def test_round_trip_is_lossless(segments: list[Segment], delimiters: Delimiters) -> None:
    envelope = [Segment("UNB", [("UNOC", "3"), "S", "R", ("240301", "0930"), "1"])]
    everything = envelope + segments + [Segment("UNZ", ["0", "1"])]
    text = render_segments(everything, delimiters, una=delimiters != Delimiters())
    parsed = [(tag, elements) for tag, elements, _ in Tokenizer(text)]
    assert parsed == [(s.tag, _normalised(s.elements)) for s in everything]
    assert (
        render_segments(
            [Segment(t, e) for t, e in parsed], delimiters, una=delimiters != Delimiters()
        )
        == text
    )
