"""X12 acknowledgements: build 997 / 999 / TA1 from validation results, and read inbound ones
into one structure that says what was accepted, accepted with errors, or rejected, and why."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from translators.core.issues import Issue, Severity
from translators.core.overlay import Overlay
from translators.core.report import GroupReport, InterchangeReport, Status, TransactionReport
from translators.core.segment import Segment
from translators.x12._envelope import InterchangeHeader, X12Reader
from translators.x12._tokenizer import STANDARD_DELIMITERS, Delimiters
from translators.x12._writer import Envelope, isa_segment, write_segments

# ------------------------------------------------------------------ building


def _ack_code(status: Status) -> str:
    return {Status.ACCEPTED: "A", Status.ACCEPTED_WITH_ERRORS: "E"}.get(status, "R")


def _codes(issues: Iterable[Issue], key: str, limit: int = 5) -> list[str]:
    ordered = sorted(issues, key=lambda i: i.severity is not Severity.ERROR)
    out: list[str] = []
    for issue in ordered:
        code = issue.standard_codes.get(key)
        if code and code not in out:
            out.append(code)
    return out[:limit]


def _clean(value: str | None, d: Delimiters) -> str:
    """A copy of bad data for AK4-04/IK4-04: delimiters removed, at most 99 characters."""
    if not value:
        return ""
    for ch in (d.element, d.segment, d.component, d.repetition, "\r", "\n"):
        if ch:
            value = value.replace(ch, "")
    return value.strip()[:99]


def _segment_notes(
    tx: TransactionReport, five: bool, d: Delimiters, implementation: bool
) -> list[Segment]:
    """AK3/AK4 (997) or IK3/IK4 (999) for every finding located in a segment."""
    seg_tag, elem_tag = ("IK3", "IK4") if implementation else ("AK3", "AK4")
    by_segment: dict[tuple[int, str], list[Issue]] = {}
    for issue in tx.issues:
        loc = issue.location
        if loc.segment_position is None or not ({"ak3", "ak4"} & issue.standard_codes.keys()):
            continue
        by_segment.setdefault((loc.segment_position, loc.segment_id or ""), []).append(issue)
    out: list[Segment] = []
    for (position, tag), issues in sorted(by_segment.items()):
        loop_id = next((i.location.loop_id for i in issues if i.location.loop_id), "") or ""
        loop_id = loop_id[: 4 if five else 6]
        segment_level = [i for i in issues if "ak4" not in i.standard_codes]
        element_level = [i for i in issues if "ak4" in i.standard_codes]
        for issue in segment_level:
            code = issue.standard_codes.get("ik3" if implementation else "ak3", "")
            code = code or issue.standard_codes.get("ak3", "")
            out.append(Segment(seg_tag, [tag, str(position), loop_id, code]))
        if element_level:
            out.append(Segment(seg_tag, [tag, str(position), loop_id, "8"]))
            for issue in element_level[:99]:
                loc = issue.location
                c030: list[str] = [str(loc.element or 1)]
                if loc.component is not None or (five and loc.repetition is not None):
                    c030.append(str(loc.component or ""))
                if five and loc.repetition is not None:
                    c030.append(str(loc.repetition))
                code = issue.standard_codes.get("ik4" if implementation else "ak4", "")
                code = code or issue.standard_codes.get("ak4", "")
                out.append(
                    Segment(
                        elem_tag,
                        [
                            tuple(c030) if len(c030) > 1 else c030[0],
                            issue.standard_codes.get("element_ref", ""),
                            code,
                            _clean(issue.value, d),
                        ],
                    )
                )
    return out


def _functional_ack(
    group: GroupReport,
    *,
    kind: str,
    control_number: str,
    delimiters: Delimiters,
    version: str,
    included: int | None = None,
) -> list[Segment]:
    five = version[:6] >= "005010"
    implementation = kind == "999"
    ak1: list[Any] = [group.functional_id or "", group.control_number or ""]
    if five:
        ak1.append(group.version or "")
    st: list[Any] = [kind, control_number]
    if implementation:
        st.append("005010X231A1")
    segments = [Segment("ST", st), Segment("AK1", ak1)]
    accepted = 0
    for tx in group.transactions:
        ak2: list[Any] = [tx.type or "", tx.control_number or ""]
        segments.append(Segment("AK2", ak2))
        segments.extend(_segment_notes(tx, five, delimiters, implementation))
        code = _ack_code(tx.status)
        if code != "R":
            accepted += 1
        key = "ik5" if implementation else "ak5"
        segments.append(
            Segment("IK5" if implementation else "AK5", [code, *_codes(tx.issues, key)])
        )
    own = _codes(group.issues, "ak9")
    own_error = any(i.severity is Severity.ERROR for i in group.issues)
    received = len(group.transactions)
    if own_error or (received and accepted == 0):
        group_code = "R"
    elif accepted < received:
        group_code = "P"
    elif group.status is Status.ACCEPTED_WITH_ERRORS:
        group_code = "E"
    else:
        group_code = "A"
    if own_error:
        accepted = 0
    # AK9-02 is what the GE said was included, AK9-03 what arrived
    declared = received if included is None else included
    segments.append(Segment("AK9", [group_code, str(declared), str(received), str(accepted), *own]))
    segments.append(Segment("SE", [str(len(segments) + 1), control_number]))
    return segments


def build_997(
    group: GroupReport,
    *,
    control_number: str = "0001",
    version: str | None = None,
    delimiters: Delimiters = STANDARD_DELIMITERS,
    included: int | None = None,
) -> list[Segment]:
    """The 997 transaction set (ST..SE) acknowledging one functional group, in the group's
    version (004010 layout unless the group is 005010 or later). `included` is the group's
    GE-01 (AK9-02); without it the number of sets received is used."""
    version = version or (group.version or "004010")[:6]
    return _functional_ack(
        group,
        kind="997",
        control_number=control_number,
        delimiters=delimiters,
        version=version,
        included=included,
    )


def build_999(
    group: GroupReport,
    *,
    control_number: str = "0001",
    delimiters: Delimiters = STANDARD_DELIMITERS,
    included: int | None = None,
) -> list[Segment]:
    """The 999 (005010X231A1) implementation acknowledgement of one functional group."""
    return _functional_ack(
        group,
        kind="999",
        control_number=control_number,
        delimiters=delimiters,
        version="005010",
        included=included,
    )


def build_ta1(report: InterchangeReport, *, date: str, time: str) -> Segment:
    """TA1 for one interchange: A with note 000, E (warnings only) or R with the first note
    code found. `date`/`time` are the acknowledged ISA-09/ISA-10."""
    code = _ack_code(report_interchange_status(report))
    notes = _codes(report.issues, "ta1", 1)
    note = notes[0] if notes and code != "A" else "000"
    number = (report.control_number or "0").strip()
    return Segment(
        "TA1", [number.zfill(9) if number.isdecimal() else number, date, time, code, note]
    )


def report_interchange_status(report: InterchangeReport) -> Status:
    """The interchange's own status (TA1 judges the envelope, not the groups inside)."""
    if any(i.severity is Severity.ERROR for i in report.issues):
        return Status.REJECTED
    return Status.ACCEPTED_WITH_ERRORS if report.issues else Status.ACCEPTED


