"""X12 envelopes: assembles the token stream into interchanges, groups and transaction sets,
checks control numbers, counts and structure (TA1 / AK9 / AK5 codes), and streams each
transaction set out as soon as its SE is read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from translators import _accel
from translators.core.guide import _valid_date, _valid_time
from translators.core.issues import Issue, Level, Severity
from translators.core.location import Location
from translators.core.overlay import NO_OVERLAY, Overlay
from translators.core.report import (
    AnalysisReport,
    GroupReport,
    InterchangeReport,
    TransactionReport,
)
from translators.core.segment import Segment, Value
from translators.x12 import _codes as c
from translators.x12._tokenizer import (
    BareStart,
    Batch,
    Delimiters,
    Garbage,
    InterchangeStart,
    RawSegment,
    Tokenizer,
    Unterminated,
    split_segment,
)


@dataclass(slots=True)
class InterchangeHeader:
    """An ISA as read, with the delimiters it declared."""

    ordinal: int
    delimiters: Delimiters
    fields: list[str]  # ISA-01..ISA-16
    offset: int
    enveloped: bool = True
    ta1: list[Segment] = field(default_factory=list)  # TA1 segments carried by it
    groups: list[GroupHeader] = field(default_factory=list)  # its GS headers, in order

    def isa(self, n: int) -> str:
        return self.fields[n - 1] if 0 < n <= len(self.fields) else ""

    @property
    def sender_qualifier(self) -> str:
        return self.isa(5).strip()

    @property
    def sender_id(self) -> str:
        return self.isa(6).strip()

    @property
    def receiver_qualifier(self) -> str:
        return self.isa(7).strip()

    @property
    def receiver_id(self) -> str:
        return self.isa(8).strip()

    @property
    def date(self) -> str:
        return self.isa(9).strip()

    @property
    def time(self) -> str:
        return self.isa(10).strip()

    @property
    def version(self) -> str:
        return self.isa(12).strip()

    @property
    def control_number(self) -> str:
        return self.isa(13).strip()

    @property
    def ack_requested(self) -> bool:
        return self.isa(14).strip() == "1"

    @property
    def test_indicator(self) -> str:
        return self.isa(15).strip()


@dataclass(slots=True)
class GroupHeader:
    """A GS as read (its key elements read once: every set of the group asks for them)."""

    ordinal: int
    segment: Segment
    implicit: bool = False
    functional_id: str = ""
    sender_id: str = ""
    receiver_id: str = ""
    control_number: str = ""
    version: str = ""
    declared_count: int | None = None  # GE-01 as a number, once the GE is read

    def __post_init__(self) -> None:
        self.functional_id = self.gs(1)
        self.sender_id = self.gs(2)
        self.receiver_id = self.gs(3)
        self.control_number = self.gs(6)
        self.version = self.gs(8)

    def gs(self, n: int) -> str:
        return self.segment.get(n).strip()


@dataclass(slots=True)
class ParsedTransaction:
    """One transaction set (ST..SE) with its envelopes, as the canonical maps read it."""

    interchange: InterchangeHeader
    group: GroupHeader
    ordinal: int  # 1-based inside its group
    texts: list[str]  # each segment as read (without terminator), ST..SE
    offsets: list[int]  # byte offset of each segment
    report: TransactionReport
    first_index: int = 1  # segment index of the ST inside its interchange
    _segments: list[Segment] | None = None

    @property
    def delimiters(self) -> Delimiters:
        return self.interchange.delimiters

    @property
    def complex(self) -> bool:
        """Whether some element holds components or repetitions."""
        d = self.interchange.delimiters
        joined = "".join(self.texts)
        return d.component in joined or bool(d.repetition and d.repetition in joined)

    def rows(self) -> list[list[Value]]:
        """Each segment's fields, tag first (components/repetitions split when present)."""
        d = self.interchange.delimiters
        if not self.complex:
            sep = d.element
            return [t.split(sep) for t in self.texts]  # type: ignore[misc]
        return [[tag, *elements] for tag, elements, _, _ in self._raw()]

    def _raw(self) -> list[RawSegment]:
        d = self.interchange.delimiters
        return [split_segment(t, o, d) for t, o in zip(self.texts, self.offsets, strict=True)]

    @property
    def segments(self) -> list[Segment]:
        """The set's segments, ST through SE, each with its `Location` (built on first use:
        validation of a clean set never needs them)."""
        if self._segments is None:
            ic = self.interchange.ordinal
            group = self.group.ordinal or None
            ordinal, first = self.ordinal, self.first_index
            self._segments = [
                Segment(
                    tag,
                    elements,
                    Location(
                        interchange=ic,
                        group=group,
                        transaction=ordinal,
                        segment_index=first + index,
                        byte_offset=offset,
                    ),
                )
                for index, (tag, elements, offset, _) in enumerate(self._raw())
            ]
        return self._segments

    @property
    def set_id(self) -> str:
        return self._st(1)

    @property
    def control_number(self) -> str:
        return self._st(2)

    def _st(self, n: int) -> str:
        if not self.texts:
            return ""
        tag, elements, _, _ = split_segment(self.texts[0], 0, self.interchange.delimiters)
        return _row_text([tag, *elements], n)

    @property
    def version(self) -> str:
        """GS-08 (e.g. `004010`, `005010X231A1`), or "" for a bare set."""
        return self.group.version


