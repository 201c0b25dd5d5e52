"""Implementation guides as data, for X12 and EDIFACT alike: the file format, its loader, and
the compiler that turns a guide into fast checking structures which validate one message.

Guide file format (YAML or JSON; one file per message type and version)
=======================================================================

```yaml
id: 214-004010              # how other guides and callers name it (defaults to the file stem)
standard: x12               # x12 | edifact
message: "214"              # transaction set id / message type
version: "004010"           # X12 GS-08 (6 chars) / EDIFACT directory, e.g. D96A
extends: 214-004010         # optional: start from another guide, then override (below)
dictionary: segments-004010 # optional: a file holding only `segments:`, merged underneath
segments:                   # the segment dictionary: tag -> definition
  B10:
    name: Beginning Segment for Shipment Status Message
    elements:               # in position order; position 1 is the first after the tag
      - "127 AN 1/30 O"     # compact form: <element id> <type> <min>/<max> <usage> [xN]
      - {id: "145", type: AN, min: 1, max: 30, usage: M, name: Shipment Id}
      - composite: C030     # a composite: its components use the same compact form
        usage: M
        components: ["722 N0 1/2 M", "1528 N0 1/2 O", "1686 N0 1/4 O"]
    rules: [R0106, P0506]   # X12 syntax notes: P paired, R required, E exclusion,
                            # C conditional, L list conditional; two-digit positions
codes:                      # code lists, by element reference SEG-NN or SEG-NN-C
  AT7-01: [AF, D1, X1]
structure:                  # segment order; the first entry of a loop is its trigger
  - ST M 1                  # compact form: <tag> <usage> <max use>  (max: a number or >1)
  - B10 M 1
  - loop: "0100"            # a loop (X12) or segment group (EDIFACT)
    usage: O
    max: 10
    body:
      - N1 M 1
      - N4 O 1
  - SE M 1
```

Usage letters: `M` mandatory, `O` / `C` optional (conditional: syntax rules decide), `X`
not used (present is an error). `R` and `D` (EDIFACT) read as `M` and `O`. An element's
optional `xN` suffix allows N repetitions (X12 5010 repeating elements); `x>1` is unbounded.

Element types: X12 `AN`, `ID` (a code list applies when one is given, else it checks like AN),
`N0`..`N9` (implied decimals, optional leading `-`, sign not counted), `N`, `R` (explicit
decimal point, sign and point not counted), `DT` (CCYYMMDD, or YYMMDD where max is 6), `TM`
(HHMM[SS[D[D]]]), `B` (binary, not checked); EDIFACT `a`, `n` (digits with an optional sign
and decimal mark `.` or `,`, which are not counted), `an`.

`extends` copies the base guide's segments, codes and structure; the child's `segments`
replace whole segment definitions by tag, `codes` replace lists by reference, and a
`structure` replaces the structure. `remove_codes` ({ref: [codes]}) drops codes from a list.

Compiled-path table (for optional C checkers)
============================================

`CompiledGuide.segment_table(tag)` describes one segment's fast clean check as plain data, the
same for every standard: `(elements, rules)` where `elements` holds, per element position,
`(kind, mandatory, not_used, min, max, codes)` and `rules` holds `(letter, positions)` for the
syntax notes (P R E C L, 1-based element positions). `kind` is one of `any` (not checked),
`text` (length only), `code` (must be in `codes`, a frozenset), `digits` (N types: ASCII
digits only, length counted without sign), `decimal` (R: ASCII digits with at most one `.`,
which is not counted), `date` (CCYYMMDD / YYMMDD), `time` (HHMM[SS[D[D]]]). It is None when
the segment has composites, repeats or element types the table cannot express: those sets
always take the Python path. A compiled checker must be as strict as the generated Python
checker (`_fast_checker`) or stricter: it may only prove a message clean, never find fault.
`accepts_texts` uses the C module `translators._accel.x12fast` through these tables when it is
built (and `EDIGW_NO_ACCEL` is unset); the results are the same without it.

Findings are `Issue`s whose `code` is standard-neutral (the `FINDING_*` names below); the
engine passes a table that adds its standard's codes (e.g. X12 AK3/AK4/IK3/IK4) to each.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from translators import _accel
from translators.core.issues import Issue, Level, Severity
from translators.core.location import Location
from translators.core.overlay import NO_OVERLAY, Overlay
from translators.core.segment import Segment, Value

# Standard-neutral finding codes (Issue.code) of guide validation.
SEGMENT_UNRECOGNIZED = "segment_unrecognized"  # X12 AK3-04 1
SEGMENT_UNEXPECTED = "segment_unexpected"  # 2
SEGMENT_MISSING = "segment_missing"  # 3
LOOP_OVER_MAX = "loop_over_max"  # 4
SEGMENT_OVER_MAX = "segment_over_max"  # 5
SEGMENT_NOT_IN_MESSAGE = "segment_not_in_message"  # 6
SEGMENT_OUT_OF_ORDER = "segment_out_of_order"  # 7
SEGMENT_NOT_USED = "segment_not_used"  # 999 IK3 I4 (usage X)
ELEMENT_MISSING = "element_missing"  # X12 AK4-03 1
ELEMENT_CONDITIONAL_MISSING = "element_conditional_missing"  # 2
TOO_MANY_ELEMENTS = "too_many_elements"  # 3
ELEMENT_TOO_SHORT = "element_too_short"  # 4
ELEMENT_TOO_LONG = "element_too_long"  # 5
ELEMENT_INVALID_CHARACTER = "element_invalid_character"  # 6
ELEMENT_INVALID_CODE = "element_invalid_code"  # 7
ELEMENT_INVALID_DATE = "element_invalid_date"  # 8
ELEMENT_INVALID_TIME = "element_invalid_time"  # 9
ELEMENT_EXCLUSION_VIOLATED = "element_exclusion_violated"  # 10
TOO_MANY_REPETITIONS = "too_many_repetitions"  # 12
TOO_MANY_COMPONENTS = "too_many_components"  # 13
ELEMENT_NOT_USED = "element_not_used"  # 999 IK4 I10

SEGMENT_FINDINGS = frozenset(
    {
        SEGMENT_UNRECOGNIZED,
        SEGMENT_UNEXPECTED,
        SEGMENT_MISSING,
        LOOP_OVER_MAX,
        SEGMENT_OVER_MAX,
        SEGMENT_NOT_IN_MESSAGE,
        SEGMENT_OUT_OF_ORDER,
        SEGMENT_NOT_USED,
    }
)

UNBOUNDED = 1 << 30

_MESSAGES = {
    SEGMENT_UNRECOGNIZED: "unrecognized segment id {tag}",
    SEGMENT_UNEXPECTED: "segment {tag} is not expected here",
    SEGMENT_MISSING: "mandatory segment {tag} is missing",
    LOOP_OVER_MAX: "loop {tag} occurs more often than its maximum {max}",
    SEGMENT_OVER_MAX: "segment {tag} occurs more often than its maximum {max}",
    SEGMENT_NOT_IN_MESSAGE: "segment {tag} is not defined in this message",
    SEGMENT_OUT_OF_ORDER: "segment {tag} is not in its proper place",
    SEGMENT_NOT_USED: "segment {tag} is marked not used in this guide",
}

_ELEMENT_MESSAGES = {
    ELEMENT_MISSING: "mandatory element {ref} is missing",
    ELEMENT_CONDITIONAL_MISSING: "element {ref} is required by syntax rule {rule}",
    TOO_MANY_ELEMENTS: "segment {tag} has more elements than defined ({count} > {max})",
    ELEMENT_TOO_SHORT: "element {ref} is shorter than {min}",
    ELEMENT_TOO_LONG: "element {ref} is longer than {max}",
    ELEMENT_INVALID_CHARACTER: "element {ref} is not a valid {type} value",
    ELEMENT_INVALID_CODE: "element {ref} has a code not in its code list",
    ELEMENT_INVALID_DATE: "element {ref} is not a valid date",
    ELEMENT_INVALID_TIME: "element {ref} is not a valid time",
    ELEMENT_EXCLUSION_VIOLATED: "element {ref} may not appear with the others of rule {rule}",
    TOO_MANY_REPETITIONS: "element {ref} repeats more than {max} times",
    TOO_MANY_COMPONENTS: "element {ref} has more components than defined",
    ELEMENT_NOT_USED: "element {ref} is marked not used in this guide",
}


class GuideError(ValueError):
    """A guide file is malformed (a programming/configuration error, not bad EDI input)."""


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class ElementDef:
    """One simple element or composite component."""

    id: str
    type: str
    min: int
    max: int
    usage: str  # M | O | X
    repeat: int = 1
    name: str = ""


@dataclass(frozen=True, slots=True)
class CompositeDef:
    id: str
    usage: str
    components: tuple[ElementDef, ...]
    repeat: int = 1
    name: str = ""


@dataclass(frozen=True, slots=True)
class SyntaxRule:
    kind: str  # P R E C L
    positions: tuple[int, ...]
    text: str


@dataclass(frozen=True, slots=True)
class SegmentDef:
    tag: str
    elements: tuple[ElementDef | CompositeDef, ...]
    rules: tuple[SyntaxRule, ...] = ()
    name: str = ""


@dataclass(frozen=True, slots=True)
class SegmentUse:
    tag: str
    usage: str
    max: int


@dataclass(frozen=True, slots=True)
class LoopDef:
    id: str
    usage: str
    max: int
    body: tuple[SegmentUse | LoopDef, ...]

    @property
    def trigger(self) -> str:
        first = self.body[0]
        return first.tag if isinstance(first, SegmentUse) else first.trigger


@dataclass(frozen=True)
class Guide:
    """A loaded (not yet compiled) guide."""

    id: str
    standard: str
    message: str
    version: str
    segments: Mapping[str, SegmentDef]
    codes: Mapping[str, frozenset[str]]
    structure: LoopDef  # the whole message as the root loop (id "")
    meta: Mapping[str, Any] = field(default_factory=dict)

    def compile(
        self, overlay: Overlay | None = None, standard_codes: FindingCodes | None = None
    ) -> CompiledGuide:
        return CompiledGuide(self, overlay or NO_OVERLAY, standard_codes or {})


# finding code -> standard-code keys to add, e.g. {"element_invalid_code": {"ak4": "7"}}
FindingCodes = Mapping[str, Mapping[str, str]]


# --------------------------------------------------------------------------- loading


def _usage(text: str) -> str:
    u = text.strip().upper()
    if u in ("M", "R"):
        return "M"
    if u in ("O", "C", "D", "S"):
        return "O"
    if u in ("X", "N"):
        return "X"
    raise GuideError(f"unknown usage {text!r}")


def _count(text: Any) -> int:
    s = str(text).strip()
    if s in (">1", "n", "N", "unbounded", "*"):
        return UNBOUNDED
    try:
        return int(s)
    except ValueError as exc:
        raise GuideError(f"bad count {text!r}") from exc


def _element(spec: Any) -> ElementDef:
    if isinstance(spec, str):
        parts = spec.split()
        if len(parts) < 4:
            raise GuideError(f"element spec needs 'id type min/max usage': {spec!r}")
        lo, _, hi = parts[2].partition("/")
        repeat = 1
        for extra in parts[4:]:
            if extra.startswith("x"):
                repeat = _count(extra[1:])
        return ElementDef(parts[0], parts[1], int(lo), int(hi), _usage(parts[3]), repeat)
    if isinstance(spec, Mapping):
        return ElementDef(
            str(spec["id"]),
            str(spec["type"]),
            int(spec.get("min", 1)),
            int(spec["max"]),
            _usage(str(spec.get("usage", "O"))),
            _count(spec.get("repeat", 1)),
            str(spec.get("name", "")),
        )
    raise GuideError(f"bad element spec {spec!r}")


def _element_or_composite(spec: Any) -> ElementDef | CompositeDef:
    if isinstance(spec, Mapping) and "composite" in spec:
        return CompositeDef(
            str(spec["composite"]),
            _usage(str(spec.get("usage", "O"))),
            tuple(_element(c) for c in spec["components"]),
            _count(spec.get("repeat", 1)),
            str(spec.get("name", "")),
        )
    return _element(spec)


def parse_rule(text: str) -> SyntaxRule:
    """`P0506` -> paired elements 5 and 6 (two-digit positions after the letter)."""
    kind, digits = text[0].upper(), text[1:]
    if kind not in "PRECL" or len(digits) < 4 or len(digits) % 2 or not digits.isdecimal():
        raise GuideError(f"bad syntax rule {text!r}")
    positions = tuple(int(digits[i : i + 2]) for i in range(0, len(digits), 2))
    return SyntaxRule(kind, positions, text.upper())


def _segment(tag: str, spec: Mapping[str, Any]) -> SegmentDef:
    return SegmentDef(
        tag,
        tuple(_element_or_composite(e) for e in spec.get("elements", ())),
        tuple(parse_rule(str(r)) for r in spec.get("rules", ())),
        str(spec.get("name", "")),
    )


def _structure(entries: Iterable[Any], loop_id: str, usage: str, max_: int) -> LoopDef:
    body: list[SegmentUse | LoopDef] = []
    for entry in entries:
        if isinstance(entry, str):
            parts = entry.split()
            if len(parts) != 3:
                raise GuideError(f"structure entry needs 'TAG usage max': {entry!r}")
            body.append(SegmentUse(parts[0], _usage(parts[1]), _count(parts[2])))
        elif isinstance(entry, Mapping) and "loop" in entry:
            body.append(
                _structure(
                    entry["body"],
                    str(entry["loop"]),
                    _usage(str(entry.get("usage", "O"))),
                    _count(entry.get("max", 1)),
                )
            )
        else:
            raise GuideError(f"bad structure entry {entry!r}")
    if not body:
        raise GuideError(f"loop {loop_id!r} is empty")
    return LoopDef(loop_id, usage, max_, tuple(body))


def read_guide_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    # libyaml's loader when present: the pure-Python one takes most of a second for a guide set
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=loader)
    if not isinstance(raw, dict):
        raise GuideError(f"{path}: a guide is a mapping")
    return raw


def merge_guide_data(
    raw: Mapping[str, Any], resolve: Callable[[str], Mapping[str, Any]]
) -> dict[str, Any]:
    """Resolve `extends` and `dictionary` into one flat mapping (segments, codes, structure)."""
    merged: dict[str, Any] = {"segments": {}, "codes": {}}
    if "extends" in raw:
        base = merge_guide_data(resolve(str(raw["extends"])), resolve)
        merged.update({k: v for k, v in base.items() if k not in ("id", "extends")})
        merged["segments"] = dict(base.get("segments", {}))
        merged["codes"] = dict(base.get("codes", {}))
    if "dictionary" in raw:
        dictionary = merge_guide_data(resolve(str(raw["dictionary"])), resolve)
        merged["segments"].update(dictionary.get("segments", {}))
        for ref, codes in dictionary.get("codes", {}).items():
            merged["codes"].setdefault(ref, codes)
    for key, value in raw.items():
        if key == "segments":
            merged["segments"].update(value or {})
        elif key == "codes":
            merged["codes"].update(value or {})
        elif key == "remove_codes":
            for ref, drop in (value or {}).items():
                keep = [
                    c for c in merged["codes"].get(ref, ()) if str(c) not in set(map(str, drop))
                ]
                merged["codes"][ref] = keep
        elif key not in ("extends", "dictionary"):
            merged[key] = value
    return merged


def build_guide(data: Mapping[str, Any], default_id: str = "") -> Guide:
    """A `Guide` from a flat mapping (after `merge_guide_data`)."""
    try:
        segments = {str(t): _segment(str(t), s or {}) for t, s in data["segments"].items()}
        codes = {str(r): frozenset(str(c) for c in v) for r, v in data.get("codes", {}).items()}
        structure = _structure(data["structure"], "", "M", 1)
    except (KeyError, TypeError, ValueError) as exc:
        raise GuideError(f"guide {data.get('id', default_id)!r}: {exc}") from exc
    missing = _tags(structure) - segments.keys()
    if missing:
        raise GuideError(f"guide {default_id!r}: no definition for {sorted(missing)}")
    return Guide(
        id=str(data.get("id", default_id)),
        standard=str(data.get("standard", "")),
        message=str(data.get("message", "")),
        version=str(data.get("version", "")),
        segments=segments,
        codes=codes,
        structure=structure,
        meta={k: v for k, v in data.items() if k not in ("segments", "codes", "structure")},
    )


def _tags(loop: LoopDef) -> set[str]:
    out: set[str] = set()
    for node in loop.body:
        if isinstance(node, SegmentUse):
            out.add(node.tag)
        else:
            out |= _tags(node)
    return out


class GuideLibrary:
    """Guides in one folder, found by id (`<id>.yaml` / `.yml` / `.json`), loaded lazily;
    compiled forms are cached per (guide, overlay)."""

    def __init__(self, directory: Path, standard_codes: FindingCodes | None = None) -> None:
        self.directory = directory
        self.standard_codes = standard_codes or {}
        self._raw: dict[str, Mapping[str, Any]] = {}
        self._guides: dict[str, Guide] = {}
        self._compiled: dict[tuple[str, Any], CompiledGuide] = {}

    def _path(self, guide_id: str) -> Path | None:
        for suffix in (".yaml", ".yml", ".json"):
            path = self.directory / f"{guide_id}{suffix}"
            if path.is_file():
                return path
        return None

    def has(self, guide_id: str) -> bool:
        return guide_id in self._guides or self._path(guide_id) is not None

    def ids(self) -> list[str]:
        return sorted(
            p.stem
            for p in self.directory.iterdir()
            if p.suffix in (".yaml", ".yml", ".json") and not p.stem.startswith("segments")
        )

    def raw(self, guide_id: str) -> Mapping[str, Any]:
        if guide_id not in self._raw:
            path = self._path(guide_id)
            if path is None:
                raise GuideError(f"no guide {guide_id!r} in {self.directory}")
            self._raw[guide_id] = read_guide_file(path)
        return self._raw[guide_id]

    def guide(self, guide_id: str) -> Guide:
        if guide_id not in self._guides:
            data = merge_guide_data(self.raw(guide_id), self.raw)
            self._guides[guide_id] = build_guide(data, guide_id)
        return self._guides[guide_id]

    def compiled(self, guide_id: str, overlay: Overlay | None = None) -> CompiledGuide:
        overlay = overlay or NO_OVERLAY
        key = (guide_id, overlay_key(overlay))
        found = self._compiled.get(key)
        if found is None:
            found = CompiledGuide(self.guide(guide_id), overlay, self.standard_codes)
            self._compiled[key] = found
        return found


def overlay_key(overlay: Overlay) -> Any:
    """A hashable identity for an overlay's content (overlays hold plain dicts)."""
    return (
        overlay.required,
        tuple(sorted((k, tuple(sorted(v))) for k, v in overlay.restricted_codes.items())),
        tuple(sorted((k, tuple(sorted(v))) for k, v in overlay.extra_codes.items())),
    )


