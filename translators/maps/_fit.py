"""Fit outbound segments to the implementation guide they will be validated against: free
text longer than its element is cut to the element's maximum, an optional coded value that
cannot fit is left out. Maps split long text into components or segments first; this is the
last line, so what we write always passes our own guides."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from translators.core.segment import Segment, Value

if TYPE_CHECKING:  # the guide machinery loads only when something is rendered
    from translators.core.guide import CompositeDef, ElementDef, Guide

TEXT_TYPES = frozenset({"AN", "an", "a"})


def _fit_value(text: str, definition: ElementDef) -> str:
    if len(text) <= definition.max:
        return text
    if definition.type in TEXT_TYPES:
        return text[: definition.max].rstrip() or text[: definition.max]
    # a code or number that cannot fit: leave an optional one out, keep a mandatory one (the
    # validator will say so; a map must not invent codes)
    return "" if definition.usage != "M" else text


def _fit_element(value: Value, definition: ElementDef | CompositeDef) -> Value:
    from translators.core.guide import CompositeDef

    if isinstance(value, list):
        repeated: list[str | tuple[str, ...]] = []
        for item in value:
            one = _fit_element(item, definition)
            if not isinstance(one, list):
                repeated.append(one)
        return repeated
    if isinstance(definition, CompositeDef):
        parts = value if isinstance(value, tuple) else (value,)
        fitted: list[str] = [
            _fit_value(part, definition.components[i]) if i < len(definition.components) else part
            for i, part in enumerate(parts)
        ]
        while fitted and fitted[-1] == "":
            fitted.pop()
        return tuple(fitted) if len(fitted) > 1 else (fitted[0] if fitted else "")
    if isinstance(value, tuple):
        return value
    return _fit_value(value, definition)


def fit(segments: Sequence[Segment], guide: Guide | None) -> list[Segment]:
    if guide is None:
        return list(segments)
    out: list[Segment] = []
    for segment in segments:
        definition = guide.segments.get(segment.tag)
        if definition is None or segment.tag in ("ST", "SE", "UNH", "UNT"):
            out.append(segment)
            continue
        values: list[Value] = [
            _fit_element(value, definition.elements[i]) if i < len(definition.elements) else value
            for i, value in enumerate(segment.elements)
        ]
        while values and values[-1] in ("", ()):
            values.pop()
        out.append(Segment(segment.tag, values, segment.location))
    return out


@lru_cache(maxsize=64)
def x12_guide(set_id: str, version: str) -> Guide | None:
    from translators.x12 import compiled_guide

    compiled = compiled_guide(set_id, version)
    return compiled.guide if compiled is not None else None


@lru_cache(maxsize=64)
def edifact_guide(message_type: str, directory: str) -> Guide | None:
    from translators.edifact.guides import LIBRARY, choose_guide

    choice = choose_guide(message_type, directory)
    return LIBRARY.guide(choice.guide_id) if choice.guide_id else None
