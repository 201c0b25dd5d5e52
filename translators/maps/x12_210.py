"""X12 210 Motor Carrier Freight Details and Invoice <-> FreightInvoice: B3 identity, dates
and net amount (N2), parties and references, one ChargeLine per L1 with its charge class and
original code, and the totals cross-checked against the lines."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from translators.canonical.models import ChargeLine, FreightInvoice, Money, Source, Weight
from translators.canonical.vocab import ChargeClass
from translators.codes import charges
from translators.codes import qualifiers as q
from translators.core.segment import Segment
from translators.maps import _x12
from translators.maps._common import (
    Findings,
    clean,
    decimal,
    implied,
    n2,
    parse_date,
    real,
    require,
)
from translators.maps._common import currency as to_currency
from translators.maps.context import DEFAULT_CONTEXT, MapContext


def to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> FreightInvoice:
    context = context or DEFAULT_CONTEXT
    findings = Findings()
    items = _x12.body(segments)
    b3 = next((s for s in items if s.tag == "B3"), Segment("B3"))
    c3 = next((s for s in items if s.tag == "C3"), None)
    currency = to_currency(
        c3.get(1) if c3 is not None else None, context.default_currency, findings, "C3-01"
    )
    net_due = implied(b3.get(7), 2)
    if net_due is None:
        findings.add("missing_total", "B3-07 net amount due is missing or not a number", "B3-07")
    invoice = FreightInvoice(
        source=source,
        invoice_number=clean(b3.get(2)) or "",
        shipment_id=clean(b3.get(3)),
        payment_method=q.X12_PAYMENT.get(b3.get(4).strip()),
        invoice_date=parse_date(b3.get(6), findings, "B3-06"),
        delivery_date=parse_date(b3.get(9), findings, "B3-09"),
        carrier_scac=clean(b3.get(11)),
        ship_date=parse_date(b3.get(12), findings, "B3-12"),
        currency=currency,
        total=Money(amount=net_due if net_due is not None else Decimal(0), currency=currency),
    )
    if not invoice.invoice_number:
        findings.add("missing_invoice_number", "B3-02 invoice number is empty", "B3-02")
    refs: dict[str, list[str]] = {}
    in_detail = False
    description: str | None = None
    line_weight: Weight | None = None
    lx_number: int | None = None
    l3_total: Decimal | None = None
    i = 0
    while i < len(items):
        s = items[i]
        if s.tag == "N1":
            party, i = _x12.read_party(items, i, context, refs)
            invoice.parties.append(party)
            continue
        if s.tag in ("N9", "L11") and not in_detail:
            _x12.read_reference(s, refs, context)
        elif s.tag == "LX":
            in_detail = True
            raw = s.get(1).strip()
            lx_number = int(raw) if raw.isdecimal() else None
            description, line_weight = None, None
        elif s.tag == "L5":
            description = clean(s.get(2)) or description
        elif s.tag == "L0":
            line_weight = _x12.read_weight(s.get(11) or "L", s.get(4), s.get(5)) or line_weight
        elif s.tag == "L1":
            invoice.lines.append(
                _line(s, lx_number, description, line_weight, currency, context, findings)
            )
        elif s.tag == "L3":
            l3_total = implied(s.get(5), 2)
            invoice.total_weight = _x12.read_weight(s.get(12) or "L", s.get(1), s.get(2))
        i += 1
    invoice.references = refs
    _check_totals(invoice, l3_total, context, findings)
    invoice.warnings = findings.items
    return invoice


def _line(
    l1: Segment,
    lx_number: int | None,
    description: str | None,
    weight: Weight | None,
    currency: str,
    context: MapContext,
    findings: Findings,
) -> ChargeLine:
    raw_number = l1.get(1).strip()
    number = int(raw_number) if raw_number.isdecimal() else lx_number
    code = clean(l1.get(8))
    charge_class, meaning = charges.charge_class(
        code, charges.X12_CHARGE, context.charge_codes or None
    )
    if charge_class is None:
        charge_class = ChargeClass.LINE_HAUL if code is None else ChargeClass.OTHER
        if code is not None:
            findings.add(
                "unknown_charge_code", f"L1-08 charge code {code!r} not known", f"L1[{number}]"
            )
    amount = implied(l1.get(4), 2)
    if amount is None:
        findings.add("missing_charge", "L1-04 charge is missing or not a number", f"L1[{number}]")
        amount = Decimal(0)
    return ChargeLine(
        line_number=number,
        charge_class=charge_class,
        code=code,
        code_list="x12:150" if code else None,
        description=clean(l1.get(12)) or description or meaning,
        amount=Money(amount=amount, currency=currency),
        rate=decimal(l1.get(2)),
        rate_qualifier=clean(l1.get(3)),
        weight=weight,
    )


def _check_totals(
    invoice: FreightInvoice, l3_total: Decimal | None, context: MapContext, findings: Findings
) -> None:
    tolerance = Decimal(context.total_tolerance)
    lines = invoice.line_total()
    if not invoice.lines:
        findings.add("no_charge_lines", "the invoice has no L1 charge lines", "L1")
    elif abs(lines - invoice.total.amount) > tolerance:
        findings.add(
            "total_mismatch",
            f"charge lines add up to {lines}, B3-07 says {invoice.total.amount}",
            "B3-07",
        )
    if l3_total is not None and abs(l3_total - invoice.total.amount) > tolerance:
        findings.add(
            "total_mismatch",
            f"L3-05 total {l3_total} differs from B3-07 {invoice.total.amount}",
            "L3-05",
        )


def from_canonical(
    invoice: FreightInvoice,
    version: str = "004010",
    context: MapContext | None = None,
    control_number: str = "0001",
) -> list[Segment]:
    """A 210 transaction set (ST..SE): one LX per charge line."""
    context = context or DEFAULT_CONTEXT
    payment = q.X12_PAYMENT_CODE.get(invoice.payment_method) if invoice.payment_method else None
    out = [
        _x12.seg(
            "B3",
            "",
            invoice.invoice_number,
            invoice.shipment_id,
            payment or "PP",
            "",
            require(_date(invoice.invoice_date), None, "the invoice date (B3-06)"),
            n2(invoice.total.amount),
            "",
            _date(invoice.delivery_date),
            "035" if invoice.delivery_date else "",
            require(invoice.carrier_scac, context.carrier_scac, "the carrier SCAC (B3-11)"),
            _date(invoice.ship_date),
        ),
        _x12.seg("C3", invoice.currency),
    ]
    out.extend(_x12.write_references("N9", invoice.references, context))
    for party in invoice.parties:
        out.extend(_x12.write_party(party, context, max_contacts=0))
    for index, line in enumerate(invoice.lines, start=1):
        number = line.line_number if line.line_number is not None else index
        out.append(_x12.seg("LX", str(number)))
        if line.description:
            out.append(_x12.seg("L5", str(number), line.description))
        if line.weight is not None:
            qualifier, unit, value = _x12.weight_codes(line.weight)
            out.append(_x12.seg("L0", str(number), "", "", value, qualifier, *[""] * 5, unit))
        code = line.code if line.code_list == "x12:150" else None
        if code is None and (line.code_list or line.charge_class is not ChargeClass.LINE_HAUL):
            # an uncoded line reads back as line haul, so only other classes need a code
            code = charges.CLASS_TO_X12.get(line.charge_class)
        out.append(
            _x12.seg(
                "L1",
                str(number),
                # L1-02 and L1-03 go together (P0203): a rate without its basis stays out
                real(line.rate) if line.rate is not None and line.rate_qualifier else "",
                line.rate_qualifier if line.rate is not None else "",
                n2(line.amount.amount),
                "",
                "",
                "",
                code,
            )
        )
    if invoice.total_weight is not None:
        qualifier, unit, value = _x12.weight_codes(invoice.total_weight)
        out.append(
            _x12.seg("L3", value, qualifier, "", "", n2(invoice.total.amount), *[""] * 6, unit)
        )
    else:
        out.append(_x12.seg("L3", "", "", "", "", n2(invoice.total.amount)))
    return _x12.frame("210", out, control_number)


def _date(value: object) -> str:
    return value.strftime("%Y%m%d") if hasattr(value, "strftime") else ""