# --------------------------------------------------------------------------- value checks

# A check takes a non-empty value and returns a finding code, or None when the value is fine.
Check = Callable[[str], str | None]

_DAYS = {m: calendar.monthrange(2000, m)[1] for m in range(1, 13)}  # leap year: Feb 29 ok


def _valid_date(value: str) -> bool:
    if not (value.isascii() and value.isdecimal()):
        return False
    if len(value) == 8:
        year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    elif len(value) == 6:
        year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    else:
        return False
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS[month]:
        return False
    return not (month == 2 and day == 29 and not calendar.isleap(year))


def _valid_time(value: str) -> bool:
    if not (value.isascii() and value.isdecimal()) or len(value) not in (4, 6, 7, 8):
        return False
    if int(value[:2]) > 23 or int(value[2:4]) > 59:
        return False
    return not (len(value) >= 6 and int(value[4:6]) > 59)


def _length_check(lo: int, hi: int, measure: Callable[[str], int] = len) -> Check:
    def check(value: str) -> str | None:
        n = measure(value)
        if n > hi:
            return ELEMENT_TOO_LONG
        if n < lo:
            return ELEMENT_TOO_SHORT
        return None

    return check


def _numeric_check(lo: int, hi: int, decimal: bool, marks: str = ".") -> Check:
    def check(value: str) -> str | None:
        digits = value[1:] if value[0] in "-+" else value
        if decimal:
            for mark in marks:
                if mark in digits:
                    whole, _, frac = digits.partition(mark)
                    digits = whole + frac
                    break
        if not (digits.isascii() and digits.isdecimal()):
            return ELEMENT_INVALID_CHARACTER
        if len(digits) > hi:
            return ELEMENT_TOO_LONG
        if len(digits) < lo:
            return ELEMENT_TOO_SHORT
        return None

    return check


