"""X12 writer: segments to bytes with chosen delimiters, a fixed-width ISA, and trailers whose
counts and control numbers are computed, never copied."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from translators.core.segment import Segment, Value
from translators.x12._tokenizer import STANDARD_DELIMITERS, Delimiters

ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


class WriteError(ValueError):
    """The segments cannot be written as asked (a delimiter inside data, a bad ISA value)."""


def _text(value: Value, d: Delimiters, where: str) -> str:
    if isinstance(value, str):
        _check(value, d, where)
        return value
    if isinstance(value, tuple):
        for part in value:
            _check(part, d, where)
        return d.component.join(value).rstrip(d.component)
    if d.repetition is None:
        raise WriteError(
            f"{where}: repeated element but the interchange has no repetition separator"
        )
    return d.repetition.join(_text(v, d, where) for v in value)


def _check(text: str, d: Delimiters, where: str) -> None:
    # X12 has no release character: a delimiter inside data would break the file
    for delimiter in (d.element, d.segment, d.component, d.repetition):
        if delimiter and delimiter in text:
            raise WriteError(f"{where}: value {text!r} contains the delimiter {delimiter!r}")


def segment_text(segment: Segment, d: Delimiters) -> str:
    """One segment without its terminator; trailing empty elements are dropped."""
    values = [_text(v, d, f"{segment.tag}-{i:02d}") for i, v in enumerate(segment.elements, 1)]
    while values and values[-1] == "":
        values.pop()
    return d.element.join([segment.tag, *values])


def isa_fields(fields: Sequence[str], d: Delimiters) -> list[str]:
    """ISA-01..16 padded to their fixed widths; ISA-11 and ISA-16 follow the delimiters."""
    if len(fields) != 16:
        raise WriteError(f"an ISA has 16 elements, got {len(fields)}")
    out: list[str] = []
    for index, (value, width) in enumerate(zip(fields, ISA_WIDTHS, strict=True), start=1):
        value = value.strip()
        if index == 11:
            value = d.repetition if d.repetition and fields[11] >= "00402" else "U"
        elif index == 16:
            value = d.component
        elif index == 13:
            if not value.isdecimal() or len(value) > 9:
                raise WriteError(f"ISA-13 must be up to 9 digits, got {value!r}")
            value = value.zfill(9)
        if len(value) > width:
            raise WriteError(f"ISA-{index:02d} {value!r} is longer than {width}")
        if index not in (11, 16):  # these two hold delimiters on purpose
            _check(value, d, f"ISA-{index:02d}")
        out.append(value.ljust(width))
    return out


def write_segments(
    segments: Iterable[Segment], delimiters: Delimiters = STANDARD_DELIMITERS
) -> bytes:
    """Serialise segments as given (an ISA is padded to fixed width); no counts are touched."""
    d = delimiters
    if len({d.element, d.component, d.segment, d.repetition or d.element}) != (
        4 if d.repetition else 3
    ):
        raise WriteError(f"delimiters must be distinct: {d.describe()}")
    end = d.segment + d.suffix
    out: list[str] = []
    for segment in segments:
        if segment.tag == "ISA":
            fields = [str(v) for v in segment.elements]
            out.append(d.element.join(["ISA", *isa_fields(fields, d)]) + end)
        else:
            out.append(segment_text(segment, d) + end)
    return "".join(out).encode("latin-1")


@dataclass(slots=True)
class Envelope:
    """What the writer needs to wrap transaction sets in ISA/GS (counts are computed)."""

    sender_id: str
    receiver_id: str
    control_number: int
    group_control_number: int
    functional_id: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    version: str = "004010"  # GS-08; ISA-12 is its first five characters
    application_sender: str | None = None  # GS-02, defaults to the interchange sender
    application_receiver: str | None = None
    test_indicator: str = "P"
    ack_requested: bool = False
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))


def isa_segment(envelope: Envelope) -> Segment:
    ts = envelope.timestamp
    return Segment(
        "ISA",
        [
            "00",
            "",
            "00",
            "",
            envelope.sender_qualifier,
            envelope.sender_id,
            envelope.receiver_qualifier,
            envelope.receiver_id,
            ts.strftime("%y%m%d"),
            ts.strftime("%H%M"),
            "U",
            envelope.version[:5],
            str(envelope.control_number),
            "1" if envelope.ack_requested else "0",
            envelope.test_indicator,
            ">",
        ],
    )


def transaction_segments(segments: Sequence[Segment]) -> list[Segment]:
    """ST..SE with SE-01 and SE-02 computed (an SE is added when missing)."""
    if not segments or segments[0].tag != "ST":
        raise WriteError("a transaction set starts with ST")
    body = [s for s in segments if s.tag != "SE"]
    control = segments[0].get(2)
    return [*body, Segment("SE", [str(len(body) + 1), control])]


def write(
    transactions: Iterable[Sequence[Segment]],
    envelope: Envelope,
    delimiters: Delimiters = STANDARD_DELIMITERS,
    *,
    leading: Sequence[Segment] = (),
) -> bytes:
    """One interchange with one functional group holding `transactions` (each ST..SE; SE is
    recomputed). `leading` segments (e.g. TA1s) go between the ISA and the GS. With no
    transactions the interchange carries no group (IEA-01 = 0)."""
    ts = envelope.timestamp
    sets = [transaction_segments(t) for t in transactions]
    out: list[Segment] = [isa_segment(envelope), *leading]
    if sets:
        out.append(
            Segment(
                "GS",
                [
                    envelope.functional_id,
                    envelope.application_sender or envelope.sender_id,
                    envelope.application_receiver or envelope.receiver_id,
                    ts.strftime("%Y%m%d"),
                    ts.strftime("%H%M"),
                    str(envelope.group_control_number),
                    "X",
                    envelope.version,
                ],
            )
        )
        for segments in sets:
            out.extend(segments)
        out.append(Segment("GE", [str(len(sets)), str(envelope.group_control_number)]))
    out.append(Segment("IEA", ["1" if sets else "0", str(envelope.control_number).zfill(9)]))
    return write_segments(out, delimiters)


def write_interchange(interchange: object, delimiters: Delimiters | None = None) -> bytes:
    """Write back a parsed `Interchange` (from `parse`), with its own delimiters unless others
    are given; trailers are recomputed, so valid input round-trips exactly."""
    from translators.x12 import Interchange

    if not isinstance(interchange, Interchange):
        raise TypeError("write_interchange takes an Interchange from translators.x12.parse")
    header = interchange.header
    d = delimiters or Delimiters(
        header.delimiters.element,
        header.delimiters.component,
        header.delimiters.repetition,
        header.delimiters.segment,
        header.delimiters.suffix,
    )
    out: list[Segment] = []
    if header.enveloped:
        out.append(Segment("ISA", list(header.fields)))
        out.extend(header.ta1)
    for group in interchange.groups:
        if not group.header.implicit:
            out.append(group.header.segment)
        for transaction in group.transactions:
            out.extend(transaction_segments(transaction.segments))
        if not group.header.implicit:
            out.append(Segment("GE", [str(len(group.transactions)), group.header.control_number]))
    if header.enveloped:
        groups = sum(1 for g in interchange.groups if not g.header.implicit)
        out.append(Segment("IEA", [str(groups), header.control_number]))
    return write_segments(out, d)
