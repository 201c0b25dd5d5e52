"""The compiled X12 fast paths (translators/_accel/x12fast.c) give exactly what the pure-Python
code gives: whole-engine differential runs on valid, mutated and arbitrary input, each C
function against its Python twin, the fallback when the module is absent, and no crash on any
input (also under `python -X dev`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from tests import support
from tests.unit.x12 import paths, samples
from tests.unit.x12.test_mutations import VALID, mutated
from translators import _accel, x12
from translators.core.guide import _fast_checker, build_guide
from translators.x12 import Delimiters, _validate
from translators.x12._envelope import X12Reader, _plain
from translators.x12._tokenizer import Tokenizer

pytestmark = [
    pytest.mark.unit,
    pytest.mark.skipif(
        bool(os.environ.get(paths.ACCEL_OFF)),
        reason="compares the compiled path with the Python one: needs the compiled path on",
    ),
]

ROOT = Path(__file__).resolve().parents[3]
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=600, deadline=None)

# ------------------------------------------------------------------ the whole engine


def many_sets() -> bytes:
    """Several interchanges of clean sets, as regular as production traffic."""
    out = b""
    for control in range(1, 4):
        status = [samples.status_214(f"{n:04d}", "AF") for n in range(1, 8)]
        out += samples.interchange(status, control=control)
        invoices = [samples.invoice_210(f"{n:04d}") for n in range(1, 3)]
        out += samples.interchange(invoices, functional_id="IM", control=control + 10)
    return out


@pytest.mark.parametrize("index", range(len(VALID)))
def test_valid_files_give_identical_results(index: int) -> None:
    fast, slow = paths.both(VALID[index])
    assert fast == slow


def test_regular_traffic_is_decided_in_c_and_identical() -> None:
    data = many_sets()
    module = paths.compiled_module()
    fast, slow = paths.both(data)
    assert fast == slow
    assert all(not t[5] for t in fast[1]), "these sets are clean"
    # the compiled path really decided: the cut took the text, and C proves each set clean
    reader = X12Reader(data, retain=False)
    transactions = list(reader)
    assert reader._tokens._accel is module
    text = data.decode("latin-1")
    assert module.cut(text, 0, "~", "\n", False) is not None
    for tx in transactions:
        guide = x12.compiled_guide(tx.report.type or "", tx.version)
        assert guide is not None and guide.accel is module
        d = tx.delimiters
        reserved = d.component + (d.repetition or "")
        assert guide.accepts_texts(tx.texts, d.element, reserved)
        assert module.accepts(tx.texts, d.element, reserved, guide._native_plans) is True


@SLOW
@given(mutated())
def test_mutated_files_give_identical_results(data: bytes) -> None:
    fast, slow = paths.both(data)
    assert fast == slow


@SLOW
@given(st.binary(max_size=400), st.sampled_from([b"", b"ISA*", b"ST*214*0001~"]))
def test_arbitrary_bytes_give_identical_results(data: bytes, prefix: bytes) -> None:
    fast, slow = paths.both(prefix + data)
    assert fast == slow


@SLOW
@given(
    st.sampled_from(VALID),
    st.lists(
        st.tuples(st.integers(0, 10_000), st.sampled_from(list(" \t\x00\xa0\x85:^>"))),
        max_size=4,
    ),
)
def test_odd_characters_inside_values_give_identical_results(
    data: bytes, inserts: list[tuple[int, str]]
) -> None:
    text = bytearray(data)
    for at, ch in inserts:
        text[at % len(text) : at % len(text)] = ch.encode("latin-1")
    fast, slow = paths.both(bytes(text))
    assert fast == slow


def test_fallback_when_the_module_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    data = VALID[0]
    fast = paths.outcome(data)
    # as on a machine without a compiler: importing the module fails
    monkeypatch.setitem(sys.modules, "translators._accel.x12fast", None)
    assert _accel.load("x12fast") is None
    paths.forget_compiled_guides()
    try:
        assert X12Reader(data)._accel is None
        assert Tokenizer(data)._accel is None
        guide = x12.compiled_guide("214", "004010")
        assert guide is not None and guide.accel is None
        assert paths.outcome(data) == fast
    finally:
        paths.forget_compiled_guides()


def test_fallback_when_disabled() -> None:
    with paths.pure_python():
        assert _accel.load("x12fast") is None
        guide = x12.compiled_guide("210", "004010")
        assert guide is not None and guide.accel is None
    guide = x12.compiled_guide("210", "004010")
    assert guide is not None and guide.accel is paths.compiled_module()


# ------------------------------------------------------------------ each C function


TEXT = st.text(alphabet="AB1 *~\n\r\t\x00:^|.\xa0", max_size=40)


@FAST
@given(
    TEXT,
    st.sampled_from(["~", "\n", "|", "'"]),
    st.sampled_from(["", "\n", "\r\n"]),
    st.integers(0, 1 << 40),
)
def test_cut_matches_the_python_cut(text: str, term: str, suffix: str, offset: int) -> None:
    module = paths.compiled_module()
    if term == "\n":
        suffix = ""
    fast = module.cut(text, offset, term, suffix, term == "\n")
    slow = Tokenizer._cut(text, offset, term, term + suffix, term == "\n")
    if fast is not None:
        parts, offsets, heads = fast
        assert (parts, offsets) == slow
        assert heads == [p[:3] for p in parts]


def test_cut_takes_regular_text_and_leaves_the_rest() -> None:
    module = paths.compiled_module()
    assert module.cut("ST*1~\nSE*1~\n", 5, "~", "\n", False) == (
        ["ST*1", "SE*1"],
        [5, 11],
        ["ST*", "SE*"],
    )
    assert module.cut("ST*1~\n SE*1~\n", 0, "~", "\n", False) is None  # indented
    assert module.cut("ST*1~~SE*1~", 0, "~", "", False) is None  # empty segment
    assert module.cut("ST*1\u20ac~", 0, "~", "", False) is None  # not one-byte text


@FAST
@given(
    st.text(alphabet="ST2 *:^~\t\xa0\x85", max_size=30),
    st.text(alphabet="SE9 *:^~\t\xa0\x85", max_size=30),
    st.sampled_from(["", "^"]),
)
def test_envelope_fields_match_the_python_reading(st_text: str, se_text: str, rep: str) -> None:
    module = paths.compiled_module()
    d = Delimiters("*", ":", rep or None, "~")
    fast = module.envelope_fields(st_text, se_text, "*", ":", rep)
    st_fields, se_fields = st_text.split("*"), se_text.split("*")
    slow = (_plain(st_fields, 1, d), _plain(st_fields, 2, d))
    slow += (_plain(se_fields, 1, d), _plain(se_fields, 2, d))
    assert fast == slow


def _reference_set_ends(
    heads: list[str], start: int, st_head: str, se_head: str, boundary: frozenset[str]
) -> list[int]:
    """What the envelope's one-set-at-a-time loop does with the same heads."""
    ends: list[int] = []
    k = start
    while 0 <= k < len(heads) and heads[k] == st_head:
        try:
            j = heads.index(se_head, k + 1)
        except ValueError:
            break
        if not boundary.isdisjoint(heads[k + 1 : j]):
            break
        ends.append(j)
        k = j + 1
    return ends