def value_check(element: ElementDef, codes: frozenset[str] | None) -> Check:
    """Compile one element definition (and its code list) into a check function."""
    kind, lo, hi = element.type, element.min, element.max
    if codes is not None:
        valid = codes

        def coded(value: str) -> str | None:
            return None if value in valid or value.rstrip() in valid else ELEMENT_INVALID_CODE

        return coded
    if kind in ("AN", "ID", "an", "A", "B"):
        if kind == "B":
            return lambda value: None
        return _length_check(lo, hi)
    if kind == "a":
        length = _length_check(lo, hi)

        def alpha(value: str) -> str | None:
            if any(c.isdecimal() for c in value):
                return ELEMENT_INVALID_CHARACTER
            return length(value)

        return alpha
    if kind == "R":
        return _numeric_check(lo, hi, decimal=True)
    if kind == "n":
        return _numeric_check(lo, hi, decimal=True, marks=".,")
    if kind == "N" or (kind[:1] == "N" and kind[1:].isdecimal()):
        return _numeric_check(lo, hi, decimal=False)
    if kind == "DT":
        return _memoised_check(lo, hi, _valid_date, ELEMENT_INVALID_DATE)
    if kind == "TM":
        return _memoised_check(lo, hi, _valid_time, ELEMENT_INVALID_TIME)
    raise GuideError(f"unknown element type {kind!r}")


