"""EDIFACT envelopes over the lexer: UNB/UNZ, UNG/UNE, UNH/UNT as a stream of events, with
every count, reference and placement rule checked and reported with its 0085 syntax error
code. A broken message, group or interchange is closed and reported; its neighbours go on."""

from __future__ import annotations

import codecs
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from translators.core.issues import Issue, Level, Severity
from translators.core.location import Location
from translators.core.overlay import NO_OVERLAY, Overlay
from translators.core.segment import Segment, Value
from translators.edifact.stream import (
    Source,
    StreamDecoder,
    TextBlock,
    TextMap,
    decoded_blocks,
)
from translators.edifact.syntax import (
    REPERTOIRES,
    SYNTAX_VERSIONS,
    Delimiters,
    Repertoire,
)
from translators.edifact.tokenizer import Lexeme, LexicalNote, Tokenizer, elements_of

ENVELOPE_TAGS = frozenset({"UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"})
MAX_REFERENCE = 14  # an..14 for 0020, 0048 and 0062


def text(value: Value, component: int = 1) -> str:
    """Component `component` (1-based) of an element value; "" when absent."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, tuple):
        return value[component - 1] if component <= len(value) else ""
    return value if component == 1 else ""


def element(elements: list[Value], position: int, component: int = 1) -> str:
    return text(elements[position - 1], component) if position <= len(elements) else ""


@dataclass(slots=True)
class InterchangeHeader:
    """UNB (or, for a bare message, its absence) and the dialect the interchange uses."""

    ordinal: int
    enveloped: bool
    delimiters: Delimiters
    una: str | None
    encoding: str
    syntax_identifier: str | None = None
    syntax_version: str | None = None
    sender_id: str | None = None
    sender_qualifier: str | None = None
    recipient_id: str | None = None
    recipient_qualifier: str | None = None
    prepared_date: str | None = None
    prepared_time: str | None = None
    control_reference: str | None = None
    application_reference: str | None = None
    acknowledgement_requested: bool = False
    test_indicator: str | None = None
    unb: Segment | None = None
    byte_offset: int = 0
    issues: list[Issue] = field(default_factory=list)

    @property
    def syntax(self) -> str | None:
        """E.g. "UNOC:3" (what `InterchangeReport.version` carries)."""
        if self.syntax_identifier is None:
            return None
        if self.syntax_version:
            return f"{self.syntax_identifier}:{self.syntax_version}"
        return self.syntax_identifier


@dataclass(slots=True)
class GroupHeader:
    ordinal: int
    functional_id: str
    reference: str
    sender_id: str | None
    sender_qualifier: str | None
    recipient_id: str | None
    recipient_qualifier: str | None
    version: str | None  # e.g. "D96A"
    ung: Segment
    issues: list[Issue] = field(default_factory=list)


@dataclass(slots=True)
class ParsedMessage:
    """One UNH..UNT message with its envelope and its segments (UNH and UNT included)."""

    interchange: InterchangeHeader
    group: GroupHeader | None
    ordinal: int  # 1-based inside its group (or interchange when there is no UNG)
    reference: str
    type: str
    version: str
    release: str
    agency: str
    association: str
    raw: list[Lexeme]
    issues: list[Issue] = field(default_factory=list)
    closed: bool = False  # False: no UNT before the next header or the end of input
    first_index: int = 1  # UNH's 1-based index among the interchange's segments (UNB = 1)
    # how to turn a text offset into (byte offset, line) for positions in `segments()`
    locate: Locator | None = None

    @property
    def directory(self) -> str:
        """ "D96A" for UN directories; "4:1"-style for service messages under syntax 4."""
        if self.version.upper() == "D" or not self.version:
            return f"{self.version.upper()}{self.release.upper()}"
        return f"{self.version}:{self.release}"

    def segments(self) -> list[Segment]:
        """The message as `translators.core.Segment`s with positions."""
        out: list[Segment] = []
        group = self.group.ordinal if self.group else None
        for position, lexeme in enumerate(self.raw, 1):
            tag, offset = lexeme[0], lexeme[2]
            byte_offset, line = self.locate(offset) if self.locate else (None, None)
            out.append(
                Segment(
                    tag,
                    list(elements_of(lexeme)),
                    Location(
                        interchange=self.interchange.ordinal,
                        group=group,
                        transaction=self.ordinal,
                        segment_id=tag,
                        segment_index=self.first_index + position - 1,
                        segment_position=position,
                        byte_offset=byte_offset,
                        line=line,
                    ),
                )
            )
        return out


@dataclass(slots=True)
class GroupEnd:
    header: GroupHeader
    message_count: int


@dataclass(slots=True)
class InterchangeEnd:
    header: InterchangeHeader
    message_count: int
    group_count: int


@dataclass(slots=True)
class FileIssue:
    issue: Issue


Event = InterchangeHeader | GroupHeader | ParsedMessage | GroupEnd | InterchangeEnd | FileIssue


Locator = Callable[[int], tuple[int, int]]


@dataclass(slots=True)
class _Open:
    """Mutable state of the interchange being read."""

    header: InterchangeHeader
    segment_count: int = 0
    message_count: int = 0  # messages directly in the interchange
    group_count: int = 0
    saw_ungrouped: bool = False
    references: set[str] = field(default_factory=set)
    start_offset: int = 0
    stray_reported: bool = False
    repertoire: _RepertoireScan | None = None  # text checked so far against the repertoire


class EnvelopeReader:
    """Reads one input into envelope events. `data` is bytes, text, a binary file object or an
    iterator of byte chunks; it is read and decoded as the events are taken. `events()` is a
    generator: memory holds one message at a time plus the headers around it and about two
    blocks of text (see `translators.edifact.stream`)."""

    def __init__(self, data: Source, *, overlay: Overlay | None = None) -> None:
        self.data = data
        self.decoder = StreamDecoder()
        self.overlay = overlay or NO_OVERLAY
        self.locate = TextMap()

    @property
    def encoding(self) -> str:
        """The codec read so far: UTF-8, or the declared single-byte one once a run of bytes
        was not UTF-8."""
        return self.decoder.codec if self.decoder.fallback_seen else "utf-8"

    def _texts(self) -> Iterator[str]:
        for block in decoded_blocks(self.data, self.decoder):
            self.locate.add(block)
            yield block.text

    # -- issue construction ---------------------------------------------------------------

    def _issue(
        self,
        code: str,
        message: str,
        level: Level,
        contrl: str | None,
        offset: int | None,
        *,
        interchange: int | None = None,
        group: int | None = None,
        transaction: int | None = None,
        segment_id: str | None = None,
        segment_index: int | None = None,
        segment_position: int | None = None,
        element_position: int | None = None,
        component: int | None = None,
        value: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Issue:
        byte_offset, line = self.locate(offset) if offset is not None else (None, None)
        return Issue(
            code=code,
            message=message,
            level=level,
            severity=severity,
            location=Location(
                interchange=interchange,
                group=group,
                transaction=transaction,
                segment_id=segment_id,
                segment_index=segment_index,
                segment_position=segment_position,
                element=element_position,
                component=component,
                byte_offset=byte_offset,
                line=line,
            ),
            standard_codes={"contrl": contrl} if contrl else {},
            value=value[:35] if value is not None else None,
        )

    # -- the event stream -----------------------------------------------------------------

    def events(self) -> Iterator[Event]:
        tokens = Tokenizer(self._texts())
        notes = tokens.notes
        interchange: _Open | None = None
        group: GroupHeader | None = None
        group_messages = 0
        group_types: set[str] = set()
        message: ParsedMessage | None = None
        pending_una: list[LexicalNote] = []
        ordinal = 0
        trailing_reported = False

        def close_message(reason: str | None, offset: int) -> ParsedMessage | None:
            nonlocal message
            closing = message
            message = None
            if closing is not None:
                # its own positions stay readable after the reader has moved on
                closing.locate = self.locate.view(closing.raw[0][2], closing.raw[-1][2])
            if closing is not None and interchange is not None:
                # UNH and UNT were counted as they came; the body was not
                interchange.segment_count += len(closing.raw) - (2 if closing.closed else 1)
            if closing is not None and reason is not None:
                closing.issues.append(
                    self._issue(
                        "missing_unt",
                        f"message {closing.reference!r} has no UNT ({reason})",
                        Level.TRANSACTION,
                        "13",
                        offset,
                        interchange=closing.interchange.ordinal,
                        group=closing.group.ordinal if closing.group else None,
                        transaction=closing.ordinal,
                        segment_id="UNT",
                    )
                )
            return closing

        def close_group(reason: str | None, offset: int) -> GroupEnd | None:
            nonlocal group
            closing = group
            group = None
            if closing is None:
                return None
            if reason is not None:
                closing.issues.append(
                    self._issue(
                        "missing_une",
                        f"group {closing.reference!r} has no UNE ({reason})",
                        Level.GROUP,
                        "13",
                        offset,
                        interchange=ordinal,
                        group=closing.ordinal,
                        segment_id="UNE",
                    )
                )
            if group_messages == 0:
                closing.issues.append(
                    self._issue(
                        "empty_group",
                        f"group {closing.reference!r} holds no message",
                        Level.GROUP,
                        "32",
                        offset,
                        interchange=ordinal,
                        group=closing.ordinal,
                        segment_id="UNG",
                    )
                )
            return GroupEnd(closing, group_messages)

        def close_interchange(reason: str | None, offset: int, end: int) -> InterchangeEnd | None:
            nonlocal interchange
            closing = interchange
            interchange = None
            if closing is None:
                return None
            header = closing.header
            if reason is not None and header.enveloped:
                header.issues.append(
                    self._issue(
                        "missing_unz",
                        f"interchange {header.control_reference!r} has no UNZ ({reason})",
                        Level.INTERCHANGE,
                        "13",
                        offset,
                        interchange=header.ordinal,
                        segment_id="UNZ",
                    )
                )
            if header.enveloped and closing.message_count + closing.group_count == 0:
                header.issues.append(
                    self._issue(
                        "empty_interchange",
                        "the interchange holds no message or group",
                        Level.INTERCHANGE,
                        "32",
                        offset,
                        interchange=header.ordinal,
                        segment_id="UNB",
                    )
                )
            self._check_repertoire(closing, end)
            self._repertoire_findings(header, closing.repertoire)
            return InterchangeEnd(header, closing.message_count, closing.group_count)

        def attach_notes(upto: int | None = None) -> None:
            ready = [n for n in notes if upto is None or n.offset <= upto]
            del notes[: len(ready)]
            for note in ready:
                if note.code == "invalid_una":
                    pending_una.append(note)
                    continue
                level = Level.SEGMENT
                if message is not None:
                    target = message.issues
                    where = {
                        "interchange": ordinal,
                        "group": group.ordinal if group else None,
                        "transaction": message.ordinal,
                        "segment_position": len(message.raw) + 1,
                    }
                elif group is not None:
                    target, level = group.issues, Level.GROUP
                    where = {"interchange": ordinal, "group": group.ordinal}
                elif interchange is not None:
                    target, level = interchange.header.issues, Level.INTERCHANGE
                    where = {"interchange": ordinal}
                else:
                    target, level, where = file_notes, Level.FILE, {}
                target.append(
                    self._issue(
                        note.code,
                        note.message,
                        level,
                        note.contrl,
                        note.offset,
                        severity=note.severity,
                        value=note.value,
                        **where,  # type: ignore[arg-type]
                    )
                )

        file_notes: list[Issue] = []
        last_offset = 0
        for batch, marks in tokens.marked_batches():
            if batch:
                # text before the open message (or this batch) is no longer needed: check the
                # open interchange's repertoire up to there, then let the blocks go
                keep = message.raw[0][2] if message is not None else batch[0][2]
                if notes:
                    keep = min(keep, notes[0].offset)
                if pending_una:
                    keep = min(keep, pending_una[0].offset)
                if interchange is not None:
                    self._check_repertoire(interchange, keep)
                self.locate.release(keep)
            size = len(batch)
            marks.append(size)
            mark = 0
            index = 0
            while index < size:
                raw = batch[index]
                index += 1
                tag, offset = raw[0], raw[2]
                last_offset = offset
                if notes and notes[0].offset <= offset:
                    attach_notes(offset)
                    while file_notes:
                        yield FileIssue(file_notes.pop(0))
                if message is not None and tag not in ENVELOPE_TAGS:
                    message.raw.append(raw)
                    # the run up to the next envelope segment belongs to this message too:
                    # move it in one step unless a lexical note falls inside it
                    while marks[mark] < index:
                        mark += 1
                    stop = marks[mark]
                    if stop > index and (not notes or notes[0].offset > batch[stop - 1][2]):
                        message.raw.extend(batch[index:stop])
                        last_offset = batch[stop - 1][2]
                        index = stop
                    continue
                if interchange is not None:
                    interchange.segment_count += 1

                if tag == "UNB":
                    if message is not None:
                        closed = close_message("a new UNB started", offset)
                        if closed is not None:
                            yield closed
                    if group is not None:
                        ended = close_group("a new UNB started", offset)
                        if ended is not None:
                            yield ended
                    if interchange is not None:
                        end = close_interchange("a new UNB started", offset, offset)
                        if end is not None:
                            yield end
                    ordinal += 1
                    trailing_reported = False
                    header = self._interchange_header(ordinal, tokens, raw)
                    for note in pending_una:
                        header.issues.append(
                            self._issue(
                                note.code,
                                f"invalid UNA: {note.message}",
                                Level.INTERCHANGE,
                                note.contrl,
                                note.offset,
                                interchange=ordinal,
                                segment_id="UNA",
                                value=note.value,
                            )
                        )
                    pending_una.clear()
                    interchange = _Open(header, segment_count=1, start_offset=offset)
                    interchange.repertoire = _RepertoireScan.start(header, offset)
                    yield header
                    continue

                if tag == "UNH":
                    if message is not None:
                        closed = close_message("a new UNH started", offset)
                        if closed is not None:
                            yield closed
                    if interchange is None:
                        # a message with no UNB: its own unenveloped unit
                        ordinal += 1
                        header = InterchangeHeader(
                            ordinal=ordinal,
                            enveloped=False,
                            delimiters=tokens.delimiters,
                            una=tokens.una_text if tokens.una_present else None,
                            encoding=self.encoding,
                            byte_offset=self.locate(offset)[0],
                        )
                        if not self.overlay.allow_unenveloped:
                            header.issues.append(
                                self._issue(
                                    "no_envelope",
                                    "a message without UNB/UNZ (the partner does not allow bare "
                                    "messages)",
                                    Level.INTERCHANGE,
                                    "13",
                                    offset,
                                    interchange=ordinal,
                                    segment_id="UNB",
                                )
                            )
                        interchange = _Open(header, segment_count=1, start_offset=offset)
                        yield header
                    current = interchange
                    if group is None:
                        if current.group_count and not current.saw_ungrouped:
                            current.header.issues.append(
                                self._issue(
                                    "groups_and_messages_mixed",
                                    "a message outside a group in an interchange that uses UNG",
                                    Level.INTERCHANGE,
                                    "30",
                                    offset,
                                    interchange=ordinal,
                                    segment_id="UNH",
                                )
                            )
                        current.saw_ungrouped = True
                        current.message_count += 1
                        number = current.message_count
                    else:
                        group_messages += 1
                        number = group_messages
                    message = self._message_header(current, group, number, raw)
                    if group is not None and message.type:
                        group_types.add(message.type)
                        if len(group_types) == 2:
                            message.issues.append(
                                self._issue(
                                    "several_message_types_in_group",
                                    f"group {group.reference!r} carries more than one message type",
                                    Level.GROUP,
                                    "31",
                                    offset,
                                    interchange=ordinal,
                                    group=group.ordinal,
                                    transaction=number,
                                    segment_id="UNH",
                                    element_position=2,
                                    value=message.type,
                                )
                            )
                    # the common case: the next envelope segment is this message's UNT and no
                    # lexical note falls before it: take body and trailer in one step (what
                    # the body and UNT steps below would do one by one)
                    while marks[mark] < index:
                        mark += 1
                    stop = marks[mark]
                    if (
                        stop < size
                        and batch[stop][0] == "UNT"
                        and (not notes or notes[0].offset > batch[stop][2])
                    ):
                        trailer = batch[stop]
                        message.raw.extend(batch[index : stop + 1])
                        index = stop + 1
                        last_offset = trailer[2]
                        current.segment_count += 1
                        self._check_unt(message, trailer)
                        message.closed = True
                        closed = close_message(None, last_offset)
                        if closed is not None:
                            yield closed
                    continue

                if tag == "UNT":
                    if message is None:
                        self._stray(interchange, group, ordinal, raw, file_notes)
                        while file_notes:
                            yield FileIssue(file_notes.pop(0))
                        continue
                    message.raw.append(raw)
                    self._check_unt(message, raw)
                    message.closed = True
                    closed = close_message(None, offset)
                    if closed is not None:
                        yield closed
                    continue

                if tag == "UNG":
                    if interchange is None or not interchange.header.enveloped:
                        self._stray(interchange, group, ordinal, raw, file_notes)
                        while file_notes:
                            yield FileIssue(file_notes.pop(0))
                        continue
                    if group is not None:
                        ended = close_group("a new UNG started", offset)
                        if ended is not None:
                            yield ended
                    if interchange.saw_ungrouped:
                        interchange.header.issues.append(
                            self._issue(
                                "groups_and_messages_mixed",
                                "a UNG in an interchange that already has messages outside groups",
                                Level.INTERCHANGE,
                                "30",
                                offset,
                                interchange=ordinal,
                                segment_id="UNG",
                            )
                        )
                    interchange.group_count += 1
                    group = self._group_header(interchange, raw)
                    group_messages = 0
                    group_types = set()
                    yield group
                    continue

                if tag == "UNE":
                    if message is not None:
                        closed = close_message("UNE came first", offset)
                        if closed is not None:
                            yield closed
                    if group is None:
                        self._stray(interchange, group, ordinal, raw, file_notes)
                        while file_notes:
                            yield FileIssue(file_notes.pop(0))
                        continue
                    self._check_une(group, group_messages, raw, ordinal)
                    ended = close_group(None, offset)
                    if ended is not None:
                        yield ended
                    continue

                if tag == "UNZ":
                    if message is not None:
                        closed = close_message("UNZ came first", offset)
                        if closed is not None:
                            yield closed
                    if group is not None:
                        ended = close_group("UNZ came first", offset)
                        if ended is not None:
                            yield ended
                    if interchange is None or not interchange.header.enveloped:
                        if interchange is not None:
                            end = close_interchange(None, offset, offset)
                            if end is not None:
                                yield end
                        self._stray(None, None, ordinal, raw, file_notes)
                        while file_notes:
                            yield FileIssue(file_notes.pop(0))
                        continue
                    self._check_unz(interchange, raw)
                    stop = self.locate.find(interchange.header.delimiters.terminator, offset)
                    end = close_interchange(
                        None, offset, stop + 1 if stop >= 0 else offset + len(raw[1])
                    )
                    if end is not None:
                        yield end
                    continue

                # an ordinary segment outside any message
                if interchange is None:
                    if not trailing_reported:
                        trailing_reported = True
                        yield FileIssue(
                            self._issue(
                                "data_outside_interchange",
                                "data outside any interchange (ignored)",
                                Level.FILE,
                                "33",
                                offset,
                                segment_id=tag[:3],
                                severity=Severity.WARNING,
                                value=tag,
                            )
                        )
                    continue
                self._stray(interchange, group, ordinal, raw, file_notes)
                while file_notes:
                    yield FileIssue(file_notes.pop(0))

        if notes:
            attach_notes()
        end_offset = self.decoder.chars
        if message is not None:
            closed = close_message("the input ended", last_offset)
            if closed is not None:
                yield closed
        if group is not None:
            ended = close_group("the input ended", last_offset)
            if ended is not None:
                yield ended
        if interchange is not None:
            final = close_interchange("the input ended", last_offset, end_offset)
            if final is not None:
                yield final
        for issue in file_notes:
            yield FileIssue(issue)

    # -- envelope segments ------------------------------------------------------------------

    def _interchange_header(
        self, ordinal: int, tokens: Tokenizer, raw: Lexeme
    ) -> InterchangeHeader:
        elements, offset = elements_of(raw), raw[2]
        byte_offset = self.locate(offset)[0]
        identifier = element(elements, 1, 1)
        version = element(elements, 1, 2)
        delimiters, una = tokens.dialects.pop(
            offset, (tokens.delimiters, tokens.una_text if tokens.una_present else None)
        )
        header = InterchangeHeader(
            ordinal=ordinal,
            enveloped=True,
            delimiters=delimiters,
            una=una,
            encoding=self.encoding,
            syntax_identifier=identifier.upper() or None,
            syntax_version=version or None,
            sender_id=element(elements, 2, 1) or None,
            sender_qualifier=element(elements, 2, 2) or None,
            recipient_id=element(elements, 3, 1) or None,
            recipient_qualifier=element(elements, 3, 2) or None,
            prepared_date=element(elements, 4, 1) or None,
            prepared_time=element(elements, 4, 2) or None,
            control_reference=element(elements, 5) or None,
            application_reference=element(elements, 7) or None,
            acknowledgement_requested=element(elements, 9) == "1",
            test_indicator=element(elements, 11) or None,
            unb=Segment("UNB", list(elements)),
            byte_offset=byte_offset,
        )
        issues = header.issues

        def problem(
            code: str,
            message: str,
            contrl: str | None,
            position: int,
            component: int | None = None,
            value: str | None = None,
            severity: Severity = Severity.ERROR,
        ) -> None:
            issues.append(
                self._issue(
                    code,
                    message,
                    Level.INTERCHANGE,
                    contrl,
                    offset,
                    interchange=ordinal,
                    segment_id="UNB",
                    element_position=position,
                    component=component,
                    value=value,
                    severity=severity,
                )
            )

        if not identifier:
            problem("missing_syntax_identifier", "UNB has no syntax identifier", "13", 1, 1)
        else:
            if identifier != identifier.upper():
                problem(
                    "syntax_identifier_case",
                    f"syntax identifier {identifier!r} is not upper case",
                    None,
                    1,
                    1,
                    identifier,
                    Severity.WARNING,
                )
            if identifier.upper() not in REPERTOIRES:
                problem(
                    "unsupported_syntax_identifier",
                    f"syntax identifier {identifier!r} is not supported",
                    "2",
                    1,
                    1,
                    identifier,
                )
        if not version:
            problem(
                "missing_syntax_version",
                "UNB names no syntax version (read as version 3)",
                None,
                1,
                2,
                severity=Severity.WARNING,
            )
        elif version.upper() not in SYNTAX_VERSIONS:
            problem(
                "unsupported_syntax_version",
                f"syntax version {version!r} is not supported",
                "2",
                1,
                2,
                version,
            )
        if not header.sender_id:
            problem("missing_sender", "UNB names no interchange sender", "13", 2, 1)
        if not header.recipient_id:
            problem("missing_recipient", "UNB names no interchange recipient", "13", 3, 1)
        date, time = header.prepared_date or "", header.prepared_time or ""
        if not _valid_date(date):
            problem("invalid_date", f"UNB date {date!r} is not a date", "12", 4, 1, date)
        elif (len(date) == 8) != (version == "4") and version in SYNTAX_VERSIONS:
            problem(
                "unb_date_format",
                f"UNB date {date!r} has the other syntax version's length",
                None,
                4,
                1,
                date,
                Severity.WARNING,
            )
        if not _valid_time(time):
            problem("invalid_time", f"UNB time {time!r} is not a time", "12", 4, 2, time)
        reference = header.control_reference or ""
        if not reference:
            problem("missing_control_reference", "UNB has no control reference", "13", 5)
        elif len(reference) > MAX_REFERENCE:
            problem(
                "control_reference_too_long",
                f"control reference {reference!r} is longer than 14",
                "39",
                5,
                value=reference,
            )
        if header.test_indicator not in (None, "1"):
            problem(
                "invalid_test_indicator",
                f"test indicator {header.test_indicator!r} is not 1",
                "12",
                11,
                value=header.test_indicator,
            )
        return header

    def _group_header(self, interchange: _Open, raw: Lexeme) -> GroupHeader:
        elements, offset = elements_of(raw), raw[2]
        version, release = element(elements, 7, 1), element(elements, 7, 2)
        group = GroupHeader(
            ordinal=interchange.group_count,
            functional_id=element(elements, 1),
            reference=element(elements, 5),
            sender_id=element(elements, 2, 1) or None,
            sender_qualifier=element(elements, 2, 2) or None,
            recipient_id=element(elements, 3, 1) or None,
            recipient_qualifier=element(elements, 3, 2) or None,
            version=f"{version}{release}" if version else None,
            ung=Segment("UNG", list(elements)),
        )
        if not group.reference:
            group.issues.append(
                self._issue(
                    "missing_group_reference",
                    "UNG has no group reference",
                    Level.GROUP,
                    "13",
                    offset,
                    interchange=interchange.header.ordinal,
                    group=group.ordinal,
                    segment_id="UNG",
                    element_position=5,
                )
            )
        return group

    def _message_header(
        self, interchange: _Open, group: GroupHeader | None, number: int, raw: Lexeme
    ) -> ParsedMessage:
        offset, d = raw[2], raw[4]
        if raw[3] is None and (d.repetition is None or d.repetition not in raw[1]):
            # plain text: read the reference and the identifier off it
            fields = raw[1].split(d.element, 3)
            reference = fields[1].partition(d.component)[0] if len(fields) > 1 else ""
            parts: tuple[str, ...] = (
                tuple(fields[2].split(d.component)) if len(fields) > 2 else ("",)
            )
        else:
            elements = elements_of(raw)
            identifier = elements[1] if len(elements) > 1 else ""
            if isinstance(identifier, list):
                identifier = identifier[0] if identifier else ""
            parts = (identifier,) if isinstance(identifier, str) else identifier
            reference = element(elements, 1)
        parts = parts + ("",) * (5 - len(parts)) if len(parts) < 5 else parts
        message = ParsedMessage(
            interchange=interchange.header,
            group=group,
            ordinal=number,
            reference=reference,
            type=parts[0].upper(),
            version=parts[1],
            release=parts[2],
            agency=parts[3],
            association=parts[4],
            raw=[raw],
            locate=self.locate,
            first_index=interchange.segment_count,
        )
        reference = message.reference
        references = interchange.references
        if reference and reference not in references and parts[0] and parts[1] and parts[2]:
            references.add(reference)  # the common case: nothing to report
            return message
        where = {
            "interchange": interchange.header.ordinal,
            "group": group.ordinal if group else None,
            "transaction": number,
            "segment_id": "UNH",
            "segment_index": message.first_index,
            "segment_position": 1,
        }
        if not message.reference:
            message.issues.append(
                self._issue(
                    "missing_message_reference",
                    "UNH has no message reference",
                    Level.TRANSACTION,
                    "13",
                    offset,
                    element_position=1,
                    **where,  # type: ignore[arg-type]
                )
            )
        elif message.reference in interchange.references:
            message.issues.append(
                self._issue(
                    "duplicate_message_reference",
                    f"message reference {message.reference!r} is used twice in the interchange",
                    Level.TRANSACTION,
                    "26",
                    offset,
                    element_position=1,
                    value=message.reference,
                    **where,  # type: ignore[arg-type]
                )
            )
        else:
            interchange.references.add(message.reference)
        for component, name in ((1, "message type"), (2, "version"), (3, "release")):
            if not parts[component - 1]:
                message.issues.append(
                    self._issue(
                        "missing_message_identifier",
                        f"UNH has no {name}",
                        Level.TRANSACTION,
                        "13",
                        offset,
                        element_position=2,
                        component=component,
                        **where,  # type: ignore[arg-type]
                    )
                )
        return message

    def _check_unt(self, message: ParsedMessage, raw: Lexeme) -> None:
        actual = len(message.raw)
        reference = message.reference
        separator = raw[4].element
        if (
            raw[3] is None
            and reference.isalnum()  # no delimiter inside: the text splits as it reads
            and raw[1] == f"UNT{separator}{actual}{separator}{reference}"
        ):
            return  # the common case, read off the text: counts and references match
        elements, offset = elements_of(raw), raw[2]
        count, reference = element(elements, 1), element(elements, 2)
        if reference == message.reference and _ascii_digits(count) and int(count) == actual:
            return  # the common case: counts and references match
        where = {
            "interchange": message.interchange.ordinal,
            "group": message.group.ordinal if message.group else None,
            "transaction": message.ordinal,
            "segment_id": "UNT",
            "segment_index": message.first_index + actual - 1,
            "segment_position": actual,
        }
        if not _ascii_digits(count) or int(count) != actual:
            message.issues.append(
                self._issue(
                    "unt_count_mismatch",
                    f"UNT says {count or 'nothing'} segments, the message has {actual}",
                    Level.TRANSACTION,
                    "29",
                    offset,
                    element_position=1,
                    value=count,
                    **where,  # type: ignore[arg-type]
                )
            )
        if not _same_reference(reference, message.reference):
            message.issues.append(
                self._issue(
                    "unt_reference_mismatch",
                    f"UNT reference {reference!r} differs from UNH {message.reference!r}",
                    Level.TRANSACTION,
                    "28",
                    offset,
                    element_position=2,
                    value=reference,
                    **where,  # type: ignore[arg-type]
                )
            )

    def _check_une(self, group: GroupHeader, messages: int, raw: Lexeme, interchange: int) -> None:
        elements, offset = elements_of(raw), raw[2]
        count, reference = element(elements, 1), element(elements, 2)
        where = {"interchange": interchange, "group": group.ordinal, "segment_id": "UNE"}
        if not _ascii_digits(count) or int(count) != messages:
            group.issues.append(
                self._issue(
                    "une_count_mismatch",
                    f"UNE says {count or 'nothing'} messages, the group has {messages}",
                    Level.GROUP,
                    "29",
                    offset,
                    element_position=1,
                    value=count,
                    **where,  # type: ignore[arg-type]
                )
            )
        if not _same_reference(reference, group.reference):
            group.issues.append(
                self._issue(
                    "une_reference_mismatch",
                    f"UNE reference {reference!r} differs from UNG {group.reference!r}",
                    Level.GROUP,
                    "28",
                    offset,
                    element_position=2,
                    value=reference,
                    **where,  # type: ignore[arg-type]
                )
            )

    def _check_unz(self, interchange: _Open, raw: Lexeme) -> None:
        elements, offset = elements_of(raw), raw[2]
        header = interchange.header
        count, reference = element(elements, 1), element(elements, 2)
        expected = interchange.group_count or interchange.message_count
        what = "groups" if interchange.group_count else "messages"
        where = {"interchange": header.ordinal, "segment_id": "UNZ"}
        if not _ascii_digits(count) or int(count) != expected:
            header.issues.append(
                self._issue(
                    "unz_count_mismatch",
                    f"UNZ says {count or 'nothing'}, the interchange has {expected} {what}",
                    Level.INTERCHANGE,
                    "29",
                    offset,
                    element_position=1,
                    value=count,
                    **where,  # type: ignore[arg-type]
                )
            )
        if not _same_reference(reference, header.control_reference or ""):
            header.issues.append(
                self._issue(
                    "unz_reference_mismatch",
                    f"UNZ reference {reference!r} differs from UNB {header.control_reference!r}",
                    Level.INTERCHANGE,
                    "28",
                    offset,
                    element_position=2,
                    value=reference,
                    **where,  # type: ignore[arg-type]
                )
            )

    def _stray(
        self,
        interchange: _Open | None,
        group: GroupHeader | None,
        ordinal: int,
        raw: Lexeme,
        file_notes: list[Issue],
    ) -> None:
        """A segment where none may be: between messages, or a trailer with no header."""
        tag, offset = raw[0], raw[2]
        if interchange is None:
            file_notes.append(
                self._issue(
                    "data_outside_interchange",
                    f"{tag} outside any interchange (ignored)",
                    Level.FILE,
                    "33",
                    offset,
                    segment_id=tag[:3],
                    severity=Severity.WARNING,
                )
            )
            return
        if interchange.stray_reported and tag not in ENVELOPE_TAGS:
            return
        interchange.stray_reported = True
        target, level = interchange.header.issues, Level.INTERCHANGE
        if group is not None:
            target, level = group.issues, Level.GROUP
        target.append(
            self._issue(
                "segment_outside_message",
                f"{tag} outside a message",
                level,
                "33",
                offset,
                interchange=ordinal,
                group=group.ordinal if group else None,
                segment_id=tag[:3],
                value=tag,
            )
        )

    def _check_repertoire(self, interchange: _Open, end: int) -> None:
        """Check the interchange's text from where the last check stopped up to `end`."""
        scan = interchange.repertoire
        if scan is None or end <= scan.checked:
            return
        for block in self.locate.blocks(scan.checked, end):
            scan.check(block, max(scan.checked, block.start), min(end, block.end))
        scan.checked = end

    def _repertoire_findings(self, header: InterchangeHeader, scan: _RepertoireScan | None) -> None:
        """UTF-8 in a single-byte repertoire and text outside the declared repertoire (0085
        code 21), both warnings: the data is kept as decoded."""
        if scan is None:
            return
        repertoire = scan.repertoire
        if scan.utf8 is not None:
            byte_offset, shown = scan.utf8
            self._repertoire_issue(
                header,
                "utf8_in_single_byte_repertoire",
                f"UTF-8 text in an interchange declared {repertoire.code} "
                f"({repertoire.codec}); decoded as UTF-8",
                None,
                byte_offset,
                shown,
            )
        if scan.outside is not None:
            byte_offset, shown = scan.outside
            self._repertoire_issue(
                header,
                "character_outside_repertoire",
                f"{shown!r} is not in the {repertoire.code} repertoire "
                f"({scan.outside_count} such characters)",
                "21",
                byte_offset,
                shown,
            )

    def _repertoire_issue(
        self,
        header: InterchangeHeader,
        code: str,
        message: str,
        contrl: str | None,
        byte_offset: int | None,
        value: str,
    ) -> None:
        header.issues.append(
            Issue(
                code=code,
                message=message,
                level=Level.INTERCHANGE,
                severity=Severity.WARNING,
                location=Location(interchange=header.ordinal, byte_offset=byte_offset),
                standard_codes={"contrl": contrl} if contrl else {},
                value=value,
            )
        )


