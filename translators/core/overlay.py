"""A partner's adjustments to an implementation guide, from its profile.

Element references read `SEG-NN` or `SEG-NN-C` (component C of a composite), e.g. `B10-01`,
`AT7-01`, `STS-02-1`; segment references are the bare tag. The engines apply an overlay after
the guide: `required` and `restricted_codes` tighten, `extra_codes` and `tolerated` relax
(a tolerated issue code is reported as a warning instead of an error)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Overlay:
    required: frozenset[str] = frozenset()
    restricted_codes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    extra_codes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    tolerated: frozenset[str] = frozenset()  # Issue.code values to downgrade to warnings
    allow_unenveloped: bool = False  # accept a bare ST..SE / UNH..UNT without envelope

    def allowed_codes(self, ref: str, guide_codes: frozenset[str] | None) -> frozenset[str] | None:
        """The code list for element `ref` after the overlay (None: any value allowed)."""
        codes = guide_codes
        if ref in self.extra_codes and codes is not None:
            codes = codes | self.extra_codes[ref]
        if ref in self.restricted_codes:
            restricted = self.restricted_codes[ref]
            codes = restricted if codes is None else codes & restricted
        return codes


NO_OVERLAY = Overlay()
