"""X12 tokenizer: learns the delimiters from each ISA and streams segments with their byte
offsets, tolerating the terminators, line breaks and header shapes that real files use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import IO, Any

from translators import _accel
from translators.core.segment import Value

CHUNK = 1 << 20
_BLANKS = " \t\r\n\x00"
_BOM = "\ufeff"
_LATIN1_BOM = "\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str = "*"
    component: str = ">"
    repetition: str | None = None  # ISA-11 from 00402 on
    segment: str = "~"
    suffix: str = ""  # what the writer puts after each terminator, e.g. "\n"

    def usable(self) -> bool:
        """Distinct, and none of them a letter, digit or blank (so values can be written)."""
        chars = [self.element, self.component, self.segment]
        if self.repetition:
            chars.append(self.repetition)
        return len(set(chars)) == len(chars) and not any(
            len(ch) != 1 or ch.isalnum() or ch == " " for ch in chars
        )

    def describe(self) -> str:
        shown = {"\n": "newline", "\r": "CR"}
        return (
            f"element {self.element!r}, component {self.component!r}, "
            f"repetition {self.repetition!r}, segment {shown.get(self.segment, self.segment)!r}"
        )


# One segment as read: (tag, elements, byte offset, complex); `complex` says some element
# was split into components/repetitions. Used where segments are handled one at a time.
RawSegment = tuple[str, list[Value], int, bool]


@dataclass(slots=True)
class Batch:
    """Consecutive segments of one interchange, column-wise and still as text (a file holds
    millions; lists per segment would keep the garbage collector busy): `parts[i]` is the
    segment without its terminator, `offsets[i]` its byte offset, `heads[i]` its first three
    characters (enough to spot envelope segments)."""

    parts: list[str]
    offsets: list[int]
    heads: list[str]
    delimiters: Delimiters

    def segments(self) -> list[RawSegment]:
        return [
            split_segment(part, offset, self.delimiters)
            for part, offset in zip(self.parts, self.offsets, strict=True)
        ]


def split_segment(part: str, offset: int, d: Delimiters) -> RawSegment:
    """One segment's text into (tag, elements, offset, complex)."""
    fields = part.split(d.element)
    tag = fields[0]
    if tag != "ISA" and (d.component in part or (d.repetition and d.repetition in part)):
        values: list[Value] = [_split_value(f, d.component, d.repetition) for f in fields[1:]]
        return (tag, values, offset, True)
    return (tag, fields[1:], offset, False)  # type: ignore[return-value]


@dataclass(slots=True)
class Unterminated:
    """The input ended inside a segment (no terminator after the last one)."""

    tag: str
    offset: int


@dataclass(slots=True)
class InterchangeStart:
    """An ISA was found: the delimiters it declares, and what was odd about it."""

    delimiters: Delimiters
    fields: list[str]  # ISA-01..ISA-16 as read (CR/LF inside removed)
    offset: int
    oddities: list[str]


@dataclass(slots=True)
class BareStart:
    """A transaction set with no ISA/GS around it: delimiters guessed from the ST."""

    delimiters: Delimiters
    offset: int


@dataclass(slots=True)
class Garbage:
    """Text that belongs to no segment: between interchanges or after the last IEA."""

    text: str
    offset: int


STANDARD_DELIMITERS = Delimiters()

Token = Batch | InterchangeStart | BareStart | Garbage | Unterminated


class _Source:
    """Text in chunks from bytes, str, a binary/text file object or an iterable of chunks.
    Bytes are read as Latin-1: every byte maps to one character, so offsets are byte offsets
    and nothing is lost (X12 has no declared character set)."""

    def __init__(
        self, data: bytes | bytearray | memoryview | str | IO[bytes] | IO[str] | Iterable[bytes]
    ) -> None:
        self._iter = self._chunks(data)

    @staticmethod
    def _chunks(data: object) -> Iterator[str]:
        if isinstance(data, str):
            for i in range(0, len(data), CHUNK):
                yield data[i : i + CHUNK]
        elif isinstance(data, bytes | bytearray | memoryview):
            view = memoryview(data)
            for i in range(0, len(view), CHUNK):
                yield bytes(view[i : i + CHUNK]).decode("latin-1")
        elif hasattr(data, "read"):
            while True:
                chunk = data.read(CHUNK)
                if not chunk:
                    return
                yield chunk if isinstance(chunk, str) else chunk.decode("latin-1")
        elif isinstance(data, Iterable):
            for chunk in data:
                yield chunk if isinstance(chunk, str) else bytes(chunk).decode("latin-1")
        else:
            raise TypeError(f"cannot read X12 from {type(data).__name__}")

    def more(self) -> str | None:
        return next(self._iter, None)