HEADS = ["ST*", "SE*", "N1*", "LX*", "GS*", "GE*", "SE", "ST", "IEA", "ISA", "STX", "SE|"]
BOUNDARY = frozenset({"ST*", "GS*", "GE*", "IEA", "ISA", "ST", "GS", "GE", "SE"})


@FAST
@given(st.lists(st.sampled_from(HEADS), max_size=30), st.integers(-2, 32))
def test_set_ends_match_the_envelope_loop(heads: list[str], start: int) -> None:
    module = paths.compiled_module()
    # heads made by slicing are equal but not the same objects as the constants
    fresh = [h[:1] + h[1:] for h in heads]
    fast = module.set_ends(fresh, start, "ST*", "SE*", BOUNDARY)
    assert fast == _reference_set_ends(heads, start, "ST*", "SE*", BOUNDARY)


def _shipped_segments() -> list[tuple[str, str]]:
    pairs = []
    for guide_id in _validate.library().ids():
        guide = _validate.library().compiled(guide_id)
        pairs += [(guide_id, tag) for tag in sorted(guide._segments)]
    return pairs


SEGMENTS = _shipped_segments()
VALUES = st.one_of(
    st.sampled_from(["", " ", "  ", "\t", "\xa0", "0", "07", "-12", "1.5", ".", "1..2", "12."]),
    st.sampled_from(["20260229", "20240229", "20261301", "260304", "2400", "2359", "235960"]),
    st.sampled_from(["AF", "X1", "BM", "PO", "SH", "CN", "93", "USD", "G", "L", "PP", "Z"]),
    st.text(alphabet="AZ09 .-\t\xa0\x85\xe9", max_size=12),
    st.integers(0, 10**12).map(str),
)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(SEGMENTS), st.lists(VALUES, max_size=24), st.sampled_from(["*", "|"]))
def test_segment_checks_match_the_generated_python_checker(
    where: tuple[str, str], values: list[str], separator: str
) -> None:
    module = paths.compiled_module()
    guide_id, tag = where
    guide = _validate.library().compiled(guide_id)
    segment = guide._segments[tag]
    table = guide.segment_table(tag)
    python_check = _fast_checker(segment, 1)
    if table is None:
        return  # such segments never reach the compiled path (see `_native_plan`)
    assert python_check is not None
    values = [v.replace(separator, "") for v in values]
    text = separator.join([tag, *values])
    check: Any = module.SegmentCheck(*table)
    assert check(text, separator) == python_check(text.split(separator)), text


