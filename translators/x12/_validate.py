"""Guide-driven validation of X12 transaction sets: picks the guide for a set's type and
version (the nearest shipped version when there is no exact one) and applies the overlay."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from translators.core.guide import CompiledGuide, GuideLibrary
from translators.core.issues import Issue, Level, Severity
from translators.core.location import Location
from translators.core.overlay import NO_OVERLAY, Overlay
from translators.x12 import _codes as c
from translators.x12._envelope import ParsedTransaction

GUIDES_DIR = Path(__file__).resolve().parent / "guides"
DEFAULT_VERSION = "004010"


@lru_cache(maxsize=1)
def library() -> GuideLibrary:
    """The shipped X12 guides, loaded lazily and compiled once per overlay."""
    return GuideLibrary(GUIDES_DIR, c.GUIDE_CODES)


@lru_cache(maxsize=1)
def _versions() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for guide_id in library().ids():
        set_id, _, version = guide_id.partition("-")
        found.setdefault(set_id, []).append(version)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def guide_id_for(set_id: str, version: str) -> str | None:
    """`214` + `004030` -> `214-004010`: the exact guide, else the nearest shipped version
    (an older one on a tie), or None when the set is not supported at all."""
    versions = _versions().get(set_id)
    if not versions:
        return None
    wanted = version[:6]
    if not (len(wanted) == 6 and wanted.isdecimal()):
        wanted = DEFAULT_VERSION
    if wanted in versions:
        return f"{set_id}-{wanted}"
    target = int(wanted)
    best = min(versions, key=lambda v: (abs(int(v) - target), int(v) > target))
    return f"{set_id}-{best}"


def compiled_guide(
    set_id: str, version: str, overlay: Overlay | None = None
) -> CompiledGuide | None:
    guide_id = guide_id_for(set_id, version)
    if guide_id is None:
        return None
    return library().compiled(guide_id, overlay)


_RECENT: dict[tuple[str, str, int], tuple[Overlay, CompiledGuide | None]] = {}


def _cached_guide(set_id: str, version: str, overlay: Overlay) -> CompiledGuide | None:
    """`compiled_guide` without re-deriving the overlay's key for every set of a file."""
    key = (set_id, version, id(overlay))
    found = _RECENT.get(key)
    if found is not None and found[0] is overlay:
        return found[1]
    guide = compiled_guide(set_id, version, overlay)
    if len(_RECENT) > 256:
        _RECENT.clear()
    _RECENT[key] = (overlay, guide)
    return guide


def validate_transaction(
    transaction: ParsedTransaction, overlay: Overlay | None = None, default_version: str = ""
) -> list[Issue]:
    """Guide findings for one transaction set (its envelope findings are already in its
    report); tolerated codes come back as warnings."""
    overlay = overlay or NO_OVERLAY
    set_id = transaction.report.type or ""
    guide = _cached_guide(set_id, transaction.version or default_version, overlay)
    if guide is None:
        first = transaction.segments[0]
        issue = Issue(
            c.TRANSACTION_SET_UNSUPPORTED,
            f"transaction set {set_id!r} is not supported (no implementation guide)",
            Level.TRANSACTION,
            Severity.ERROR,
            first.location or Location(),
            dict(c.ENVELOPE_CODES[c.TRANSACTION_SET_UNSUPPORTED]),
            set_id,
        )
        issues = [issue]
    else:
        # the fast yes first: most sets are clean, and proving it is cheap (a set with
        # components or repetitions is never proven here: `validate` splits those)
        d = transaction.interchange.delimiters
        if guide.accepts_texts(transaction.texts, d.element, d.component + (d.repetition or "")):
            return []
        issues = guide.validate(transaction.segments)
    if overlay.tolerated:
        issues = [
            i.downgraded("partner profile")
            if i.code in overlay.tolerated and i.severity is Severity.ERROR
            else i
            for i in issues
        ]
    return issues