def _plain(fields: list[str], n: int, d: Delimiters) -> str:
    """Element `n` of a split segment as stripped text (its first component)."""
    if n >= len(fields):
        return ""
    value = fields[n]
    if d.component in value:
        value = value.split(d.component, 1)[0]
    if d.repetition and d.repetition in value:
        value = value.split(d.repetition, 1)[0]
    return value.strip()


def _row_text(row: list[Value], n: int) -> str:
    """Element `n` of a row (tag first) as stripped text (first component / repetition)."""
    if n >= len(row):
        return ""
    value = row[n]
    while not isinstance(value, str):
        value = value[0] if value else ""
    return value.strip()


_BOUNDARY = frozenset({"ST", "SE", "GS", "GE", "IEA", "ISA"})


def _same_number(a: str, b: str) -> bool:
    a, b = a.strip(), b.strip()
    if a.isascii() and a.isdecimal() and b.isascii() and b.isdecimal():
        return int(a) == int(b)
    return a == b


@dataclass(slots=True)
class _OpenGroup:
    header: GroupHeader
    report: GroupReport
    count: int = 0
    control_numbers: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _OpenInterchange:
    header: InterchangeHeader
    report: InterchangeReport
    groups: int = 0
    segment_index: int = 0
    group: _OpenGroup | None = None
    implicit_group: _OpenGroup | None = None