DATES = st.builds(
    lambda y, m, d, short: (f"{y % 100:02d}" if short else f"{y:04d}") + f"{m:02d}{d:02d}",
    st.sampled_from([1900, 2000, 2023, 2024, 2100, 2400]),
    st.one_of(st.integers(0, 13), st.just(2)),
    st.one_of(st.integers(0, 32), st.sampled_from([28, 29, 30, 31])),
    st.booleans(),
)
TIMES = st.builds(
    lambda h, m, rest: f"{h:02d}{m:02d}{rest}",
    st.integers(0, 25),
    st.integers(0, 61),
    st.sampled_from(["", "00", "59", "60", "5", "599", "0000", "x"]),
)
NUMBERS = st.one_of(
    st.integers(-99999, 10**7).map(str),
    st.sampled_from(["1.5", "12.", ".5", ".", "1.2.3", "+1", " 1", "\xb2"]),
)
TEXTS = st.sampled_from(["A", "AB", "ABCDE", "ABCDEF", "  ", " A", "\t", "\xa0", "AA", "CCC"])
PRESENCE = st.sampled_from(["", "", "A", " ", "  ", "\t", " A"])

# small segments, one per family of element kinds, and one with every kind of syntax rule;
# each with the values that reach its checks (so that both answers occur often)
SYNTHETIC = build_guide(
    {
        "id": "synthetic",
        "standard": "x12",
        "message": "000",
        "version": "004010",
        "segments": {
            "DA": {"elements": ["1 DT 8/8 O", "2 DT 6/6 O", "3 DT 6/8 M"]},
            "TA": {"elements": ["1 TM 4/8 O", "2 TM 4/6 M"]},
            "NA": {"elements": ["1 N0 1/4 O", "2 N2 2/6 O", "3 R 1/5 O", "4 R 2/3 M"]},
            "XA": {
                "elements": [
                    "1 AN 2/5 O",
                    "2 ID 2/3 O",
                    "3 B 1/9 O",
                    "4 AN 1/3 M",
                    "5 AN 1/3 X",
                    "6 ID 1/2 M",
                ]
            },
            "RA": {
                "elements": [f"{n} AN 1/5 O" for n in range(1, 10)],
                "rules": ["P0102", "R0304", "E0506", "C070809", "L040506", "P010203", "E070809"],
            },
        },
        "codes": {"XA-02": ["AA", "BB", "CCC"], "XA-06": ["1", "Z"]},
        "structure": ["DA M 1", "TA M 1", "NA M 1", "XA M 1", "RA M 1"],
    }
).compile()
EXTRA = st.lists(st.sampled_from(["", " ", "X"]), max_size=2)
SHAPES: dict[str, st.SearchStrategy[list[str]]] = {
    "DA": st.lists(st.one_of(DATES, st.just("")), min_size=2, max_size=4),
    "TA": st.lists(st.one_of(TIMES, st.just("")), min_size=1, max_size=3),
    "NA": st.lists(st.one_of(NUMBERS, st.just("")), min_size=3, max_size=5),
    "XA": st.tuples(
        st.one_of(TEXTS, st.just("")),
        st.sampled_from(["", "AA", "CCC", "AB", "AA "]),
        st.sampled_from(["", "\x01", "ANYTHING!"]),
        st.sampled_from(["A", "ABC", "ABCD", "", " ", " A"]),
        st.sampled_from(["", "", "", "A", " "]),
        st.sampled_from(["1", "Z", "ZZ", ""]),
        EXTRA,
    ).map(lambda t: [*t[:-1], *t[-1]]),
    "RA": st.tuples(st.lists(PRESENCE, min_size=9, max_size=9), EXTRA).map(
        lambda t: [*t[0], *t[1]]
    ),
}


