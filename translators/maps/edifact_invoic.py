"""EDIFACT INVOIC <-> FreightInvoice: BGM number and type, DTM dates, RFF/NAD, CUX currency,
one ChargeLine per LIN (MOA 203) and per ALC group (MOA 23/8/204, allowances negative), tax
lines from TAX+MOA 124, and the booked total (MOA 77/86/39/9/128 by the partner's order)
cross-checked against the lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from translators.canonical.models import ChargeLine, FreightInvoice, Money, Source, Weight
from translators.canonical.vocab import ChargeClass, InvoiceKind
from translators.codes import charges
from translators.codes import qualifiers as q
from translators.core.segment import Segment
from translators.maps import _edifact as e
from translators.maps._common import Findings, clean, decimal, parse_date, real
from translators.maps._common import currency as to_currency
from translators.maps.context import DEFAULT_CONTEXT, MapContext, MapError

KIND = {
    "380": InvoiceKind.INVOICE,
    "780": InvoiceKind.INVOICE,
    "381": InvoiceKind.CREDIT_NOTE,
    "383": InvoiceKind.DEBIT_NOTE,
    "384": InvoiceKind.CORRECTED,
}
KIND_CODE = {
    InvoiceKind.INVOICE: "380",
    InvoiceKind.CREDIT_NOTE: "381",
    InvoiceKind.DEBIT_NOTE: "383",
    InvoiceKind.CORRECTED: "384",
}
CHARGE_AMOUNTS = ("23", "8", "204", "25")  # MOA qualifiers of an ALC group's amount
INVOICE_DATES = ("3", "137")
TAX_AMOUNT = "124"


def _date(dtm: Segment, findings: Findings, path: str) -> dt.date | None:
    value, fmt = dtm.get(1, 2).strip(), dtm.get(1, 3).strip()
    if fmt in ("203", "204", "303", "304") and len(value) >= 8:
        value = value[:8]
    return parse_date(value, findings, path)


class _Reader:
    def __init__(self, context: MapContext, findings: Findings, currency: str) -> None:
        self.context = context
        self.findings = findings
        self.currency = currency
        self.lines: list[ChargeLine] = []
        self.totals: dict[str, Decimal] = {}

    def money(self, amount: Decimal) -> Money:
        return Money(amount=amount, currency=self.currency)

    def item_line(self, items: Sequence[Segment], i: int) -> int:
        """A LIN group: item number, description (IMD), amount (MOA 203), rate (PRI)."""
        lin = items[i]
        raw = lin.get(1).strip()
        number = int(raw) if raw.isdecimal() else None
        code = clean(lin.get(3, 1))
        description: str | None = None
        amount: Decimal | None = None
        rate: Decimal | None = None
        weight: Weight | None = None
        i += 1
        while i < len(items) and items[i].tag not in ("LIN", "UNS", "ALC", "TAX"):
            s = items[i]
            if s.tag == "IMD" and description is None:
                description = clean(s.get(3, 4)) or clean(s.get(3, 1))
            elif s.tag == "MOA" and s.get(1, 1).strip() == "203":
                amount = decimal(s.get(1, 2))
            elif s.tag == "PRI" and rate is None:
                rate = decimal(s.get(1, 2))
            elif s.tag == "MEA":
                measure = e.read_measure(s)
                weight = measure if isinstance(measure, Weight) else weight
            i += 1
        partner_class, _ = charges.charge_class(code, {}, self.context.charge_codes or None)
        charge_class = partner_class or ChargeClass.OTHER
        if amount is None:
            self.findings.add("missing_line_amount", "LIN without MOA+203", f"LIN[{raw}]")
            amount = Decimal(0)
        self.lines.append(
            ChargeLine(
                line_number=number,
                charge_class=charge_class,
                code=code,
                code_list="edifact:item" if code else None,
                description=description,
                amount=self.money(amount),
                rate=rate,
                weight=weight,
            )
        )
        return i

    def allowance_or_charge(self, items: Sequence[Segment], i: int) -> int:
        """An ALC group: qualifier (A/C), special service code (7161) or the ALC number,
        description, and its MOA amount."""
        alc = items[i]
        indicator = alc.get(1).strip()
        service = clean(alc.get(5, 1))
        code = service or clean(alc.get(2, 2)) or clean(alc.get(2, 1))
        description = clean(alc.get(5, 4))
        amount: Decimal | None = None
        i += 1
        while i < len(items) and items[i].tag in ("MOA", "RFF", "QTY", "PCD", "RTE", "ALI"):
            s = items[i]
            if s.tag == "MOA" and amount is None and s.get(1, 1).strip() in CHARGE_AMOUNTS:
                amount = decimal(s.get(1, 2))
            i += 1
        charge_class, meaning = charges.charge_class(
            code, charges.EDIFACT_CHARGE, self.context.charge_codes or None
        )
        if charge_class is None:
            charge_class = ChargeClass.DISCOUNT if indicator == "A" else ChargeClass.OTHER
            if code is not None:
                self.findings.add(
                    "unknown_charge_code", f"ALC charge code {code!r} not known", "ALC"
                )
        if amount is None:
            self.findings.add("missing_charge", "ALC group without an amount", "ALC")
            amount = Decimal(0)
        if indicator == "A" and amount > 0:
            amount = -amount  # allowances reduce the invoice
        self.lines.append(
            ChargeLine(
                line_number=None,
                charge_class=charge_class,
                code=code,
                code_list="edifact:7161" if service else ("partner" if code else None),
                description=description or meaning,
                amount=self.money(amount),
            )
        )
        return i

    def tax(self, items: Sequence[Segment], i: int, summary: bool) -> int:
        tax = items[i]
        i += 1
        while i < len(items) and items[i].tag == "MOA":
            s = items[i]
            if s.get(1, 1).strip() == TAX_AMOUNT and not summary:
                amount = decimal(s.get(1, 2))
                if amount is not None:
                    self.lines.append(
                        ChargeLine(
                            charge_class=ChargeClass.TAX,
                            code=clean(tax.get(2, 1)),
                            code_list="edifact:5153",
                            amount=self.money(amount),
                        )
                    )
            i += 1
        return i


def to_canonical(
    segments: Sequence[Segment], source: Source | None = None, context: MapContext | None = None
) -> FreightInvoice:
    context = context or DEFAULT_CONTEXT
    findings = Findings()
    items = e.body(segments)
    cux = next((s for s in items if s.tag == "CUX"), None)
    currency = to_currency(
        cux.get(1, 2) if cux is not None else None, context.default_currency, findings, "CUX"
    )
    bgm = next((s for s in items if s.tag == "BGM"), Segment("BGM"))
    type_code = bgm.get(1, 1).strip()
    invoice = FreightInvoice(
        source=source,
        invoice_number=clean(bgm.get(2, 1)) or "",
        kind=KIND.get(type_code, InvoiceKind.INVOICE),
        currency=currency,
        total=Money(amount=Decimal(0), currency=currency),
    )
    if not invoice.invoice_number:
        findings.add("missing_invoice_number", "BGM document number is empty", "BGM")
    reader = _Reader(context, findings, currency)
    refs: dict[str, list[str]] = {}
    summary = False
    i = 0
    while i < len(items):
        s = items[i]
        if s.tag == "DTM" and not summary:
            qualifier = s.get(1, 1).strip()
            if qualifier in INVOICE_DATES and invoice.invoice_date is None:
                invoice.invoice_date = _date(s, findings, f"DTM+{qualifier}")
            elif qualifier == "35":
                invoice.delivery_date = _date(s, findings, "DTM+35")
            elif qualifier in ("200", "10"):
                invoice.ship_date = _date(s, findings, f"DTM+{qualifier}")
        elif s.tag == "RFF" and not summary:
            e.read_reference(s, refs, context)
        elif s.tag == "NAD":
            party, i = e.read_party(items, i, context)
            invoice.parties.append(party)
            continue
        elif s.tag == "TDT" and invoice.carrier_scac is None and s.get(5, 3).strip() == "182":
            invoice.carrier_scac = clean(s.get(5, 1))
        elif s.tag == "PAI":
            invoice.payment_method = q.EDIFACT_PAYMENT.get(s.get(1, 3).strip())
        elif s.tag == "LIN":
            i = reader.item_line(items, i)
            continue
        elif s.tag == "ALC":
            i = reader.allowance_or_charge(items, i)
            continue
        elif s.tag == "TAX":
            i = reader.tax(items, i, summary)
            continue
        elif s.tag == "UNS":
            summary = True
        elif s.tag == "MOA" and summary:
            amount = decimal(s.get(1, 2))
            if amount is not None:
                reader.totals.setdefault(s.get(1, 1).strip(), amount)
        elif s.tag == "MEA" and invoice.total_weight is None:
            measure = e.read_measure(s)
            invoice.total_weight = measure if isinstance(measure, Weight) else None
        i += 1
    # the first shipment reference is the invoice's shipment; the others stay references
    shipments = refs.pop("shipment_id", [])
    invoice.shipment_id = shipments[0] if shipments else None
    if shipments[1:]:
        refs["shipment_id"] = shipments[1:]
    invoice.references = refs
    invoice.lines = reader.lines
    _total(invoice, reader.totals, context, findings)
    invoice.warnings = findings.items
    return invoice


def _total(
    invoice: FreightInvoice, totals: dict[str, Decimal], context: MapContext, findings: Findings
) -> None:
    chosen = next((qual for qual in context.invoice_total_qualifiers if qual in totals), None)
    if chosen is None:
        findings.add("missing_total", "no invoice total (MOA after UNS) found", "MOA")
        return
    invoice.total = Money(amount=totals[chosen], currency=invoice.currency)
    lines = invoice.line_total()
    if not invoice.lines:
        findings.add("no_charge_lines", "the invoice has no LIN or ALC lines", "LIN")
    elif abs(lines - totals[chosen]) > Decimal(context.total_tolerance):
        findings.add(
            "total_mismatch",
            f"lines add up to {lines}, MOA+{chosen} says {totals[chosen]}",
            f"MOA+{chosen}",
        )


def from_canonical(
    invoice: FreightInvoice,
    version: str = "D96A",
    context: MapContext | None = None,
    reference: str = "1",
) -> list[Segment]:
    """An INVOIC message (UNH..UNT): header allowances/charges as ALC groups, item lines as
    LIN groups, the total as MOA+77 after UNS."""
    context = context or DEFAULT_CONTEXT
    if invoice.invoice_date is None:
        raise MapError("cannot render: the invoice date (DTM, mandatory in INVOIC) is missing")
    out = [e.seg("BGM", KIND_CODE[invoice.kind], invoice.invoice_number, "9")]
    for qualifier, day in (
        ("3", invoice.invoice_date),
        ("35", invoice.delivery_date),
        ("200", invoice.ship_date),
    ):
        if day is not None:
            out.append(e.seg("DTM", e.comp(qualifier, day.strftime("%Y%m%d"), "102")))
    if invoice.payment_method is not None:
        out.append(e.seg("PAI", e.comp("", "", q.EDIFACT_PAYMENT_CODE[invoice.payment_method])))
    refs = dict(invoice.references)
    if invoice.shipment_id:
        refs["shipment_id"] = [invoice.shipment_id, *refs.get("shipment_id", [])]
    out.extend(e.write_references(refs, context))
    for party in invoice.parties:
        out.extend(e.write_party(party, context))
    # header taxes (SG6) come before the currency (SG7), header charges (SG15) after TDT
    first_item = next(
        (n for n, line in enumerate(invoice.lines) if line.code_list == "edifact:item"),
        len(invoice.lines),
    )
    for line in invoice.lines[:first_item]:
        if _is_tax(line):
            out.extend(_tax(line))
    out.append(e.seg("CUX", e.comp("2", invoice.currency, "4")))
    if invoice.carrier_scac:
        out.append(e.seg("TDT", "20", "", "3", "", e.comp(invoice.carrier_scac, "172", "182")))
    # charges before the first item line are header ALC groups, item lines are LIN groups
    # (a tax after one sits in its LIN group), charges after them are summary ALC groups
    trailing: list[ChargeLine] = []
    for index, line in enumerate(invoice.lines):
        if line.code_list == "edifact:item":
            out.extend(_item(line, index + 1))
        elif index < first_item:
            if not _is_tax(line):
                out.extend(_alc(line))
        elif _is_tax(line):
            out.extend(_tax(line))
        else:
            trailing.append(line)
    out.append(e.seg("UNS", "S"))
    out.append(e.seg("MOA", e.comp("77", real(invoice.total.amount))))
    for line in trailing:
        out.extend(_alc(line))
    return e.frame("INVOIC", version, out, reference)


def _is_tax(line: ChargeLine) -> bool:
    """Tax written as a TAX group (an ALC-coded tax charge stays an ALC group)."""
    return line.charge_class is ChargeClass.TAX and line.code_list not in (
        "edifact:7161",
        "partner",
    )


def _item(line: ChargeLine, number: int) -> list[Segment]:
    out = [e.seg("LIN", str(line.line_number or number), "", e.comp(line.code, "SRV"))]
    if line.description:
        out.append(e.seg("IMD", "F", "", e.comp("", "", "", line.description)))
    if line.weight is not None:
        out.append(e.write_weight(line.weight))
    out.append(e.seg("MOA", e.comp("203", real(line.amount.amount))))
    if line.rate is not None:
        out.append(e.seg("PRI", e.comp("INV", real(line.rate))))
    return out


def _tax(line: ChargeLine) -> list[Segment]:
    tax_type = line.code if line.code_list == "edifact:5153" and line.code else "VAT"
    return [
        e.seg("TAX", "7", tax_type),
        e.seg("MOA", e.comp(TAX_AMOUNT, real(line.amount.amount))),
    ]


def _alc(line: ChargeLine) -> list[Segment]:
    allowance = line.amount.amount < 0
    if line.code_list == "edifact:7161" and line.code:
        service = line.code
    else:
        service = charges.CLASS_TO_EDIFACT.get(line.charge_class, "")
    own_number = line.code if line.code_list == "partner" else ""
    out = [
        e.seg(
            "ALC",
            "A" if allowance else "C",
            own_number,
            "",
            "",
            e.comp(service, "", "", line.description),
        )
    ]
    amount = -line.amount.amount if allowance else line.amount.amount
    out.append(e.seg("MOA", e.comp("204" if allowance else "23", real(amount))))
    return out
