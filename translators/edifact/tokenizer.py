"""The EDIFACT lexer: text (a string, or a stream of text blocks it reads as it goes) in,
`(tag, elements, offset)` segments out, lazily, block by block. The uniform-block split and
the release-character split have compiled twins (`translators.edifact.compiled`).

It knows service characters and nothing about envelopes or guides: UNA or the defaults, the
release character before any service character (itself included), the syntax-4 repetition
separator once UNB says version 4, LF used as the terminator, CR/LF around terminators and
hard wraps inside segments, several interchanges with different UNAs in one text. What it
notices on the way (an empty segment, a release before an ordinary character, a bad UNA, an
unterminated last segment) goes to `notes`, never into an exception."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, repeat

from translators.core.issues import Severity
from translators.core.segment import Value
from translators.edifact import compiled
from translators.edifact.syntax import (
    DEFAULT,
    INFORMATION_SEPARATORS,
    IS3,
    Delimiters,
    parse_una,
)

# A segment with its parsed elements: tag, element values, text offset of its first character.
RawSegment = tuple[str, list[Value], int]
# A segment as the lexer hands it on: tag, its text (no terminator, no line breaks), text
# offset of its first character, its elements when already parsed (a release character was
# involved) else None, and the delimiters to parse it with. `elements_of` parses on demand.
Lexeme = tuple[str, str, int, list[Value] | None, Delimiters]

# characters split at a time. Small batches keep the lexemes of a batch from outliving the
# garbage collector's young generations: with 1 MB blocks, tens of thousands of lexemes
# alive at once were promoted to the old generation batch after batch and set off full
# collections (measured with bench/edifact_bench.py: 30 full collections per 50 MB in pure
# Python, 3 with 32 K blocks)
_BLOCK = 1 << 15
_TRIM = 1 << 20  # the window is cut once this much text lies behind the lexer
_BLANK = " \t\r\n\x00"
_FORMAT = "\r\n"  # line breaks partners put around (or, wrapped, inside) segments
_ENVELOPE_TAGS = frozenset({"UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"})
_TAG_LINE = re.compile(r"[A-Z][A-Z0-9]{2}")


@dataclass(slots=True)
class LexicalNote:
    """Something the lexer saw at `offset` (a text index) that the envelope layer reports."""

    code: str
    message: str
    offset: int
    severity: Severity = Severity.WARNING
    contrl: str | None = None
    value: str | None = None


class Tokenizer:
    """Iterate over the segments of `text`. `delimiters`, `una_present` and
    `declared_repetition` describe the interchange the last yielded segment belongs to."""

    def __init__(self, text: str | Iterable[str], *, fast: bool = True) -> None:
        # the text window: `text` holds the input from text offset `base` on; a stream of
        # blocks is read as the lexer needs it and the window is cut behind it, so memory
        # holds about two blocks whatever the input's size
        self.base = 0
        if isinstance(text, str):
            self.text = text
            self._source: Iterator[str] | None = None
        else:
            self.text = ""
            self._source = iter(text)
        self._eof = self._source is None
        self.fast = fast  # False: every block takes the general path (tests compare both)
        self.delimiters: Delimiters = DEFAULT
        self.una_present = False
        self.una_text: str | None = None
        self.declared_repetition: str | None = None
        self.newline_terminated = False
        self.notes: list[LexicalNote] = []
        # UNB offset -> (delimiters, UNA text or None) of the interchange it opens; batches run
        # ahead of their consumer, so per-interchange facts are kept by position
        self.dialects: dict[int, tuple[Delimiters, str | None]] = {}
        self._after_trailer = False

    def __iter__(self) -> Iterator[RawSegment]:
        for batch in self.batches():
            for lexeme in batch:
                yield lexeme[0], elements_of(lexeme), lexeme[2]

    def batches(self) -> Iterator[list[Lexeme]]:
        """The segments in lists, one per block of text (cheaper than one at a time). Notes
        carry offsets, so a consumer can tell which segment a note precedes."""
        for batch, _ in self.marked_batches():
            yield batch

    def marked_batches(self) -> Iterator[tuple[list[Lexeme], list[int]]]:
        """Batches with the indices of their envelope segments (UNB UNG UNH UNT UNE UNZ), so
        a consumer can move the runs between them in one step."""
        pos = 0
        while True:
            pos = self._skip_blank(pos)
            if pos >= len(self.text):
                return
            pos = self._enter(pos)
            pos = yield from self._segments(pos)

    # -- interchange entry: UNA, defaults, newline detection -------------------------------

    # -- the window ---------------------------------------------------------------------------

    def _more(self) -> bool:
        """Append the next block of the stream to the window; False at its end."""
        if self._source is None:
            return False
        for block in self._source:
            if block:
                self.text += block
                return True
        self._source = None
        self._eof = True
        return False

    def _need(self, pos: int, count: int) -> None:
        """Read until the window holds `count` characters from `pos` (or the input ends)."""
        while len(self.text) < pos + count and self._more():
            pass

    def _trim(self, pos: int) -> int:
        """Drop the window before `pos` (a stream only); return `pos` in the new window."""
        if self._source is None or pos < _TRIM:
            return pos
        self.text = self.text[pos:]
        self.base += pos
        return 0

    def _skip_blank(self, pos: int) -> int:
        while True:
            text, n = self.text, len(self.text)
            while pos < n and text[pos] in _BLANK:
                pos += 1
            if pos < n or not self._more():
                return pos

    def _entry(self, pos: int) -> tuple[Delimiters, str | None, str | None, int]:
        """Delimiters in force for a unit starting at `pos`: (delimiters, UNA text, declared
        repetition, position of the first segment). Pure: no state changes (but reading)."""
        self._need(pos, 10)
        text = self.text
        una = None
        declared_repetition = None
        if text.startswith("UNA", pos):
            una = text[pos : pos + 9]
            advice = parse_una(una)
            delimiters = advice.delimiters
            declared_repetition = advice.declared_repetition
            pos = self._skip_blank(pos + 9)
        elif text.startswith("UNB", pos) and text[pos + 3 : pos + 4] == IS3:
            delimiters = INFORMATION_SEPARATORS
        else:
            delimiters = DEFAULT
        if delimiters.terminator != "\n" and self._newline_terminated(pos, delimiters):
            delimiters = delimiters._replace(terminator="\n")
        return delimiters, una, declared_repetition, pos

    def _enter(self, pos: int) -> int:
        delimiters, una, declared_repetition, first = self._entry(pos)
        if una is not None:
            problem = parse_una(una).problem
            if problem:
                self.notes.append(
                    LexicalNote("invalid_una", problem, self.base + pos, Severity.ERROR, "20", una)
                )
        self.delimiters = delimiters
        self.una_present = una is not None
        self.una_text = una
        self.declared_repetition = declared_repetition
        self.newline_terminated = delimiters.terminator == "\n"
        return first

    def _newline_terminated(self, pos: int, delimiters: Delimiters) -> bool:
        """LF is the terminator when the first segment's line holds no terminator and the next
        line starts with a segment tag (the manifest's rule, and what real files do)."""
        terminator = delimiters.terminator
        while True:
            # read no further than the first segment's terminator or line end
            text = self.text
            term = text.find(terminator, pos)
            eol = text.find("\n", pos, term if term >= 0 else len(text))
            if eol >= 0:
                if len(text) >= eol + 5 or not self._more():
                    break
            elif term >= 0 or not self._more():
                return False  # the line holds a terminator, or there is no line end
        text = self.text
        line = text[pos:eol]
        if len(line.rstrip("\r")) == 80:
            return False
        following = text[eol + 1 : eol + 5].lstrip("\r")
        if not _TAG_LINE.match(following):
            return False
        after = following[3:4]
        return after in ("", "\n", "\r", delimiters.element, delimiters.component)

    # -- the segment loop -----------------------------------------------------------------

    def _chunk_end(self, start: int) -> int:
        """End (exclusive) of the next block to split: just past an unreleased terminator."""
        self._need(start, _BLOCK + 2)  # the window reaches past the limit unless at the end
        text, n = self.text, len(self.text)
        terminator = self.delimiters.terminator
        limit = start + _BLOCK
        if limit >= n:
            return n
        k = text.rfind(terminator, start, limit)
        while k >= start and self._released(k, start):
            k = text.rfind(terminator, start, k)
        if k < start:
            # a segment longer than a block: read on until its terminator
            k = text.find(terminator, limit)
            while True:
                while k >= 0 and self._released(k, start):
                    k = self.text.find(terminator, k + 1)
                if k >= 0:
                    break
                searched = len(self.text)
                if not self._more():
                    return len(self.text)
                k = self.text.find(terminator, searched)
            self._need(k + 1, 2)
            text = self.text
        k += 1
        # keep a line break that follows the terminator with this block
        if text.startswith("\r\n", k):
            k += 2
        elif text.startswith("\n", k):
            k += 1
        return k

    def _released(self, index: int, floor: int) -> bool:
        release = self.delimiters.release
        if release is None:
            return False
        text = self.text
        m = index - 1
        while m >= floor and text[m] == release:
            m -= 1
        return (index - 1 - m) % 2 == 1

    def _segments(self, pos: int) -> Generator[tuple[list[Lexeme], list[int]], None, int]:
        """Yield segments from `pos` until the text ends or the next interchange needs other
        delimiters; return where to resume."""
        notes = self.notes
        after_trailer = False
        i = pos
        while True:
            i = self._trim(i)
            self._need(i, 1)
            if i >= len(self.text):
                break
            d = self.delimiters
            t, e, c, r = d.terminator, d.element, d.component, d.release
            newline_mode = t == "\n"
            k = self._chunk_end(i)
            chunk = self.text[i:k]
            base = self.base  # offsets handed on are global: base + window index
            if self.fast and not newline_mode:
                lex = compiled.module
                line_end = (
                    _uniform_line_end(chunk, t, r)
                    if lex is None
                    else lex.uniform_line_end(chunk, t, r)
                )
                if line_end is not None:
                    resume = yield from self._uniform_block(
                        chunk, base + i, line_end, after_trailer
                    )
                    after_trailer = self._after_trailer
                    if resume is None:
                        i = k
                    elif resume[0]:
                        return resume[1] - base
                    else:
                        i = resume[1] - base
                    continue
            pieces = chunk.split(t)
            tail = pieces.pop()  # '' when the block ends on a terminator
            off = base + i
            pending: str | None = None
            pending_start = 0
            batch: list[Lexeme] = []
            append = batch.append
            marks: list[int] = []
            # per-block facts that spare per-segment tests: can a piece end in a release
            # character, or hold one at all? (Line breaks inside a segment, a hard wrap, are
            # looked for per segment: a block-wide count would make the result depend on
            # where blocks end, as after a released terminator followed by a line break.)
            released_ends = r is not None and r + t in chunk
            has_release = r is not None and r in chunk
            wrapped = not newline_mode
            for raw in pieces:
                start = off
                off += len(raw) + 1
                if released_ends and raw.endswith(r):  # type: ignore[arg-type]
                    run = len(raw) - len(raw.rstrip(r))
                    if run % 2:  # the terminator itself is released: data, not an end
                        if pending is None:
                            pending, pending_start = raw + t, start
                        else:
                            pending += raw + t
                        continue
                if pending is not None:
                    raw, start, pending = pending + raw, pending_start, None
                s = raw
                if s and s[0] in _BLANK:
                    s = s.lstrip(_BLANK)
                    start += len(raw) - len(s)
                if newline_mode:
                    s = s.rstrip("\r")
                if not s:
                    if not raw and not newline_mode:
                        notes.append(
                            LexicalNote("empty_segment", "empty segment (two terminators)", start)
                        )
                    continue
                if wrapped and ("\n" in s or "\r" in s):
                    s = s.replace("\r", "").replace("\n", "")  # hard-wrapped record
                if after_trailer:
                    after_trailer = False
                    if s.startswith(("UNA", "UNB")):
                        entry = self._entry(start - base)
                        if entry[0] != self._base(d) or (entry[1] is not None and len(s) > 9):
                            yield batch, marks
                            return start - base  # the next interchange speaks another dialect
                        self.una_present = entry[1] is not None
                        self.una_text = entry[1]
                        self.declared_repetition = entry[2]
                        if s.startswith("UNA"):
                            continue
                parsed: list[Value] | None = None
                if has_release and r in s:  # type: ignore[operator]
                    tag, parsed = self._split_released(s, start, d)
                else:
                    tag = s.partition(e)[0]
                    if c in tag:
                        tag = tag.partition(c)[0]
                if tag in _ENVELOPE_TAGS:
                    marks.append(len(batch))
                if tag == "UNB":
                    if parsed is None:
                        parsed = split_plain(s, d)
                    self._activate_repetition(parsed)
                    self.dialects[start] = (
                        self.delimiters,
                        self.una_text if self.una_present else None,
                    )
                    append((tag, s, start, parsed, d))
                    if self.delimiters is not d:
                        yield batch, marks
                        i = off - base
                        break  # re-split the rest of the block with the repetition separator
                    continue
                if tag == "UNZ":
                    after_trailer = True
                append((tag, s, start, parsed, d))
            else:
                if pending is not None:
                    tail, off = pending + tail, pending_start
                stripped = tail.strip(_BLANK)
                if stripped:
                    start = off + len(tail) - len(tail.lstrip(_BLANK))
                    if after_trailer:
                        yield batch, marks
                        return start - base  # what follows the last trailer: other delimiters?
                    if not newline_mode:
                        notes.append(
                            LexicalNote(
                                "unterminated_segment",
                                "the last segment has no terminator",
                                start,
                                value=stripped[:20],
                            )
                        )
                    lexeme = self._lexeme(stripped.replace("\r", "").replace("\n", ""), start)
                    if lexeme[0] in _ENVELOPE_TAGS:
                        marks.append(len(batch))
                    append(lexeme)
                yield batch, marks
                i = k
        return len(self.text)

    def _uniform_block(
        self, chunk: str, i: int, line_end: str, after_trailer: bool
    ) -> Generator[tuple[list[Lexeme], list[int]], None, tuple[bool, int] | None]:
        """The common case, fast: every unreleased terminator of the block is followed by the
        same line end (or none), no segment is empty, indented or wrapped. Whole-list
        operations do the per-segment work; only envelope and released segments get a look
        of their own. Returns (True, position) when the next interchange needs other
        delimiters (re-enter there), (False, position) when the rest of the block must be
        lexed again with the repetition separator UNB just switched on, else None."""
        d = self.delimiters
        r = d.release
        lex = compiled.module
        split = _split_block_py if lex is None else lex.split_block
        lexemes, marks, released, tail = split(
            chunk, i, d.terminator + line_end, d.element, d.component, r, d
        )
        noted = len(self.notes)  # notes of this block start here (cut back if it is cut short)
        if released:
            retagged = False
            for k in released:
                piece, offset = lexemes[k][1], lexemes[k][2]
                tag, parsed = self._split_released(piece, offset, d)
                retagged = retagged or tag != lexemes[k][0]
                lexemes[k] = (tag, piece, offset, parsed, d)
            if retagged:
                marks = [k for k, lexeme in enumerate(lexemes) if lexeme[0] in _ENVELOPE_TAGS]
        count = len(lexemes)
        dropped: list[int] = []
        follow = [-1] if after_trailer and lexemes else []
        for m in follow + marks:
            tag = lexemes[m][0] if m >= 0 else "UNZ"
            if tag == "UNB":
                lexeme = lexemes[m]
                parsed = lexeme[3] if lexeme[3] is not None else split_plain(lexeme[1], d)
                self._activate_repetition(parsed)
                self.dialects[lexeme[2]] = (
                    self.delimiters,
                    self.una_text if self.una_present else None,
                )
                lexemes[m] = (tag, lexeme[1], lexeme[2], parsed, d)
                if self.delimiters is not d:
                    # the rest needs the repetition separator: lex it again
                    resume = _resume_offset(lexemes, m + 1, i + len(chunk) - len(tail))
                    self._after_trailer = False
                    self._forget_notes(noted, resume)
                    yield _without(lexemes[: m + 1], dropped)
                    return False, resume
            elif tag == "UNZ" and m + 1 < count:
                following, at = lexemes[m + 1][1], lexemes[m + 1][2]
                if following.startswith(("UNA", "UNB")):
                    entry = self._entry(at - self.base)
                    if entry[0] != self._base(d) or (entry[1] is not None and len(following) > 9):
                        self._after_trailer = False
                        self._forget_notes(noted, at)
                        yield _without(lexemes[: m + 1], dropped)
                        return True, at
                    self.una_present = entry[1] is not None
                    self.una_text = entry[1]
                    self.declared_repetition = entry[2]
                    if following.startswith("UNA"):
                        dropped.append(m + 1)
        if dropped:
            # a consumed UNA is not a segment: forget what lexing it noted
            gone = {lexemes[k][2] for k in dropped}
            self.notes[noted:] = [n for n in self.notes[noted:] if n.offset not in gone]
        batch, batch_marks = _without(lexemes, dropped) if dropped else (lexemes, marks)
        after_trailer = lexemes[-1][0] == "UNZ" if lexemes else after_trailer
        stripped = tail.strip(_BLANK)
        if stripped:
            # only at the very end of the input: an unterminated last segment
            start = i + len(chunk) - len(tail.lstrip(_BLANK))
            if after_trailer:
                self._after_trailer = False
                yield batch, batch_marks
                return True, start
            self.notes.append(
                LexicalNote(
                    "unterminated_segment",
                    "the last segment has no terminator",
                    start,
                    value=stripped[:20],
                )
            )
            lexeme = self._lexeme(stripped, start)
            if lexeme[0] in _ENVELOPE_TAGS:
                batch_marks = [*batch_marks, len(batch)]
            batch = [*batch, lexeme]
            after_trailer = lexeme[0] == "UNZ"
        self._after_trailer = after_trailer
        yield batch, batch_marks
        return None

    def _forget_notes(self, since: int, cut: int) -> None:
        """Drop this block's notes at or after `cut`: that text is lexed again."""
        notes = self.notes
        notes[since:] = [note for note in notes[since:] if note.offset < cut]

    def _base(self, d: Delimiters) -> Delimiters:
        return d if d.repetition is None else d.with_repetition(None)

    def _activate_repetition(self, elements: list[Value]) -> None:
        """Syntax 4 makes UNA position 8 (default '*') the repetition separator."""
        syntax = elements[0] if elements else ""
        version = syntax[1] if isinstance(syntax, tuple) and len(syntax) > 1 else ""
        if version == "4":
            repetition = self.declared_repetition if self.una_present else "*"
            if repetition in self.delimiters.specials():
                repetition = None
        else:
            repetition = None
        if repetition != self.delimiters.repetition:
            self.delimiters = self.delimiters.with_repetition(repetition)

    def _lexeme(self, s: str, start: int) -> Lexeme:
        d = self.delimiters
        if d.release is not None and d.release in s:
            tag, elements = self._split_released(s, start, d)
            return tag, s, start, elements, d
        return s.partition(d.element)[0].partition(d.component)[0], s, start, None, d

    def _split_released(self, s: str, start: int, d: Delimiters) -> tuple[str, list[Value]]:
        """The slow path for a segment that contains the release character."""
        lex = compiled.module
        if lex is not None and d.release is not None:
            tag, elements, ordinary = lex.split_released(
                s, d.element, d.component, d.repetition, d.release, d.terminator
            )
            for pair in ordinary:
                self.notes.append(
                    LexicalNote(
                        "released_ordinary_character",
                        f"release character before ordinary character {pair[1]!r}",
                        start,
                        Severity.WARNING,
                        "22",
                        pair,
                    )
                )
            return tag, elements
        return self._split_released_py(s, start, d)

    def _split_released_py(self, s: str, start: int, d: Delimiters) -> tuple[str, list[Value]]:
        release = d.release or ""
        separators = {d.element, d.component}
        if d.repetition:
            separators.add(d.repetition)
        specials = d.specials() | {d.terminator}
        elements: list[Value] = []
        repeats: list[str | tuple[str, ...]] = []
        components: list[str] = []
        buffer: list[str] = []
        index, size = 0, len(s)
        while index < size:
            ch = s[index]
            if ch == release:
                if index + 1 < size:
                    literal = s[index + 1]
                    if literal not in specials:
                        self.notes.append(
                            LexicalNote(
                                "released_ordinary_character",
                                f"release character before ordinary character {literal!r}",
                                start,
                                Severity.WARNING,
                                "22",
                                release + literal,
                            )
                        )
                    buffer.append(literal)
                    index += 2
                    continue
                buffer.append(ch)  # a lone release at the very end: keep it as data
                index += 1
                continue
            if ch in separators:
                components.append("".join(buffer))
                buffer = []
                if ch != d.component:
                    repeats.append(components[0] if len(components) == 1 else tuple(components))
                    components = []
                    if ch == d.element:
                        elements.append(repeats[0] if len(repeats) == 1 else list(repeats))
                        repeats = []
                index += 1
                continue
            # copy a run of ordinary characters in one step
            stop = index + 1
            while stop < size and s[stop] != release and s[stop] not in separators:
                stop += 1
            buffer.append(s[index:stop])
            index = stop
        components.append("".join(buffer))
        repeats.append(components[0] if len(components) == 1 else tuple(components))
        elements.append(repeats[0] if len(repeats) == 1 else list(repeats))
        head = elements.pop(0)
        if isinstance(head, list):
            head = head[0]
        tag = head[0] if isinstance(head, tuple) else head
        return tag, elements


def split_plain(text: str, d: Delimiters) -> list[Value]:
    """Elements of a segment text that holds no release character."""
    parts = text.split(d.element)
    c = d.component
    if c in text:
        values: list[Value] = [tuple(v.split(c)) if c in v else v for v in parts[1:]]
    else:
        values = parts[1:]  # type: ignore[assignment]
    rep = d.repetition
    if rep is not None and rep in text:
        values = [_repeat(v, rep, c) for v in values]
    return values


def elements_of(lexeme: Lexeme) -> list[Value]:
    """A lexeme's element values (parsed now unless the lexer already did)."""
    parsed = lexeme[3]
    return parsed if parsed is not None else split_plain(lexeme[1], lexeme[4])


def _split_block_py(
    chunk: str,
    base: int,
    separator: str,
    element: str,
    component: str,
    release: str | None,
    delimiters: Delimiters,
) -> tuple[list[Lexeme], list[int], list[int], str]:
    """Split a uniform block on `separator` (terminator plus line end): the lexemes with
    `base`-relative offsets, the indices of envelope segments and of pieces that hold the
    release character (the caller lexes those again), and the text after the last separator.
    `translators._accel.edifact_lex.split_block` does the same in C."""
    pieces = chunk.split(separator)
    tail = pieces.pop()
    step = len(separator)
    offsets = accumulate([len(p) + step for p in pieces], initial=base)
    tags = [p.partition(element)[0] for p in pieces]
    if component in "\x1f".join(tags):
        tags = [tag.partition(component)[0] for tag in tags]
    lexemes: list[Lexeme] = list(zip(tags, pieces, offsets, repeat(None), repeat(delimiters)))
    marks = [k for k, tag in enumerate(tags) if tag in _ENVELOPE_TAGS]
    released = (
        [k for k, piece in enumerate(pieces) if release in piece]
        if release is not None and release in chunk
        else []
    )
    return lexemes, marks, released, tail


def _resume_offset(lexemes: list[Lexeme], index: int, tail_start: int) -> int:
    """Where the piece `index` starts (the tail's start when it is past the last piece)."""
    return lexemes[index][2] if index < len(lexemes) else tail_start


def _without(lexemes: list[Lexeme], dropped: list[int]) -> tuple[list[Lexeme], list[int]]:
    """The lexemes minus the dropped positions, with their envelope marks recomputed."""
    gone = set(dropped)
    kept = [lexeme for k, lexeme in enumerate(lexemes) if k not in gone]
    return kept, [k for k, lexeme in enumerate(kept) if lexeme[0] in _ENVELOPE_TAGS]


def _uniform_line_end(chunk: str, terminator: str, release: str | None) -> str | None:
    """The line end ("", "\\n" or "\\r\\n") that follows every unreleased terminator of
    the block, when that holds exactly and nothing else is unusual (no empty segment, no other
    line break, no ambiguous release run); None sends the block down the general path."""
    if terminator + terminator in chunk:
        return None
    count = chunk.count(terminator)
    released = 0
    if release is not None and release + terminator in chunk:
        # a released terminator stays inside its piece only when a line end is the separator
        if (
            release + release in chunk
            or release + terminator + "\n" in chunk
            or release + terminator + "\r" in chunk
        ):
            return None
        released = chunk.count(release + terminator)
    if chunk[:1] in ("", " ", "\t", "\x00", "\r", "\n", terminator) or "\x00" in chunk:
        return None
    lf = chunk.count("\n")
    if not lf:
        line_end = None if "\r" in chunk or released else ""
    elif chunk.count(terminator + "\n") == count - released == lf and "\r" not in chunk:
        line_end = "\n"
    elif chunk.count(terminator + "\r\n") == count - released == lf == chunk.count("\r"):
        line_end = "\r\n"
    else:
        return None
    if line_end is not None and (
        terminator + line_end + " " in chunk
        or terminator + line_end + "\t" in chunk
        or terminator + line_end + terminator in chunk
    ):
        return None  # indented or empty segments: the general path handles them
    return line_end


def _repeat(value: Value, repetition: str, component: str) -> Value:
    if isinstance(value, str):
        if repetition not in value:
            return value
        return [tuple(v.split(component)) if component in v else v for v in value.split(repetition)]
    if isinstance(value, tuple) and any(repetition in part for part in value):
        joined = component.join(value)
        return [
            tuple(v.split(component)) if component in v else v for v in joined.split(repetition)
        ]
    return value
