"""EDIFACT analysis: envelope events plus guide validation folded into the shared report shape
(`AnalysisReport` > `InterchangeReport` > `GroupReport` > `TransactionReport`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from translators.core.issues import Issue, Level, Severity
from translators.core.location import Location
from translators.core.overlay import NO_OVERLAY, Overlay
from translators.core.report import (
    AnalysisReport,
    GroupReport,
    InterchangeReport,
    TransactionReport,
)
from translators.edifact import compiled
from translators.edifact.envelope import (
    EnvelopeReader,
    FileIssue,
    GroupEnd,
    GroupHeader,
    InterchangeEnd,
    InterchangeHeader,
    ParsedMessage,
)
from translators.edifact.fastcheck import MessageChecker, checker_for
from translators.edifact.guides import GuideChoice, choose_guide
from translators.edifact.stream import Source
from translators.edifact.syntax import Delimiters
from translators.edifact.tokenizer import elements_of


def analyse(
    data: Source, *, overlay: Overlay | None = None, validate: bool = True
) -> AnalysisReport:
    """Parse and validate every interchange, group and message in `data` (bytes, text, a
    binary file object or an iterator of byte chunks, read as a stream). Never raises for bad
    content: everything found is an `Issue` in the report."""
    return _analyse(data, overlay, validate)


def _analyse(data: Source, overlay: Overlay | None, validate: bool) -> AnalysisReport:
    overlay = overlay or NO_OVERLAY
    report = AnalysisReport(standard="edifact")
    reader = EnvelopeReader(data, overlay=overlay)
    interchange: InterchangeReport | None = None
    group: GroupReport | None = None
    for event in reader.events():
        if isinstance(event, ParsedMessage):
            if interchange is None:  # cannot happen: a message always follows its header
                continue
            if group is None:
                group = GroupReport(
                    functional_id=None,
                    version=None,
                    control_number=None,
                    implicit=True,
                )
                interchange.groups.append(group)
            group.transactions.append(_transaction_report(event, overlay, validate))
        elif isinstance(event, InterchangeHeader):
            interchange = _interchange_report(event)
            report.interchanges.append(interchange)
            group = None
        elif isinstance(event, GroupHeader):
            if interchange is None:
                continue
            group = GroupReport(
                functional_id=event.functional_id or None,
                version=event.version,
                control_number=event.reference or None,
                sender_id=event.sender_id,
                receiver_id=event.recipient_id,
                issues=event.issues,
            )
            interchange.groups.append(group)
        elif isinstance(event, GroupEnd):
            if group is not None:
                group.issues = _tolerate(event.header.issues, overlay)
            group = None
        elif isinstance(event, InterchangeEnd):
            if interchange is not None:
                interchange.issues = _tolerate(event.header.issues, overlay)
            interchange = None
            group = None
        elif isinstance(event, FileIssue):
            report.issues.extend(_tolerate([event.issue], overlay))
    return report


def _transaction_report(
    message: ParsedMessage, overlay: Overlay, validate: bool
) -> TransactionReport:
    directory = message.directory
    issues = list(message.issues)  # the message keeps its envelope findings alone
    if validate:
        issues.extend(validate_message(message, overlay, directory))
    return TransactionReport(
        type=message.type or None,
        version=directory or None,
        control_number=message.reference or None,
        issues=_tolerate(issues, overlay),
        segment_count=len(message.raw),
    )


@dataclass(slots=True)
class ValidatedMessage:
    """One message as `validate_stream` hands it on: the parsed message (with its envelope
    headers, whose own issues are complete once their trailer has been read) and its report."""

    message: ParsedMessage
    report: TransactionReport


def validate_stream(data: Source, *, overlay: Overlay | None = None) -> Iterator[ValidatedMessage]:
    """Every message of the input, envelope- and guide-validated, one at a time: nothing is
    kept once the caller moves on, so memory stays bounded by the largest message whatever
    the input's size. `data`: bytes, text, a binary file object or an iterator of chunks."""
    overlay = overlay or NO_OVERLAY
    for event in EnvelopeReader(data, overlay=overlay).events():
        if isinstance(event, ParsedMessage):
            yield ValidatedMessage(event, _transaction_report(event, overlay, True))