def _isa_fields(text: str, start: int) -> tuple[list[str], str, int] | None:
    """Walk the 16 element separators of the ISA at `start`: (ISA-01..16, terminator,
    index after the terminator), or None when `text` does not hold the whole header yet."""
    separator = text[start + 3]
    if separator.isalnum() or separator in " \r\n":
        return None  # a letter, digit or blank cannot separate elements
    fields: list[str] = []
    pos = start + 4
    for _ in range(15):
        nxt = text.find(separator, pos)
        if nxt < 0 or nxt - start > 400:
            return None
        fields.append(text[pos:nxt].replace("\r", "").replace("\n", ""))
        pos = nxt + 1
    # ISA-16 is the next character that is not a line break; the terminator follows it
    while pos < len(text) and text[pos] in "\r\n":
        pos += 1
    if pos + 1 >= len(text):
        return None
    fields.append(text[pos])
    terminator = text[pos + 1]
    end = pos + 2
    if terminator in "\r\n":
        terminator = "\n"
        if text[pos + 1] == "\r" and pos + 2 < len(text) and text[pos + 2] == "\n":
            end += 1
    return fields, terminator, end


_STANDARD_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


def interchange_start(
    fields: list[str], terminator: str, element: str, offset: int, raw: str
) -> InterchangeStart:
    """The delimiters an ISA declares, and the ways its shape departs from the standard."""
    oddities: list[str] = []
    version = fields[11]
    repetition: str | None = None
    isa11 = fields[10]
    if version >= "00402":
        if len(isa11) == 1 and not isa11.isalnum():
            repetition = isa11
        else:
            oddities.append("isa11_not_separator")
    elif isa11 != "U":
        oddities.append("isa11_not_u")
    if any(len(f) != w for f, w in zip(fields, _STANDARD_WIDTHS, strict=True)):
        oddities.append("isa_not_fixed_width")
    inner = raw.rstrip("\r\n")
    if "\n" in inner or "\r" in inner:
        oddities.append("isa_line_break")
    component = fields[15]
    distinct = {element, component, terminator} | ({repetition} if repetition else set())
    if len(distinct) != (4 if repetition else 3) or any(
        ch.isalnum() or ch == " " for ch in (component, terminator)
    ):
        oddities.append("delimiters_not_distinct")
        if repetition in (element, component, terminator):
            repetition = None
    if terminator == "\n":
        suffix = ""
    elif raw.endswith("\r\n"):
        suffix = "\r\n"
    elif raw.endswith("\n"):
        suffix = "\n"
    else:
        suffix = ""
    return InterchangeStart(
        Delimiters(element, component, repetition, terminator, suffix), fields, offset, oddities
    )


def _guess_bare(text: str, start: int) -> Delimiters | None:
    """Delimiters of a bare `ST*204*0001~`: the separator after ST, the first character after
    the control number that is neither a letter, a digit nor a blank is the terminator."""
    element = text[start + 2]
    second = text.find(element, start + 3)
    if second < 0:
        return None
    pos = second + 1
    while pos < len(text) and (text[pos].isalnum() or text[pos] == " "):
        pos += 1
    if pos >= len(text):
        return None
    terminator = text[pos]
    if terminator == element:  # ST-03 follows: find the end of the line or the next oddity
        pos += 1
        while pos < len(text) and (text[pos].isalnum() or text[pos] in " "):
            pos += 1
        if pos >= len(text):
            return None
        terminator = text[pos]
    if terminator in "\r\n":
        terminator = "\n"
    component = next(c for c in ">:^|" if c not in (element, terminator))
    return Delimiters(element, component, None, terminator)


