"""Reference qualifiers, party roles, id schemes, payment methods and units, both standards,
onto the canonical names (X12 128 / 98 / 66 / 146 / 188; EDIFACT 1153 / 3035 / 3055 / Rec 20).
Anything not listed is kept as "<standard>:<code>"."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from translators.canonical.vocab import PaymentMethod


def _both_ways(table: dict[str, str]) -> tuple[Mapping[str, str], Mapping[str, str]]:
    reverse: dict[str, str] = {}
    for code, name in table.items():
        reverse.setdefault(name, code)  # the first code listed is the one we write
    return MappingProxyType(table), MappingProxyType(reverse)


# X12 L11-02 / N9-01 Reference Identification Qualifier (128)
X12_REFERENCE, X12_REFERENCE_CODE = _both_ways(
    {
        "BM": "bol",
        "CN": "pro",
        "PO": "po",
        "SI": "shipment_id",
        "CR": "customer_ref",
        "BN": "booking",
        "DO": "delivery_number",
        "IV": "invoice",
        "P8": "pickup_ref",
        "AO": "appointment",
        "EQ": "container",
        "SN": "seal",
        "QN": "stop_number",
        "LO": "load_id",
        "ON": "order",
        "WY": "waybill",
        "FN": "forwarder_ref",
    }
)

# EDIFACT RFF 1153 reference code qualifier
EDIFACT_REFERENCE, EDIFACT_REFERENCE_CODE = _both_ways(
    {
        "BM": "bol",
        "CN": "pro",
        "ON": "po",
        "SRN": "shipment_id",
        "CU": "customer_ref",
        "BN": "booking",
        "DQ": "delivery_number",
        "IV": "invoice",
        "AAM": "waybill",
        "FF": "forwarder_ref",
        "EQ": "container",
        "SN": "seal",
        "AAS": "load_id",
        "AAN": "appointment",
        "AEJ": "pickup_ref",
        "ABO": "order",
        "AFE": "stop_number",
    }
)

# X12 N1-01 Entity Identifier Code (98)
X12_PARTY, X12_PARTY_CODE = _both_ways(
    {
        "SH": "shipper",
        "CN": "consignee",
        "BT": "bill_to",
        "SF": "ship_from",
        "ST": "ship_to",
        "CA": "carrier",
        "PF": "freight_payer",
        "PW": "pickup",
        "DA": "delivery",
        "FW": "forwarder",
        "BY": "buyer",
        "SE": "seller",
        "PR": "payee",
        "N1": "notify",
    }
)

# EDIFACT NAD 3035 party function code qualifier
EDIFACT_PARTY, EDIFACT_PARTY_CODE = _both_ways(
    {
        "CZ": "shipper",
        "CN": "consignee",
        "IV": "bill_to",
        "SF": "ship_from",
        "ST": "ship_to",
        "CA": "carrier",
        "FP": "freight_payer",
        "PW": "pickup",
        "DP": "delivery",
        "FW": "forwarder",
        "BY": "buyer",
        "SE": "seller",
        "PE": "payee",
        "NI": "notify",
        "OS": "shipper",
    }
)

# X12 N1-03 Identification Code Qualifier (66)
X12_ID_SCHEME, X12_ID_SCHEME_CODE = _both_ways(
    {"1": "duns", "9": "duns4", "UL": "gln", "2": "scac", "ZZ": "mutual", "92": "buyer_assigned"}
)

# EDIFACT NAD C082 3055 code list responsible agency
EDIFACT_ID_SCHEME, EDIFACT_ID_SCHEME_CODE = _both_ways(
    {"16": "duns", "9": "gln", "182": "scac", "ZZZ": "mutual", "92": "buyer_assigned"}
)

X12_PAYMENT: Mapping[str, PaymentMethod] = MappingProxyType(
    {"PP": PaymentMethod.PREPAID, "CC": PaymentMethod.COLLECT, "TP": PaymentMethod.THIRD_PARTY}
)
X12_PAYMENT_CODE: Mapping[PaymentMethod, str] = MappingProxyType(
    {v: k for k, v in X12_PAYMENT.items()}
)
# EDIFACT CPI 4237 prepaid/collect indicator; "A" (payable elsewhere) stands for third party
EDIFACT_PAYMENT: Mapping[str, PaymentMethod] = MappingProxyType(
    {"P": PaymentMethod.PREPAID, "C": PaymentMethod.COLLECT, "A": PaymentMethod.THIRD_PARTY}
)
EDIFACT_PAYMENT_CODE: Mapping[PaymentMethod, str] = MappingProxyType(
    {v: k for k, v in EDIFACT_PAYMENT.items()}
)

# Weight units: X12 188, EDIFACT Rec 20
X12_WEIGHT_UNIT, X12_WEIGHT_UNIT_CODE = _both_ways({"L": "lb", "K": "kg"})
EDIFACT_WEIGHT_UNIT, EDIFACT_WEIGHT_UNIT_CODE = _both_ways(
    {"KGM": "kg", "LBR": "lb", "GRM": "g", "TNE": "t"}
)
# Volume units: X12 184, EDIFACT Rec 20
X12_VOLUME_UNIT, X12_VOLUME_UNIT_CODE = _both_ways({"E": "ft3", "X": "m3"})
EDIFACT_VOLUME_UNIT, EDIFACT_VOLUME_UNIT_CODE = _both_ways(
    {"MTQ": "m3", "FTQ": "ft3", "LTR": "l", "DMQ": "dm3"}
)


def canonical_name(
    code: str, table: Mapping[str, str], standard: str, partner: Mapping[str, str] | None = None
) -> str:
    """A qualifier's canonical name (partner table first), else "<standard>:<code>"."""
    if partner and code in partner:
        return partner[code]
    return table.get(code, f"{standard}:{code}")


def code_for(
    name: str, reverse: Mapping[str, str], standard: str, partner: Mapping[str, str] | None = None
) -> str | None:
    """The qualifier to write for a canonical name in `standard`; None when it cannot be
    carried there (e.g. an "edifact:AAZ" reference going out as X12)."""
    if partner:
        for code, mapped in partner.items():
            if mapped == name:
                return code
    if name in reverse:
        return reverse[name]
    prefix = f"{standard}:"
    if name.startswith(prefix):
        return name[len(prefix) :]
    return None