def _interchange_report(header: InterchangeHeader) -> InterchangeReport:
    return InterchangeReport(
        standard="edifact",
        version=header.syntax,
        sender_qualifier=header.sender_qualifier,
        sender_id=header.sender_id,
        receiver_qualifier=header.recipient_qualifier,
        receiver_id=header.recipient_id,
        control_number=header.control_reference,
        test_indicator=header.test_indicator,
        issues=header.issues,
        enveloped=header.enveloped,
        byte_offset=header.byte_offset if header.enveloped else None,
    )


def validate_message(
    message: ParsedMessage, overlay: Overlay | None = None, directory: str | None = None
) -> list[Issue]:
    """Guide findings for one message (the nearest guide for its directory, with a warning
    when it is not the exact one; a warning and no content checks when there is none)."""
    choice: GuideChoice = choose_guide(
        message.type, message.directory if directory is None else directory
    )
    issues: list[Issue] = []
    if choice.note is not None:
        issues.append(
            Issue(
                code=choice.note_code,
                message=choice.note,
                level=Level.TRANSACTION,
                severity=Severity.WARNING,
                location=Location(
                    interchange=message.interchange.ordinal,
                    group=message.group.ordinal if message.group else None,
                    transaction=message.ordinal,
                    segment_id="UNH",
                    segment_position=1,
                    element=2,
                ),
            )
        )
    found: list[Issue] = []
    if choice.guide_id is not None:
        checker = _checker(choice, overlay)
        found = checker.validate(message.raw)
        if checker.last_dates:
            found.extend(check_dates(message, checker.last_dates))
    else:
        found.extend(check_dates(message))
    if found:
        issues.extend(_place(message, found))
    return issues


# DTM 2379 format qualifiers we check: the value's length and the layout of its digits
# (Y4/Y2 year, M month, D day, h hour, m minute, s second).
_DATE_FORMATS: dict[str, str] = {
    "101": "Y2MD",
    "102": "Y4MD",
    "201": "Y2MDhm",
    "202": "Y2MDhms",
    "203": "Y4MDhm",
    "204": "Y4MDhms",
    "401": "hm",
}
_FIELD_WIDTH = {"Y4": 4, "Y2": 2, "M": 2, "D": 2, "h": 2, "m": 2, "s": 2}
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# memos are dicts of strings (keys "value qualifier"): the cyclic GC does not track dicts
# whose keys and values are all atomic, so large memos cost no collection time
_date_verdicts: dict[str, str | None] = {}
# per dialect: DTM segment texts (without release characters) already found fine
_clean_dates: dict[Delimiters, dict[str, None]] = {}


def _fields(layout: str) -> list[str]:
    out, index = [], 0
    while index < len(layout):
        width = 2 if layout[index] == "Y" else 1
        out.append(layout[index : index + width])
        index += width
    return out


def _date_problem(value: str, layout: str) -> str | None:
    fields = _fields(layout)
    if len(value) != sum(_FIELD_WIDTH[f] for f in fields) or not (
        value.isascii() and value.isdecimal()
    ):
        return "dtm_format_mismatch"
    at, year, month = 0, 2000, 1
    for name in fields:
        width = _FIELD_WIDTH[name]
        number = int(value[at : at + width])
        at += width
        if name[0] == "Y":
            year = number if width == 4 else 2000 + number
        elif name == "M":
            month = number
            if not 1 <= number <= 12:
                return "invalid_date"
        elif name == "D":
            leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
            limit = 29 if month == 2 and leap else 28 if month == 2 else _DAYS[month - 1]
            if not 1 <= number <= limit:
                return "invalid_date"
        elif (name == "h" and number > 24) or (name in "ms" and number > 59):
            return "invalid_date"
    return None