class Tokenizer:
    """Streams tokens over any amount of input; memory holds one chunk plus one segment."""

    def __init__(self, data: object, *, delimiters: Delimiters | None = None) -> None:
        self._source = _Source(data)  # type: ignore[arg-type]
        self.bare_delimiters = delimiters  # what a partner says its bare sets use
        # the compiled cut of regular text (None: pure Python; same results either way)
        self._accel: Any = _accel.load("x12fast")

    def __iter__(self) -> Iterator[Token]:
        source = self._source
        text = ""
        base = 0  # input offset of text[0]
        eof = False
        pos = 0

        def refill() -> bool:
            nonlocal text, base, pos, eof
            if eof:
                return False
            chunk = source.more()
            if chunk is None:
                eof = True
                return False
            base += pos
            text = text[pos:] + chunk
            pos = 0
            return True

        first = True
        while True:
            # ---- looking for the next interchange (or a bare transaction set)
            while True:
                while pos < len(text) and text[pos] in _BLANKS:
                    pos += 1
                if first and text[pos : pos + 1] == _BOM:
                    pos += 1
                    continue
                if first and text[pos : pos + 3] == _LATIN1_BOM:
                    pos += 3
                    continue
                if len(text) - pos < 512 and refill():
                    continue
                break
            if pos >= len(text):
                return
            first = False
            head = text[pos : pos + 3]
            delims: Delimiters | None = None
            if head == "ISA" and len(text) - pos > 3:
                found = _isa_fields(text, pos)
                if found is not None:
                    fields, terminator, end = found
                    after = text[end : end + 2]
                    line_end = "\r\n" if after == "\r\n" else after[:1] if after[:1] == "\n" else ""
                    start = interchange_start(
                        fields, terminator, text[pos + 3], base + pos, text[pos:end] + line_end
                    )
                    yield start
                    yield Batch(
                        ["ISA" + text[pos + 3] + text[pos + 3].join(fields)],
                        [base + pos],
                        ["ISA"],
                        start.delimiters,
                    )
                    delims = start.delimiters
                    pos = end + len(delims.suffix)  # the line break after the ISA, if any
            elif head[:2] == "ST" and len(head) == 3 and not head[2].isalnum():
                delims = self.bare_delimiters or _guess_bare(text, pos)
                if delims is not None:
                    yield BareStart(delims, base + pos)
            if delims is None:
                # not the start of anything: report it up to the next ISA as garbage
                nxt = text.find("ISA", pos + 1)
                while nxt < 0 and refill():
                    nxt = text.find("ISA", pos + 1)
                stop = nxt if nxt >= 0 else len(text)
                yield Garbage(text[pos:stop], base + pos)
                pos = stop
                continue
            # ---- inside an interchange: split on the terminator
            ended = False
            for token in self._segments(delims, text, pos, base, eof):
                if isinstance(token, tuple):
                    ended, text, pos, base, eof = token
                    break
                yield token
            if not ended:
                return

    def _segments(
        self, d: Delimiters, text: str, pos: int, base: int, eof: bool
    ) -> Iterator[Token | tuple[bool, str, int, int, bool]]:
        """Batches of segments until something needs a fresh look (an ISA with other
        delimiters, text after an IEA that is not an ISA): then a 5-tuple hands the rest of the
        text back to the caller."""
        source = self._source
        accel = self._accel
        term, sep, comp, rep = d.segment, d.element, d.component, d.repetition
        newline_term = term == "\n"
        # most files put the same line break after every terminator: split on both at once
        joined = term + d.suffix
        after_iea = False
        while True:
            body = text[pos:]
            offset = base + pos
            if not eof:
                chunk = source.more()
                if chunk is None:
                    eof = True
                else:
                    body += chunk
            cut = body.rfind(term)
            if (
                not eof
                and cut >= 0
                and d.suffix
                and len(body) - cut - 1 < len(d.suffix)
                and d.suffix.startswith(body[cut + 1 :])
            ):
                # the chunk ends inside the line break after this terminator: cut at the one
                # before, so that neither run starts or ends with half a line break (which
                # would send both down the slow, one-segment-at-a-time cut)
                earlier = body.rfind(term, 0, cut)
                if earlier >= 0:
                    cut = earlier
            if eof:
                complete, rest = body, ""
            elif cut < 0:
                text, pos, base = body, 0, offset
                continue
            else:
                end = cut + 1
                if d.suffix and body.startswith(d.suffix, end):
                    end += len(d.suffix)
                complete, rest = body[:end], body[end:]
            fast = accel.cut(complete, offset, term, d.suffix, newline_term) if accel else None
            if fast is not None:
                parts, offsets, heads = fast
            else:
                parts, offsets = self._cut(complete, offset, term, joined, newline_term)
                # segments stay text here: millions of live lists would keep the garbage
                # collector busy; they are split per transaction set when it is validated
                heads = [part[:3] for part in parts]
            last_terminated = complete.rstrip("\r\n\t ").endswith(term) or newline_term
            start = 0
            if after_iea or "ISA" in heads or "IEA" in heads:
                # what follows an IEA may use other delimiters: cut the batch there (at every
                # ISA and after every IEA, found at C speed instead of a loop over all heads)
                stops = set(_positions(heads, "ISA"))
                stops.update(i + 1 for i in _positions(heads, "IEA") if i + 1 < len(heads))
                if after_iea and heads:
                    stops.add(0)
                for index in sorted(stops):
                    row = parts[index].split(sep)
                    fresh = row[0] == "ISA" and len(row) == 17 and len(row[16]) == 1
                    isa = (
                        interchange_start(row[1:], term, sep, offsets[index], parts[index] + joined)
                        if fresh
                        else None
                    )
                    if index > start:
                        yield Batch(parts[start:index], offsets[start:index], heads[start:index], d)
                    start = index
                    if (
                        isa is None
                        or isa.delimiters.repetition != rep
                        or isa.delimiters.component != comp
                    ):
                        yield (True, body, offsets[index] - offset, offset, eof)
                        return
                    yield isa
                if heads:
                    after_iea = heads[-1] == "IEA"
            if start < len(parts):
                yield Batch(parts[start:], offsets[start:], heads[start:], d)
            if eof:
                if parts and not last_terminated:
                    yield Unterminated(parts[-1].split(sep)[0], offsets[-1])
                yield (False, "", 0, offset + len(body), True)
                return
            text, pos, base = rest, 0, offset + len(complete)

    @staticmethod
    def _cut(
        complete: str, offset: int, term: str, joined: str, newline_term: bool
    ) -> tuple[list[str], list[int]]:
        """Split a run of whole segments; (segment texts, byte offsets). The fast way when
        the text is regular, one segment at a time when lines are indented or wrapped."""
        if len(joined) > 1 and complete.count(term) == complete.count(joined):
            parts = complete.split(joined)
            width = len(joined)
        else:
            parts = complete.split(term)
            width = 1
        while parts and not parts[-1].strip(_BLANKS):
            parts.pop()
        # regular: no blanks at segment starts, no line breaks inside segments, no empties
        if newline_term:
            regular = "\r" not in complete
        else:
            # every line break must be part of a terminator+suffix (or trail the text)
            stripped = complete.rstrip(_BLANKS)
            breaks = stripped.count("\n") + stripped.count("\r")
            per_joint = joined.count("\n") + joined.count("\r")
            regular = breaks == (stripped.count(joined) * per_joint if width > 1 else 0)
        if (
            regular
            and "" not in parts
            and not any(p[:1] in (" ", "\t", "\r", "\n", "\x00") for p in parts[:1])
            and complete.count(joined + " ") == 0
            and complete.count(joined + "\t") == 0
        ):
            starts = list(accumulate([len(p) + width for p in parts], initial=offset))
            starts.pop()
            return parts, starts
        texts: list[str] = []
        offsets: list[int] = []
        cursor = offset
        for part in complete.split(term):
            seg_offset = cursor
            cursor += len(part) + 1
            if part and part[0] in _BLANKS:
                stripped = part.lstrip(_BLANKS)
                seg_offset += len(part) - len(stripped)
                part = stripped
            if "\r" in part or (not newline_term and "\n" in part):
                part = part.replace("\r", "")
                if not newline_term:
                    part = part.replace("\n", "")
            if part.strip(_BLANKS):
                texts.append(part)
                offsets.append(seg_offset)
        return texts, offsets


def _positions(heads: list[str], value: str) -> list[int]:
    """Every index of `value` in `heads`, in order."""
    found: list[int] = []
    index = -1
    try:
        while True:
            index = heads.index(value, index + 1)
            found.append(index)
    except ValueError:
        return found


def _split_value(text: str, comp: str, rep: str | None) -> Value:
    if rep is not None and rep in text:
        items = text.split(rep)
        return [tuple(i.split(comp)) if comp in i else i for i in items]
    if comp in text:
        return tuple(text.split(comp))
    return text