def _memoised_check(lo: int, hi: int, valid: Callable[[str], bool], code: str) -> Check:
    """A date or time check that remembers its verdicts (the same values recur a lot),
    up to 4,096 distinct values."""
    seen: dict[str, str | None] = {}

    def check(value: str) -> str | None:
        if value in seen:
            return seen[value]
        found = None if lo <= len(value) <= hi and valid(value) else code
        if len(seen) < 4096:
            seen[value] = found
        return found

    return check


# --------------------------------------------------------------------------- compiled forms


@dataclass(slots=True)
class _CompiledElement:
    ref: str  # SEG-NN
    id: str
    mandatory: bool
    not_used: bool
    repeat: int
    check: Check | None  # simple element
    components: tuple[tuple[str, bool, Check], ...] | None  # composite: (ref, mandatory, check)
    data_type: str
    # what the generated fast checker needs (simple elements only)
    lo: int = 0
    hi: int = 0
    codes: frozenset[str] | None = None


_UNSET: Any = object()


@dataclass(slots=True)
class _CompiledSegment:
    tag: str
    elements: tuple[_CompiledElement, ...]
    rules: tuple[SyntaxRule, ...]
    # generated fast checkers by element shift (0: elements only, 1: tag first)
    fast: dict[int, Callable[[Sequence[Value]], bool] | None] = field(default_factory=dict)
    # the compiled (C) checker: unset, None when the segment cannot have one, or the checker
    native: Any = field(default=_UNSET)


@dataclass(slots=True)
class _CompiledLoop:
    id: str
    trigger: str
    max: int
    mandatory: bool
    nodes: list[_CompiledLoop | _CompiledUse]
    # forward[i]: tag -> positions j >= i whose node starts with that tag
    forward: list[dict[str, tuple[int, ...]]] = field(default_factory=list)
    # positions of mandatory nodes, for "missing" checks
    mandatory_positions: tuple[int, ...] = ()


@dataclass(slots=True)
class _CompiledUse:
    tag: str
    max: int
    mandatory: bool
    not_used: bool
    segment: _CompiledSegment

    @property
    def trigger(self) -> str:
        return self.tag


