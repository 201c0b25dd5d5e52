"""CONTRL out, CONTRL and APERAK in: build the syntax and service report the gateway sends back
(UCI with action 4/7/8, UCF, UCM, UCS, UCD with 0085 codes) from an analysis report, and read a
partner's CONTRL or APERAK into the shared `translators.core.acks.Acknowledgement`."""

from __future__ import annotations

import datetime as dt

from translators.core.acks import (
    AckError,
    AcknowledgedGroup,
    AcknowledgedTransaction,
    Acknowledgement,
    AckStatus,
)
from translators.core.issues import Issue, Level, Severity
from translators.core.overlay import Overlay
from translators.core.report import AnalysisReport, GroupReport, InterchangeReport
from translators.core.segment import Segment, Value
from translators.edifact.envelope import ParsedMessage, element, iter_messages, text
from translators.edifact.syntax import REPERTOIRES, Delimiters
from translators.edifact.writer import OutboundMessage, WriterError, write

# 0083 action codes
REJECTED = "4"
ACKNOWLEDGED = "7"
RECEIVED = "8"

_MAX_UCS = 999
_MAX_UCD = 99
_SERVICE_TAGS = frozenset({"UNA", "UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"})


def _errors(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if i.severity is Severity.ERROR]


def _contrl_code(issue: Issue) -> str:
    return issue.standard_codes.get("contrl") or "18"  # 18: unspecified error


def _error_elements(issue: Issue) -> list[Value]:
    """0085, 0013 and S011 for a UCI/UCF/UCM that carries its own error."""
    out: list[Value] = [_contrl_code(issue)]
    tag = issue.location.segment_id
    position = issue.location.element
    if tag in _SERVICE_TAGS or position is not None:
        out.append(tag if tag in _SERVICE_TAGS else "")
    if position is not None:
        component = issue.location.component
        out.append((str(position), str(component)) if component else str(position))
    return out


def _party(identifier: str | None, qualifier: str | None) -> Value:
    if qualifier:
        return (identifier or "", qualifier)
    return identifier or ""


def _message_identifier(version: str | None, type_: str | None) -> Value:
    version = version or ""
    if ":" in version:
        major, _, release = version.partition(":")
    elif version[:1].upper() == "D":
        major, release = "D", version[1:]
    else:
        major, release = version, ""
    return (type_ or "", major, release, "UN")


def _trim(values: list[Value]) -> list[Value]:
    while values and values[-1] in ("", ()):
        values.pop()
    return values


def _message_response(
    transaction_issues: list[Issue],
    reference: str | None,
    identifier: Value,
    positive: bool,
) -> list[Segment]:
    """UCM (+ UCS/UCD) for one message; nothing for an accepted one unless `positive`."""
    errors = _errors(transaction_issues)
    if not errors:
        if not positive:
            return []
        return [Segment("UCM", [reference or "", identifier, ACKNOWLEDGED])]
    own = [i for i in errors if i.level in (Level.TRANSACTION, Level.GROUP)]
    ucm: list[Value] = [reference or "", identifier, REJECTED]
    if own:
        ucm.extend(_error_elements(own[0]))
    out = [Segment("UCM", _trim(ucm))]
    by_position: dict[int, list[Issue]] = {}
    for issue in errors:
        if issue.level not in (Level.SEGMENT, Level.ELEMENT):
            continue
        position = issue.location.segment_position
        if position is None:
            continue
        by_position.setdefault(position, []).append(issue)
    for position in sorted(by_position)[:_MAX_UCS]:
        issues = by_position[position]
        segment_level = [i for i in issues if i.level is Level.SEGMENT]
        ucs: list[Value] = [str(position)]
        if segment_level:
            ucs.append(_contrl_code(segment_level[0]))
        out.append(Segment("UCS", ucs))
        for issue in [i for i in issues if i.level is Level.ELEMENT][:_MAX_UCD]:
            where: Value = str(issue.location.element or "")
            if issue.location.component:
                where = (str(issue.location.element or ""), str(issue.location.component))
            out.append(Segment("UCD", [_contrl_code(issue), where]))
    return out


