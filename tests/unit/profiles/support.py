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


def x12_interchange(
    sender: tuple[str, str, str],
    receiver: tuple[str, str, str],
    functional_id: str,
    version: str,
    sets: list[list[str]],
    *,
    usage: str = "P",
    control: int = 1,
) -> bytes:
    """An X12 interchange written for a test: sender/receiver are (ISA qualifier, ISA id,
    GS id); each set is its segments from the type (first) to before SE, counts computed."""
    old = version.startswith("0040")
    isa = (
        f"ISA*00*          *00*          *{sender[0]}*{sender[1]:<15}*{receiver[0]}*"
        f"{receiver[1]:<15}*261127*1015*{'U' if old else '^'}*{'00401' if old else '00501'}*"
        f"{control:09d}*0*{usage}*>"
    )
    segments = [
        isa,
        f"GS*{functional_id}*{sender[2]}*{receiver[2]}*20261127*1015*{control}*X*{version}",
    ]
    for n, body in enumerate(sets, 1):
        number = f"{n:04d}"
        transaction = [f"ST*{body[0]}*{number}", *body[1:]]
        transaction.append(f"SE*{len(transaction) + 1}*{number}")
        segments += transaction
    segments += [f"GE*{len(sets)}*{control}", f"IEA*1*{control:09d}"]
    return ("~\n".join(segments) + "~\n").encode("ascii")