def _repertoire_bytes(error: UnicodeError) -> tuple[bytes, int]:
    """Encoding error handler for the repertoire check: a surrogate escape becomes its byte
    again, any other character the codec lacks becomes NUL (never in a repertoire)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = bytearray()
    for ch in error.object[error.start : error.end]:
        code = ord(ch)
        out.append(code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else 0)
    return bytes(out), error.end


codecs.register_error("edigw-repertoire", _repertoire_bytes)


@dataclass(slots=True)
class _RepertoireScan:
    """What one interchange's text showed so far against its declared repertoire."""

    repertoire: Repertoire
    codec: str  # one byte per character: the repertoire's, Latin-1 for the 7-bit levels
    allowed: bytes | None  # the repertoire's bytes plus this interchange's service characters
    checked: int  # text offset up to which the text was checked
    utf8: tuple[int, str] | None = None  # (byte offset, character) of the first UTF-8 one
    outside: tuple[int, str] | None = None  # the first character outside the repertoire
    outside_count: int = 0

    @staticmethod
    def start(header: InterchangeHeader, offset: int) -> _RepertoireScan | None:
        repertoire = REPERTOIRES.get(header.syntax_identifier or "")
        if repertoire is None:
            return None
        codec = "latin-1" if repertoire.codec in ("ascii", "utf-8") else repertoire.codec
        allowed = None
        if repertoire.allowed is not None:
            d = header.delimiters
            service = "".join(d.specials() | {d.decimal, "\r", "\n"})
            allowed = repertoire.allowed + service.encode("latin-1", "replace")
        return _RepertoireScan(repertoire, codec, allowed, offset)

    def check(self, block: TextBlock, start: int, end: int) -> None:
        """Check block text between two text offsets."""
        text = block.text[start - block.start : end - block.start]
        if text.isascii() and self.allowed is None:
            return
        if self.utf8 is None and self.repertoire.single_byte and not text.isascii():
            low, high = start - block.start, end - block.start
            firsts = [max(a, low) for a, b in block.utf8 if b > low and a < high]
            if firsts:
                at = min(firsts) + block.start
                self.utf8 = (block.byte(at), block.text[at - block.start])
        if self.allowed is None:
            return
        declared = text.encode(self.codec, "edigw-repertoire")
        leftover = declared.translate(None, self.allowed)
        if leftover:
            self.outside_count += len(leftover)
            if self.outside is None:
                at = declared.find(leftover[:1])  # one byte per character: same index
                self.outside = (block.byte(start + at), text[at])


