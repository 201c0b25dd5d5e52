"""Render canonical records as one interchange in a partner's dialect.

The maps give each transaction's segments; the engines' writers wrap them in the
partner's envelope with its delimiters and usage indicator. Control numbers come from the
partner's counters inside the caller's transaction, so concurrent workers never share one
and a rolled-back render gives its numbers up only as a gap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gateway.store import next_control_number
from partner_profiles.schema import PartnerProfile
from translators import edifact, x12
from translators.canonical.models import CanonicalRecord
from translators.core.segment import Segment
from translators.edifact.syntax import Delimiters as EdifactDelimiters
from translators.maps import MapContext, from_canonical

# X12 GS-01 functional identifier per transaction set
FUNCTIONAL_ID = {"204": "SM", "214": "QM", "210": "IM", "990": "GF", "997": "FA", "999": "FA"}
EDIFACT_REFERENCE_MAX = 99_999_999_999_999  # UNB 0020 is an..14


@dataclass
class RenderedDocument:
    doc_type: str
    control_number: str
    canonical: dict[str, object]


@dataclass
class RenderedInterchange:
    standard: str
    version: str
    control_number: str
    group_control_number: str | None
    data: bytes
    documents: list[RenderedDocument] = field(default_factory=list)


class RenderError(ValueError):
    """The records cannot be rendered for this partner (missing ids, no map...)."""


def _doc_type(segments: Sequence[Segment]) -> str:
    head = segments[0]
    return head.get(1) if head.tag == "ST" else head.get(2, 1)


def render(
    session: Session,
    profile: PartnerProfile,
    records: Sequence[CanonicalRecord],
    *,
    now: datetime | None = None,
) -> RenderedInterchange:
    """One interchange holding `records` (all of one X12 functional group kind)."""
    if not records:
        raise RenderError("nothing to render")
    now = now or datetime.now(UTC)
    context = profile.map_context()
    if profile.standard == "x12":
        return _render_x12(session, profile, records, context, now)
    return _render_edifact(session, profile, records, context, now)


def _render_x12(
    session: Session,
    profile: PartnerProfile,
    records: Sequence[CanonicalRecord],
    context: MapContext,
    now: datetime,
) -> RenderedInterchange:
    ours, theirs = profile.envelope.ours, profile.envelope.theirs
    if not (ours.isa_id and theirs.isa_id):
        raise RenderError(f"profile {profile.id} has no ISA ids for us and the partner")
    transactions: list[list[Segment]] = []
    documents: list[RenderedDocument] = []
    for record in records:
        st = f"{next_control_number(session, profile.id, 'st', 999_999_999):04d}"
        segments = from_canonical(record, "x12", profile.version, context, control_number=st)
        transactions.append(segments)
        documents.append(RenderedDocument(_doc_type(segments), st, record.model_dump(mode="json")))
    kinds = {FUNCTIONAL_ID.get(d.doc_type, "") for d in documents}
    if len(kinds) != 1 or "" in kinds:
        raise RenderError(f"one interchange carries one functional group, got {sorted(kinds)}")
    isa = next_control_number(session, profile.id, "isa")
    gs = next_control_number(session, profile.id, "gs")
    d = profile.outbound.delimiters.effective("x12")
    delimiters = x12.Delimiters(
        element=d["element"],
        component=d["component"],
        repetition=d["repetition"] if profile.version >= "00402" else None,
        segment=d["segment"],
        suffix="\n" if profile.outbound.newline_after_segment else "",
    )
    envelope = x12.Envelope(
        sender_id=ours.isa_id,
        receiver_id=theirs.isa_id,
        sender_qualifier=ours.isa_qualifier or "ZZ",
        receiver_qualifier=theirs.isa_qualifier or "ZZ",
        application_sender=ours.gs_id,
        application_receiver=theirs.gs_id,
        control_number=isa,
        group_control_number=gs,
        functional_id=kinds.pop(),
        version=profile.version,
        test_indicator="T" if profile.outbound.usage == "test" else "P",
        ack_requested=profile.acknowledgements.request_ta1,
        timestamp=now,
    )
    data = x12.write(transactions, envelope, delimiters)
    return RenderedInterchange("x12", profile.version, f"{isa:09d}", str(gs), data, documents)


def _render_edifact(
    session: Session,
    profile: PartnerProfile,
    records: Sequence[CanonicalRecord],
    context: MapContext,
    now: datetime,
) -> RenderedInterchange:
    ours, theirs = profile.envelope.ours, profile.envelope.theirs
    if not (ours.unb_id and theirs.unb_id):
        raise RenderError(f"profile {profile.id} has no UNB ids for us and the partner")
    messages: list[edifact.OutboundMessage] = []
    documents: list[RenderedDocument] = []
    version, release = profile.version[:1], profile.version[1:]
    for record in records:
        ref = str(next_control_number(session, profile.id, "unh", 99_999_999))
        segments = from_canonical(record, "edifact", profile.version, context, control_number=ref)
        body = [s for s in segments if s.tag not in ("UNH", "UNT")]
        doc_type = _doc_type(segments)
        messages.append(
            edifact.OutboundMessage(
                reference=ref, type=doc_type, version=version, release=release, body=body
            )
        )
        documents.append(RenderedDocument(doc_type, ref, record.model_dump(mode="json")))
    reference = str(next_control_number(session, profile.id, "unb", EDIFACT_REFERENCE_MAX))
    d = profile.outbound.delimiters.effective("edifact")
    delimiters = EdifactDelimiters(
        component=d["component"],
        element=d["element"],
        decimal=d["decimal"],
        release=d["release"],
        terminator=d["segment"],
    )
    data = edifact.write(
        messages,
        sender=ours.unb_id,
        recipient=theirs.unb_id,
        sender_qualifier=ours.unb_qualifier,
        recipient_qualifier=theirs.unb_qualifier,
        control_reference=reference,
        delimiters=delimiters,
        prepared=now,
        acknowledgement_request=profile.acknowledgements.expect != "none",
        test=profile.outbound.usage == "test",
        line_break=profile.outbound.newline_after_segment,
    )
    return RenderedInterchange("edifact", profile.version, reference, None, data, documents)