class CompiledGuide:
    """A guide plus an overlay compiled for validation; build once, validate many."""

    def __init__(self, guide: Guide, overlay: Overlay, standard_codes: FindingCodes) -> None:
        self.guide = guide
        self.overlay = overlay
        self.standard_codes = standard_codes
        self._segments: dict[str, _CompiledSegment] = {
            tag: self._compile_segment(d) for tag, d in guide.segments.items()
        }
        self.root = self._compile_loop(guide.structure)
        self._all_tags = _tags(guide.structure)
        self._plans: dict[tuple[str, ...], tuple[Callable[[Sequence[Value]], bool], ...]] = {}
        self._tagged_plans: dict[
            tuple[str, ...], tuple[Callable[[Sequence[Value]], bool], ...]
        ] = {}
        # per element separator: checker -> segment texts it already accepted
        self._known_clean: dict[str, dict[Callable[[Sequence[Value]], bool], set[str]]] = {}
        self._text_plans: dict[
            tuple[str, tuple[str, ...]],
            tuple[tuple[Callable[[Sequence[Value]], bool], set[str]], ...],
        ] = {}
        # the optional compiled checker (None: pure Python) and its plans by tag-sequence key
        self.accel: Any = _accel.load("x12fast")
        self._native_plans: dict[str, tuple[Any, ...] | None] = {}

    # -- compile

    def _compile_segment(self, definition: SegmentDef) -> _CompiledSegment:
        overlay, guide = self.overlay, self.guide
        compiled: list[_CompiledElement] = []
        for position, element in enumerate(definition.elements, start=1):
            ref = f"{definition.tag}-{position:02d}"
            mandatory = element.usage == "M" or ref in overlay.required
            if isinstance(element, CompositeDef):
                parts = []
                for index, comp in enumerate(element.components, start=1):
                    cref = f"{ref}-{index}"
                    codes = overlay.allowed_codes(cref, guide.codes.get(cref))
                    parts.append(
                        (
                            cref,
                            comp.usage == "M" or cref in overlay.required,
                            value_check(comp, codes),
                        )
                    )
                compiled.append(
                    _CompiledElement(
                        ref,
                        element.id,
                        mandatory,
                        element.usage == "X",
                        element.repeat,
                        None,
                        tuple(parts),
                        "composite",
                    )
                )
            else:
                codes = overlay.allowed_codes(ref, guide.codes.get(ref))
                compiled.append(
                    _CompiledElement(
                        ref,
                        element.id,
                        mandatory,
                        element.usage == "X",
                        element.repeat,
                        value_check(element, codes),
                        None,
                        element.type,
                        element.min,
                        element.max,
                        codes,
                    )
                )
        return _CompiledSegment(definition.tag, tuple(compiled), definition.rules)

    def _compile_loop(self, loop: LoopDef) -> _CompiledLoop:
        nodes: list[_CompiledLoop | _CompiledUse] = []
        for node in loop.body:
            if isinstance(node, SegmentUse):
                nodes.append(
                    _CompiledUse(
                        node.tag,
                        node.max,
                        node.usage == "M" or node.tag in self.overlay.required,
                        node.usage == "X",
                        self._segments[node.tag],
                    )
                )
            else:
                nodes.append(self._compile_loop(node))
        mandatory = loop.usage == "M" or loop.trigger in self.overlay.required
        compiled = _CompiledLoop(loop.id, loop.trigger, loop.max, mandatory, nodes)
        forward: list[dict[str, tuple[int, ...]]] = []
        for i in range(len(nodes)):
            table: dict[str, list[int]] = {}
            for j in range(i, len(nodes)):
                table.setdefault(nodes[j].trigger, []).append(j)
            forward.append({t: tuple(p) for t, p in table.items()})
        forward.append({})  # past the end: nothing further in this loop
        compiled.forward = forward
        compiled.mandatory_positions = tuple(i for i, n in enumerate(nodes) if n.mandatory)
        return compiled

    # -- validate

    def validate(self, segments: Sequence[Segment]) -> list[Issue]:
        """Check one message (header through trailer) against the guide: segment order,
        usage, repeats and loops, then every element of every placed segment."""
        run = _Run(self, segments)
        run.walk()
        return run.issues

    def accepts(
        self, tags: tuple[str, ...], rows: Sequence[Sequence[Value]], *, tagged: bool = False
    ) -> bool:
        """A fast yes: True only when `validate` would find nothing in the message whose
        segments have these `tags` and elements (`rows[i]`: the elements after the tag, plain
        strings, no composite or repetition split; with `tagged`, `rows[i][0]` is the tag and
        the elements follow). False means "not sure: run `validate`".
        The structure walk is cached per tag sequence and element checks are generated code,
        so a clean message costs little more than reading it."""
        plans = self._tagged_plans if tagged else self._plans
        plan = plans.get(tags)
        if plan is None:
            plan = self._plan(tags, int(tagged))
            if len(plans) < 20_000:  # bounded: tag sequences repeat in real traffic
                plans[tags] = plan
        if not plan:  # () when the structure has findings
            return False
        for check, row in zip(plan, rows, strict=True):  # noqa: SIM110 - a loop beats all() here
            if not check(row):
                return False
        return True

    def accepts_texts(self, texts: Sequence[str], separator: str, reserved: str = "") -> bool:
        """`accepts` for segments still as text (`TAG*el*el`, one element separator). Any
        character of `reserved` (component / repetition separators) in a text means "not
        sure" (False). Segments already proven clean are remembered by their text (bounded),
        since real traffic repeats parties, addresses and codes. With the compiled module the
        whole check runs in C (`segment_table`); it answers the same or defers to this code."""
        accel = self.accel
        if accel is not None and type(texts) is list:
            verdict = accel.accepts(texts, separator, reserved, self._native_plans)
            if type(verdict) is str:
                if len(self._native_plans) < 20_000:  # bounded like the Python plans
                    self._native_plans[verdict] = self._native_plan(tuple(verdict.split(" ")))
                verdict = accel.accepts(texts, separator, reserved, self._native_plans)
            if type(verdict) is bool:
                return verdict
        if reserved and any(mark in text for text in texts for mark in reserved):
            return False
        tags = tuple([text.partition(separator)[0] for text in texts])
        key = (separator, tags)
        steps = self._text_plans.get(key)
        if steps is None:
            plan = self._plan(tags, 1)
            known = self._known_clean.setdefault(separator, {})
            steps = tuple((check, known.setdefault(check, set())) for check in plan)
            if len(self._text_plans) < 20_000:
                self._text_plans[key] = steps
        if not steps:
            return False
        for (check, seen), text in zip(steps, texts, strict=True):
            if text in seen:
                continue
            if not check(text.split(separator)):
                return False
            if len(seen) < 4096:
                seen.add(text)
        return True

    def segment_table(self, tag: str) -> SegmentTable | None:
        """The fast clean check of segment `tag` as data (see the module docstring), or None
        when the table cannot express it (or the guide does not define the tag)."""
        segment = self._segments.get(tag)
        return _segment_table(segment) if segment is not None else None

    def _native_plan(self, tags: tuple[str, ...]) -> tuple[Any, ...] | None:
        """Compiled checkers per position: () when the structure has findings or a segment
        has no fast check at all (False either way), None when the table cannot express one
        of them (the Python path decides)."""
        accel = self.accel
        run = _Run(self, [Segment(tag) for tag in tags])
        placed = run.place_all()
        if run.issues or any(use is None for use in placed):
            return ()
        checks: list[Any] = []
        unsure = False
        for use in placed:
            assert use is not None
            segment = use.segment
            if 1 not in segment.fast:
                segment.fast[1] = _fast_checker(segment, 1)
            if segment.fast[1] is None:
                return ()
            if segment.native is _UNSET:
                table = _segment_table(segment)
                segment.native = None if table is None else accel.SegmentCheck(*table)
            if segment.native is None:
                unsure = True
            checks.append(segment.native)
        return None if unsure else tuple(checks)

    def _plan(
        self, tags: tuple[str, ...], shift: int = 0
    ) -> tuple[Callable[[Sequence[Value]], bool], ...]:
        """The fast checkers per position, or () when the structure has findings."""
        run = _Run(self, [Segment(tag) for tag in tags])
        placed = run.place_all()
        if run.issues:
            return ()
        checks: list[Callable[[Sequence[Value]], bool]] = []
        for use in placed:
            if use is None:
                return ()
            segment = use.segment
            if shift not in segment.fast:
                segment.fast[shift] = _fast_checker(segment, shift)
            check = segment.fast[shift]
            if check is None:
                return ()
            checks.append(check)
        return tuple(checks)

    def check_segment(self, segment: Segment, position: int = 1) -> list[Issue]:
        """Element checks of one segment on its own (e.g. an envelope segment)."""
        run = _Run(self, [segment])
        definition = self._segments.get(segment.tag)
        if definition is not None:
            run.check_elements(segment, definition, position, "")
        return run.issues

    def finding(
        self,
        code: str,
        level: Level,
        location: Location,
        value: str | None = None,
        **fmt: Any,
    ) -> Issue:
        template = _MESSAGES.get(code) or _ELEMENT_MESSAGES.get(code) or code
        return Issue(
            code=code,
            message=template.format(**fmt),
            level=level,
            severity=Severity.ERROR,
            location=location,
            standard_codes=dict(self.standard_codes.get(code, {})),
            value=value[:80] if value is not None else None,
        )