def _same_reference(trailer: str, header: str) -> bool:
    """References must match; all-digit ones are compared as numbers (leading zeros)."""
    if trailer == header:
        return True
    return _ascii_digits(trailer) and _ascii_digits(header) and int(trailer) == int(header)


_date_memo: dict[str, bool] = {}


def _valid_date(value: str) -> bool:
    """YYMMDD or CCYYMMDD naming a real day (memoised: UNB dates repeat, strptime is slow)."""
    known = _date_memo.get(value)
    if known is not None:
        return known
    valid = _ascii_digits(value) and len(value) in (6, 8)
    if valid:
        try:
            dt.datetime.strptime(value, "%y%m%d" if len(value) == 6 else "%Y%m%d")
        except ValueError:
            valid = False
    if len(_date_memo) > 4096:
        _date_memo.clear()
    _date_memo[value] = valid
    return valid


def _valid_time(value: str) -> bool:
    return len(value) == 4 and _ascii_digits(value) and int(value[:2]) < 24 and int(value[2:]) < 60


def iter_messages(data: Source, *, overlay: Overlay | None = None) -> Iterator[ParsedMessage]:
    """Every UNH..UNT message of the input with its envelope metadata, in order; use
    `message.segments()` for `translators.core.Segment`s. Envelope problems are on
    `message.issues` / `message.interchange.issues` (the trailer's once it has been read)."""
    for event in EnvelopeReader(data, overlay=overlay).events():
        if isinstance(event, ParsedMessage):
            yield event


def _ascii_digits(value: str) -> bool:
    """Only ASCII digits: `str.isdigit` also accepts '²' and the like, which `int` refuses."""
    return value.isascii() and value.isdecimal()
