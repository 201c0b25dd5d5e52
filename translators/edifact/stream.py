"""Incremental input for the EDIFACT engine: bytes arrive in chunks of any size (bytes, a binary
file object or an iterator of chunks) and leave as decoded text blocks, so memory holds a
block or two of text plus what the current message needs, never the whole input decoded.

Decoding is local and independent of how the input was chunked: blocks are cut at fixed
points of the byte stream (the last ASCII byte before each block boundary), and each run of
non-ASCII bytes is decoded on its own, as UTF-8 when it is valid UTF-8 (UTF-8 inside a file
declared Latin-1 is common) and otherwise with the single-byte codec the first UNB declares
(Latin-1 for the 7-bit levels and unknowns; undefined bytes survive as surrogate escapes).
`TextMap` turns text offsets back into byte offsets and line numbers."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from translators.edifact.syntax import BOM, REPERTOIRES, declared_repertoire

BLOCK_BYTES = 1 << 20  # bytes decoded at a time
HEAD_BYTES = 4096  # what is looked at for the declared repertoire before decoding starts
READ_BYTES = 1 << 20  # read size for file objects

_NON_ASCII = re.compile(rb"[\x80-\xff]+")

Source = bytes | bytearray | memoryview | str | BinaryIO | TextIO | Iterable[bytes] | Iterable[str]


def _as_bytes(chunk: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(chunk, str):  # a text-mode file or an iterator of strings
        return chunk.encode("utf-8", "surrogateescape")
    return bytes(chunk)


def byte_chunks(data: Source) -> Iterator[bytes]:
    """The input as a sequence of byte chunks, whatever form it came in."""
    if isinstance(data, str | bytes | bytearray | memoryview):
        yield _as_bytes(data)
    elif hasattr(data, "read"):
        read = data.read
        while True:
            chunk = read(READ_BYTES)
            if not chunk:
                return
            yield _as_bytes(chunk)
    else:
        for chunk in data:
            if chunk:
                yield _as_bytes(chunk)


@dataclass(slots=True)
class TextBlock:
    """One decoded block: its text and where it sits in the input."""

    text: str
    start: int  # text offset of text[0] in the whole decoded input
    byte_start: int  # byte offset of text[0] in the input (a BOM counts)
    line: int  # 1-based line number of text[0]
    # non-ASCII runs as (char start, char end, extra bytes before the run's end) when some
    # character took more than one byte; empty when every character is one byte
    runs: tuple[tuple[int, int, int], ...]
    utf8: tuple[tuple[int, int], ...]  # (char start, char end) of runs decoded as UTF-8
    fallback: bool  # some run was not UTF-8 and took the single-byte codec

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def byte(self, offset: int) -> int:
        """Byte offset of the character at text offset `offset` (inside this block)."""
        local = offset - self.start
        if not self.runs:
            return self.byte_start + local
        extra = 0
        index = bisect_right(self.runs, (local, len(self.text) + 1, 0)) - 1
        if index >= 0:
            run_start, run_end, before = self.runs[index]
            if local >= run_end:
                extra = before
            else:  # inside a multi-byte run: count its bytes up to the character
                previous = self.runs[index - 1][2] if index > 0 else 0
                partial = self.text[run_start:local].encode("utf-8", "surrogateescape")
                extra = previous + len(partial) - (local - run_start)
        return self.byte_start + local + extra


class StreamDecoder:
    """Bytes in (`feed`, then `close`), `TextBlock`s out, in order."""

    def __init__(self) -> None:
        self._pending = b""
        self._started = False
        self.bom = False
        self.declared: str | None = None
        self.codec = "latin-1"  # for runs that are not UTF-8
        self.fallback_seen = False
        self._char = 0
        self._byte = 0
        self._line = 1

    @property
    def chars(self) -> int:
        """Characters decoded so far (all of them once the input is read)."""
        return self._char

    def feed(self, chunk: bytes) -> Iterator[TextBlock]:
        """The blocks `chunk` completes (lazily: a large chunk is decoded a block at a time)."""
        self._pending = self._pending + chunk if self._pending else chunk
        if not self._started:
            if len(self._pending) < HEAD_BYTES + len(BOM):
                return
            self._start()
        yield from self._cut(final=False)

    def close(self) -> Iterator[TextBlock]:
        if not self._started:
            self._start()
        yield from self._cut(final=True)

    def _start(self) -> None:
        self._started = True
        if self._pending.startswith(BOM):
            self.bom = True
            self._pending = self._pending[len(BOM) :]
            self._byte = len(BOM)
        self.declared = declared_repertoire(self._pending[:HEAD_BYTES])
        repertoire = REPERTOIRES.get(self.declared or "")
        codec = repertoire.codec if repertoire and repertoire.single_byte else "latin-1"
        self.codec = "latin-1" if codec in ("ascii", "utf-8") else codec

    def _cut(self, *, final: bool) -> Iterator[TextBlock]:
        pending = self._pending
        at = 0
        try:
            while len(pending) - at > BLOCK_BYTES or (final and at < len(pending)):
                target = at + BLOCK_BYTES
                if target >= len(pending):
                    cut = len(pending)  # only when final
                else:
                    cut = target
                    # never split a run of non-ASCII bytes (a UTF-8 sequence): end after the
                    # last ASCII byte before the boundary, when this block has one
                    while cut > at and pending[cut - 1] >= 0x80:
                        cut -= 1
                    if cut == at:
                        cut = target
                block = self._decode(pending[at:cut])
                at = cut
                yield block
        finally:
            self._pending = pending[at:]

    def _decode(self, raw: bytes) -> TextBlock:
        runs: list[tuple[int, int, int]] = []
        utf8: list[tuple[int, int]] = []
        fallback = False
        try:
            text = raw.decode("utf-8")
            if len(text) != len(raw):
                char = extra = 0
                previous = 0
                for match in _NON_ASCII.finditer(raw):
                    char += match.start() - previous
                    decoded = match.group().decode("utf-8")
                    extra += len(match.group()) - len(decoded)
                    runs.append((char, char + len(decoded), extra))
                    utf8.append((char, char + len(decoded)))
                    char += len(decoded)
                    previous = match.end()
        except UnicodeDecodeError:
            pieces: list[str] = []
            char = extra = previous = 0
            for match in _NON_ASCII.finditer(raw):
                ascii_part = raw[previous : match.start()].decode("ascii")
                pieces.append(ascii_part)
                char += len(ascii_part)
                run = match.group()
                try:
                    decoded = run.decode("utf-8")
                except UnicodeDecodeError:
                    decoded = run.decode(self.codec, "surrogateescape")
                    fallback = True
                else:
                    utf8.append((char, char + len(decoded)))
                    if len(decoded) != len(run):
                        extra += len(run) - len(decoded)
                        runs.append((char, char + len(decoded), extra))
                pieces.append(decoded)
                char += len(decoded)
                previous = match.end()
            pieces.append(raw[previous:].decode("ascii"))
            text = "".join(pieces)
        if fallback:
            self.fallback_seen = True
        block = TextBlock(
            text, self._char, self._byte, self._line, tuple(runs), tuple(utf8), fallback
        )
        self._char += len(text)
        self._byte += len(raw)
        self._line += text.count("\n")
        return block


def decoded_blocks(data: Source, decoder: StreamDecoder | None = None) -> Iterator[TextBlock]:
    """Every text block of the input, decoded as it is read."""
    decoder = decoder or StreamDecoder()
    for chunk in byte_chunks(data):
        yield from decoder.feed(chunk)
    yield from decoder.close()


class TextMap:
    """The decoded blocks still needed, for positions: text offset -> (byte offset, line).
    Blocks before the oldest position anyone may still ask about are released; `view` keeps
    the blocks one message spans, for that message's own positions later on."""

    __slots__ = ("_blocks", "_last", "_last_line", "_last_offset", "_single", "_starts")

    def __init__(self, blocks: list[TextBlock] | None = None) -> None:
        self._blocks: list[TextBlock] = blocks or []
        self._starts: list[int] = [block.start for block in self._blocks]
        self._last: TextBlock | None = None
        self._last_offset = 0
        self._last_line = 1
        self._single: dict[int, TextMap] = {}  # one-block views, shared by their messages

    def add(self, block: TextBlock) -> None:
        self._blocks.append(block)
        self._starts.append(block.start)

    def release(self, before: int) -> None:
        """Forget blocks that end at or before text offset `before` (the last one stays)."""
        drop = 0
        blocks = self._blocks
        while drop < len(blocks) - 1 and blocks[drop].end <= before:
            drop += 1
        if drop:
            for block in blocks[:drop]:
                self._single.pop(block.start, None)
            del blocks[:drop]
            del self._starts[:drop]

    def block(self, offset: int) -> TextBlock | None:
        index = bisect_right(self._starts, offset) - 1
        if index < 0:
            return None
        return self._blocks[index]

    def view(self, first: int, last: int) -> TextMap:
        """A map of just the blocks holding text offsets `first` to `last`."""
        blocks = self._blocks
        if blocks and first >= blocks[-1].start:  # the common case: all in the newest block
            last_start = blocks[-1].start
            single = self._single.get(last_start)
            if single is None:
                single = self._single[last_start] = TextMap(blocks[-1:])
            return single
        low = max(bisect_right(self._starts, first) - 1, 0)
        high = max(bisect_right(self._starts, last), low + 1)
        if high == low + 1 and low < len(self._blocks):
            start = self._starts[low]
            single = self._single.get(start)
            if single is None:
                single = self._single[start] = TextMap(self._blocks[low:high])
            return single
        return TextMap(self._blocks[low:high])

    def find(self, character: str, offset: int) -> int:
        """Text offset of the first `character` at or after `offset` in the kept text; -1."""
        for block in self._blocks:
            if block.end <= offset:
                continue
            at = block.text.find(character, max(offset - block.start, 0))
            if at >= 0:
                return block.start + at
        return -1

    def __call__(self, offset: int) -> tuple[int, int]:
        block = self.block(offset)
        if block is None:
            return offset, 1  # before everything kept: cannot happen for offsets we produce
        if block is self._last and offset >= self._last_offset:
            line = self._last_line + block.text.count(
                "\n", self._last_offset - block.start, offset - block.start
            )
        else:
            local = min(max(offset - block.start, 0), len(block.text))
            line = block.line + block.text.count("\n", 0, local)
        self._last, self._last_offset, self._last_line = block, offset, line
        return block.byte(offset), line

    def text(self, start: int, end: int) -> str:
        """The decoded text between two offsets, as far as it is still kept."""
        pieces = []
        for block in self._blocks:
            if block.end <= start or block.start >= end:
                continue
            pieces.append(block.text[max(start - block.start, 0) : end - block.start])
        return "".join(pieces)

    def blocks(self, start: int, end: int) -> list[TextBlock]:
        return [b for b in self._blocks if b.end > start and b.start < end]
