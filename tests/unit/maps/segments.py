"""Build Segment lists from short hand-written EDI text, so map tests read like the data
they describe (X12 with `*`, `>` and `~`; EDIFACT with `+`, `:` and `'`, no release chars)."""

from __future__ import annotations

from translators.core.segment import Segment, Value


def _value(text: str, component: str) -> Value:
    return tuple(text.split(component)) if component in text else text


def x12(text: str) -> list[Segment]:
    out = []
    for raw in text.split("~"):
        raw = raw.strip()
        if raw:
            tag, *elements = raw.split("*")
            out.append(Segment(tag, [_value(e, ">") for e in elements]))
    return out


def edifact(text: str) -> list[Segment]:
    out = []
    for raw in text.split("'"):
        raw = raw.strip()
        if raw:
            tag, *elements = raw.split("+")
            out.append(Segment(tag, [_value(e, ":") for e in elements]))
    return out


def render(segments: list[Segment], element: str = "*", component: str = ">") -> str:
    """Back to text, to compare outbound segments with what a reader expects."""
    lines = []
    for s in segments:
        parts = [s.tag]
        for v in s.elements:
            if isinstance(v, tuple):
                parts.append(component.join(v))
            elif isinstance(v, list):
                parts.append("^".join(x if isinstance(x, str) else component.join(x) for x in v))
            else:
                parts.append(v)
        lines.append(element.join(parts))
    return "~".join(lines)