@dataclass(slots=True)
class _Frame:
    loop: _CompiledLoop
    pos: int
    counts: list[int]


class _Run:
    """One validation pass over one message."""

    def __init__(self, guide: CompiledGuide, segments: Sequence[Segment]) -> None:
        self.guide = guide
        self.segments = segments
        self.issues: list[Issue] = []

    def _location(self, segment: Segment, position: int, loop_id: str, **more: Any) -> Location:
        base = segment.location or Location()
        return replace(
            base,
            segment_id=more.pop("segment_id", segment.tag),
            segment_position=position,
            loop_id=loop_id or None,
            **more,
        )

    def place_all(self) -> list[_CompiledUse | None]:
        """The structure walk alone: where each segment goes (None: nowhere)."""
        root = self.guide.root
        frames = [_Frame(root, -1, [0] * len(root.nodes))]
        placed: list[_CompiledUse | None] = []
        for position, segment in enumerate(self.segments, start=1):
            placed.append(self._place(frames, segment, position))
        if self.segments:
            while frames:
                self._close(frames.pop(), self.segments[-1], len(self.segments))
        return placed

    def walk(self) -> None:
        root = self.guide.root
        frames = [_Frame(root, -1, [0] * len(root.nodes))]
        position = 0
        last: Segment | None = None
        for position, segment in enumerate(self.segments, start=1):
            last = segment
            placed = self._place(frames, segment, position)
            if placed is not None:
                self.check_elements(segment, placed.segment, position, frames[-1].loop.id)
        if last is not None:
            while frames:
                self._close(frames.pop(), last, position)

    def _place(self, frames: list[_Frame], segment: Segment, position: int) -> _CompiledUse | None:
        tag = segment.tag
        depth = len(frames) - 1
        while depth >= 0:
            frame = frames[depth]
            # a loop's trigger (node 0) is matched only from the parent: seeing it again
            # starts the next iteration, it is not a repeat inside this one
            start = frame.pos if frame.pos > 0 else frame.pos + 1
            candidates = frame.loop.forward[start].get(tag)
            if candidates:
                chosen = candidates[0]
                for j in candidates:
                    if frame.counts[j] < frame.loop.nodes[j].max:
                        chosen = j
                        break
                while len(frames) - 1 > depth:
                    self._close(frames.pop(), segment, position)
                self._missing_between(frame, chosen, segment, position)
                frame.pos = chosen
                frame.counts[chosen] += 1
                node = frame.loop.nodes[chosen]
                over = frame.counts[chosen] > node.max
                if isinstance(node, _CompiledUse):
                    if over:
                        self._segment_issue(
                            SEGMENT_OVER_MAX, segment, position, frame.loop.id, max=node.max
                        )
                    if node.not_used:
                        self._segment_issue(SEGMENT_NOT_USED, segment, position, frame.loop.id)
                    return node
                # entering a loop (possibly nested loops that start with the same trigger)
                loop = node
                if over:
                    self._segment_issue(LOOP_OVER_MAX, segment, position, loop.id, max=loop.max)
                while True:
                    inner = _Frame(loop, 0, [0] * len(loop.nodes))
                    inner.counts[0] = 1
                    frames.append(inner)
                    first = loop.nodes[0]
                    if isinstance(first, _CompiledUse):
                        return first
                    loop = first
            depth -= 1
        # nowhere to put it
        if tag in self.guide._all_tags:
            code = SEGMENT_OUT_OF_ORDER
        elif tag in self.guide._segments or _looks_like_tag(tag):
            code = SEGMENT_NOT_IN_MESSAGE
        else:
            code = SEGMENT_UNRECOGNIZED
        self._segment_issue(code, segment, position, frames[-1].loop.id)
        return None

    def _missing_between(self, frame: _Frame, chosen: int, segment: Segment, pos: int) -> None:
        for j in frame.loop.mandatory_positions:
            if frame.pos < j < chosen and frame.counts[j] == 0:
                node = frame.loop.nodes[j]
                self._segment_issue(
                    SEGMENT_MISSING, segment, pos, frame.loop.id, missing=node.trigger
                )

    def _close(self, frame: _Frame, segment: Segment, position: int) -> None:
        for j in frame.loop.mandatory_positions:
            if j > frame.pos and frame.counts[j] == 0:
                node = frame.loop.nodes[j]
                self._segment_issue(
                    SEGMENT_MISSING, segment, position, frame.loop.id, missing=node.trigger
                )

    def _segment_issue(
        self,
        code: str,
        segment: Segment,
        position: int,
        loop_id: str,
        missing: str | None = None,
        max: int = 0,
    ) -> None:
        tag = missing or segment.tag
        location = self._location(segment, position, loop_id, segment_id=tag)
        self.issues.append(self.guide.finding(code, Level.SEGMENT, location, tag=tag, max=max))

    def check_elements(
        self, segment: Segment, definition: _CompiledSegment, position: int, loop_id: str
    ) -> None:
        elements = segment.elements
        defs = definition.elements
        count = len(elements)
        if count > len(defs):
            # trailing empty elements are harmless; only real extra data is an error
            extra = [v for v in elements[len(defs) :] if _present(v)]
            if extra:
                self._element_issue(
                    TOO_MANY_ELEMENTS,
                    segment,
                    position,
                    loop_id,
                    len(defs) + 1,
                    None,
                    None,
                    tag=segment.tag,
                    count=count,
                    max=len(defs),
                )
        for index, edef in enumerate(defs):
            value: Value = elements[index] if index < count else ""
            if value == "" or (isinstance(value, str) and value.isspace()):
                if edef.mandatory:
                    self._element_issue(
                        ELEMENT_MISSING, segment, position, loop_id, index + 1, None, edef
                    )
                continue
            if edef.not_used:
                self._element_issue(
                    ELEMENT_NOT_USED, segment, position, loop_id, index + 1, None, edef
                )
                continue
            if isinstance(value, list):
                if len(value) > edef.repeat:
                    self._element_issue(
                        TOO_MANY_REPETITIONS,
                        segment,
                        position,
                        loop_id,
                        index + 1,
                        None,
                        edef,
                        max=edef.repeat,
                    )
                for rep, item in enumerate(value, start=1):
                    self._check_value(item, edef, segment, position, loop_id, index + 1, rep)
            else:
                self._check_value(value, edef, segment, position, loop_id, index + 1, None)
        if definition.rules:
            self._check_rules(segment, definition, position, loop_id)

    def _check_value(
        self,
        value: str | tuple[str, ...],
        edef: _CompiledElement,
        segment: Segment,
        position: int,
        loop_id: str,
        element: int,
        repetition: int | None,
    ) -> None:
        if edef.components is None:
            text = value if isinstance(value, str) else value[0]
            if not isinstance(value, str) and any(c for c in value[1:]):
                self._element_issue(
                    TOO_MANY_COMPONENTS,
                    segment,
                    position,
                    loop_id,
                    element,
                    None,
                    edef,
                    repetition=repetition,
                )
            if text and edef.check is not None:
                found = edef.check(text)
                if found is not None:
                    self._element_issue(
                        found,
                        segment,
                        position,
                        loop_id,
                        element,
                        None,
                        edef,
                        value=text,
                        repetition=repetition,
                    )
            return
        parts = (value,) if isinstance(value, str) else value
        if len(parts) > len(edef.components) and any(parts[len(edef.components) :]):
            self._element_issue(
                TOO_MANY_COMPONENTS,
                segment,
                position,
                loop_id,
                element,
                None,
                edef,
                repetition=repetition,
            )
        for cindex, (cref, mandatory, check) in enumerate(edef.components):
            text = parts[cindex] if cindex < len(parts) else ""
            if not text:
                if mandatory:
                    self._element_issue(
                        ELEMENT_MISSING,
                        segment,
                        position,
                        loop_id,
                        element,
                        cindex + 1,
                        edef,
                        ref=cref,
                        repetition=repetition,
                    )
                continue
            found = check(text)
            if found is not None:
                self._element_issue(
                    found,
                    segment,
                    position,
                    loop_id,
                    element,
                    cindex + 1,
                    edef,
                    ref=cref,
                    value=text,
                    repetition=repetition,
                )

    def _check_rules(
        self, segment: Segment, definition: _CompiledSegment, position: int, loop_id: str
    ) -> None:
        elements = segment.elements
        n = len(elements)

        def present(p: int) -> bool:
            return p <= n and _present(elements[p - 1])

        for rule in definition.rules:
            flags = [present(p) for p in rule.positions]
            missing: list[int] = []
            code = ELEMENT_CONDITIONAL_MISSING
            if rule.kind == "P":
                if any(flags) and not all(flags):
                    missing = [p for p, f in zip(rule.positions, flags, strict=True) if not f]
            elif rule.kind == "R":
                if not any(flags):
                    missing = [rule.positions[0]]
            elif rule.kind == "E":
                if sum(flags) > 1:
                    code = ELEMENT_EXCLUSION_VIOLATED
                    missing = [p for p, f in zip(rule.positions, flags, strict=True) if f][1:]
            elif rule.kind == "C":
                if flags[0] and not all(flags[1:]):
                    missing = [
                        p for p, f in zip(rule.positions[1:], flags[1:], strict=True) if not f
                    ]
            elif rule.kind == "L" and flags[0] and not any(flags[1:]):
                missing = [rule.positions[1]]
            for p in missing:
                edef = definition.elements[p - 1] if p <= len(definition.elements) else None
                self._element_issue(code, segment, position, loop_id, p, None, edef, rule=rule.text)

    def _element_issue(
        self,
        code: str,
        segment: Segment,
        position: int,
        loop_id: str,
        element: int,
        component: int | None,
        edef: _CompiledElement | None,
        *,
        ref: str | None = None,
        value: str | None = None,
        repetition: int | None = None,
        **fmt: Any,
    ) -> None:
        ref = ref or (edef.ref if edef else f"{segment.tag}-{element:02d}")
        location = self._location(
            segment, position, loop_id, element=element, component=component, repetition=repetition
        )
        fmt.setdefault("tag", segment.tag)
        fmt.setdefault("min", "its minimum")
        fmt.setdefault("max", "its maximum")
        fmt.setdefault("type", edef.data_type if edef else "")
        issue = self.guide.finding(code, Level.ELEMENT, location, value, ref=ref, **fmt)
        if edef is not None:
            issue.standard_codes.setdefault("element_ref", edef.id)
        self.issues.append(issue)