def acknowledge(
    data: object,
    *,
    overlay: Overlay | None = None,
    kind: str = "auto",
    ta1: str = "auto",
    control_number: int = 1,
    delimiters: Delimiters | None = None,
    timestamp: datetime | None = None,
) -> bytes:
    """The acknowledgement interchanges the gateway would send back for `data`: per input
    interchange a TA1 (when ISA-14 asks for one, when the envelope has findings, or always /
    never per `ta1`), then a FA group of 997s (004010 groups) or 999s (005010 groups; `kind`
    forces one). Groups that are themselves acknowledgements (GS-01 FA) are not answered."""
    from translators.x12._validate import DEFAULT_VERSION, validate_transaction

    reader = X12Reader(
        data if not isinstance(data, str) else data.encode("latin-1"), overlay=overlay
    )
    for transaction in reader:
        transaction.report.issues.extend(
            validate_transaction(transaction, overlay, DEFAULT_VERSION)
        )
    headers = {h.ordinal: h for h, _ in reader.closed}
    now = timestamp or datetime.now(UTC)
    out: list[bytes] = []
    number = control_number
    for ordinal, report in enumerate(reader.report.interchanges, start=1):
        header = headers.get(ordinal)
        if header is None or not header.enveloped:
            continue
        d = delimiters or Delimiters(
            header.delimiters.element,
            header.delimiters.component,
            header.delimiters.repetition if header.version >= "00402" else None,
            header.delimiters.segment,
            header.delimiters.suffix,
        )
        if not d.usable():
            d = Delimiters(suffix="\n")  # what the partner declared cannot be written back
        leading: list[Segment] = []
        if ta1 == "always" or (ta1 == "auto" and (header.ack_requested or report.issues)):
            leading.append(build_ta1(report, date=header.date, time=header.time))
        enveloped_groups = [g for g in report.groups if not g.implicit]
        declared = {
            id(g): h.declared_count for g, h in zip(enveloped_groups, header.groups, strict=False)
        }
        answered = [g for g in enveloped_groups if g.functional_id != "FA"]
        if report_interchange_status(report) is Status.REJECTED:
            answered = []  # a rejected interchange is answered by its TA1 alone
        sets: dict[tuple[str, str], list[list[Segment]]] = {}
        for index, group in enumerate(answered, start=1):
            five = (group.version or DEFAULT_VERSION)[:6] >= "005010"
            which = kind if kind in ("997", "999") else ("999" if five else "997")
            tx_number = f"{index:04d}"
            if which == "999":
                built = build_999(
                    group, control_number=tx_number, delimiters=d, included=declared.get(id(group))
                )
                gs_version = "005010X231A1"
            else:
                gs_version = "005010" if five else "004010"
                built = build_997(
                    group,
                    control_number=tx_number,
                    delimiters=d,
                    version=gs_version,
                    included=declared.get(id(group)),
                )
            sets.setdefault((which, gs_version), []).append(built)
        if not leading and not sets:
            continue
        out.append(_ack_interchange(header, leading, sets, number, d, now))
        number += 1
    return b"".join(out)


