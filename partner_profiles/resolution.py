"""Finding the partner of an inbound interchange from its envelope ids.

X12: ISA-05/06 (qualifier and sender id), then GS-02 among profiles sharing them. EDIFACT:
UNB sender id with its qualifier (a UNB without a qualifier matches on the id alone, as
real senders omit it). An unknown sender raises `UnknownPartnerError` with what was looked
for; the caller keeps the file and opens an exception."""

from __future__ import annotations

from collections.abc import Iterable

from partner_profiles.errors import AmbiguousPartnerError, UnknownPartnerError
from partner_profiles.schema import PartnerProfile


def _norm(value: str | None) -> str:
    # ISA ids are right-padded to 15 characters; comparisons ignore padding and case
    return (value or "").strip().upper()


class ProfileIndex:
    """An immutable lookup over a set of valid profiles."""

    def __init__(self, profiles: Iterable[PartnerProfile]) -> None:
        self._profiles = {p.id: p for p in profiles}

    def __len__(self) -> int:
        return len(self._profiles)

    def get(self, partner_id: str) -> PartnerProfile | None:
        return self._profiles.get(partner_id)

    def all(self) -> list[PartnerProfile]:
        return sorted(self._profiles.values(), key=lambda p: p.id)

    def resolve(
        self,
        standard: str,
        sender_id: str | None,
        sender_qualifier: str | None = None,
        group_sender_id: str | None = None,
    ) -> PartnerProfile:
        """The profile whose partner sent an interchange with these ids."""
        if standard == "x12":
            return self.resolve_x12(sender_qualifier, sender_id, group_sender_id)
        if standard == "edifact":
            return self.resolve_edifact(sender_id, sender_qualifier)
        raise UnknownPartnerError(
            f"unknown standard {standard!r}", standard=standard, sender={"id": sender_id}
        )

    def resolve_x12(
        self, isa_qualifier: str | None, isa_id: str | None, gs_id: str | None = None
    ) -> PartnerProfile:
        sender = {"isa_qualifier": isa_qualifier, "isa_id": isa_id, "gs_id": gs_id}
        shown = f"ISA-05/06 {_norm(isa_qualifier)}/{_norm(isa_id)}"
        candidates = [
            p
            for p in self._profiles.values()
            if p.standard == "x12"
            and _norm(p.envelope.theirs.isa_qualifier) == _norm(isa_qualifier)
            and _norm(p.envelope.theirs.isa_id) == _norm(isa_id)
        ]
        if not candidates:
            raise UnknownPartnerError(
                f"no partner profile has the X12 sender {shown}", standard="x12", sender=sender
            )
        if gs_id is not None:
            matching = [p for p in candidates if _norm(p.envelope.theirs.gs_id) == _norm(gs_id)]
            if not matching:
                expected = ", ".join(f"{p.envelope.theirs.gs_id} ({p.id})" for p in candidates)
                raise UnknownPartnerError(
                    f"the X12 sender {shown} is known, but not with GS-02 {gs_id.strip()!r}"
                    f" (profiles expect {expected})",
                    standard="x12",
                    sender=sender,
                )
            candidates = matching
        if len(candidates) > 1:
            raise AmbiguousPartnerError(
                f"several partner profiles have the X12 sender {shown}: "
                + ", ".join(sorted(p.id for p in candidates))
                + " (GS-02 tells them apart)",
                standard="x12",
                sender=sender,
            )
        return candidates[0]

    def resolve_edifact(
        self, unb_id: str | None, unb_qualifier: str | None = None
    ) -> PartnerProfile:
        sender = {"unb_id": unb_id, "unb_qualifier": unb_qualifier}
        shown = f"UNB sender {_norm(unb_id)}" + (
            f" (qualifier {_norm(unb_qualifier)})" if unb_qualifier else ""
        )
        candidates = [
            p
            for p in self._profiles.values()
            if p.standard == "edifact" and _norm(p.envelope.theirs.unb_id) == _norm(unb_id)
        ]
        if unb_qualifier:
            candidates = [
                p
                for p in candidates
                if p.envelope.theirs.unb_qualifier is None
                or _norm(p.envelope.theirs.unb_qualifier) == _norm(unb_qualifier)
            ]
        if not candidates:
            raise UnknownPartnerError(
                f"no partner profile has the EDIFACT {shown}", standard="edifact", sender=sender
            )
        if len(candidates) > 1:
            raise AmbiguousPartnerError(
                f"several partner profiles have the EDIFACT {shown}: "
                + ", ".join(sorted(p.id for p in candidates)),
                standard="edifact",
                sender=sender,
            )
        return candidates[0]
