"""EDIFACT IFTMBC booking confirmation -> TenderResponse (the forwarding counterpart of a 990:
the carrier confirms, conditionally confirms or rejects a booking). Inbound only."""

from __future__ import annotations

from collections.abc import Sequence

from translators.canonical.models import References, Source, TenderResponse
from translators.canonical.vocab import TenderAction
from translators.core.segment import Segment
from translators.maps import _edifact as e
from translators.maps._common import Findings, clean
from translators.maps.context import DEFAULT_CONTEXT, MapContext

# BGM 4343 response type; without one, BGM 1225 1 (cancellation) is a decline
RESPONSE_TYPE = {
    "AP": TenderAction.ACCEPTED,
    "CA": TenderAction.CONDITIONALLY_ACCEPTED,
    "RE": TenderAction.DECLINED,
}


def to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> TenderResponse:
    context = context or DEFAULT_CONTEXT
    findings = Findings()
    items = e.body(segments)
    bgm = next((s for s in items if s.tag == "BGM"), Segment("BGM"))
    refs: References = {}
    remarks: list[str] = []
    scac: str | None = None
    for s in items:
        if s.tag == "RFF":
            e.read_reference(s, refs, context)
        elif s.tag == "FTX" and s.get(1).strip() == "AAI":
            text = " ".join(v for v in (clean(s.get(4, n)) for n in range(1, 6)) if v)
            if text:
                remarks.append(text)
        elif s.tag == "TDT" and scac is None and s.get(5, 3).strip() == "182":
            scac = clean(s.get(5, 1))
    response_type, function = bgm.get(4).strip(), bgm.get(3).strip()
    action = RESPONSE_TYPE.get(response_type)
    if action is None:
        action = TenderAction.DECLINED if function == "1" else TenderAction.ACCEPTED
    booking = refs.get("booking") or []
    shipment_id = booking[0] if booking else clean(bgm.get(2, 1))
    if shipment_id is None:
        findings.add("missing_shipment_id", "no booking reference (RFF+BN) or BGM number", "RFF")
    return TenderResponse(
        source=source,
        shipment_id=shipment_id or "",
        carrier_scac=scac,
        action=action,
        action_code=response_type or function or None,
        remarks=remarks,
        references=refs,
        warnings=findings.items,
    )
