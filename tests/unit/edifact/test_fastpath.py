"""The fast paths give exactly what the general ones give: the uniform-block lexer against the
general lexer, and the cached/regex/predicate guide checks against the shared compiler."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translators.core import Segment
from translators.edifact.envelope import iter_messages
from translators.edifact.fastcheck import checker_for
from translators.edifact.guides import LIBRARY
from translators.edifact.tokenizer import Tokenizer

pytestmark = pytest.mark.unit

_value = st.text(alphabet="AB9 .,-:?'+*ÆZ0\n\r\t", max_size=8)
_tags = st.sampled_from(
    [
        "DTM",
        "QTY",
        "MOA",
        "NAD",
        "STS",
        "UNS",
        "CNT",
        "TAX",
        "LOC",
        "FTX",
        "RFF",
        "BGM",
        "CNI",
        "GID",
        "XYZ",
        "LIN",
        "PRI",
        "ALC",
        "IMD",
    ]
)
_segment = st.builds(
    lambda tag, values, seps: tag + "".join(s + v for s, v in zip(seps, values, strict=False)),
    _tags,
    st.lists(_value, max_size=6),
    st.lists(st.sampled_from(["+", ":"]), min_size=6, max_size=6),
)


def _interchange(segments: list[str], line_end: str) -> str:
    body = ["UNH+1+INVOIC:D:96A:UN", "BGM+380+X+9", *segments, "UNS+S", "MOA+77:1"]
    body.append(f"UNT+{len(body) + 1}+1")
    parts = ["UNB+UNOC:3+S+R+240301:0930+1", *body, "UNZ+1+1"]
    return "".join(p + "'" + line_end for p in parts)


@settings(max_examples=300, deadline=None)
@given(st.lists(_segment, max_size=12), st.sampled_from(["", "\n", "\r\n"]))
def test_uniform_lexer_equals_general_lexer(segments: list[str], line_end: str) -> None:
    text = _interchange(segments, line_end)
    fast_tokens, slow_tokens = Tokenizer(text), Tokenizer(text, fast=False)
    fast = [lexeme[:4] for batch in fast_tokens.batches() for lexeme in batch]
    slow = [lexeme[:4] for batch in slow_tokens.batches() for lexeme in batch]
    assert fast == slow
    assert [(n.code, n.offset) for n in fast_tokens.notes] == [
        (n.code, n.offset) for n in slow_tokens.notes
    ]
    assert fast_tokens.dialects == slow_tokens.dialects


def _findings(issues: list) -> list[tuple]:  # type: ignore[type-arg]
    return sorted(
        (
            i.code,
            i.location.segment_position,
            i.location.element,
            i.location.component,
            i.location.repetition,
            i.value,
        )
        for i in issues
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_segment, max_size=12), st.sampled_from(["INVOIC-D96A", "IFTSTA-D01B"]))
def test_fast_checker_finds_exactly_what_the_compiler_finds(
    segments: list[str], guide_id: str
) -> None:
    text = _interchange(segments, "\n").encode()
    (message,) = list(iter_messages(text))
    compiled = LIBRARY.compiled(guide_id)
    fast = checker_for(compiled).validate(message.raw)
    full = compiled.validate([Segment(s.tag, s.elements) for s in message.segments()])
    assert _findings(fast) == _findings(full)
