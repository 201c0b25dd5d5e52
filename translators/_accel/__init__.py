"""Optional compiled speed-ups for the engines (C, built by setup.py at install time).

Each `<name>.c` here becomes `translators._accel.<name>`. Callers import through
`translators._accel.load(name)`, which returns None when the module was not built (no
compiler, or a plain source checkout), so the pure-Python path takes over with the same
results. Set `EDIGW_NO_ACCEL=1` to force the pure-Python path (the tests run both)."""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def load(name: str) -> ModuleType | None:
    """The compiled module `name`, or None when it is unavailable or disabled."""
    if os.environ.get("EDIGW_NO_ACCEL"):
        return None
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ImportError:
        return None
