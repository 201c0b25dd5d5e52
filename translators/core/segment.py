"""The segment as both engines hand it to validators and maps, and as writers take it.

An element value is a string, a tuple of component strings (a composite), or a list of
those (a repeated element: X12 ISA-11 repetitions, EDIFACT repeating data elements).
Positions are 1-based like the standards: `seg.get(2, 1)` is the first component of the
second element after the tag. Absent elements and components read as ""."""

from __future__ import annotations

from dataclasses import dataclass, field

from translators.core.location import Location

Component = str
Composite = tuple[str, ...]
Value = str | Composite | list[str | Composite]


@dataclass(slots=True)
class Segment:
    tag: str
    elements: list[Value] = field(default_factory=list)
    location: Location | None = None

    def value(self, element: int) -> Value:
        if 0 < element <= len(self.elements):
            return self.elements[element - 1]
        return ""

    def get(self, element: int, component: int | None = None) -> str:
        """Text of an element (its first component when it is a composite and no component
        is named; the first repetition when it repeats)."""
        value = self.value(element)
        if isinstance(value, list):
            value = value[0] if value else ""
        if isinstance(value, tuple):
            index = (component or 1) - 1
            return value[index] if index < len(value) else ""
        if component not in (None, 1):
            return ""
        return value

    def __len__(self) -> int:
        return len(self.elements)