def contrl_body(
    interchange: InterchangeReport, *, positive_ucm: bool = False, receipt_only: bool = False
) -> list[Segment] | None:
    """The segments between UNH and UNT of the CONTRL answering `interchange`; None when no
    CONTRL is due (a bare message without UNB, or an interchange holding only CONTRLs)."""
    if not interchange.enveloped:
        return None
    messages = [t for t in interchange.transactions()]
    if messages and all(t.type == "CONTRL" for t in messages):
        return None  # never acknowledge a CONTRL with a CONTRL
    uci: list[Value] = [
        interchange.control_number or "",
        _party(interchange.sender_id, interchange.sender_qualifier),
        _party(interchange.receiver_id, interchange.receiver_qualifier),
    ]
    if receipt_only:
        return [Segment("UCI", [*uci, RECEIVED])]
    own = _errors(interchange.issues)
    if own:
        # the interchange itself is rejected: this level and all lower levels
        return [Segment("UCI", _trim([*uci, REJECTED, *_error_elements(own[0])]))]
    body = [Segment("UCI", [*uci, ACKNOWLEDGED])]
    for group in interchange.groups:
        body.extend(_group_response(group, positive_ucm))
    return body


def _group_response(group: GroupReport, positive: bool) -> list[Segment]:
    responses: list[Segment] = []
    for transaction in group.transactions:
        if transaction.type == "CONTRL":
            continue
        responses.extend(
            _message_response(
                transaction.issues,
                transaction.control_number,
                _message_identifier(transaction.version, transaction.type),
                positive,
            )
        )
    if group.implicit:
        return responses
    own = _errors(group.issues)
    ucf: list[Value] = [group.control_number or "", group.sender_id or "", group.receiver_id or ""]
    if own:
        return [Segment("UCF", _trim([*ucf, REJECTED, *_error_elements(own[0])]))]
    if not responses and not positive:
        return [Segment("UCF", [*ucf, ACKNOWLEDGED])]
    return [Segment("UCF", [*ucf, ACKNOWLEDGED]), *responses]


def _syntax(interchange: InterchangeReport) -> tuple[str, str]:
    identifier, _, version = (interchange.version or "UNOA:3").partition(":")
    if identifier not in REPERTOIRES:
        identifier = "UNOA"
    if version not in ("1", "2", "3", "4"):
        version = "3"
    return identifier, version


def build_contrl(
    report: AnalysisReport | InterchangeReport,
    *,
    control_reference: str = "1",
    message_reference: str = "1",
    sender: str | None = None,
    sender_qualifier: str | None = None,
    recipient: str | None = None,
    recipient_qualifier: str | None = None,
    positive_ucm: bool = False,
    receipt_only: bool = False,
    prepared: dt.datetime | None = None,
    delimiters: Delimiters | None = None,
) -> bytes:
    """The CONTRL interchange(s) answering every acknowledgeable interchange in `report`, in
    the partner's syntax identifier and version (CONTRL:D:3:UN, or CONTRL:4:1:UN for syntax
    4). Our ids default to the received interchange's recipient; theirs to its sender.
    Control references count up from `control_reference` when it is numeric."""
    interchanges = report.interchanges if isinstance(report, AnalysisReport) else [report]
    out: list[bytes] = []
    reference = control_reference
    for interchange in interchanges:
        body = contrl_body(interchange, positive_ucm=positive_ucm, receipt_only=receipt_only)
        if body is None:
            continue
        identifier, version = _syntax(interchange)
        message = OutboundMessage(
            reference=message_reference,
            type="CONTRL",
            version="4" if version == "4" else "D",
            release="1" if version == "4" else "3",
            agency="UN",
            body=body,
        )
        options = dict(
            sender=sender or interchange.receiver_id or "",
            sender_qualifier=sender_qualifier
            if sender is not None
            else interchange.receiver_qualifier,
            recipient=recipient or interchange.sender_id or "",
            recipient_qualifier=recipient_qualifier
            if recipient is not None
            else interchange.sender_qualifier,
            control_reference=reference,
            syntax_identifier=identifier,
            syntax_version=version,
            delimiters=delimiters,
            prepared=prepared,
            line_break=True,
        )
        try:
            out.append(write([message], **options))  # type: ignore[arg-type]
        except WriterError:
            # ids or references the partner sent outside its declared repertoire (UTF-8 in
            # a UNOC file): echo them in the bytes they came in rather than fail
            out.append(write([message], encoding="utf-8", **options))  # type: ignore[arg-type]
        reference = str(int(reference) + 1) if _ascii_digits(reference) else reference
    return b"".join(out)


