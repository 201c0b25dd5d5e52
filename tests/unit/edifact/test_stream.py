"""Streaming input gives exactly what whole input gives: random chunk boundaries (including
right after a release character, inside UNA, inside a BOM and inside a UTF-8 sequence), file
objects, tiny decode and lexer blocks that put every boundary case on a block edge; and memory
stays flat as the input grows."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.edifact.engine_paths import VALID_SAMPLE, mutated, outcome, traffic
from translators.edifact import analyse, iter_messages, stream, tokenizer, validate_stream
from translators.edifact.stream import StreamDecoder, TextMap, decoded_blocks

pytestmark = pytest.mark.unit

SLOW = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOM = b"\xef\xbb\xbf"


def pieces(data: bytes, cuts: list[int]) -> Iterator[bytes]:
    """`data` cut at the given positions (any order, repeats allowed: empty chunks)."""
    last = 0
    for cut in sorted(c % (len(data) + 1) for c in cuts):
        yield data[last:cut]
        last = cut
    yield data[last:]


def assert_stream_equals_whole(data: bytes, cuts: list[int]) -> None:
    whole = outcome(data)
    assert outcome(lambda: pieces(data, cuts)) == whole
    assert outcome(lambda: io.BytesIO(data)) == whole


def samples() -> list[bytes]:
    # UTF-8 inside a Latin-1 file: one name in each
    utf8_in_latin1 = (
        b"UNB+UNOC:3+S+R+240301:0930+5'UNH+1+IFTSTA:D:96A:UN'BGM+77+A+9'"
        + "NAD+CN+++KØBENHAVN'".encode()
        + "NAD+CZ+++MÜNCHEN'".encode("latin-1")
        + b"UNT+5+1'UNZ+1+5'"
    )
    return [
        VALID_SAMPLE.encode(),
        traffic(1),
        traffic(2).replace(b"'", b"'\n"),
        BOM + traffic(3),
        utf8_in_latin1,
        b"UNA:+.? '\nUNB+UNOC:3+S+R+240301:0930+1'\nUNH+1+IFTSTA:D:96A:UN'\nBGM+77+A?'B+9'\n"
        b"UNT+3+1'\nUNZ+1+1'\nUNA|^.! ~UNB^UNOC|3^S^R^240301|0930^2~UNH^1^IFTSTA|D|96A|UN~"
        b"BGM^77^X!~Y^9~UNT^3^1~UNZ^1^2~",
    ]


SAMPLES = samples()


@SLOW
@given(st.sampled_from(range(len(SAMPLES))), st.lists(st.integers(0, 10**6), max_size=12))
def test_random_chunk_boundaries_give_the_same_results(which: int, cuts: list[int]) -> None:
    assert_stream_equals_whole(SAMPLES[which], cuts)


@SLOW
@given(
    st.sampled_from(["drop", "duplicate", "truncate", "swap", "inject"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=40),
    st.binary(min_size=1, max_size=20),
    st.lists(st.integers(0, 10**4), max_size=6),
)
def test_mutated_input_streams_the_same(
    kind: str, at: int, length: int, junk: bytes, cuts: list[int]
) -> None:
    assert_stream_equals_whole(mutated(VALID_SAMPLE, kind, at, length, junk), cuts)


@pytest.mark.parametrize("which", range(len(SAMPLES)))
def test_a_boundary_after_every_release_character(which: int) -> None:
    data = SAMPLES[which]
    for release in (b"?", b"!"):
        at = data.find(release)
        while at >= 0:
            assert_stream_equals_whole(data, [at + 1])
            at = data.find(release, at + 1)


def test_a_boundary_inside_una_and_bom() -> None:
    data = BOM + b"UNA:+.? 'UNB+UNOC:3+S+R+240301:0930+1'UNH+1+IFTSTA:D:96A:UN'UNT+2+1'UNZ+1+1'"
    for cut in range(1, 16):
        assert_stream_equals_whole(data, [cut])
    assert_stream_equals_whole(data, list(range(len(data))))  # one byte at a time


def test_a_boundary_inside_a_utf8_sequence() -> None:
    data = SAMPLES[4]
    at = data.find("Ø".encode())
    assert at > 0
    assert_stream_equals_whole(data, [at + 1])
    assert_stream_equals_whole(data, [at, at + 1, at + 2])


def test_corpus_files_stream_the_same(corpus_dir: Path) -> None:
    for path in sorted((corpus_dir / "edifact").rglob("*.edi")):
        data = path.read_bytes()
        cuts = list(range(7, len(data), 97))
        assert outcome(lambda data=data, cuts=cuts: pieces(data, cuts)) == outcome(data), path


@pytest.fixture
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decode 61 bytes and lex 37 characters at a time, cut the window every 50: every
    segment, UNA, release pair and multi-byte character meets a block edge somewhere."""
    monkeypatch.setattr(stream, "BLOCK_BYTES", 61)
    monkeypatch.setattr(tokenizer, "_BLOCK", 37)
    monkeypatch.setattr(tokenizer, "_TRIM", 50)