def check_dates(message: ParsedMessage, positions: Sequence[int] | None = None) -> list[Issue]:
    """DTM 2380 against its format qualifier 2379: the length must fit the format and the
    value must be a real date/time (0085 code 12, invalid value). `positions` (1-based) name
    the DTM segments when the caller knows them."""
    found: list[Issue] = []
    raw = message.raw
    if positions is None:
        positions = [i for i, lexeme in enumerate(raw, 1) if lexeme[0] == "DTM"]
    lex = compiled.module
    if lex is not None and positions and raw:
        # the compiled check proves most dates fine; what it cannot vouch for comes here
        d = raw[0][4]
        positions = lex.dates_unproven(
            raw, list(positions), d.element, d.component, d.repetition or ""
        )
        if not positions:
            return found
    if len(_clean_dates) > 64 and message.interchange.delimiters not in _clean_dates:
        _clean_dates.clear()  # dialects come from partners' UNAs: keep the memo bounded
    seen = _clean_dates.setdefault(message.interchange.delimiters, {})
    for position in positions:
        lexeme = raw[position - 1]
        if lexeme[1] in seen:
            continue  # this exact DTM text was checked before and is fine
        elements = elements_of(lexeme)
        if not elements:
            continue
        composite = elements[0]
        if not isinstance(composite, tuple) or len(composite) < 3:
            continue
        value, qualifier = composite[1], composite[2]
        layout = _DATE_FORMATS.get(qualifier)
        if layout is None or not value:
            continue
        key = f"{value} {qualifier}"
        if key in _date_verdicts:
            problem = _date_verdicts[key]
        else:
            problem = _date_problem(value, layout)
            if len(_date_verdicts) > 65536:
                _date_verdicts.clear()
            _date_verdicts[key] = problem
        if problem is None:
            if len(seen) > 65536:
                seen.clear()
            if lexeme[3] is None:
                seen[lexeme[1]] = None
            continue
        text = (
            f"DTM value {value!r} does not fit format {qualifier}"
            if problem == "dtm_format_mismatch"
            else f"DTM value {value!r} is not a real date/time"
        )
        found.append(
            Issue(
                code=problem,
                message=text,
                level=Level.ELEMENT,
                location=Location(
                    segment_id="DTM", segment_position=position, element=1, component=2
                ),
                standard_codes={"contrl": "12"},
                value=value,
            )
        )
    return found


_checker_memo: dict[tuple[str, int], tuple[Overlay | None, MessageChecker]] = {}


def _checker(choice: GuideChoice, overlay: Overlay | None) -> MessageChecker:
    """The checker for a guide and overlay, without re-keying the overlay per message."""
    key = (choice.guide_id or "", id(overlay))
    found = _checker_memo.get(key)
    if found is None or found[0] is not overlay:
        if len(_checker_memo) > 256:
            _checker_memo.clear()
        found = (overlay, checker_for(choice.compiled(overlay)))
        _checker_memo[key] = found
    return found[1]


def _place(message: ParsedMessage, found: list[Issue]) -> list[Issue]:
    """Give guide findings the message's coordinates and the segment's byte offset/line."""
    placed: list[Issue] = []
    group = message.group.ordinal if message.group else None
    for issue in found:
        position = issue.location.segment_position
        byte_offset = line = None
        if position is not None and 0 < position <= len(message.raw) and message.locate:
            byte_offset, line = message.locate(message.raw[position - 1][2])
        issue.location = replace(
            issue.location,
            interchange=message.interchange.ordinal,
            group=group,
            transaction=message.ordinal,
            segment_index=message.first_index + position - 1 if position else None,
            byte_offset=byte_offset,
            line=line,
        )
        placed.append(issue)
    return placed


def _tolerate(issues: list[Issue], overlay: Overlay) -> list[Issue]:
    if not overlay.tolerated:
        return issues
    return [
        i.downgraded("partner profile")
        if i.code in overlay.tolerated and i.severity is Severity.ERROR
        else i
        for i in issues
    ]
