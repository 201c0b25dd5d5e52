"""Charge codes onto charge classes: X12 L1-08 / L3-08 Special Charge or Allowance Code (150)
and EDIFACT ALC special service codes (7161). Facts from /work/shared/reference
(x12-transport §11, edifact-transport §2.3); partner tables are applied in front."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from translators.canonical.vocab import ChargeClass as C

X12_CHARGE: Mapping[str, tuple[C, str]] = MappingProxyType(
    {
        "400": (C.LINE_HAUL, "freight"),
        "405": (C.FUEL, "fuel surcharge"),
        "FUE": (C.FUEL, "fuel surcharge"),
        "020": (C.ACCESSORIAL_ADDRESS_CORRECTION, "address correction"),
        "045": (C.ACCESSORIAL_OTHER, "advance fee"),
        "275": (C.DISCOUNT, "discount, incentive"),
        "280": (C.DISCOUNT, "discount, multiple shipment"),
        "295": (C.DISCOUNT, "discount, special"),
        "DSC": (C.DISCOUNT, "discount"),
        "445": (C.ACCESSORIAL_INSURANCE, "insurance fee"),
        "455": (C.ACCESSORIAL_INSURANCE, "insurance premium"),
        "665": (C.ACCESSORIAL_DELIVERY, "Saturday delivery"),
        "690": (C.ACCESSORIAL_HANDLING, "special handling service"),
        "APT": (C.ACCESSORIAL_APPOINTMENT, "appointment (notification)"),
        "BLK": (C.ACCESSORIAL_HANDLING, "blocking and bracing"),
        "DET": (C.ACCESSORIAL_DETENTION, "detention"),
        "LFT": (C.ACCESSORIAL_LIFTGATE, "liftgate"),
        "LFG": (C.ACCESSORIAL_LIFTGATE, "liftgate"),
        "GST": (C.TAX, "Canadian goods and services tax"),
    }
)

EDIFACT_CHARGE: Mapping[str, tuple[C, str]] = MappingProxyType(
    {
        "FC": (C.LINE_HAUL, "freight charge"),
        "HD": (C.ACCESSORIAL_HANDLING, "handling"),
        "SH": (C.ACCESSORIAL_HANDLING, "special handling"),
        "IN": (C.ACCESSORIAL_INSURANCE, "insurance"),
        "DL": (C.ACCESSORIAL_DELIVERY, "delivery"),
        "PC": (C.ACCESSORIAL_HANDLING, "packing"),
        "TX": (C.TAX, "tax"),
        "ABW": (C.ACCESSORIAL_CUSTOMS, "customs duty"),
        "FI": (C.ACCESSORIAL_OTHER, "finance charge"),
        "ABK": (C.ACCESSORIAL_OTHER, "miscellaneous"),
        "ADR": (C.ACCESSORIAL_OTHER, "other services"),
    }
)

# For a charge whose original code is from the other standard (or none): the code to write.
CLASS_TO_X12: Mapping[C, str] = MappingProxyType(
    {
        C.LINE_HAUL: "400",
        C.FUEL: "405",
        C.ACCESSORIAL_ADDRESS_CORRECTION: "020",
        C.ACCESSORIAL_INSURANCE: "445",
        C.ACCESSORIAL_DELIVERY: "665",
        C.ACCESSORIAL_HANDLING: "690",
        C.ACCESSORIAL_APPOINTMENT: "APT",
        C.ACCESSORIAL_DETENTION: "DET",
        C.ACCESSORIAL_LIFTGATE: "LFT",
        C.DISCOUNT: "DSC",
        C.TAX: "GST",
    }
)

CLASS_TO_EDIFACT: Mapping[C, str] = MappingProxyType(
    {
        C.LINE_HAUL: "FC",
        C.ACCESSORIAL_HANDLING: "HD",
        C.ACCESSORIAL_INSURANCE: "IN",
        C.ACCESSORIAL_DELIVERY: "DL",
        C.ACCESSORIAL_CUSTOMS: "ABW",
        C.TAX: "TX",
        C.ACCESSORIAL_OTHER: "ADR",
    }
)


def charge_class(
    code: str | None, table: Mapping[str, tuple[C, str]], partner: Mapping[str, str] | None
) -> tuple[C | None, str | None]:
    """(class, meaning) of a charge code: the partner's table first, then the standard one;
    (None, None) when neither knows the code."""
    if not code:
        return None, None
    if partner and code in partner:
        try:
            return C(partner[code]), None
        except ValueError:
            pass  # an entry naming no charge class: the standard table decides
    known = table.get(code)
    return (known[0], known[1]) if known else (None, None)
