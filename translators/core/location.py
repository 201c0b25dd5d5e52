"""Where something is in a file: which interchange, group, transaction, segment, element."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Location:
    """Every field is optional; positions are 1-based like the standards count them, except
    `byte_offset`, which is the 0-based offset of the segment's first byte in the input.

    `segment_position` counts from the transaction's header (ST/UNH = 1), as AK3-02/IK3-02 and
    the CONTRL UCS want; `segment_index` counts from the start of the interchange."""

    interchange: int | None = None  # 1-based ordinal in the input
    group: int | None = None  # 1-based ordinal inside the interchange
    transaction: int | None = None  # 1-based ordinal inside the group (or interchange)
    segment_id: str | None = None
    segment_index: int | None = None
    segment_position: int | None = None
    element: int | None = None
    component: int | None = None
    repetition: int | None = None
    byte_offset: int | None = None
    line: int | None = None
    loop_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def describe(self) -> str:
        """E.g. "AT7-01-2, segment 5 of the transaction, byte 812"."""
        ref = self.segment_id or ""
        if self.element is not None:
            ref += f"-{self.element:02d}" if ref else f"element {self.element:02d}"
            if self.component is not None:
                ref += f"-{self.component}"
        parts = [ref] if ref else []
        if self.segment_position is not None:
            parts.append(f"segment {self.segment_position} of the transaction")
        elif self.segment_index is not None:
            parts.append(f"segment {self.segment_index}")
        if self.byte_offset is not None:
            parts.append(f"byte {self.byte_offset}")
        return ", ".join(parts)