def _ack_interchange(
    header: InterchangeHeader,
    leading: list[Segment],
    sets: dict[tuple[str, str], list[list[Segment]]],
    number: int,
    d: Delimiters,
    now: datetime,
) -> bytes:
    """One interchange back to the sender: TA1s first, then one FA group per ack kind."""
    five = any(version >= "005010" for _, version in sets) or (
        not sets and header.version >= "00501"
    )
    if five and d.repetition is None:
        spare = next(ch for ch in "^{!~`" if ch not in (d.element, d.component, d.segment))
        d = Delimiters(d.element, d.component, spare, d.segment, d.suffix)
    envelope = Envelope(
        sender_id=_clean(header.receiver_id, d)[:15],
        receiver_id=_clean(header.sender_id, d)[:15],
        sender_qualifier=_clean(header.receiver_qualifier, d)[:2] or "ZZ",
        receiver_qualifier=_clean(header.sender_qualifier, d)[:2] or "ZZ",
        control_number=number,
        group_control_number=number,
        functional_id="FA",
        version="005010" if five else "004010",
        test_indicator=header.test_indicator if header.test_indicator in ("P", "T", "I") else "P",
        timestamp=now,
    )
    segments: list[Segment] = [isa_segment(envelope), *leading]
    for index, ((_, gs_version), transactions) in enumerate(sets.items(), start=1):
        control = str(number) if len(sets) == 1 else f"{number}{index}"
        segments.append(
            Segment(
                "GS",
                [
                    "FA",
                    envelope.sender_id,
                    envelope.receiver_id,
                    now.strftime("%Y%m%d"),
                    now.strftime("%H%M"),
                    control,
                    "X",
                    gs_version,
                ],
            )
        )
        for tx in transactions:
            segments.extend(tx)
        segments.append(Segment("GE", [str(len(transactions)), control]))
    segments.append(Segment("IEA", [str(len(sets)), str(number).zfill(9)]))
    return write_segments([_scrub(segment, d) for segment in segments], d)


