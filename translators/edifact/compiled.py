"""The optional compiled helpers of the EDIFACT engine (translators/_accel/edifact_lex.c), or
None. Resolved once at import through `translators._accel.load` (None when the module is not
built or `EDIGW_NO_ACCEL` is set); the lexer and the guide checker read `module` at each use,
so the tests can run the very same engine on its pure-Python twins by setting it to None."""

from __future__ import annotations

from types import ModuleType

from translators import _accel

module: ModuleType | None = _accel.load("edifact_lex")
