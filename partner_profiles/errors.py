"""What goes wrong with partner profiles, said so that the onboarding team can fix it.

    ProfileError                 a profile (or a folder of them) did not load
    PartnerResolutionError       an inbound interchange could not be tied to one partner
    ├── UnknownPartnerError      no profile claims the sender's envelope ids
    └── AmbiguousPartnerError    several profiles claim them (cannot happen after validation)

A `ProfileProblem` is one finding: file, line, field, what is wrong and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ProfileProblem:
    file: str  # the file's path as given (or "<text>" for profiles loaded from a string)
    line: int | None  # 1-based line of the field (or of its parent when the field is missing)
    field: str  # dotted path, e.g. "transports.as2.their_certificates"
    message: str  # what is wrong, in plain words
    allowed: str | None = None  # what would be accepted
    rule: str = "schema"  # machine name: "schema", "yaml", "vendor_for_invoices", ...

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        allowed = f" (allowed: {self.allowed})" if self.allowed else ""
        return f"{where}:{field} {self.message}{allowed}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "allowed": self.allowed,
            "rule": self.rule,
        }


class ProfileError(Exception):
    """One or more profiles are invalid; `problems` lists every finding."""

    def __init__(self, problems: list[ProfileProblem]) -> None:
        self.problems = list(problems)
        lines = "\n  ".join(str(p) for p in self.problems)
        super().__init__(f"invalid partner profile:\n  {lines}")

    @property
    def files(self) -> set[Path]:
        return {Path(p.file) for p in self.problems}


class PartnerResolutionError(LookupError):
    """An interchange's envelope ids do not lead to exactly one partner profile."""

    def __init__(self, message: str, *, standard: str, sender: dict[str, str | None]) -> None:
        super().__init__(message)
        self.standard = standard
        self.sender = sender


class UnknownPartnerError(PartnerResolutionError):
    """No profile claims the sender ids; the interchange is kept and an exception raised."""


class AmbiguousPartnerError(PartnerResolutionError):
    """More than one profile claims the sender ids."""
