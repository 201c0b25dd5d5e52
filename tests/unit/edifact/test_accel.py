"""The compiled EDIFACT helpers (translators/_accel/edifact_lex.c) give exactly what their
pure-Python twins give: whole-engine runs on regular, mutated and arbitrary input, each C
function against its twin, the clean check never vouching for a segment the guide compiler
would fault, the fallback when the module is absent or disabled, and no crash on any input
(also under `python -X dev`)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import support
from tests.unit.edifact import engine_paths
from tests.unit.edifact.engine_paths import VALID_SAMPLE, both, mutated, traffic
from translators.core import Segment
from translators.edifact import compiled, iter_messages
from translators.edifact.analyse import check_dates
from translators.edifact.fastcheck import checker_for, segment_pattern, segment_spec
from translators.edifact.guides import LIBRARY
from translators.edifact.syntax import DEFAULT, DEFAULT_V4, Delimiters
from translators.edifact.tokenizer import Tokenizer, _split_block_py, _uniform_line_end

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(
        bool(os.environ.get("EDIGW_NO_ACCEL")),
        reason="compares the compiled path with the Python one: needs the compiled path on",
    ),
]

ROOT = Path(__file__).resolve().parents[3]
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=800, deadline=None)


def lex():  # type: ignore[no-untyped-def]
    """The compiled module: these tests exist to compare it, so it must be built (setup.py
    builds it at install; `python setup.py build_ext --inplace` in a checkout)."""
    module = compiled.module
    assert module is not None, "translators._accel.edifact_lex is not built"
    return module


# ------------------------------------------------------------------ the whole engine


@pytest.mark.parametrize("seed", range(12))
def test_regular_traffic_gives_identical_results(seed: int) -> None:
    fast, slow = both(traffic(seed))
    assert fast == slow


def test_corpus_files_give_identical_results(corpus_dir: Path) -> None:
    files = sorted((corpus_dir / "edifact").rglob("*.edi"))
    assert files
    for path in files:
        data = path.read_bytes()
        fast, slow = both(data)
        assert fast == slow, path.name


@SLOW
@given(
    st.sampled_from(["drop", "duplicate", "truncate", "swap", "inject"]),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=40),
    st.binary(min_size=1, max_size=20),
    st.integers(min_value=0, max_value=5),
)
def test_mutated_input_gives_identical_results(
    kind: str, at: int, length: int, junk: bytes, seed: int
) -> None:
    text = VALID_SAMPLE if seed == 0 else traffic(seed, 2).decode()
    fast, slow = both(mutated(text, kind, at, length, junk))
    assert fast == slow


@SLOW
@given(st.binary(max_size=300), st.sampled_from([b"", b"UNA:+.? '", b"UNB+UNOC:3+S+R+1+1'"]))
def test_arbitrary_bytes_give_identical_results(data: bytes, prefix: bytes) -> None:
    fast, slow = both(prefix + data)
    assert fast == slow


_EDI_TEXT = st.text(alphabet="UNBHTZ+:'?*.,- \t\r\n\x00AB019éØ€", max_size=80)


@SLOW
@given(_EDI_TEXT)
def test_edifact_like_text_gives_identical_results(text: str) -> None:
    fast, slow = both(("UNB+UNOC:3+S+R+240301:0930+1'UNH+1+INVOIC:D:96A:UN'" + text).encode())
    assert fast == slow


# ------------------------------------------------------------------ each function and its twin

_DIALECTS = [
    DEFAULT,
    DEFAULT_V4,
    Delimiters(release=None),
    Delimiters("|", "^", ",", "!", None, "~"),
]


@FAST
@given(_EDI_TEXT, st.sampled_from(range(len(_DIALECTS))), st.sampled_from(["", "\n", "\r\n"]))
def test_split_block_matches_the_python_split(text: str, which: int, line_end: str) -> None:
    d = _DIALECTS[which]
    args = (text, 17, d.terminator + line_end, d.element, d.component, d.release, d)
    assert lex().split_block(*args) == _split_block_py(*args)


@FAST
@given(_EDI_TEXT, st.sampled_from(["'", "~"]), st.sampled_from(["?", "!", None]))
def test_uniform_line_end_matches_the_python_test(
    text: str, terminator: str, release: str | None
) -> None:
    assert lex().uniform_line_end(text, terminator, release) == _uniform_line_end(
        text, terminator, release
    )


@FAST
@given(_EDI_TEXT, st.sampled_from(range(len(_DIALECTS))))
def test_split_released_matches_the_python_split(text: str, which: int) -> None:
    d = _DIALECTS[which]
    if d.release is None:
        return
    fast_tokens, slow_tokens = Tokenizer(""), Tokenizer("")
    fast = fast_tokens._split_released(text, 5, d)
    slow = slow_tokens._split_released_py(text, 5, d)
    assert fast == slow
    assert [(n.code, n.message, n.offset, n.value) for n in fast_tokens.notes] == [
        (n.code, n.message, n.offset, n.value) for n in slow_tokens.notes
    ]


def _shipped_segments() -> list[tuple[str, str]]:
    pairs = []
    for guide_id in ("INVOIC-D96A", "IFTSTA-D96A", "IFTMIN-D01B", "CONTRL-D96A", "APERAK-D01B"):
        for tag in LIBRARY.compiled(guide_id).guide.segments:
            pairs.append((guide_id, tag))
    return pairs


_SEGMENTS = _shipped_segments()
_VALUE = st.one_of(
    st.text(alphabet="AB9 0.,-:+*?é\t", max_size=6),
    st.sampled_from(["", "1", "9", "137", "203", "102", "77", "EUR", "2", "CN", "380", "-1.5"]),
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(range(len(_SEGMENTS))),
    st.lists(st.lists(_VALUE, min_size=1, max_size=4), max_size=8),
    st.sampled_from([DEFAULT, DEFAULT_V4]),
)
def test_clean_check_never_vouches_for_a_segment_with_findings(
    which: int, elements: list[list[str]], delimiters: Delimiters
) -> None:
    """What the C check proves clean, the Python pattern matches and the guide compiler
    finds nothing in: the compiled code can only prove, never decide a finding."""
    guide_id, tag = _SEGMENTS[which]
    guide = LIBRARY.compiled(guide_id)
    definition = guide.guide.segments[tag]
    codes = dict(guide.guide.codes)
    text = tag + "".join(
        delimiters.element + delimiters.component.join(parts) for parts in elements
    )
    spec = segment_spec(definition, codes, guide.overlay, delimiters)
    unproven = lex().unproven(
        [(tag, text, 0, None, delimiters)],
        {tag: spec},
        delimiters.element,
        delimiters.component,
        (delimiters.repetition or "") + (delimiters.release or ""),
    )
    if unproven:
        return
    pattern = segment_pattern(definition, codes, guide.overlay, delimiters)
    assert pattern is not None and pattern.fullmatch(text), text
    ((_, parsed, _),) = list(Tokenizer(text + delimiters.terminator))
    assert guide.check_segment(Segment(tag, parsed), 2) == [], text


def test_clean_check_proves_regular_segments() -> None:
    """The compiled check does its job: the common segments of real traffic are proven."""
    guide = LIBRARY.compiled("INVOIC-D96A")
    checker = checker_for(guide)
    specs, forbidden = checker._specs_for(DEFAULT)
    raw = [
        ("BGM", "BGM+380+INV1+9", 0, None, DEFAULT),
        ("DTM", "DTM+137:20240301:102", 0, None, DEFAULT),
        ("MOA", "MOA+203:12.50", 0, None, DEFAULT),
        ("QTY", "QTY+47:3:EA", 0, None, DEFAULT),
        ("CUX", "CUX+2:EUR:4", 0, None, DEFAULT),
        ("ZZZ", "ZZZ+1", 0, None, DEFAULT),
    ]
    assert lex().unproven(raw, specs, "+", ":", forbidden) == [6]


_DTM_VALUE = st.one_of(
    st.text(alphabet="0123456789", max_size=14),
    st.sampled_from(["20240229", "20230229", "240431", "2024123124", "202412312460", "2400"]),
    st.text(alphabet="09:+*?é x", max_size=6),
)


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from(["137", "334", "", "1"]),
    _DTM_VALUE,
    st.sampled_from(["101", "102", "201", "202", "203", "204", "401", "999", ""]),
    st.sampled_from(["", ":X", "+Y", ":"]),
    st.sampled_from([DEFAULT, DEFAULT_V4]),
)
def test_date_check_never_vouches_for_a_date_the_python_check_faults(
    qualifier: str, value: str, fmt: str, tail: str, delimiters: Delimiters
) -> None:
    text = f"DTM+{qualifier}:{value}:{fmt}{tail}"
    una = "UNA:+.?*'" if delimiters.repetition else ""
    syntax = "4" if delimiters.repetition else "3"
    (message,) = iter_messages(
        f"{una}UNB+UNOC:{syntax}+S+R+240301:0930+1'UNH+1+IFTSTA:D:96A:UN'{text}'UNT+3+1'UNZ+1+1'"
    )
    dtm = [p for p, lexeme in enumerate(message.raw, 1) if lexeme[0] == "DTM"]
    left = lex().dates_unproven(message.raw, dtm, "+", ":", delimiters.repetition or "")
    with engine_paths.pure_python():
        findings = check_dates(message)
    if not left:
        assert findings == [], text


def test_date_check_proves_real_dates_and_leaves_the_rest() -> None:
    raw = [
        ("DTM", "DTM+137:20240229:102", 0, None, DEFAULT),
        ("DTM", "DTM+137:20230229:102", 0, None, DEFAULT),
        ("DTM", "DTM+137:202403011260:203", 0, None, DEFAULT),
        ("DTM", "DTM+137:2024:999", 0, None, DEFAULT),
        ("DTM", "DTM+137:12?:00:401", 0, ["x"], DEFAULT),
    ]
    assert lex().dates_unproven(raw, [1, 2, 3, 4, 5], "+", ":", "") == [2, 3, 5]


# ------------------------------------------------------------------ fallback

FALLBACK = """
import hashlib, json, sys
sys.path.insert(0, {root!r})
{prelude}
from translators.edifact import compiled, iter_messages
from translators.edifact.analyse import check_dates
from tests.unit.edifact import engine_paths
assert compiled.module is None, compiled.module
print(engine_paths.digest(engine_paths.outcome(engine_paths.traffic(3))))
"""


def _child(prelude: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", FALLBACK.format(root=str(ROOT), prelude=prelude)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_fallback_when_the_module_is_absent() -> None:
    """As on a machine without a compiler: importing the module fails; same results."""
    expected = engine_paths.digest(engine_paths.outcome(traffic(3)))
    prelude = "sys.modules['translators._accel.edifact_lex'] = None"
    assert _child(prelude, {}) == expected


def test_fallback_when_disabled() -> None:
    expected = engine_paths.digest(engine_paths.outcome(traffic(3)))
    assert _child("", {"EDIGW_NO_ACCEL": "1"}) == expected


# ------------------------------------------------------------------ robustness

_ANY = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.tuples(),
    st.lists(st.integers()),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ANY, min_size=7, max_size=7))
def test_c_functions_refuse_bad_arguments_without_crashing(args: list[object]) -> None:
    module = lex()
    for function, count in (
        (module.split_block, 7),
        (module.uniform_line_end, 3),
        (module.split_released, 6),
        (module.unproven, 5),
        (module.dates_unproven, 5),
    ):
        with contextlib.suppress(TypeError, ValueError, OverflowError):
            function(*args[:count])


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60), st.lists(st.integers(0, 3), max_size=6))
def test_unproven_survives_malformed_specs(text: str, shape: list[int]) -> None:
    specs: dict[str, object] = {
        "AAA": tuple(shape),
        "BBB": ("BBB", 1, (tuple(shape),)),
        "CCC": ("CCC", -1, ((1, 5, 0, 0, None, (tuple(shape),), 9),)),
        "DDD": ("DDD", 0, ((1, 3, 1, 3, "not a set", None, 0),)),
    }
    raw = [(tag, tag + text, 0, None, DEFAULT) for tag in ("AAA", "BBB", "CCC", "DDD", "EEE")]
    raw.append("not a lexeme")  # type: ignore[arg-type]
    result = lex().unproven(raw, specs, "+", ":", "?")
    assert set(result) <= set(range(1, len(raw) + 1))
    assert 6 in result


DEV_SCRIPT = """
import random, sys
sys.path.insert(0, {root!r})
from translators.edifact import analyse, compiled
from translators.edifact.syntax import DEFAULT, DEFAULT_V4
from translators.edifact.tokenizer import Tokenizer
from tests.unit.edifact.engine_paths import traffic
lex = compiled.module
assert lex is not None
rng = random.Random(7)
alphabet = "UNBHTZ+:'?*. \\r\\n\\x00Aé€😀"
for _ in range(3000):
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
    for d in (DEFAULT, DEFAULT_V4):
        lex.split_block(text, 0, d.terminator + rng.choice(["", "\\n"]), d.element,
                        d.component, d.release, d)
        lex.uniform_line_end(text, d.terminator, d.release)
        lex.split_released(text, d.element, d.component, d.repetition, "?", d.terminator)
    data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 80)))
    analyse(b"UNB+UNOC:3+S+R+1+1'UNH+1+INVOIC:D:96A:UN'" + data)
    analyse(data)
for seed in range(4):
    analyse(traffic(seed))
print("ok")
"""


def test_no_memory_errors_under_python_dev_mode() -> None:
    """`-X dev` turns on the allocator's debug hooks, which catch buffer overruns and
    reference misuse in C code as crashes."""
    done = support.run_in_dev_mode(DEV_SCRIPT.format(root=str(ROOT)))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