class X12Reader:
    """Reads any amount of X12 and yields each transaction set with its envelope findings.
    After iteration, `report` holds every interchange, group and transaction report (unless
    `retain=False`, which keeps memory flat for streams: reports are then only yielded)."""

    def __init__(
        self,
        data: object,
        *,
        overlay: Overlay | None = None,
        bare_delimiters: Delimiters | None = None,
        retain: bool = True,
    ) -> None:
        self.overlay = overlay or NO_OVERLAY
        self.report = AnalysisReport("x12")
        self.retain = retain
        self._tokens = Tokenizer(data, delimiters=bare_delimiters)
        # the compiled envelope helpers (None: pure Python; same results either way)
        self._accel: Any = _accel.load("x12fast")
        self._ic: _OpenInterchange | None = None
        self._tx_texts: list[str] | None = None
        self._tx_offsets: list[int] = []
        self._tx_first = 0
        self._tx_group: _OpenGroup | None = None
        self._interchanges = 0
        self._pending: list[ParsedTransaction] = []
        self.interchanges_seen = 0
        self.last_header: InterchangeHeader | None = None
        # interchanges closed since the caller last looked (for `parse`)
        self.closed: list[tuple[InterchangeHeader, InterchangeReport]] = []

    # -- findings

    def _issue(
        self,
        code: str,
        message: str,
        level: Level,
        location: Location,
        *,
        severity: Severity = Severity.ERROR,
        value: str | None = None,
        drop_ak9: bool = False,
    ) -> Issue:
        codes = dict(c.ENVELOPE_CODES.get(code, {}))
        if drop_ak9:
            codes.pop("ak9", None)
        issue = Issue(code, message, level, severity, location, codes, value)
        if code in self.overlay.tolerated and severity is Severity.ERROR:
            issue = issue.downgraded("partner profile")
        return issue

    def _loc(self, segment: Segment | None = None, **more: object) -> Location:
        base = segment.location if segment is not None and segment.location else Location()
        return Location(
            interchange=more.get("interchange", base.interchange),  # type: ignore[arg-type]
            group=more.get("group", base.group),  # type: ignore[arg-type]
            transaction=more.get("transaction", base.transaction),  # type: ignore[arg-type]
            segment_id=segment.tag if segment is not None else None,
            segment_index=base.segment_index,
            segment_position=more.get("segment_position"),  # type: ignore[arg-type]
            byte_offset=base.byte_offset,
            element=more.get("element"),  # type: ignore[arg-type]
        )

    # -- main loop

    def __iter__(self) -> Iterator[ParsedTransaction]:
        for token in self._tokens:
            if type(token) is Batch:
                yield from self._batch(token)
            elif isinstance(token, InterchangeStart):
                yield from self._close_interchange(None)
                self._open_interchange(token)
            elif isinstance(token, BareStart):
                yield from self._close_interchange(None)
                self._open_bare(token)
            elif isinstance(token, Garbage):
                self.report.issues.append(
                    self._issue(
                        c.TRAILING_DATA,
                        f"{len(token.text)} characters that are not X12 were ignored",
                        Level.FILE,
                        Location(byte_offset=token.offset),
                        severity=Severity.WARNING,
                        value=token.text[:40],
                    )
                )
            elif isinstance(token, Unterminated) and self._ic is not None:
                ic = self._ic
                ic.report.issues.append(
                    self._issue(
                        c.SEGMENT_UNTERMINATED,
                        f"the last segment ({token.tag}) has no segment terminator",
                        Level.INTERCHANGE,
                        Location(
                            interchange=ic.header.ordinal,
                            segment_id=token.tag,
                            byte_offset=token.offset,
                        ),
                        severity=Severity.WARNING,
                    )
                )
        yield from self._close_interchange(None)

    def _batch(self, batch: Batch) -> Iterator[ParsedTransaction]:
        """The hot loop: whole runs of body segments move into the open transaction set as
        list slices; only envelope segments are looked at one by one."""
        parts, offsets, heads, d = batch.parts, batch.offsets, batch.heads, batch.delimiters
        sep = d.element
        se_head = "SE" + sep
        st_head = "ST" + sep
        boundary = frozenset(
            {"ST" + sep, "GS" + sep, "GE" + sep, "IEA", "ISA", "ST", "GS", "GE", "SE"}
        )
        n = len(parts)
        i = 0
        accel = self._accel
        while i < n:
            if self._tx_texts is not None:
                try:
                    j = heads.index(se_head, i)
                except ValueError:
                    j = n
                if boundary.isdisjoint(heads[i:j]):
                    closing = j < n
                else:
                    j = i
                    while heads[j] not in boundary:
                        j += 1
                    closing = False
                end = j + 1 if closing else j
                if end > i:
                    self._tx_texts += parts[i:end]
                    self._tx_offsets += offsets[i:end]
                    if closing:
                        done = self._close_transaction(True, None)
                        if done is not None:
                            yield done
                    i = end
                    continue
                # an envelope segment inside the open set: handled one by one below
            elif heads[i] == st_head and self._ic is not None and self._ic.group is not None:
                # a set opening inside its group: nothing to check until its SE
                ic = self._ic
                if accel is not None:
                    # a run of plain sets (ST, body, SE, next ST...) found in one C call
                    ends = accel.set_ends(heads, i, st_head, se_head, boundary)
                    if ends:
                        group = ic.group
                        assert group is not None
                        for end in ends:
                            group.count += 1
                            self._tx_texts = parts[i : end + 1]
                            self._tx_offsets = offsets[i : end + 1]
                            self._tx_first = ic.segment_index + 1
                            self._tx_group = group
                            done = self._close_transaction(True, None)
                            if done is not None:
                                yield done
                            i = end + 1
                        continue
                ic.group.count += 1  # type: ignore[union-attr]
                self._tx_texts = [parts[i]]
                self._tx_offsets = [offsets[i]]
                self._tx_first = ic.segment_index + 1
                self._tx_group = ic.group
                i += 1
                continue
            yield from self._segment(split_segment(parts[i], offsets[i], d), parts[i])
            i += 1

    # -- interchange

    def _open_interchange(self, start: InterchangeStart) -> None:
        self._interchanges += 1
        self.interchanges_seen += 1
        header = InterchangeHeader(self._interchanges, start.delimiters, start.fields, start.offset)
        report = InterchangeReport(
            standard="x12",
            version=header.version,
            sender_qualifier=header.sender_qualifier,
            sender_id=header.sender_id,
            receiver_qualifier=header.receiver_qualifier,
            receiver_id=header.receiver_id,
            control_number=header.control_number,
            test_indicator=header.test_indicator,
            byte_offset=start.offset,
        )
        self._ic = _OpenInterchange(header, report)
        self.last_header = header
        loc = Location(
            interchange=header.ordinal, segment_id="ISA", segment_index=1, byte_offset=start.offset
        )

        def warn(
            code: str,
            message: str,
            element: int | None = None,
            value: str | None = None,
            severity: Severity = Severity.WARNING,
        ) -> None:
            where = Location(**{**loc.to_dict(), "element": element}) if element else loc
            report.issues.append(
                self._issue(code, message, Level.INTERCHANGE, where, severity=severity, value=value)
            )

        if "delimiters_not_distinct" in start.oddities:
            warn(
                c.ISA_DELIMITERS_INVALID,
                "the ISA declares delimiters that are not distinct: " + start.delimiters.describe(),
                severity=Severity.ERROR,
            )
        if "isa_not_fixed_width" in start.oddities:
            warn(c.ISA_NOT_FIXED_WIDTH, "the ISA elements do not have their fixed widths")
        if "isa11_not_u" in start.oddities:
            warn(
                c.ISA_STANDARDS_ID_INVALID,
                f"ISA-11 is {header.isa(11)!r}, expected 'U' before version 00402",
                11,
                header.isa(11),
            )
        if "isa11_not_separator" in start.oddities:
            warn(
                c.ISA_STANDARDS_ID_INVALID,
                f"ISA-11 is {header.isa(11)!r} in version "
                f"{header.version}, where it is the repetition separator",
                11,
                header.isa(11),
            )
        number = header.control_number
        if not (len(number) == 9 and number.isascii() and number.isdecimal()):
            warn(c.ISA_CONTROL_NUMBER_INVALID, "ISA-13 is not 9 digits", 13, number)
        if not (len(header.date) == 6 and _valid_date(header.date)):
            warn(c.ISA_DATE_INVALID, "ISA-09 is not a YYMMDD date", 9, header.date)
        if not (len(header.time) == 4 and _valid_time(header.time)):
            warn(c.ISA_TIME_INVALID, "ISA-10 is not an HHMM time", 10, header.time)
        if not (len(header.version) == 5 and header.version.isdecimal()):
            warn(c.ISA_VERSION_INVALID, "ISA-12 is not a 5-digit version", 12, header.version)
        if header.isa(14).strip() not in ("0", "1"):
            warn(c.ISA_ACK_REQUESTED_INVALID, "ISA-14 is not 0 or 1", 14, header.isa(14))
        if header.test_indicator not in ("P", "T", "I"):
            warn(c.ISA_TEST_INDICATOR_INVALID, "ISA-15 is not P, T or I", 15, header.isa(15))

    def _open_bare(self, start: BareStart) -> None:
        self._interchanges += 1
        header = InterchangeHeader(
            self._interchanges, start.delimiters, [""] * 16, start.offset, enveloped=False
        )
        report = InterchangeReport("x12", None, None, None, None, None, None, enveloped=False)
        self._ic = _OpenInterchange(header, report)
        self.last_header = header

    def _finish_interchange(self, ic: _OpenInterchange) -> None:
        # interchange and group reports are small; only transaction reports are dropped
        # when not retaining (a 200 MB interchange holds hundreds of thousands of them)
        self.report.interchanges.append(ic.report)
        self.closed.append((ic.header, ic.report))

    def _close_interchange(self, iea: Segment | None) -> Iterator[ParsedTransaction]:
        ic = self._ic
        if ic is None:
            return
        yield from self._closed(False, iea)
        self._close_group(None, iea)
        if ic.implicit_group is not None:
            self._finish_group(ic, ic.implicit_group)
            ic.implicit_group = None
        header = ic.header
        if header.enveloped:
            where = self._loc(iea, interchange=header.ordinal)
            if iea is None:
                ic.report.issues.append(
                    self._issue(
                        c.IEA_MISSING,
                        "the interchange has no IEA trailer",
                        Level.INTERCHANGE,
                        where,
                    )
                )
            else:
                count = iea.get(1)
                if not _same_number(count, str(ic.groups)):
                    ic.report.issues.append(
                        self._issue(
                            c.IEA_GROUP_COUNT_MISMATCH,
                            f"IEA-01 says {count.strip()} groups, the interchange has {ic.groups}",
                            Level.INTERCHANGE,
                            self._loc(iea, element=1),
                            value=count,
                        )
                    )
                number = iea.get(2)
                if not _same_number(number, header.control_number):
                    ic.report.issues.append(
                        self._issue(
                            c.IEA_CONTROL_NUMBER_MISMATCH,
                            f"IEA-02 {number.strip()!r} "
                            f"differs from ISA-13 {header.control_number!r}",
                            Level.INTERCHANGE,
                            self._loc(iea, element=2),
                            value=number,
                        )
                    )
        self._finish_interchange(ic)
        self._ic = None

    # -- groups

    def _open_group(self, ic: _OpenInterchange, gs: Segment) -> None:
        ic.groups += 1
        header = GroupHeader(ic.groups, gs)
        report = GroupReport(
            functional_id=header.functional_id,
            version=header.version,
            control_number=header.control_number,
            sender_id=header.sender_id,
            receiver_id=header.receiver_id,
        )
        group = _OpenGroup(header, report)
        ic.group = group
        ic.header.groups.append(header)
        v5010 = header.version[:6] >= "005010"

        def finding(
            code: str, message: str, element: int, value: str, severity: Severity = Severity.WARNING
        ) -> None:
            report.issues.append(
                self._issue(
                    code,
                    message,
                    Level.GROUP,
                    self._loc(gs, element=element),
                    severity=severity,
                    value=value,
                    drop_ak9=not v5010,
                )
            )

        if len(gs.elements) < 8 or not header.functional_id or not header.version:
            finding(c.GS_INVALID, "the GS header lacks mandatory elements", 1, "", Severity.ERROR)
        number = header.control_number
        if not (number.isascii() and number.isdecimal() and len(number) <= 9):
            finding(
                c.GS_CONTROL_NUMBER_INVALID,
                "GS-06 is not a number of up to 9 digits",
                6,
                number,
                Severity.ERROR,
            )
        date = header.gs(4)
        if not (len(date) == 8 and _valid_date(date)):
            finding(c.GS_DATE_INVALID, "GS-04 is not a CCYYMMDD date", 4, date)
        time = header.gs(5)
        if not (4 <= len(time) <= 8 and _valid_time(time)):
            finding(c.GS_TIME_INVALID, "GS-05 is not an HHMM[SS[DD]] time", 5, time)
        if ic.header.enveloped and header.version[:5] != ic.header.version:
            finding(
                c.GS_VERSION_MISMATCH,
                f"GS-08 {header.version!r} and ISA-12 "
                f"{ic.header.version!r} name different versions",
                8,
                header.version,
            )

    def _implicit_group(self, ic: _OpenInterchange) -> _OpenGroup:
        if ic.implicit_group is None:
            seg = Segment("GS", [], Location(interchange=ic.header.ordinal))
            header = GroupHeader(0, seg, implicit=True)
            ic.implicit_group = _OpenGroup(header, GroupReport(None, None, None, implicit=True))
        return ic.implicit_group

    def _finish_group(self, ic: _OpenInterchange, group: _OpenGroup) -> None:
        ic.report.groups.append(group.report)

    def _close_group(self, ge: Segment | None, trailer: Segment | None) -> None:
        ic = self._ic
        if ic is None or ic.group is None:
            return
        group = ic.group
        ic.group = None
        report = group.report
        if ge is None:
            report.issues.append(
                self._issue(
                    c.GE_MISSING,
                    "the functional group has no GE trailer",
                    Level.GROUP,
                    self._loc(trailer, group=group.header.ordinal),
                )
            )
        else:
            count = ge.get(1)
            if count.strip().isdecimal():
                group.header.declared_count = int(count)
            if not _same_number(count, str(group.count)):
                report.issues.append(
                    self._issue(
                        c.GE_COUNT_MISMATCH,
                        f"GE-01 says {count.strip()} transaction sets, the group has {group.count}",
                        Level.GROUP,
                        self._loc(ge, element=1),
                        value=count,
                    )
                )
            number = ge.get(2)
            if not _same_number(number, group.header.control_number):
                report.issues.append(
                    self._issue(
                        c.GE_CONTROL_NUMBER_MISMATCH,
                        f"GE-02 {number.strip()!r} differs "
                        f"from GS-06 {group.header.control_number!r}",
                        Level.GROUP,
                        self._loc(ge, element=2),
                        value=number,
                    )
                )
        self._finish_group(ic, group)

    # -- transactions

    def _closed(self, closed: bool, trailer: Segment | None) -> Iterator[ParsedTransaction]:
        transaction = self._close_transaction(closed, trailer)
        if transaction is not None:
            yield transaction

    def _close_transaction(self, closed: bool, trailer: Segment | None) -> ParsedTransaction | None:
        """Finish the open set (`closed`: its last text is the SE) and check ST/SE; segment
        objects are only built when there is something to report."""
        segments = self._tx_texts
        group = self._tx_group
        ic = self._ic
        if segments is None or group is None or ic is None:
            return None
        offsets = self._tx_offsets
        d = ic.header.delimiters
        self._tx_texts = None
        self._tx_group = None
        first_index = self._tx_first
        ic.segment_index += len(segments)
        count = len(segments)
        fields = (
            self._accel.envelope_fields(
                segments[0], segments[-1], d.element, d.component, d.repetition or ""
            )
            if self._accel is not None
            else None
        )
        if fields is None:
            st = segments[0].split(d.element)
            se = segments[-1].split(d.element)
            fields = (_plain(st, 1, d), _plain(st, 2, d), _plain(se, 1, d), _plain(se, 2, d))
        set_id, control, stated, reference = fields
        ordinal = group.count
        report = TransactionReport(
            set_id or None, group.header.version or None, control or None, segment_count=count
        )
        expected = c.FUNCTIONAL_IDS.get(set_id)
        fid = group.header.functional_id
        if (
            closed
            and control
            and reference == control
            and stated == str(count)
            and control not in group.control_numbers
            and (ic.header.enveloped or self.overlay.allow_unenveloped)
            and (not expected or not fid or fid == expected)
        ):
            # the common case, nothing to report (the checks below would find nothing)
            group.control_numbers.add(control)
        else:
            self._transaction_findings(
                report.issues, group, segments, offsets, closed, trailer, ordinal, fields
            )
        if self.retain:
            group.report.transactions.append(report)
        return ParsedTransaction(
            ic.header, group.header, ordinal, segments, offsets, report, first_index
        )

    def _transaction_findings(
        self,
        issues: list[Issue],
        group: _OpenGroup,
        segments: list[str],
        offsets: list[int],
        closed: bool,
        trailer: Segment | None,
        ordinal: int,
        fields: tuple[str, str, str, str],
    ) -> None:
        """The ST/SE findings of the set being closed in `group` of the open interchange
        (`_tx_first` still its first segment index); adds its control number to the group's."""
        ic = self._ic
        assert ic is not None
        d = ic.header.delimiters
        count = len(segments)
        set_id, control, stated, reference = fields

        def at(position: int, element: int | None = None) -> Location:
            index = 0 if position == 1 else count - 1
            seg = self._segment_of(segments[index], offsets[index], position, d, group, ordinal)
            return self._loc(seg, element=element, segment_position=position)

        if not ic.header.enveloped and not self.overlay.allow_unenveloped:
            issues.append(
                self._issue(
                    c.TRANSACTION_UNENVELOPED,
                    "a transaction set without ISA/GS "
                    "envelope (the partner profile does not allow it)",
                    Level.TRANSACTION,
                    at(1),
                )
            )
        if not control:
            issues.append(
                self._issue(
                    c.ST_CONTROL_NUMBER_INVALID, "ST-02 is empty", Level.TRANSACTION, at(1, 2)
                )
            )
        elif control in group.control_numbers:
            issues.append(
                self._issue(
                    c.ST_CONTROL_NUMBER_DUPLICATE,
                    f"ST-02 {control!r} is used twice in the group",
                    Level.TRANSACTION,
                    at(1, 2),
                    value=control,
                )
            )
        group.control_numbers.add(control)
        expected = c.FUNCTIONAL_IDS.get(set_id)
        fid = group.header.functional_id
        if expected and fid and fid != expected:
            issues.append(
                self._issue(
                    c.ST_NOT_IN_GROUP_FAMILY,
                    f"a {set_id} set in a group with GS-01 {fid!r} (expected {expected!r})",
                    Level.TRANSACTION,
                    at(1),
                    severity=Severity.WARNING,
                )
            )
        if not closed:
            where = self._loc(trailer, transaction=ordinal) if trailer else at(count)
            issues.append(
                self._issue(
                    c.SE_MISSING, "the transaction set has no SE trailer", Level.TRANSACTION, where
                )
            )
        else:
            if stated != str(count) and not _same_number(stated, str(count)):
                issues.append(
                    self._issue(
                        c.SE_COUNT_MISMATCH,
                        f"SE-01 says {stated} segments, the set has {count}",
                        Level.TRANSACTION,
                        at(count, 1),
                        value=stated,
                    )
                )
            if reference != control:
                issues.append(
                    self._issue(
                        c.SE_CONTROL_NUMBER_MISMATCH,
                        f"SE-02 {reference!r} differs from ST-02 {control!r}",
                        Level.TRANSACTION,
                        at(count, 2),
                        value=reference,
                    )
                )

    # -- segments

    def _segment_of(
        self,
        text: str,
        offset: int,
        position: int,
        d: Delimiters,
        group: _OpenGroup,
        transaction: int,
    ) -> Segment:
        """A located `Segment` for a segment at `position` of the set being closed, the
        `transaction`-th of `group` in the open interchange."""
        ic = self._ic
        tag, elements, _, _ = split_segment(text, offset, d)
        return Segment(
            tag,
            elements,
            Location(
                interchange=ic.header.ordinal if ic else None,
                group=group.header.ordinal or None,
                transaction=transaction,
                segment_index=self._tx_first + position - 1,
                segment_position=position,
                byte_offset=offset,
            ),
        )

    def _segment(self, raw: RawSegment, text: str) -> Iterator[ParsedTransaction]:
        ic = self._ic
        tag = raw[0]
        if ic is None:
            # only reachable after an IEA when the tokenizer kept going with these delimiters
            self.report.issues.append(
                self._issue(
                    c.TRAILING_DATA,
                    f"segment {tag} outside any interchange was ignored",
                    Level.FILE,
                    Location(segment_id=tag, byte_offset=raw[2]),
                    severity=Severity.WARNING,
                )
            )
            return
        ic.segment_index += 1
        group = ic.group
        tx = self._tx_texts
        location = Location(
            interchange=ic.header.ordinal,
            group=(group.header.ordinal if group is not None else None),
            transaction=(group.count if tx is not None and group is not None else None),
            segment_index=ic.segment_index,
            byte_offset=raw[2],
        )
        segment = Segment(tag, raw[1], location)
        if tx is not None and (tag not in _BOUNDARY or tag == "SE"):
            tx.append(text)  # (the batch loop takes these unless the SE has no elements)
            self._tx_offsets.append(raw[2])
            if tag == "SE":
                yield from self._closed(True, None)
            return
        if tag == "ISA":
            return
        if tag == "ST":
            yield from self._closed(False, segment)
            if group is None:
                if ic.header.enveloped:
                    ic.report.issues.append(
                        self._issue(
                            c.INTERCHANGE_STRUCTURE_INVALID,
                            "a transaction set outside any functional group",
                            Level.INTERCHANGE,
                            self._loc(segment),
                        )
                    )
                group = self._implicit_group(ic)
            group.count += 1
            ic.segment_index -= 1  # counted with the whole set when it closes
            self._tx_texts = [text]
            self._tx_offsets = [raw[2]]
            self._tx_first = ic.segment_index + 1
            self._tx_group = group
            return
        if tag == "GS":
            yield from self._closed(False, segment)
            if ic.group is not None:
                self._close_group(None, segment)
            if not ic.header.enveloped:
                ic.report.issues.append(
                    self._issue(
                        c.INTERCHANGE_STRUCTURE_INVALID,
                        "a GS without an ISA",
                        Level.INTERCHANGE,
                        self._loc(segment),
                    )
                )
            self._open_group(ic, segment)
            return
        if tag == "GE":
            yield from self._closed(False, segment)
            if group is None:
                ic.report.issues.append(
                    self._issue(
                        c.INTERCHANGE_STRUCTURE_INVALID,
                        "a GE without a GS",
                        Level.INTERCHANGE,
                        self._loc(segment),
                    )
                )
                return
            self._close_group(segment, segment)
            return
        if tag == "IEA":
            yield from self._closed(False, segment)
            if group is not None:
                self._close_group(None, segment)
            if not ic.header.enveloped:
                ic.report.issues.append(
                    self._issue(
                        c.INTERCHANGE_STRUCTURE_INVALID,
                        "an IEA without an ISA",
                        Level.INTERCHANGE,
                        self._loc(segment),
                    )
                )
            yield from self._close_interchange(segment if ic.header.enveloped else None)
            return
        if tag == "TA1" and group is None and ic.header.enveloped:
            ic.header.ta1.append(segment)
            return
        level = Level.GROUP if group is not None else Level.INTERCHANGE
        issue = self._issue(
            c.INTERCHANGE_STRUCTURE_INVALID,
            f"segment {tag} outside any transaction set",
            level,
            self._loc(segment),
        )
        if group is not None:
            group.report.issues.append(issue)
        else:
            ic.report.issues.append(issue)
