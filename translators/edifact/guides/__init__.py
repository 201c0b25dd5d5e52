"""The EDIFACT implementation guides shipped as data (`<TYPE>-<DIRECTORY>.yaml`, in the shared
guide format of `translators.core.guide`) and the rule that picks one for a message: the
exact directory, else the nearest shipped one within D93A..D10B (with a warning)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from translators.core.guide import (
    ELEMENT_CONDITIONAL_MISSING,
    ELEMENT_EXCLUSION_VIOLATED,
    ELEMENT_INVALID_CHARACTER,
    ELEMENT_INVALID_CODE,
    ELEMENT_INVALID_DATE,
    ELEMENT_INVALID_TIME,
    ELEMENT_MISSING,
    ELEMENT_NOT_USED,
    ELEMENT_TOO_LONG,
    ELEMENT_TOO_SHORT,
    LOOP_OVER_MAX,
    SEGMENT_MISSING,
    SEGMENT_NOT_IN_MESSAGE,
    SEGMENT_NOT_USED,
    SEGMENT_OUT_OF_ORDER,
    SEGMENT_OVER_MAX,
    SEGMENT_UNEXPECTED,
    SEGMENT_UNRECOGNIZED,
    TOO_MANY_COMPONENTS,
    TOO_MANY_ELEMENTS,
    TOO_MANY_REPETITIONS,
    CompiledGuide,
    GuideLibrary,
)
from translators.core.overlay import Overlay

GUIDE_DIR = Path(__file__).resolve().parent

# Guide findings -> CONTRL syntax error codes (0085) for UCS/UCD.
CONTRL_CODES: dict[str, dict[str, str]] = {
    SEGMENT_UNRECOGNIZED: {"contrl": "15"},
    SEGMENT_UNEXPECTED: {"contrl": "15"},
    SEGMENT_NOT_IN_MESSAGE: {"contrl": "15"},
    SEGMENT_OUT_OF_ORDER: {"contrl": "15"},
    SEGMENT_NOT_USED: {"contrl": "15"},
    SEGMENT_MISSING: {"contrl": "13"},
    SEGMENT_OVER_MAX: {"contrl": "35"},
    LOOP_OVER_MAX: {"contrl": "36"},
    ELEMENT_MISSING: {"contrl": "13"},
    ELEMENT_CONDITIONAL_MISSING: {"contrl": "13"},
    TOO_MANY_ELEMENTS: {"contrl": "16"},
    TOO_MANY_COMPONENTS: {"contrl": "16"},
    TOO_MANY_REPETITIONS: {"contrl": "16"},
    ELEMENT_TOO_SHORT: {"contrl": "40"},
    ELEMENT_TOO_LONG: {"contrl": "39"},
    ELEMENT_INVALID_CHARACTER: {"contrl": "37"},
    ELEMENT_INVALID_CODE: {"contrl": "12"},
    ELEMENT_INVALID_DATE: {"contrl": "12"},
    ELEMENT_INVALID_TIME: {"contrl": "12"},
    ELEMENT_EXCLUSION_VIOLATED: {"contrl": "12"},
    ELEMENT_NOT_USED: {"contrl": "15"},
}

LIBRARY = GuideLibrary(GUIDE_DIR, CONTRL_CODES)

_DIRECTORY = re.compile(r"D([0-9][0-9])([A-C])$")
OLDEST, NEWEST = "D93A", "D10B"  # neighbours accepted through the nearest shipped guide


def directory_rank(directory: str) -> int | None:
    """D96A -> 1996*3+0; None for anything that is not a UN D-directory."""
    match = _DIRECTORY.match(directory.upper())
    if match is None:
        return None
    year = int(match.group(1))
    year += 1900 if year >= 90 else 2000
    return year * 3 + "ABC".index(match.group(2))


@dataclass(frozen=True, slots=True)
class GuideChoice:
    guide_id: str | None
    note: str | None = None
    note_code: str = "guide_nearest"

    def compiled(self, overlay: Overlay | None = None) -> CompiledGuide:
        if self.guide_id is None:
            raise LookupError("no guide was chosen")
        return LIBRARY.compiled(self.guide_id, overlay)


# CONTRL is a service message: syntax 2/3 identifiers map onto the D96A layout, syntax 4 ones
# ("4:1") onto the D01B guide as the nearest we ship.
_SERVICE_DIRECTORIES = {"D3": "D96A", "2:2": "D96A", "D2": "D96A", "3:3": "D96A"}

_choices: dict[tuple[str, str], GuideChoice] = {}


def shipped(message_type: str) -> dict[str, int]:
    """Directories shipped for a message type, with their rank."""
    out: dict[str, int] = {}
    for guide_id in LIBRARY.ids():
        kind, _, directory = guide_id.partition("-")
        rank = directory_rank(directory)
        if kind == message_type and rank is not None:
            out[directory] = rank
    return out


def choose_guide(message_type: str, directory: str) -> GuideChoice:
    key = (message_type, directory)
    found = _choices.get(key)
    if found is None:
        found = _choose(message_type, directory.upper())
        if len(_choices) > 4096:  # both strings come from partners: keep the memo bounded
            _choices.clear()
        _choices[key] = found
    return found


def _choose(message_type: str, directory: str) -> GuideChoice:
    available = shipped(message_type)
    if not available:
        return GuideChoice(
            None,
            f"no implementation guide for {message_type or 'this message'}: envelope "
            "checked, content not validated",
            "no_guide",
        )
    if directory in available:
        return GuideChoice(f"{message_type}-{directory}")
    if message_type == "CONTRL" and directory in _SERVICE_DIRECTORIES:
        target = _SERVICE_DIRECTORIES[directory]
        if target in available:
            return GuideChoice(f"{message_type}-{target}")
    rank = directory_rank(directory)
    if rank is None and message_type == "CONTRL" and directory.startswith("4"):
        rank = directory_rank("D01B")
    oldest, newest = directory_rank(OLDEST), directory_rank(NEWEST)
    if rank is None or oldest is None or newest is None or not oldest <= rank <= newest:
        return GuideChoice(
            None,
            f"directory {directory or '(none)'} is outside {OLDEST}..{NEWEST}: envelope "
            "checked, content not validated",
            "no_guide",
        )
    nearest = min(available, key=lambda d: (abs(available[d] - rank), -available[d]))
    return GuideChoice(
        f"{message_type}-{nearest}",
        f"{message_type} {directory} validated with the nearest shipped guide ({nearest})",
    )