def _scrub(segment: Segment, d: Delimiters) -> Segment:
    """Values echoed from the partner's file (control numbers, ids, bad data) lose any
    character that is a delimiter of the acknowledgement: X12 cannot escape them."""
    if segment.tag == "ISA":
        return segment
    values: list[Any] = []
    for value in segment.elements:
        if isinstance(value, str):
            values.append(_clean(value, d) if value else value)
        elif isinstance(value, tuple):
            values.append(tuple(_clean(v, d) for v in value))
        else:
            values.append(value)
    return Segment(segment.tag, values, segment.location)


# ------------------------------------------------------------------ reading

STATUS_OF_CODE = {
    "A": Status.ACCEPTED,
    "E": Status.ACCEPTED_WITH_ERRORS,
    "P": Status.ACCEPTED_WITH_ERRORS,  # partially accepted: see the transactions
    "R": Status.REJECTED,
    "M": Status.REJECTED,
    "W": Status.REJECTED,
    "X": Status.REJECTED,
}

TA1_NOTES = {
    "000": "no error",
    "001": "control numbers in ISA and IEA differ",
    "002": "standard in ISA-11 not supported",
    "003": "version of the controls not supported",
    "004": "segment terminator invalid",
    "005": "invalid interchange sender id qualifier",
    "006": "invalid interchange sender id",
    "007": "invalid interchange receiver id qualifier",
    "008": "invalid interchange receiver id",
    "009": "unknown interchange receiver id",
    "010": "invalid authorization information qualifier",
    "011": "invalid authorization information value",
    "012": "invalid security information qualifier",
    "013": "invalid security information value",
    "014": "invalid interchange date",
    "015": "invalid interchange time",
    "016": "invalid interchange standards identifier",
    "017": "invalid interchange version id",
    "018": "invalid interchange control number",
    "019": "invalid acknowledgment requested value",
    "020": "invalid test indicator value",
    "021": "invalid number of included groups",
    "022": "invalid control structure",
    "023": "improper (premature) end of file",
    "024": "invalid interchange content",
}


@dataclass(slots=True)
class SegmentNote:
    """An AK3/IK3 with its AK4/IK4 element notes."""

    segment_id: str
    position: str
    loop_id: str
    code: str
    elements: list[dict[str, str]] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # CTX (999)


@dataclass(slots=True)
class TransactionAck:
    set_id: str
    control_number: str
    code: str  # AK5-01 / IK5-01
    status: Status
    errors: list[str] = field(default_factory=list)  # AK5-02.. / IK5-02..
    segments: list[SegmentNote] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "set_id": self.set_id,
            "control_number": self.control_number,
            "code": self.code,
            "status": self.status.value,
            "errors": list(self.errors),
            "segments": [
                {
                    "segment_id": s.segment_id,
                    "position": s.position,
                    "loop_id": s.loop_id,
                    "code": s.code,
                    "elements": s.elements,
                    "context": s.context,
                }
                for s in self.segments
            ],
        }


@dataclass(slots=True)
class GroupAck:
    """One AK1..AK9: which group of the original interchange, and its outcome."""

    functional_id: str
    control_number: str
    version: str
    code: str  # AK9-01
    status: Status
    included: int | None
    received: int | None
    accepted: int | None
    errors: list[str] = field(default_factory=list)
    transactions: list[TransactionAck] = field(default_factory=list)

    @property
    def partially_accepted(self) -> bool:
        return self.code == "P"

    def to_dict(self) -> dict[str, Any]:
        return {
            "functional_id": self.functional_id,
            "control_number": self.control_number,
            "version": self.version,
            "code": self.code,
            "status": self.status.value,
            "included": self.included,
            "received": self.received,
            "accepted": self.accepted,
            "errors": list(self.errors),
            "transactions": [t.to_dict() for t in self.transactions],
        }


@dataclass(slots=True)
class InterchangeAck:
    """One TA1: the interchange control number it answers and the outcome."""

    control_number: str
    date: str
    time: str
    code: str
    status: Status
    note_code: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "control_number": self.control_number,
            "date": self.date,
            "time": self.time,
            "code": self.code,
            "status": self.status.value,
            "note_code": self.note_code,
            "note": self.note,
        }


