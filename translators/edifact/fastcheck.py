"""A fast path in front of the shared guide compiler for EDIFACT messages: the structural walk
is cached per sequence of segment tags, and each segment first meets a cheap "certainly
clean" predicate built from the same guide data. Only what the predicate cannot vouch for goes
to `CompiledGuide.check_segment`, so the findings are exactly the compiler's."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from translators.core.guide import CompiledGuide, CompositeDef, ElementDef, SegmentDef
from translators.core.issues import Issue, Level
from translators.core.overlay import Overlay
from translators.core.segment import Segment, Value
from translators.edifact.tokenizer import RawSegment

# findings after which the compiler does not check the segment's elements (it was not placed)
_UNPLACED = frozenset({"segment_unrecognized", "segment_not_in_message", "segment_out_of_order"})
_DIGIT = re.compile(r"\d")
_MAX_LAYOUTS = 4096

Clean = Callable[[list[Value]], bool]


def _numeric(value: str, lo: int, hi: int) -> bool:
    """The compiler's `n` rule: optional sign, one decimal mark ('.' or ','), digits counted."""
    digits = value[1:] if value[0] in "-+" else value
    if "." in digits:
        digits = digits.replace(".", "", 1)
    elif "," in digits:
        digits = digits.replace(",", "", 1)
    return digits.isascii() and digits.isdigit() and lo <= len(digits) <= hi


def _value_test(
    element: ElementDef, codes: frozenset[str] | None, name: str, namespace: dict[str, object]
) -> str | None:
    """A Python expression true when non-empty `c` certainly passes; None: leave it to the
    compiler (types the fast path does not know)."""
    lo, hi = element.min, element.max
    if codes is not None:
        namespace[name] = codes
        return f"c in {name}"
    kind = element.type
    length = f"len(c) <= {hi}" if lo <= 1 else f"{lo} <= len(c) <= {hi}"
    if kind in ("an", "AN", "ID", "A"):
        return length
    if kind == "B":
        return "True"
    if kind == "a":
        return f"({length} and _DIGIT.search(c) is None)"
    if kind == "n":
        return f"(c.isascii() and c.isdigit() and {length} or _numeric(c, {lo}, {hi}))"
    return None


def _segment_clean(
    definition: SegmentDef, codes: dict[str, frozenset[str]], overlay: Overlay
) -> Clean:
    """Generate a predicate that is True only when the compiler would report nothing for a
    segment's elements (False means: ask the compiler, not necessarily an error)."""
    if definition.rules:
        return lambda elements: False
    namespace: dict[str, object] = {"_DIGIT": _DIGIT, "_numeric": _numeric}
    lines = ["def clean(els):", "    n = len(els)"]
    elements = definition.elements
    required = 0
    for position, element in enumerate(elements, 1):
        ref = f"{definition.tag}-{position:02d}"
        if element.usage == "M" or ref in overlay.required:
            required = position
    lines.append(f"    if n > {len(elements)} or n < {required}: return False")
    for index, element in enumerate(elements):
        ref = f"{definition.tag}-{index + 1:02d}"
        mandatory = element.usage == "M" or ref in overlay.required
        lines.append(f"    if n > {index}:")
        lines.append(f"        c = v = els[{index}]")
        if mandatory:
            lines.append("        if v == '' or type(v) is str and v.isspace(): return False")
        else:
            lines.append("        if v == '': pass")
        if element.usage == "X":
            lines.append("        else: return False")
            continue
        if isinstance(element, CompositeDef):
            components = element.components
            lines.append("        elif type(v) is str:")
            lines.append("            c = v")
            first = components[0]
            cref = f"{ref}-1"
            test = _value_test(
                first, overlay.allowed_codes(cref, codes.get(cref)), f"codes_{index}_0", namespace
            )
            if test is None:
                lines.append("            return False")
            else:
                lines.append(f"            if not ({test}): return False")
            others_required = [
                j
                for j, comp in enumerate(components[1:], 2)
                if comp.usage == "M" or f"{ref}-{j}" in overlay.required
            ]
            if others_required:
                lines.append("            return False")
            lines.append("        elif type(v) is tuple:")
            lines.append("            k = len(v)")
            lines.append(f"            if k > {len(components)}: return False")
            for j, component in enumerate(components):
                cref = f"{ref}-{j + 1}"
                needed = component.usage == "M" or cref in overlay.required
                test = _value_test(
                    component,
                    overlay.allowed_codes(cref, codes.get(cref)),
                    f"codes_{index}_{j}",
                    namespace,
                )
                lines.append(f"            c = v[{j}] if k > {j} else ''")
                if needed:
                    lines.append("            if not c: return False")
                    lines.append(f"            if not ({test or 'False'}): return False")
                else:
                    lines.append(f"            if c and not ({test or 'False'}): return False")
            lines.append("        else: return False")
        else:
            test = _value_test(
                element, overlay.allowed_codes(ref, codes.get(ref)), f"codes_{index}", namespace
            )
            lines.append("        elif type(v) is not str: return False")
            lines.append(f"        elif not ({test or 'False'}): return False")
    lines.append("    return True")
    exec("\n".join(lines), namespace)  # generated from guide data only, never from input
    predicate: Clean = namespace["clean"]  # type: ignore[assignment]
    return predicate


class MessageChecker:
    """Guide validation of raw messages for one compiled guide (guide + overlay)."""

    def __init__(self, compiled: CompiledGuide) -> None:
        self.compiled = compiled
        guide = compiled.guide
        codes = dict(guide.codes)
        self._clean: dict[str, Clean] = {
            tag: _segment_clean(definition, codes, compiled.overlay)
            for tag, definition in guide.segments.items()
        }
        self._layouts: dict[tuple[str, ...], tuple[tuple[Issue, ...], frozenset[int]]] = {}

    def _layout(self, tags: tuple[str, ...]) -> tuple[tuple[Issue, ...], frozenset[int]]:
        found = self.compiled.validate([Segment(tag, []) for tag in tags])
        structural = tuple(i for i in found if i.level is Level.SEGMENT)
        unplaced = frozenset(
            i.location.segment_position or 0 for i in structural if i.code in _UNPLACED
        )
        if len(self._layouts) >= _MAX_LAYOUTS:
            self._layouts.clear()
        layout = (structural, unplaced)
        self._layouts[tags] = layout
        return layout

    def validate(self, raw: list[RawSegment]) -> list[Issue]:
        tags = tuple([segment[0] for segment in raw])
        layout = self._layouts.get(tags) or self._layout(tags)
        structural, unplaced = layout
        issues = [replace(issue) for issue in structural]
        clean = self._clean
        for position, (tag, elements, _) in enumerate(raw, 1):
            predicate = clean.get(tag)
            if predicate is None or predicate(elements) or position in unplaced:
                continue
            issues.extend(self.compiled.check_segment(Segment(tag, elements), position))
        return issues


_checkers: dict[int, MessageChecker] = {}


def checker_for(compiled: CompiledGuide) -> MessageChecker:
    """One checker per compiled guide (the guide library caches compiled guides)."""
    found = _checkers.get(id(compiled))
    if found is None or found.compiled is not compiled:
        found = MessageChecker(compiled)
        _checkers[id(compiled)] = found
    return found
