"""The EDIFACT writer: segments to text with release escaping, and whole interchanges (UNA when
the delimiters are not the defaults, UNB, optional UNG, UNH..UNT, UNE, UNZ) with correct
counts. What the tokenizer reads back from it equals what went in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from translators.core.segment import Segment, Value
from translators.edifact.syntax import REPERTOIRES, Delimiters, default_delimiters


class WriterError(ValueError):
    """The segments cannot be written with these delimiters (API misuse, not bad input)."""


class _Escaper:
    """Release-escapes data for one set of delimiters."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.d = delimiters
        specials = delimiters.specials()
        if delimiters.terminator == "\n":
            specials = specials - {"\n"}
        self.specials = specials
        release = delimiters.release
        self.table = {ord(ch): f"{release}{ch}" for ch in specials} if release else {}

    def text(self, value: str) -> str:
        if not self.table:
            if any(ch in value for ch in self.specials):
                raise WriterError(
                    f"{value!r} holds a service character and there is no release character"
                )
            return value
        return value.translate(self.table)

    def value(self, value: Value) -> str:
        d = self.d
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, tuple):
            return d.component.join(self.text(part) for part in value)
        if d.repetition is None:
            if len(value) > 1:
                raise WriterError("a repeated element needs a repetition separator (syntax 4)")
            return self.value(value[0]) if value else ""
        return d.repetition.join(self.value(item) for item in value)


def render_segment(segment: Segment | tuple[str, Sequence[Value]], escaper: _Escaper) -> str:
    tag, elements = (segment.tag, segment.elements) if isinstance(segment, Segment) else segment
    d = escaper.d
    if not elements:
        return tag
    return tag + d.element + d.element.join(escaper.value(v) for v in elements)


def render_segments(
    segments: Iterable[Segment | tuple[str, Sequence[Value]]],
    delimiters: Delimiters,
    *,
    una: bool = False,
    line_break: bool = False,
) -> str:
    """Text for `segments` (UNA first when asked). `line_break` puts a newline after every
    terminator (or uses it as the terminator when the delimiters say so)."""
    escaper = _Escaper(delimiters)
    terminator = delimiters.terminator
    if line_break and terminator != "\n":
        terminator += "\n"
    parts = [render_segment(s, escaper) + terminator for s in segments]
    if una:
        head = delimiters.una()
        parts.insert(0, head + ("\n" if line_break else ""))
    return "".join(parts)


@dataclass(slots=True)
class OutboundMessage:
    """A message to write: its header data and body (the segments between UNH and UNT)."""

    reference: str
    type: str
    version: str = "D"
    release: str = "96A"
    agency: str = "UN"
    association: str | None = None
    body: list[Segment] = field(default_factory=list)

    def segments(self) -> list[Segment]:
        identifier: tuple[str, ...] = (self.type, self.version, self.release, self.agency)
        if self.association:
            identifier += (self.association,)
        unh = Segment("UNH", [self.reference, identifier])
        count = len(self.body) + 2
        return [unh, *self.body, Segment("UNT", [str(count), self.reference])]


@dataclass(slots=True)
class OutboundGroup:
    """A UNG..UNE group (optional in EDIFACT)."""

    reference: str
    functional_id: str
    sender: str
    recipient: str
    messages: list[OutboundMessage] = field(default_factory=list)
    sender_qualifier: str | None = None
    recipient_qualifier: str | None = None
    version: str = "D"
    release: str = "96A"
    agency: str = "UN"


def _party(identifier: str, qualifier: str | None) -> Value:
    return (identifier, qualifier) if qualifier else identifier


def write(
    content: Sequence[OutboundMessage] | Sequence[OutboundGroup],
    *,
    sender: str,
    recipient: str,
    control_reference: str,
    sender_qualifier: str | None = None,
    recipient_qualifier: str | None = None,
    syntax_identifier: str = "UNOC",
    syntax_version: str = "3",
    delimiters: Delimiters | None = None,
    prepared: dt.datetime | None = None,
    application_reference: str | None = None,
    acknowledgement_request: bool = False,
    test: bool = False,
    line_break: bool = False,
    encoding: str | None = None,
) -> bytes:
    """One interchange as bytes in the repertoire's encoding (or `encoding`, e.g. to mirror
    bytes a partner actually sent). UNA is written when the delimiters differ from the syntax
    version's defaults; UNT, UNE and UNZ counts are computed here, never taken from the
    caller."""
    delimiters = delimiters or default_delimiters(syntax_version)
    if syntax_version != "4" and delimiters.repetition is not None:
        raise WriterError("a repetition separator exists only in syntax version 4")
    repertoire = REPERTOIRES.get(syntax_identifier)
    if repertoire is None:
        raise WriterError(f"unknown syntax identifier {syntax_identifier!r}")
    prepared = prepared or dt.datetime.now(dt.UTC)
    date = prepared.strftime("%Y%m%d" if syntax_version == "4" else "%y%m%d")
    unb: list[Value] = [
        (syntax_identifier, syntax_version),
        _party(sender, sender_qualifier),
        _party(recipient, recipient_qualifier),
        (date, prepared.strftime("%H%M")),
        control_reference,
    ]
    trailing: list[Value] = [
        "",  # S005 recipient reference/password
        application_reference or "",
        "",  # 0029 processing priority
        "1" if acknowledgement_request else "",
        "",  # 0032 agreement id
        "1" if test else "",
    ]
    while trailing and trailing[-1] == "":
        trailing.pop()
    unb.extend(trailing)
    segments: list[Segment] = [Segment("UNB", unb)]
    groups = [c for c in content if isinstance(c, OutboundGroup)]
    messages = [c for c in content if isinstance(c, OutboundMessage)]
    if groups and messages:
        raise WriterError("an interchange holds either groups or messages, not both")
    for group in groups:
        segments.append(
            Segment(
                "UNG",
                [
                    group.functional_id,
                    _party(group.sender, group.sender_qualifier),
                    _party(group.recipient, group.recipient_qualifier),
                    (date, prepared.strftime("%H%M")),
                    group.reference,
                    group.agency,
                    (group.version, group.release),
                ],
            )
        )
        for message in group.messages:
            segments.extend(message.segments())
        segments.append(Segment("UNE", [str(len(group.messages)), group.reference]))
    for message in messages:
        segments.extend(message.segments())
    count = len(groups) if groups else len(messages)
    segments.append(Segment("UNZ", [str(count), control_reference]))
    una = not delimiters.is_default_for(syntax_version)
    text = render_segments(segments, delimiters, una=una, line_break=line_break)
    try:
        if encoding is not None:
            return text.encode(encoding, "surrogateescape")
        return text.encode(repertoire.codec)
    except UnicodeEncodeError as exc:
        raise WriterError(
            f"{text[exc.start]!r} cannot be written in {syntax_identifier} ({repertoire.codec})"
        ) from exc