@pytest.mark.parametrize("which", range(len(SAMPLES)))
def test_tiny_blocks_give_the_same_results(which: int, request: pytest.FixtureRequest) -> None:
    data = SAMPLES[which]
    whole = outcome(data)
    request.getfixturevalue("tiny_blocks")
    assert outcome(data) == whole
    assert outcome(lambda: pieces(data, list(range(0, len(data), 13)))) == whole


def test_tiny_blocks_on_corpus_files(corpus_dir: Path, request: pytest.FixtureRequest) -> None:
    files = sorted((corpus_dir / "edifact").rglob("*.edi"))
    expected = [outcome(path.read_bytes()) for path in files]
    request.getfixturevalue("tiny_blocks")
    for path, whole in zip(files, expected, strict=True):
        assert outcome(path.read_bytes()) == whole, path.name


def test_decoding_does_not_depend_on_chunking() -> None:
    data = SAMPLES[4] * 3 + "UNB+UNOC:3+S+R+1+1'FTX+AAA+++€ and \xe9'".encode() + b"\xe9\xff"
    whole = [(b.text, b.start, b.byte_start, b.line) for b in decoded_blocks(data)]
    chunked = [
        (b.text, b.start, b.byte_start, b.line)
        for b in decoded_blocks(iter(data[i : i + 5] for i in range(0, len(data), 5)))
    ]
    assert chunked == whole
    text = "".join(t for t, *_ in whole)
    assert "€" in text and "KØBENHAVN" in text  # UTF-8 runs decoded as UTF-8
    assert text.endswith("\xe9\xff")  # the rest with the declared single-byte codec


def test_positions_map_back_to_bytes_and_lines() -> None:
    data = "UNB+UNOC:3+S+R+1+1'\nFTX+AAA+++KØB€'\nUNZ+0+1'".encode()
    decoder = StreamDecoder()
    positions = TextMap()
    for block in decoded_blocks(data, decoder):
        positions.add(block)
    text = data.decode()
    for index in range(len(text)):
        byte, line = positions(index)
        assert byte == len(text[:index].encode())
        assert line == text[:index].count("\n") + 1


def _repeated_traffic(interchanges: int) -> Iterator[bytes]:
    """The same interchange again and again, only its control reference counting up (so
    the engine's bounded memos of clean texts do not grow either)."""
    base = traffic(9, 1)
    head, _, rest = base.partition(b"0930+1'")
    body, _, tail = rest.rpartition(b"+1'")
    for control in range(1, interchanges + 1):
        reference = str(control).encode()
        yield head + b"0930+" + reference + b"'" + body + b"+" + reference + b"'" + tail


def _stream_peak(interchanges: int) -> int:
    tracemalloc.start()
    try:
        count = sum(1 for _ in validate_stream(_repeated_traffic(interchanges)))
        assert count
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_input_grows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "BLOCK_BYTES", 1 << 14)
    monkeypatch.setattr(tokenizer, "_BLOCK", 1 << 14)
    monkeypatch.setattr(tokenizer, "_TRIM", 1 << 14)
    one_size = len(b"".join(_repeated_traffic(1)))
    _stream_peak(20)  # warm the guide caches
    small, large = _stream_peak(400), _stream_peak(6400)
    assert large < small * 1.3 + 128 * 1024, (small, large)  # 16 times the input, same peak
    assert large < one_size * 6400 / 4, (large, one_size * 6400)


def test_analyse_reads_a_file_object(tmp_path: Path) -> None:
    path = tmp_path / "traffic.edi"
    path.write_bytes(SAMPLES[1])
    with path.open("rb") as handle:
        assert analyse(handle).to_dict() == analyse(SAMPLES[1]).to_dict()


def test_messages_keep_their_positions_after_the_reader_moves_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A message's segments() still gives exact byte offsets and lines once later blocks
    have been read and earlier ones released (each message keeps a view of its blocks)."""
    data = SAMPLES[1] + SAMPLES[2]
    whole = [[repr(s) for s in m.segments()] for m in iter_messages(data)]
    monkeypatch.setattr(stream, "BLOCK_BYTES", 61)
    monkeypatch.setattr(tokenizer, "_BLOCK", 37)
    monkeypatch.setattr(tokenizer, "_TRIM", 50)
    kept = list(iter_messages(pieces(data, list(range(0, len(data), 11)))))
    assert [[repr(s) for s in m.segments()] for m in kept] == whole


def test_text_files_and_strings_read_as_their_utf8_bytes(tmp_path: Path) -> None:
    text = SAMPLES[5].decode()
    path = tmp_path / "text.edi"
    path.write_text(text, encoding="utf-8")
    expected = analyse(text.encode()).to_dict()
    with path.open(encoding="utf-8") as handle:
        assert analyse(handle).to_dict() == expected
    assert analyse(iter([text[:40], text[40:]])).to_dict() == expected
    assert analyse(text).to_dict() == expected
