"""Runs X12 input through the compiled (C) path and the pure-Python path and gives everything
each produces, so tests can assert that the two are identical."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from translators import _accel, x12
from translators.core.issues import NotEdiError
from translators.x12 import _validate

ACCEL_OFF = "EDIGW_NO_ACCEL"
STAMP = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)


def compiled_module() -> Any:
    """The compiled module; these tests exist to compare it, so it must be built (setup.py
    builds it at install; `python setup.py build_ext --inplace` in a checkout)."""
    module = _accel.load("x12fast")
    assert module is not None, "translators._accel.x12fast is not built"
    return module


def forget_compiled_guides() -> None:
    """Compiled guides remember whether they use the compiled checker: drop them."""
    _validate.library()._compiled.clear()
    _validate._RECENT.clear()


@contextmanager
def pure_python() -> Iterator[None]:
    """Everything inside runs without the compiled module (as when it is not built)."""
    before = os.environ.get(ACCEL_OFF)
    os.environ[ACCEL_OFF] = "1"
    forget_compiled_guides()
    try:
        yield
    finally:
        if before is None:
            del os.environ[ACCEL_OFF]
        else:
            os.environ[ACCEL_OFF] = before
        forget_compiled_guides()


def outcome(data: bytes) -> Any:
    """All the engine says about `data`: the analysis report, every streamed transaction set
    (texts, offsets, segments with locations, findings), the acknowledgements and the
    interchanges `parse` builds."""
    try:
        report = x12.analyse(data).to_dict()
    except NotEdiError as exc:
        return ("not X12", str(exc))
    streamed = [
        (
            t.texts,
            t.offsets,
            t.first_index,
            t.ordinal,
            [(s.tag, s.elements, s.location) for s in t.segments],
            [i.to_dict() for i in t.report.issues],
        )
        for t in x12.validate_stream(data)
    ]
    parsed = [
        (ic.header.fields, ic.header.offset, [len(g.transactions) for g in ic.groups])
        for ic in x12.parse(data)
    ]
    return report, streamed, x12.acknowledge(data, timestamp=STAMP), parsed


def both(data: bytes) -> tuple[Any, Any]:
    """(compiled path outcome, pure-Python outcome)."""
    compiled_module()
    fast = outcome(data)
    with pure_python():
        slow = outcome(data)
    return fast, slow