@dataclass(slots=True)
class Acknowledgement:
    """Everything one inbound acknowledgement interchange says (kind: 997, 999 or TA1)."""

    kind: str
    sender_id: str
    receiver_id: str
    control_number: str
    interchanges: list[InterchangeAck] = field(default_factory=list)
    groups: list[GroupAck] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # what was wrong with the ack itself

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sender_id": self.sender_id,
            "receiver_id": self.receiver_id,
            "control_number": self.control_number,
            "interchanges": [i.to_dict() for i in self.interchanges],
            "groups": [g.to_dict() for g in self.groups],
            "errors": [i.to_dict() for i in self.issues],
        }


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdecimal() else None


def _read_functional_ack(segments: Sequence[Segment]) -> GroupAck | None:
    group: GroupAck | None = None
    tx: TransactionAck | None = None
    note: SegmentNote | None = None
    for seg in segments:
        tag = seg.tag
        if tag == "AK1":
            group = GroupAck(
                seg.get(1), seg.get(2), seg.get(3), "", Status.REJECTED, None, None, None
            )
        elif group is None:
            continue
        elif tag == "AK2":
            tx = TransactionAck(seg.get(1), seg.get(2), "", Status.REJECTED)
            group.transactions.append(tx)
            note = None
        elif tag in ("AK3", "IK3") and tx is not None:
            note = SegmentNote(seg.get(1), seg.get(2), seg.get(3), seg.get(4))
            tx.segments.append(note)
        elif tag in ("AK4", "IK4") and note is not None:
            note.elements.append(
                {
                    "position": seg.get(1, 1),
                    "component": seg.get(1, 2),
                    "element_ref": seg.get(2),
                    "code": seg.get(3),
                    "value": seg.get(4),
                }
            )
        elif tag == "CTX" and note is not None:
            note.context.append(seg.get(1) + (":" + seg.get(1, 2) if seg.get(1, 2) else ""))
        elif tag in ("AK5", "IK5") and tx is not None:
            tx.code = seg.get(1)
            tx.status = STATUS_OF_CODE.get(tx.code, Status.REJECTED)
            tx.errors = [seg.get(i) for i in range(2, 7) if seg.get(i)]
        elif tag == "AK9":
            group.code = seg.get(1)
            group.status = STATUS_OF_CODE.get(group.code, Status.REJECTED)
            group.included, group.received, group.accepted = (
                _int(seg.get(2)),
                _int(seg.get(3)),
                _int(seg.get(4)),
            )
            group.errors = [seg.get(i) for i in range(5, 10) if seg.get(i)]
    return group


def parse_acknowledgements(data: object) -> list[Acknowledgement]:
    """Inbound 997 / 999 / TA1 interchanges as `Acknowledgement`s; the acks' own envelope and
    guide findings are in `.issues` (a broken ack still yields what could be read)."""
    from translators.x12._validate import library, validate_transaction

    reader = X12Reader(data if not isinstance(data, str) else data.encode("latin-1"))
    found: dict[int, Acknowledgement] = {}

    def ack_for(header: InterchangeHeader) -> Acknowledgement:
        if header.ordinal not in found:
            found[header.ordinal] = Acknowledgement(
                "TA1", header.sender_id, header.receiver_id, header.control_number
            )
        return found[header.ordinal]

    for transaction in reader:
        if transaction.set_id not in ("997", "999"):
            continue
        ack = ack_for(transaction.interchange)
        ack.kind = transaction.set_id
        ack.issues.extend(transaction.report.issues)
        ack.issues.extend(validate_transaction(transaction, None, "005010"))
        group = _read_functional_ack(transaction.segments)
        if group is not None:
            ack.groups.append(group)
    ta1_check = library().compiled("997-004010")
    for header, report in reader.closed:
        if header.ta1:
            ack = ack_for(header)
            for seg in header.ta1:
                code = seg.get(4)
                note = seg.get(5)
                ack.interchanges.append(
                    InterchangeAck(
                        seg.get(1),
                        seg.get(2),
                        seg.get(3),
                        code,
                        STATUS_OF_CODE.get(code, Status.REJECTED),
                        note,
                        TA1_NOTES.get(note, "unknown note code"),
                    )
                )
                ack.issues.extend(ta1_check.check_segment(seg))
        if header.ordinal in found:
            found[header.ordinal].issues.extend(report.issues)
            for group_report in report.groups:
                found[header.ordinal].issues.extend(group_report.issues)
    return [found[k] for k in sorted(found)]
