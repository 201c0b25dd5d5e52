"""X12 990 Response to a Load Tender <-> TenderResponse (B1 verdict, N9 references, V9
reason, K1 remarks)."""

from __future__ import annotations

from collections.abc import Sequence

from translators.canonical.models import Source, TenderResponse
from translators.canonical.vocab import TenderAction
from translators.core.segment import Segment
from translators.maps import _x12
from translators.maps._common import Findings, clean, parse_date, require
from translators.maps.context import DEFAULT_CONTEXT, MapContext, MapError

# B1-04 Reservation Action Code (558); 004010 partners use A/D, later releases add the rest
ACTION = {
    "A": TenderAction.ACCEPTED,
    "D": TenderAction.DECLINED,
    "E": TenderAction.DECLINED,
    "B": TenderAction.CONDITIONALLY_ACCEPTED,
    "C": TenderAction.COUNTER_PROPOSAL,
}
ACTION_CODE = {
    TenderAction.ACCEPTED: "A",
    TenderAction.DECLINED: "D",
    TenderAction.CONDITIONALLY_ACCEPTED: "B",
    TenderAction.COUNTER_PROPOSAL: "C",
}


def to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> TenderResponse:
    context = context or DEFAULT_CONTEXT
    findings = Findings()
    items = _x12.body(segments)
    b1 = next((s for s in items if s.tag == "B1"), Segment("B1"))
    code = clean(b1.get(4))
    action = ACTION.get(code or "", TenderAction.UNKNOWN)
    if action is TenderAction.UNKNOWN:
        findings.add("unknown_action_code", f"B1-04 reservation action {code!r} not known", "B1-04")
    response = TenderResponse(
        source=source,
        shipment_id=clean(b1.get(2)) or "",
        carrier_scac=clean(b1.get(1)),
        action=action,
        action_code=code,
        response_date=parse_date(b1.get(3), findings, "B1-03"),
    )
    refs: dict[str, list[str]] = {}
    for s in items:
        if s.tag in ("N9", "L11"):
            _x12.read_reference(s, refs, context)
        elif s.tag == "V9" and response.reason_code is None:
            response.reason_code = clean(s.get(1))
        elif s.tag == "K1":
            response.remarks.extend(v for v in (clean(s.get(1)), clean(s.get(2))) if v)
    response.references = refs
    response.warnings = findings.items
    return response


def from_canonical(
    response: TenderResponse,
    version: str = "004010",
    context: MapContext | None = None,
    control_number: str = "0001",
) -> list[Segment]:
    """A 990 transaction set (ST..SE)."""
    context = context or DEFAULT_CONTEXT
    code = response.action_code if response.action_code in ACTION else None
    if code is None or ACTION[code] is not response.action:
        code = ACTION_CODE.get(response.action, "D")
    if version < "004040" and code == "E":
        code = "D"  # "declined" arrived in 004040; before it a decline is D
    if version < "004040" and code not in ("A", "D"):
        # 004010's reservation action list (558) has only accept and decline
        raise MapError(f"cannot render: a {response.action.value} answer needs 004040 or later")
    date = response.response_date.strftime("%Y%m%d") if response.response_date else ""
    scac = require(response.carrier_scac, context.carrier_scac, "the carrier SCAC (B1-01)")
    out = [_x12.seg("B1", scac, response.shipment_id, date, code)]
    # the 990 has room for one N9: the first reference goes, the rest cannot be carried
    out.extend(_x12.write_references("N9", response.references, context)[:1])
    if response.reason_code:
        out.append(_x12.seg("V9", response.reason_code))
    out.extend(_x12.remarks("K1", response.remarks, 30)[:10])
    return _x12.frame("990", out, control_number)
