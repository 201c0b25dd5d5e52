"""Helpers for profile tests: the shipped examples, and variants built from them in place."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[3] / "partner_profiles" / "examples"


def example_text(name: str) -> str:
    return (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")


def variant(name: str, *edits: tuple[str, str]) -> str:
    """The example `name` with each (old, new) text edit applied; each `old` must occur."""
    text = example_text(name)
    for old, new in edits:
        assert old in text, f"{old!r} not in example {name}"
        text = text.replace(old, new, 1)
    return text


def line_of(text: str, fragment: str) -> int:
    """1-based line of the first occurrence of `fragment` in `text`."""
    index = text.index(fragment)
    return text.count("\n", 0, index) + 1
