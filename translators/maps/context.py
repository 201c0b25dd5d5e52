"""What a map is told about the partner: its own code tables and reference rules (from the
partner profile), applied before the standard tables, plus a few defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MapContext:
    """A plain value the partner-profile code builds; every field is optional.

    Code tables map the partner's code to a canonical name:
    `status_codes` AT7-01 / STS event code -> milestone value ("delivered"),
    `charge_codes` L1-08 / ALC 7161 / LIN item -> charge class value ("fuel"),
    `reference_qualifiers` L11/N9/RFF qualifier -> reference kind ("bol", "load_id"),
    `party_roles` N1-01 / NAD 3035 -> party role ("shipper").
    """

    partner: str | None = None
    # the SCAC to write when a record has none (B2-02, B10-03, B3-11 are mandatory)
    carrier_scac: str | None = None
    status_codes: Mapping[str, str] = field(default_factory=dict)
    charge_codes: Mapping[str, str] = field(default_factory=dict)
    reference_qualifiers: Mapping[str, str] = field(default_factory=dict)
    party_roles: Mapping[str, str] = field(default_factory=dict)
    # the IANA zone of the partner's local times (X12 `LT`/no time code, EDIFACT 102/203);
    # unset: guessed from the event's region/country, else UTC, and flagged either way
    local_timezone: str | None = None
    default_currency: str = "USD"
    # INVOIC MOA qualifiers tried in order for the amount to book
    invoice_total_qualifiers: tuple[str, ...] = ("77", "86", "39", "9", "128")
    # absolute difference tolerated between the total and the sum of the lines
    total_tolerance: str = "0.01"


DEFAULT_CONTEXT = MapContext()


class MapError(ValueError):
    """A record that cannot be rendered: the asked standard has no map for it, or it lacks
    data the transaction cannot go without (e.g. a 214 without the carrier's SCAC)."""