def acknowledge(
    data: bytes | AnalysisReport, *, overlay: Overlay | None = None, **options: object
) -> bytes:
    """Bytes of the CONTRL the gateway would send back for `data` (b"" when none is due)."""
    from translators.edifact.analyse import analyse

    report = data if isinstance(data, AnalysisReport) else analyse(data, overlay=overlay)
    return build_contrl(report, **options)  # type: ignore[arg-type]


# -- inbound ------------------------------------------------------------------------------

_ACTIONS = {
    "4": AckStatus.REJECTED,
    "7": AckStatus.ACCEPTED,
    "8": AckStatus.RECEIVED,
    # syntax-2 era codes that old systems still send
    "1": AckStatus.ACCEPTED,
    "2": AckStatus.ACCEPTED_WITH_ERRORS,
    "3": AckStatus.PARTIALLY_ACCEPTED,
    "5": AckStatus.ACCEPTED,
    "6": AckStatus.REJECTED,
}


def _status(code: str) -> AckStatus:
    return _ACTIONS.get(code, AckStatus.UNKNOWN)


def _error_from(elements: list[Value], code_at: int) -> AckError | None:
    code = element(elements, code_at)
    if not code:
        return None
    tag = element(elements, code_at + 1) or None
    where = elements[code_at + 1] if len(elements) > code_at + 1 else ""
    return AckError(
        code=code,
        segment_id=tag,
        element_position=_int(text(where, 1)),
        component_position=_int(text(where, 2)),
    )


def _int(value: str) -> int | None:
    return int(value) if _ascii_digits(value) else None


def parse_contrl(message: ParsedMessage) -> Acknowledgement:
    """A CONTRL message as an `Acknowledgement` of one of our interchanges."""
    ack = Acknowledgement(
        standard="edifact",
        ack_type="CONTRL",
        status=AckStatus.UNKNOWN,
        reference=message.reference,
    )
    implicit = AcknowledgedGroup(None, None, AckStatus.ACCEPTED, implicit=True)
    group: AcknowledgedGroup | None = None
    transaction: AcknowledgedTransaction | None = None
    last_position: int | None = None
    for segment in message.segments():
        tag, elements = segment.tag, segment.elements
        if tag == "UCI":
            ack.interchange_control_number = element(elements, 1) or None
            ack.sender_id = element(elements, 2) or None
            ack.receiver_id = element(elements, 3) or None
            ack.status_code = element(elements, 4) or None
            ack.status = _status(ack.status_code or "")
            error = _error_from(elements, 5)
            if error is not None:
                ack.errors.append(error)
        elif tag == "UCF":
            code = element(elements, 4)
            group = AcknowledgedGroup(
                element(elements, 1) or None,
                None,
                _status(code),
                status_code=code or None,
            )
            error = _error_from(elements, 5)
            if error is not None:
                group.errors.append(error)
            ack.groups.append(group)
            transaction = None
        elif tag == "UCM":
            code = element(elements, 3)
            identifier = elements[1] if len(elements) > 1 else ""
            version, release = text(identifier, 2), text(identifier, 3)
            transaction = AcknowledgedTransaction(
                control_number=element(elements, 1) or None,
                type=text(identifier, 1) or None,
                status=_status(code),
                status_code=code or None,
                version=f"{version}{release}"
                if version.upper() == "D"
                else (f"{version}:{release}" if version else None),
            )
            error = _error_from(elements, 4)
            if error is not None:
                transaction.errors.append(error)
            (group or implicit).transactions.append(transaction)
        elif tag == "UCS" and transaction is not None:
            last_position = _int(element(elements, 1))
            code = element(elements, 2)
            if code:
                transaction.errors.append(AckError(code=code, segment_position=last_position))
        elif tag == "UCD" and transaction is not None:
            where = elements[1] if len(elements) > 1 else ""
            transaction.errors.append(
                AckError(
                    code=element(elements, 1),
                    segment_position=last_position,
                    element_position=_int(text(where, 1)),
                    component_position=_int(text(where, 2)),
                )
            )
    if implicit.transactions:
        ack.groups.insert(0, implicit)
    for each in ack.groups:
        _settle_group(each, ack.status)
    if ack.status is AckStatus.ACCEPTED and any(
        g.status in (AckStatus.REJECTED, AckStatus.PARTIALLY_ACCEPTED) for g in ack.groups
    ):
        ack.status = AckStatus.PARTIALLY_ACCEPTED  # UCI 7 with some lower level rejected
    return ack