def _extra_present(row: Sequence[Value], defined: int) -> bool:
    return any(_present(v) for v in row[defined:])


_SIMPLE_TEXT = frozenset({"AN", "ID", "an", "A"})


def _fast_checker(
    segment: _CompiledSegment, shift: int = 0
) -> Callable[[Sequence[Value]], bool] | None:
    """Generate a function that returns True only when `check_elements` would find nothing
    in a segment with these plain-string elements (None when the segment has composites or
    repeating elements, which `validate` handles). Generated because a generic loop over
    element definitions costs several times more per element in CPython."""
    namespace: dict[str, Any] = {"_extra": _extra_present}
    count = len(segment.elements) + shift
    lines = [
        "def check(e):",
        "    n = len(e)",
        f"    if n > {count} and _extra(e, {count}):",
        "        return False",
    ]
    for index, element in enumerate(segment.elements):
        if element.components is not None or element.repeat != 1 or element.check is None:
            return None
        value = f"v{index}"
        at = index + shift
        lines.append(f"    {value} = e[{at}] if n > {at} else ''")
        if element.mandatory:
            lines.append(f"    if not {value} or ({value}[0] == ' ' and {value}.isspace()):")
            lines.append("        return False")
            guard = "    "
        else:
            lines.append(f"    if {value}:")
            guard = "        "
        if element.not_used:
            lines.append(f"{guard}return False")
            continue
        kind = element.data_type
        test: str | None
        if element.codes is not None:
            namespace[f"C{index}"] = element.codes
            test = f"{value} not in C{index}"
        elif kind in _SIMPLE_TEXT:
            test = f"len({value}) > {element.hi}"
            if element.lo > 1:
                test += f" or len({value}) < {element.lo}"
        elif kind == "B":
            test = None
        elif kind == "N" or (kind[:1] == "N" and kind[1:].isdecimal()):
            test = f"not ({value}.isdecimal() and {value}.isascii()) or len({value}) > {element.hi}"
            if element.lo > 1:
                test += f" or len({value}) < {element.lo}"
        elif kind == "R":
            lines.append(f"{guard}w = {value}.replace('.', '', 1)")
            test = f"not (w.isdecimal() and w.isascii()) or len(w) > {element.hi}"
            if element.lo > 1:
                test += f" or len(w) < {element.lo}"
        else:
            namespace[f"K{index}"] = element.check
            test = f"K{index}({value}) is not None"
        if test is None:
            if not element.mandatory:
                lines.append(f"{guard}pass")
            continue
        lines.append(f"{guard}if {test}:")
        lines.append(f"{guard}    return False")
    # presence of each position a syntax note names, worked out once per segment
    for p in sorted({p for rule in segment.rules for p in rule.positions}):
        if p <= len(segment.elements):
            source = f"v{p - 1}"
        else:
            at = p - 1 + shift
            source = f"x{p}"
            lines.append(f"    {source} = e[{at}] if n > {at} else ''")
        lines.append(
            f"    p{p} = {source} != '' and ({source}[0] != ' ' or not {source}.isspace())"
        )
    for rule in segment.rules:
        flags = [f"p{p}" for p in rule.positions]
        first, rest = flags[0], flags[1:]
        if rule.kind == "P" and len(flags) == 2:
            bad = f"{flags[0]} != {flags[1]}"
        elif rule.kind == "P":
            bad = f"any(({', '.join(flags)},)) and not all(({', '.join(flags)},))"
        elif rule.kind == "R" and len(flags) == 2:
            bad = f"not ({flags[0]} or {flags[1]})"
        elif rule.kind == "E" and len(flags) == 2:
            bad = f"{flags[0]} and {flags[1]}"
        elif rule.kind == "C" and len(flags) == 2:
            bad = f"{flags[0]} and not {flags[1]}"
        elif rule.kind == "R":
            bad = f"not any(({', '.join(flags)},))"
        elif rule.kind == "E":
            bad = f"sum(({', '.join(flags)},)) > 1"
        elif rule.kind == "C":
            bad = f"{first} and not all(({', '.join(rest)},))"
        else:  # L
            bad = f"{first} and not any(({', '.join(rest)},))"
        lines.append(f"    if {bad}:")
        lines.append("        return False")
    lines.append("    return True")
    exec("\n".join(lines), namespace)  # the code comes from the guide data above only
    checker: Callable[[Sequence[Value]], bool] = namespace["check"]
    return checker