@settings(max_examples=3000, deadline=None)
@given(st.data())
def test_every_element_kind_and_rule_matches_the_generated_python_checker(
    data: st.DataObject,
) -> None:
    module = paths.compiled_module()
    tag = data.draw(st.sampled_from(sorted(SHAPES)))
    values = data.draw(SHAPES[tag])
    segment = SYNTHETIC._segments[tag]
    table = SYNTHETIC.segment_table(tag)
    python_check = _fast_checker(segment, 1)
    assert table is not None and python_check is not None
    text = "*".join([tag, *values])
    check: Any = module.SegmentCheck(*table)
    assert check(text, "*") == python_check(text.split("*")), text


def test_the_synthetic_values_reach_both_answers() -> None:
    """Guards the test above against a shape that could only ever fail its checks."""
    for tag, shape in SHAPES.items():
        check = _fast_checker(SYNTHETIC._segments[tag], 1)
        assert check is not None
        for answer in (True, False):
            find(shape, lambda values: check([tag, *values]) is answer)  # noqa: B023


def test_every_shipped_segment_of_4010_status_and_invoice_has_a_table() -> None:
    for guide_id in ("214-004010", "210-004010"):
        guide = _validate.library().compiled(guide_id)
        for tag in guide._segments:
            if _fast_checker(guide._segments[tag], 1) is not None:
                assert guide.segment_table(tag) is not None, (guide_id, tag)


# ------------------------------------------------------------------ robustness


ANY_TEXT = st.text(max_size=60)  # any code point, not only one-byte ones


@FAST
@given(ANY_TEXT, st.lists(ANY_TEXT, max_size=6), ANY_TEXT, ANY_TEXT, st.integers(-5, 5))
def test_c_functions_never_crash(
    text: str, texts: list[str], separator: str, other: str, offset: int
) -> None:
    module = paths.compiled_module()
    assert module.cut(text, offset, separator, other, False) in (None,) or isinstance(
        module.cut(text, offset, separator, other, False), tuple
    )
    verdict = module.accepts(texts, separator, other, {})
    assert verdict is None or isinstance(verdict, bool | str)
    assert isinstance(module.set_ends(texts, offset, text, other, frozenset(texts)), list)
    fields = module.envelope_fields(text, other, separator, separator, other)
    assert fields is None or len(fields) == 4
    guide = _validate.library().compiled("214-004010")
    table = guide.segment_table("AT7")
    assert table is not None
    assert module.SegmentCheck(*table)(text, separator) in (None, True, False)


def test_bad_tables_are_refused_not_crashed() -> None:
    module = paths.compiled_module()
    with pytest.raises(ValueError):
        module.SegmentCheck((("nonsense", True, False, 1, 2, None),), ())
    with pytest.raises(TypeError):
        module.SegmentCheck((("code", True, False, 1, 2, None),), ())
    with pytest.raises(ValueError):
        module.SegmentCheck((), (("Q", (1, 2)),))
    with pytest.raises(ValueError):
        module.SegmentCheck((), (("P", (0, 2)),))
    with pytest.raises(TypeError):
        module.accepts(["ST*1"], "*", "", {"ST": "not a plan"})


DEV_SCRIPT = """
import random, sys
sys.path.insert(0, {root!r})
from translators import x12
from translators.core.issues import NotEdiError
from tests.unit.x12.test_mutations import VALID
rng = random.Random(7)
for n in range(400):
    data = bytearray(rng.choice(VALID))
    for _ in range(rng.randrange(1, 5)):
        at = rng.randrange(len(data))
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(4)))
        data[at:at + rng.randrange(0, 8)] = junk
    try:
        x12.analyse(bytes(data))
    except NotEdiError:
        pass
print("ok")
"""


def test_no_memory_errors_under_python_dev_mode() -> None:
    """`-X dev` turns on the allocator's debug hooks, which catch buffer overruns and
    reference misuse in C code as crashes."""
    done = support.run_in_dev_mode(DEV_SCRIPT.format(root=str(ROOT)))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
