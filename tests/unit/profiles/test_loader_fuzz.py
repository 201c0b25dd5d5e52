"""Whatever bytes a profile file holds, loading gives a profile or ProfileError with
located problems, never another exception."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partner_profiles import ProfileError, parse_profile
from partner_profiles.dryrun import dry_run
from tests.unit.profiles.support import example_text

pytestmark = pytest.mark.unit

EXAMPLES = ["acme-ltl", "ridgeline-tl", "nordlink-fwd", "retail-co"]


@st.composite
def mutated_profile(draw: st.DrawFn) -> bytes:
    text = example_text(draw(st.sampled_from(EXAMPLES))).encode("utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["drop", "insert", "duplicate", "truncate"]))
        if action == "drop":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif action == "insert":
            text = text[:at] + draw(st.binary(min_size=1, max_size=12)) + text[at:]
        elif action == "duplicate":
            end = min(len(text), at + draw(st.integers(1, 80)))
            text = text[:end] + text[at:end] + text[end:]
        else:
            text = text[:at]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_profile())
def test_mutated_profiles_load_or_fail_with_located_problems(data: bytes) -> None:
    try:
        parse_profile(data, file="fuzz.yaml")
    except ProfileError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == "fuzz.yaml"
            assert problem.message
            assert problem.line is None or problem.line >= 1


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_through_the_dry_run_never_raise(data: bytes) -> None:
    profile = parse_profile(example_text("acme-ltl")).profile
    result = dry_run(profile, b"ISA*00*" + data)
    assert result.to_dict()["file"] == "<data>"