# (elements, rules): see "Compiled-path table" in the module docstring
SegmentTable = tuple[
    tuple[tuple[str, bool, bool, int, int, frozenset[str] | None], ...],
    tuple[tuple[str, tuple[int, ...]], ...],
]


def _segment_table(segment: _CompiledSegment) -> SegmentTable | None:
    elements: list[tuple[str, bool, bool, int, int, frozenset[str] | None]] = []
    for element in segment.elements:
        if element.components is not None or element.repeat != 1 or element.check is None:
            return None
        kind = element.data_type
        if element.codes is not None:
            name = "code"
        elif kind in _SIMPLE_TEXT:
            name = "text"
        elif kind == "B":
            name = "any"
        elif kind == "N" or (kind[:1] == "N" and kind[1:].isdecimal()):
            name = "digits"
        elif kind == "R":
            name = "decimal"
        elif kind == "DT":
            name = "date"
        elif kind == "TM":
            name = "time"
        else:
            return None
        elements.append(
            (name, element.mandatory, element.not_used, element.lo, element.hi, element.codes)
        )
    rules = tuple((rule.kind, rule.positions) for rule in segment.rules)
    return tuple(elements), rules


def _looks_like_tag(tag: str) -> bool:
    return 2 <= len(tag) <= 3 and tag.isascii() and tag.isalnum() and tag == tag.upper()


def _present(value: Value) -> bool:
    if isinstance(value, str):
        return bool(value) and not value.isspace()
    if isinstance(value, tuple):
        return any(value)
    return any(_present(v) for v in value)
