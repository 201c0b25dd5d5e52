"""A fast path in front of the shared guide compiler for EDIFACT messages: the structural walk
is cached per sequence of segment tags, and each segment first meets a cheap "certainly
clean" predicate built from the same guide data. Only what the predicate cannot vouch for goes
to `CompiledGuide.check_segment`, so the findings are exactly the compiler's."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from operator import itemgetter
from re import Pattern

from translators.core.guide import CompiledGuide, CompositeDef, ElementDef, SegmentDef
from translators.core.issues import Issue, Level
from translators.core.overlay import Overlay
from translators.core.segment import Segment, Value
from translators.edifact import compiled
from translators.edifact.syntax import Delimiters
from translators.edifact.tokenizer import Lexeme, elements_of

# findings after which the compiler does not check the segment's elements (it was not placed)
_UNPLACED = frozenset({"segment_unrecognized", "segment_not_in_message", "segment_out_of_order"})
_DIGIT = re.compile(r"\d")
_MAX_LAYOUTS = 4096
_MAX_KNOWN = 200_000
_TAG = itemgetter(0)
_TEXT = itemgetter(1)  # clean segment texts remembered per guide and dialect

Clean = Callable[[list[Value]], bool]
# per tag sequence: structural findings, positions not placed, positions of DTM segments
Layout = tuple[tuple[Issue, ...], frozenset[int], tuple[int, ...]]


def _numeric(value: str, lo: int, hi: int) -> bool:
    """The compiler's `n` rule: optional sign, one decimal mark ('.' or ','), digits counted."""
    digits = value[1:] if value[0] in "-+" else value
    if "." in digits:
        digits = digits.replace(".", "", 1)
    elif "," in digits:
        digits = digits.replace(",", "", 1)
    return digits.isascii() and digits.isdecimal() and lo <= len(digits) <= hi


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
        return f"(c.isascii() and c.isdecimal() and {length} or _numeric(c, {lo}, {hi}))"
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


def _value_pattern(
    element: ElementDef, codes: frozenset[str] | None, stops: str, mandatory: bool
) -> str | None:
    """A regular expression for one non-empty value that the compiler certainly accepts
    (`stops`: the escaped delimiter characters a value cannot contain)."""
    lo, hi = max(element.min, 1), element.max
    if codes is not None:
        if not codes:
            return None
        ordered = sorted(codes, key=len, reverse=True)
        return "(?:" + "|".join(re.escape(code) for code in ordered) + ")"
    kind = element.type
    if kind in ("an", "AN", "ID", "A"):
        body = f"[^{stops}]{{{lo},{hi}}}"
        if not mandatory:
            return body
        # a mandatory value must hold more than blanks (the compiler reads blanks as missing):
        # requiring a non-blank first character is cheaper and only stricter
        first = f"[^\\s{stops}]"
        return first if hi == 1 else f"{first}[^{stops}]{{{max(lo - 1, 0)},{hi - 1}}}"
    if kind == "a":
        if not mandatory:
            return f"[^{stops}0-9]{{{lo},{hi}}}"
        first = f"[^\\s{stops}0-9]"
        return first if hi == 1 else f"{first}[^{stops}0-9]{{{max(lo - 1, 0)},{hi - 1}}}"
    if kind == "n":
        digits = f"[0-9]{{{lo},{hi}}}"
        if lo > 1:
            return digits
        # sign and decimal mark are not counted: keep the whole within hi + 1 characters
        return f"(?:{digits}|(?=[-0-9.,]{{2,{hi + 1}}}(?![^{stops}]))-?[0-9]*[.,][0-9]+)"
    return None


def segment_pattern(
    definition: SegmentDef,
    codes: dict[str, frozenset[str]],
    overlay: Overlay,
    delimiters: Delimiters,
) -> Pattern[str] | None:
    """A regular expression that matches only texts of this segment (these delimiters, no
    release character) the compiler would find nothing wrong with; None when the segment has
    rules or types the fast path leaves to the compiler."""
    if definition.rules:
        return None
    e, c = re.escape(delimiters.element), re.escape(delimiters.component)
    stops = e + c
    for extra in (delimiters.repetition, delimiters.release):
        if extra:
            stops += re.escape(extra)
    elements: list[tuple[str, bool]] = []
    for position, element in enumerate(definition.elements, 1):
        ref = f"{definition.tag}-{position:02d}"
        mandatory = element.usage == "M" or ref in overlay.required
        if element.usage == "X":
            elements.append(("", mandatory))  # present data there is an error: never matches
            continue
        if isinstance(element, CompositeDef):
            parts: list[tuple[str, bool]] = []
            for index, component in enumerate(element.components, 1):
                cref = f"{ref}-{index}"
                needed = component.usage == "M" or cref in overlay.required
                allowed = overlay.allowed_codes(cref, codes.get(cref))
                value = _value_pattern(component, allowed, stops, needed)
                if value is None:
                    return None
                parts.append((value if needed else f"(?:{value})?", needed))
            body = _truncatable(parts, c)
            if mandatory:
                body = f"(?=[^\\s{e}]){body}"  # not empty, not starting blank
            elements.append((body if mandatory else f"(?:{body})?", mandatory))
        else:
            allowed = overlay.allowed_codes(ref, codes.get(ref))
            value = _value_pattern(element, allowed, stops, mandatory)
            if value is None:
                return None
            elements.append((value if mandatory else f"(?:{value})?", mandatory))
    pattern = re.escape(definition.tag)
    if elements:
        pattern += f"(?:{e}{_truncatable(elements, e)})"
        if not any(needed for _, needed in elements):
            pattern += "?"
    return re.compile(pattern, re.DOTALL)


