"""The one error model of the EDI engine.

An `Issue` is a finding with a stable machine name (`code`), a plain-language message, a
`Location`, a severity, and the codes the standards use for it, so acknowledgement builders
never re-derive them:

    standard_codes = {
        "ta1": "022",      # TA1-05 interchange note code
        "ak9": "4",        # 997/999 AK9-05.. functional group syntax error (716)
        "ak5": "3",        # 997 AK5-02.. transaction set syntax error (718)
        "ik5": "3",        # 999 IK5-02.. implementation transaction set error (618)
        "ak3": "8",        # 997 AK3-04 segment syntax error (720) / 999 IK3-04 (620)
        "ak4": "7",        # 997 AK4-03 element syntax error (723) / 999 IK4-03 (621)
        "contrl": "29",    # EDIFACT CONTRL syntax error code (0085)
        "element_ref": "66",  # data element reference number (AK4-02 / IK4-02)
    }

Only the keys that apply are present. Parsing never raises for bad content: it returns
issues. Exceptions are for misuse of the API (and `NotEdiError` for input that is neither
standard at all)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from translators.core.location import Location


class Severity(enum.StrEnum):
    ERROR = "error"  # the containing unit (transaction, group, interchange) is rejected
    WARNING = "warning"  # noted (accepted with errors, or tolerated by a partner overlay)


class Level(enum.StrEnum):
    """Which unit an issue belongs to, and so which unit it can reject."""

    FILE = "file"  # outside any interchange (e.g. garbage after the last trailer)
    INTERCHANGE = "interchange"
    GROUP = "group"
    TRANSACTION = "transaction"
    SEGMENT = "segment"
    ELEMENT = "element"


@dataclass(slots=True)
class Issue:
    code: str
    message: str
    level: Level
    severity: Severity = Severity.ERROR
    location: Location = field(default_factory=Location)
    standard_codes: dict[str, str] = field(default_factory=dict)
    # the offending value where there is one (kept short; AK4-04 / IK4-04 carry it)
    value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "level": self.level.value,
            "message": self.message,
            "location": self.location.to_dict(),
        }
        if self.standard_codes:
            out["standard_codes"] = dict(self.standard_codes)
        if self.value is not None:
            out["value"] = self.value
        return out

    def downgraded(self, reason: str) -> Issue:
        """The same finding as a warning, e.g. a deviation a partner overlay tolerates."""
        return Issue(
            code=self.code,
            message=f"{self.message} (tolerated: {reason})",
            level=self.level,
            severity=Severity.WARNING,
            location=self.location,
            standard_codes=dict(self.standard_codes),
            value=self.value,
        )


class NotEdiError(ValueError):
    """The input is neither X12 nor EDIFACT (the CLI exits 2)."""