def _settle_group(group: AcknowledgedGroup, interchange: AckStatus) -> None:
    if interchange is AckStatus.REJECTED:
        group.status = AckStatus.REJECTED
        for transaction in group.transactions:
            transaction.status = AckStatus.REJECTED
        return
    rejected = sum(t.status is AckStatus.REJECTED for t in group.transactions)
    if group.status is AckStatus.ACCEPTED and rejected:
        group.status = AckStatus.PARTIALLY_ACCEPTED
    group.transactions_accepted = sum(t.status is AckStatus.ACCEPTED for t in group.transactions)


_APERAK_RESPONSE = {
    "AP": AckStatus.ACCEPTED,
    "RE": AckStatus.REJECTED,
    "CA": AckStatus.ACCEPTED_WITH_ERRORS,
}
_APERAK_FUNCTION = {"27": AckStatus.REJECTED, "44": AckStatus.ACCEPTED}


def parse_aperak(message: ParsedMessage) -> Acknowledgement:
    """An APERAK as an `Acknowledgement`: the verdict from BGM 4343, else BGM 1225, else the
    presence of ERC error codes; RFF+ACW names the message it answers."""
    answered: str | None = None
    errors: list[AckError] = []
    verdict_code: str | None = None
    verdict: AckStatus | None = None
    for segment in message.segments():
        tag, elements = segment.tag, segment.elements
        if tag == "BGM":
            response = element(elements, 4).upper()
            function = element(elements, 3)
            if response in _APERAK_RESPONSE:
                verdict, verdict_code = _APERAK_RESPONSE[response], response
            elif function in _APERAK_FUNCTION:
                verdict, verdict_code = _APERAK_FUNCTION[function], function
        elif tag == "RFF" and element(elements, 1, 1) == "ACW" and answered is None:
            answered = element(elements, 1, 2) or None
        elif tag == "ERC":
            errors.append(
                AckError(code=element(elements, 1), segment_position=segment_position(segment))
            )
        elif tag == "FTX" and errors and errors[-1].message is None:
            free = elements[3] if len(elements) > 3 else ""
            parts = [free] if isinstance(free, str) else [p for p in free if isinstance(p, str)]
            # unescaped separators in free text split it; put the text back together
            joiner = message.interchange.delimiters.component
            errors[-1].message = joiner.join(parts).strip(joiner) or None
    if verdict is None:
        verdict = AckStatus.REJECTED if errors else AckStatus.ACCEPTED
    transaction = AcknowledgedTransaction(
        control_number=answered,
        type=None,
        status=verdict,
        status_code=verdict_code,
        errors=errors,
    )
    return Acknowledgement(
        standard="edifact",
        ack_type="APERAK",
        status=verdict,
        status_code=verdict_code,
        sender_id=message.interchange.recipient_id,
        receiver_id=message.interchange.sender_id,
        reference=message.reference,
        groups=[AcknowledgedGroup(None, None, verdict, implicit=True, transactions=[transaction])],
    )


def segment_position(segment: Segment) -> int | None:
    return segment.location.segment_position if segment.location else None


def parse_acknowledgements(data: bytes) -> list[Acknowledgement]:
    """Every CONTRL and APERAK in `data`, in order, as `Acknowledgement`s."""
    found: list[Acknowledgement] = []
    for message in iter_messages(data):
        if message.type == "CONTRL":
            found.append(parse_contrl(message))
        elif message.type == "APERAK":
            found.append(parse_aperak(message))
    return found


def _ascii_digits(value: str) -> bool:
    """Only ASCII digits: `str.isdigit` also accepts '²' and the like, which `int` refuses."""
    return value.isascii() and value.isdecimal()