# value kinds of a compiled clean-check spec (translators/_accel/edifact_lex.c)
_SPEC_TEXT, _SPEC_ALPHA, _SPEC_NUM, _SPEC_CODE, _SPEC_UNUSED, _SPEC_COMPOSITE = range(6)
ValueSpec = tuple[int, int, int, int, frozenset[str] | tuple[str, ...] | None, object, int]
_SHORT_CODES = 24  # up to this many codes are compared in place (no string made)
SegmentSpec = tuple[str, int, tuple[ValueSpec, ...]]


def _value_spec(
    element: ElementDef, codes: frozenset[str] | None, stops: str, mandatory: bool
) -> ValueSpec | None:
    """`_value_pattern` as data for the compiled check: the same acceptance, or None."""
    lo, hi = max(element.min, 1), element.max
    if codes is not None:
        if not codes or any(ch in code for code in codes for ch in stops):
            return None  # a code holding a delimiter would not split like the pattern reads
        table = tuple(sorted(codes)) if len(codes) <= _SHORT_CODES else frozenset(codes)
        return (int(mandatory), _SPEC_CODE, lo, hi, table, None, 0)
    kind = element.type
    if kind in ("an", "AN", "ID", "A"):
        return (int(mandatory), _SPEC_TEXT, lo, hi, None, None, 0)
    if kind == "a":
        return (int(mandatory), _SPEC_ALPHA, lo, hi, None, None, 0)
    if kind == "n":
        return (int(mandatory), _SPEC_NUM, lo, hi, None, None, 0)
    return None


def segment_spec(
    definition: SegmentDef,
    codes: dict[str, frozenset[str]],
    overlay: Overlay,
    delimiters: Delimiters,
) -> SegmentSpec | None:
    """`segment_pattern` as plain data for `translators._accel.edifact_lex.unproven`: it
    accepts exactly the texts the pattern accepts (never more), so the compiled check can only
    prove a segment clean. None where the pattern would be None."""
    if definition.rules:
        return None
    stops = delimiters.element + delimiters.component
    for extra in (delimiters.repetition, delimiters.release):
        if extra:
            stops += extra
    elements: list[ValueSpec] = []
    required = 0
    for position, element in enumerate(definition.elements, 1):
        ref = f"{definition.tag}-{position:02d}"
        mandatory = element.usage == "M" or ref in overlay.required
        if mandatory:
            required = position
        if element.usage == "X":
            elements.append((int(mandatory), _SPEC_UNUSED, 0, 0, None, None, 0))
            continue
        if isinstance(element, CompositeDef):
            parts: list[ValueSpec] = []
            needed_parts = 0
            for index, component in enumerate(element.components, 1):
                cref = f"{ref}-{index}"
                needed = component.usage == "M" or cref in overlay.required
                if needed:
                    needed_parts = index
                allowed = overlay.allowed_codes(cref, codes.get(cref))
                value = _value_spec(component, allowed, stops, needed)
                if value is None:
                    return None
                parts.append(value)
            elements.append(
                (int(mandatory), _SPEC_COMPOSITE, 0, 0, None, tuple(parts), needed_parts)
            )
        else:
            allowed = overlay.allowed_codes(ref, codes.get(ref))
            value = _value_spec(element, allowed, stops, mandatory)
            if value is None:
                return None
            elements.append(value)
    return (definition.tag, required, tuple(elements))


