"""Whole inputs through the engines and the maps: every transaction of a file with its
envelope as `Source` and its canonical record, and the `canonical` field of an
`AnalysisReport` filled from them (what `edigw translate` prints). Pure: bytes in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from translators.canonical.models import CanonicalRecord, Source
from translators.core.report import AnalysisReport
from translators.core.segment import Segment
from translators.maps import canonical_dict, to_canonical
from translators.maps.context import DEFAULT_CONTEXT, MapContext


@dataclass(slots=True)
class TranslatedTransaction:
    standard: str
    doc_type: str
    version: str | None
    control_number: str | None
    source: Source
    segments: list[Segment]
    record: CanonicalRecord | None  # None: no map for this type


def iter_sources(data: bytes, standard: str) -> Iterator[tuple[str, Source, list[Segment]]]:
    """(type, source, segments) for every transaction / message in `data`, in file order
    (X12 TA1 segments too, as type "TA1", ahead of their interchange's groups)."""
    if standard == "x12":
        from translators import x12

        for interchange in x12.parse(data):
            ic = interchange.header
            for ta1 in ic.ta1:  # interchange acknowledgements travel outside any group
                yield (
                    "TA1",
                    Source(
                        standard="x12",
                        version=ic.version or None,
                        message_type="TA1",
                        interchange_control_number=ic.control_number or None,
                        sender_id=ic.sender_id or None,
                        receiver_id=ic.receiver_id or None,
                    ),
                    [ta1],
                )
            for transaction in interchange.transactions():
                group = transaction.group
                version = (transaction.version or "")[:6] or None
                yield (
                    transaction.set_id,
                    Source(
                        standard="x12",
                        version=version,
                        message_type=transaction.set_id or None,
                        interchange_control_number=ic.control_number or None,
                        group_control_number=group.control_number or None,
                        transaction_control_number=transaction.control_number or None,
                        sender_id=ic.sender_id or group.sender_id or None,
                        receiver_id=ic.receiver_id or group.receiver_id or None,
                    ),
                    transaction.segments,
                )
    else:
        from translators import edifact

        for message in edifact.iter_messages(data):
            header = message.interchange
            yield (
                message.type,
                Source(
                    standard="edifact",
                    version=message.directory or None,
                    message_type=message.type or None,
                    interchange_control_number=header.control_reference,
                    group_control_number=message.group.reference if message.group else None,
                    transaction_control_number=message.reference or None,
                    sender_id=header.sender_id,
                    receiver_id=header.recipient_id,
                ),
                message.segments(),
            )


def iter_translated(
    data: bytes, standard: str, context: MapContext | None = None
) -> Iterator[TranslatedTransaction]:
    context = context or DEFAULT_CONTEXT
    for doc_type, source, segments in iter_sources(data, standard):
        if context.partner:
            source.partner = context.partner
        yield TranslatedTransaction(
            standard=standard,
            doc_type=doc_type,
            version=source.version,
            control_number=source.transaction_control_number,
            source=source,
            segments=segments,
            record=to_canonical(standard, doc_type, segments, source, context),
        )


def attach_canonical(
    report: AnalysisReport, data: bytes, context: MapContext | None = None
) -> AnalysisReport:
    """Fill `TransactionReport.canonical` for every transaction a map exists for. The
    report's transactions and the engine's stream are walked in the same file order; a
    transaction whose type or control number disagrees is left without a record."""
    context = context or DEFAULT_CONTEXT
    reports = [t for ic in report.interchanges for t in ic.transactions()]
    # TA1s have no TransactionReport to carry them
    stream = (item for item in iter_sources(data, report.standard) if item[0] != "TA1")
    for transaction_report, (doc_type, source, segments) in zip(reports, stream, strict=False):
        if context.partner:
            source.partner = context.partner
        same_type = (transaction_report.type or "").strip() == doc_type.strip()
        same_number = (transaction_report.control_number or "").strip() == (
            source.transaction_control_number or ""
        )
        if not (same_type and same_number):
            continue
        canonical: dict[str, Any] | None = canonical_dict(
            report.standard, doc_type, segments, source, context
        )
        transaction_report.canonical = canonical
    return report


# X12 GS-01 functional identifier of each set we write
FUNCTIONAL_ID = {"204": "SM", "214": "QM", "210": "IM", "990": "GF"}


@dataclass(slots=True)
class Parties:
    """Envelope ids for an outbound interchange (from the partner profile, or placeholders)."""

    sender_id: str = "SENDER"
    receiver_id: str = "RECEIVER"
    sender_qualifier: str | None = "ZZ"
    receiver_qualifier: str | None = "ZZ"
    interchange_control_number: int = 1
    group_control_number: int = 1
    test: bool = False
    # X12 GS-02 / GS-03 when they differ from the ISA ids
    application_sender: str | None = None
    application_receiver: str | None = None


def render(
    record: CanonicalRecord,
    standard: str,
    version: str | None = None,
    context: MapContext | None = None,
    parties: Parties | None = None,
    prepared: dt.datetime | None = None,
) -> bytes:
    """`record` as one interchange of `standard` (its map, then the engine's writer)."""
    from translators.maps import DEFAULT_VERSION, MapError, from_canonical

    parties = parties or Parties()
    version = version or DEFAULT_VERSION.get(standard.lower(), "")
    prepared = prepared or dt.datetime.now(dt.UTC)
    segments = from_canonical(record, standard, version, context)
    if standard.lower() == "x12":
        from translators import x12

        envelope = x12.Envelope(
            sender_id=parties.sender_id,
            receiver_id=parties.receiver_id,
            sender_qualifier=parties.sender_qualifier or "ZZ",
            receiver_qualifier=parties.receiver_qualifier or "ZZ",
            control_number=parties.interchange_control_number,
            group_control_number=parties.group_control_number,
            functional_id=FUNCTIONAL_ID[segments[0].get(1)],
            application_sender=parties.application_sender,
            application_receiver=parties.application_receiver,
            version=version,
            test_indicator="T" if parties.test else "P",
            timestamp=prepared,
        )
        try:
            return x12.write([segments], envelope)
        except x12.WriteError as exc:  # e.g. a delimiter inside a value: X12 cannot escape it
            raise MapError(f"cannot render: {exc}") from exc
    from translators import edifact

    directory = version.upper()
    message = edifact.OutboundMessage(
        reference=segments[0].get(1),
        type=segments[0].get(2, 1),
        version=directory[:1],
        release=directory[1:],
        body=segments[1:-1],
    )
    try:
        return _write_edifact(edifact, message, parties, prepared)
    except edifact.WriterError as exc:
        raise MapError(f"cannot render: {exc}") from exc


def _write_edifact(edifact: Any, message: Any, parties: Parties, prepared: dt.datetime) -> bytes:
    data: bytes = edifact.write(
        [message],
        sender=parties.sender_id,
        recipient=parties.receiver_id,
        sender_qualifier=parties.sender_qualifier,
        recipient_qualifier=parties.receiver_qualifier,
        control_reference=str(parties.interchange_control_number),
        prepared=prepared,
        test=parties.test,
    )
    return data
