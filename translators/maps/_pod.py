"""Proof-of-delivery signer: who signed for the goods, read from the free text carriers put
beside a delivered status (X12 K1, EDIFACT FTX: "SIGNED BY J MARTINEZ", "POD: J MARTINEZ")
and written back the same way. Evidence and limits: docs/canonical.md, "POD signer"."""

from __future__ import annotations

import re

# a signer phrase opens the text; what follows is the name. A bare "POD <words>" is not
# taken ("POD ATTACHED", "POD TO FOLLOW" are no names): POD needs a colon, a dash, NAME or
# SIGNED BY after it.
_SIGNER = re.compile(
    r"""^\s*(?:
        POD\s*(?:NAME\s*)?[:\-]
      | POD\s+NAME\b
      | (?:POD\s+)?SIGNED\s+(?:FOR\s+)?BY\b
      | SIGNED\s*:
      | SIGNATURE\s*(?:NAME\s*)?[:\-]
      | SIGNATORY\b
      | (?:RECEIVED|RECVD|RCVD|RECD)\s+BY\b
    )\s*[:\-]?\s*(?P<name>.*?)[\s.;,]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# what carriers write when nobody's name was taken
_NO_NAME = {"", "-", "N/A", "NA", "NONE", "UNKNOWN", "UNK", "NOT AVAILABLE"}
SIGNED_BY = "SIGNED BY"


def signer_in(text: str | None) -> str | None:
    """The signer's name when `text` is a signer phrase ("SIGNED BY J MARTINEZ" ->
    "J MARTINEZ"), else None."""
    if not text:
        return None
    match = _SIGNER.match(text)
    if match is None:
        return None
    name = " ".join(match.group("name").split())
    return None if name.upper() in _NO_NAME else name


def says_signer(texts: list[str], name: str) -> bool:
    """One of `texts` already names `name` as the signer (then nothing more is written)."""
    wanted = " ".join(name.split()).upper()
    return any((signer_in(t) or "").upper() == wanted for t in texts)


def signer_text(name: str) -> str:
    return f"{SIGNED_BY} {' '.join(name.split())}"