def _truncatable(parts: list[tuple[str, bool]], separator: str) -> str:
    """p1 (sep p2 (sep p3)?)? ... where trailing parts may be left off unless a later one is
    mandatory."""
    tail = ""
    for index in range(len(parts) - 1, 0, -1):
        value, _ = parts[index]
        needed_later = any(needed for _, needed in parts[index:])
        group = f"(?:{separator}{value}{tail})"
        tail = group if needed_later else group + "?"
    return parts[0][0] + tail


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
        self._layouts: dict[tuple[str, ...], Layout] = {}
        self.last_dates: tuple[int, ...] = ()  # DTM positions of the message validated last
        self._last_delimiters: Delimiters | None = None
        self._last_patterns: tuple[dict[str, Pattern[str] | None], dict[str, None]] = ({}, {})
        # per delimiters: segment patterns, and segment texts already found clean (a dict of
        # strings to None, not a set: the cyclic GC never walks a dict of atomic values, while
        # it would visit each of a set's up to 200,000 strings on every full collection)
        self._specs: dict[Delimiters, tuple[dict[str, SegmentSpec | None], str]] = {}
        self._last_spec_delimiters: Delimiters | None = None
        self._last_specs: tuple[dict[str, SegmentSpec | None], str] = ({}, "")
        self._by_delimiters: dict[
            Delimiters, tuple[dict[str, Pattern[str] | None], dict[str, None]]
        ] = {}

    def _layout(self, tags: tuple[str, ...]) -> Layout:
        found = self.compiled.validate([Segment(tag, []) for tag in tags])
        structural = tuple(i for i in found if i.level is Level.SEGMENT)
        unplaced = frozenset(
            i.location.segment_position or 0 for i in structural if i.code in _UNPLACED
        )
        if len(self._layouts) >= _MAX_LAYOUTS:
            self._layouts.clear()
        dates = tuple(position for position, tag in enumerate(tags, 1) if tag == "DTM")
        layout = (structural, unplaced, dates)
        self._layouts[tags] = layout
        return layout

    def validate(self, raw: list[Lexeme]) -> list[Issue]:
        tags = tuple(map(_TAG, raw))
        layout = self._layouts.get(tags) or self._layout(tags)
        structural, unplaced, self.last_dates = layout
        issues = [replace(issue) for issue in structural] if structural else []
        if not raw:
            return issues
        # every lexeme of a message shares its interchange's delimiters
        delimiters = raw[0][4]
        if delimiters is self._last_delimiters:
            patterns, known = self._last_patterns
        else:
            patterns, known = self._last_patterns = self._patterns_for(delimiters)
            self._last_delimiters = delimiters
        lex = compiled.module
        if lex is not None:
            # the compiled check proves most segments clean; it never finds fault, so the
            # rest goes through exactly the Python path below
            if delimiters is self._last_spec_delimiters:
                specs, forbidden = self._last_specs
            else:
                specs, forbidden = self._last_specs = self._specs_for(delimiters)
                self._last_spec_delimiters = delimiters
            unseen = lex.unproven(raw, specs, delimiters.element, delimiters.component, forbidden)
        else:
            # texts already found clean are skipped (the common case); released segments
            # never are in `known` (their text holds the release character)
            unseen = [p for p, text in enumerate(map(_TEXT, raw), 1) if text not in known]
        if not unseen:
            return issues
        clean = self._clean
        for position in unseen:
            lexeme = raw[position - 1]
            tag, text, parsed = lexeme[0], lexeme[1], lexeme[3]
            if parsed is None:
                # plain text (no release character): one regular expression decides "clean"
                # without parsing the elements
                pattern = patterns.get(tag)
                if pattern is not None and pattern.fullmatch(text) is not None:
                    if len(known) >= _MAX_KNOWN:
                        known.clear()
                    known[text] = None
                    continue
                parsed = elements_of(lexeme)
            predicate = clean.get(tag)
            if predicate is None or predicate(parsed) or position in unplaced:
                continue
            issues.extend(self.compiled.check_segment(Segment(tag, parsed), position))
        return issues

    def _specs_for(self, delimiters: Delimiters) -> tuple[dict[str, SegmentSpec | None], str]:
        found = self._specs.get(delimiters)
        if found is None:
            guide = self.compiled.guide
            codes = dict(guide.codes)
            specs = {
                tag: segment_spec(definition, codes, self.compiled.overlay, delimiters)
                for tag, definition in guide.segments.items()
            }
            forbidden = (delimiters.repetition or "") + (delimiters.release or "")
            found = (specs, forbidden)
            if len(self._specs) > 64:  # dialects come from partners: stay bounded
                self._specs.clear()
            self._specs[delimiters] = found
        return found

    def _patterns_for(
        self, delimiters: Delimiters
    ) -> tuple[dict[str, Pattern[str] | None], dict[str, None]]:
        found = self._by_delimiters.get(delimiters)
        if found is None:
            guide = self.compiled.guide
            codes = dict(guide.codes)
            patterns = {
                tag: segment_pattern(definition, codes, self.compiled.overlay, delimiters)
                for tag, definition in guide.segments.items()
            }
            found = (patterns, {})
            if len(self._by_delimiters) > 64:  # dialects come from partners: stay bounded
                self._by_delimiters.clear()
            self._by_delimiters[delimiters] = found
        return found


_checkers: dict[int, MessageChecker] = {}


def checker_for(compiled: CompiledGuide) -> MessageChecker:
    """One checker per compiled guide (the guide library caches compiled guides)."""
    found = _checkers.get(id(compiled))
    if found is None or found.compiled is not compiled:
        found = MessageChecker(compiled)
        _checkers[id(compiled)] = found
    return found
