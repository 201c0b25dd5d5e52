"""Rules that compare fields with each other, within one profile and across a folder.

Each rule yields `Finding`s that name the field a person has to change (as a path into the
YAML file, so the loader can point at its line), what is wrong and what would be allowed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from partner_profiles.schema import (
    EDIFACT_VERSIONS,
    INVOICE_TYPES,
    MESSAGE_TYPES,
    TENDER_TYPES,
    X12_VERSIONS,
    PartnerProfile,
)

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    message: str
    allowed: str | None = None
    rule: str = "rule"


def _vocabularies() -> tuple[frozenset[str], frozenset[str], frozenset[str]] | None:
    """Milestones, charge classes and reference kinds of the canonical models (None in a
    checkout without the canonical package: the vocabulary checks are then skipped)."""
    try:
        from translators.canonical.vocab import REFERENCE_KINDS, ChargeClass, Milestone
    except ImportError:
        return None
    return (
        frozenset(m.value for m in Milestone),
        frozenset(c.value for c in ChargeClass),
        REFERENCE_KINDS,
    )


def _one_of(values: Sequence[str] | frozenset[str]) -> str:
    items = sorted(values) if isinstance(values, frozenset) else list(values)
    return ", ".join(items)


_X12_QUALIFIER = re.compile(r"^[0-9A-Z]{2}$")
_X12_ID_CHARS = re.compile(r"^[A-Za-z0-9 .,&()/'@#_-]+$")


def _envelope(profile: PartnerProfile) -> Iterator[Finding]:
    for side in ("ours", "theirs"):
        party = getattr(profile.envelope, side)
        base: Path = ("envelope", side)
        if profile.standard == "x12":
            for name in ("unb_id", "unb_qualifier"):
                if getattr(party, name) is not None:
                    yield Finding(
                        (*base, name),
                        "is an EDIFACT field, but this profile is X12",
                        "isa_qualifier, isa_id, gs_id",
                        "envelope_ids",
                    )
            if not party.isa_qualifier:
                yield Finding(
                    (*base, "isa_qualifier"),
                    "is missing: an X12 profile needs the ISA id qualifier",
                    "2 characters, e.g. 01 (DUNS), 02 (SCAC), ZZ (mutually defined)",
                    "envelope_ids",
                )
            elif not _X12_QUALIFIER.match(party.isa_qualifier):
                yield Finding(
                    (*base, "isa_qualifier"),
                    f"'{party.isa_qualifier}' is not an ISA id qualifier",
                    "2 digits or capital letters, e.g. 01, 02, 08, 12, 14, 16, ZZ",
                    "envelope_ids",
                )
            if not party.isa_id:
                yield Finding(
                    (*base, "isa_id"),
                    "is missing: an X12 profile needs the ISA interchange id",
                    "1 to 15 characters",
                    "envelope_ids",
                )
            elif len(party.isa_id) > 15 or not _X12_ID_CHARS.match(party.isa_id):
                yield Finding(
                    (*base, "isa_id"),
                    f"'{party.isa_id}' cannot be an ISA id",
                    "1 to 15 letters, digits, spaces or . , & ( ) / ' @ # _ -",
                    "envelope_ids",
                )
            if not party.gs_id:
                yield Finding(
                    (*base, "gs_id"),
                    "is missing: an X12 profile needs the GS application code",
                    "2 to 15 characters",
                    "envelope_ids",
                )
            elif not 2 <= len(party.gs_id) <= 15 or not _X12_ID_CHARS.match(party.gs_id):
                yield Finding(
                    (*base, "gs_id"),
                    f"'{party.gs_id}' cannot be a GS application code",
                    "2 to 15 letters, digits, spaces or . , & ( ) / ' @ # _ -",
                    "envelope_ids",
                )
        else:
            for name in ("isa_qualifier", "isa_id", "gs_id"):
                if getattr(party, name) is not None:
                    yield Finding(
                        (*base, name),
                        "is an X12 field, but this profile is EDIFACT",
                        "unb_id, unb_qualifier",
                        "envelope_ids",
                    )
            if not party.unb_id:
                yield Finding(
                    (*base, "unb_id"),
                    "is missing: an EDIFACT profile needs the UNB interchange id",
                    "1 to 35 characters",
                    "envelope_ids",
                )
            elif len(party.unb_id) > 35 or any(c in party.unb_id for c in "+:'?"):
                yield Finding(
                    (*base, "unb_id"),
                    f"'{party.unb_id}' cannot be a UNB id",
                    "1 to 35 characters without + : ' ?",
                    "envelope_ids",
                )
            if party.unb_qualifier is not None and not re.match(
                r"^[0-9A-Z]{1,4}$", party.unb_qualifier
            ):
                yield Finding(
                    (*base, "unb_qualifier"),
                    f"'{party.unb_qualifier}' is not a UNB id qualifier",
                    "1 to 4 digits or capital letters, e.g. 14 (GLN), 1 (DUNS), ZZZ",
                    "envelope_ids",
                )


def _standard(profile: PartnerProfile) -> Iterator[Finding]:
    versions = X12_VERSIONS if profile.standard == "x12" else EDIFACT_VERSIONS
    if profile.version not in versions:
        yield Finding(
            ("version",),
            f"'{profile.version}' is not an {profile.standard.upper()} version the gateway reads",
            _one_of(versions),
            "version",
        )
    known = MESSAGE_TYPES[profile.standard]
    for direction in ("inbound", "outbound"):
        for i, doc_type in enumerate(getattr(profile.messages, direction)):
            if doc_type not in known:
                yield Finding(
                    ("messages", direction, i),
                    f"'{doc_type}' is not an {profile.standard.upper()} message type the gateway"
                    " exchanges",
                    _one_of(known),
                    "message_type",
                )


def _acknowledgements(profile: PartnerProfile) -> Iterator[Finding]:
    acks = profile.acknowledgements
    if profile.standard == "x12":
        allowed = ("997", "999", "none") if profile.version >= "005010" else ("997", "none")
    else:
        allowed = ("CONTRL", "none")
    for name in ("send", "expect"):
        value = getattr(acks, name)
        if value not in allowed:
            why = (
                "999 needs version 005010"
                if value == "999" and profile.standard == "x12"
                else f"not an {profile.standard.upper()} acknowledgement"
            )
            yield Finding(
                ("acknowledgements", name), f"'{value}' cannot be used: {why}", _one_of(allowed),
                "ack_type",
            )  # fmt: skip
    if acks.expect_within is not None and acks.expect == "none":
        yield Finding(
            ("acknowledgements", "expect_within"),
            "a due time for the partner's acknowledgement is set, but no acknowledgement is"
            " expected (acknowledgements.expect is none)",
            "set acknowledgements.expect to "
            + " or ".join(a for a in allowed if a != "none")
            + ", or remove expect_within",
            "ack_due_needs_type",
        )
    if profile.standard == "edifact" and (acks.request_ta1 or acks.send_ta1 != "when_requested"):
        field = "request_ta1" if acks.request_ta1 else "send_ta1"
        yield Finding(
            ("acknowledgements", field),
            "TA1 exists only in X12; this profile is EDIFACT",
            "leave it out (CONTRL covers interchange problems)",
            "ack_type",
        )


def _delimiters(profile: PartnerProfile) -> Iterator[Finding]:
    given = profile.outbound.delimiters
    base: Path = ("outbound", "delimiters")
    wrong_standard = ("release", "decimal") if profile.standard == "x12" else ("repetition",)
    for name in wrong_standard:
        if getattr(given, name) is not None:
            yield Finding(
                (*base, name),
                f"does not exist in {profile.standard.upper()}",
                _one_of([n for n in given.effective(profile.standard) if n != "decimal"]),
                "delimiters",
            )
    effective = given.effective(profile.standard)
    effective.pop("decimal", None)
    seen: dict[str, str] = {}
    for name, char in effective.items():
        if char.isalnum() or char == " ":
            yield Finding(
                (*base, name),
                f"'{char}' cannot be a delimiter: letters, digits and spaces occur in data",
                "a punctuation or control character, e.g. * ~ > ^ + : ' ?",
                "delimiters",
            )
        if char in seen:
            yield Finding(
                (*base, name),
                f"'{char}' is already the {seen[char]} delimiter; each delimiter must differ",
                "a character not used by another delimiter",
                "delimiters",
            )
        seen.setdefault(char, name)


def _transports(profile: PartnerProfile) -> Iterator[Finding]:
    t = profile.transports
    configured = t.configured()
    if t.as2 is not None:
        as2 = t.as2
        if as2.encrypt and not as2.their_certificates:
            yield Finding(
                ("transports", "as2", "their_certificates"),
                "AS2 encryption is on, but no partner certificate is given to encrypt with",
                "add their_certificates (file:PATH), or set encrypt: false",
                "as2_encryption_needs_certificate",
            )
        if as2.sign:
            for name in ("our_key", "our_certificate"):
                if getattr(as2, name) is None:
                    yield Finding(
                        ("transports", "as2", name),
                        "AS2 signing is on, but our "
                        + ("private key" if name == "our_key" else "certificate")
                        + " is not given",
                        "a reference: env:NAME or file:PATH; or set sign: false",
                        "as2_signing_needs_key",
                    )
        if as2.mdn.mode == "async" and not as2.mdn.async_url:
            yield Finding(
                ("transports", "as2", "mdn", "async_url"),
                "asynchronous MDNs need the address the partner sends them to",
                "our https:// URL for MDNs, or mode: sync",
                "as2_async_mdn_url",
            )
    if t.sftp_remote is not None:
        remote = t.sftp_remote
        if remote.after_read == "move" and not remote.archive_dir:
            yield Finding(
                ("transports", "sftp_remote", "archive_dir"),
                "files are to be moved after reading, but no archive folder is given",
                "an archive_dir on the partner's server, or after_read: delete",
                "sftp_archive",
            )
        if not remote.host_key and not remote.learn_host_key:
            yield Finding(
                ("transports", "sftp_remote", "host_key"),
                "the partner server's key is not pinned, so the gateway cannot tell it from"
                " an impostor",
                "the server key ('ssh-ed25519 AAAA...' or 'SHA256:...'), or learn_host_key:"
                " true while testing",
                "sftp_host_key",
            )
        elif remote.learn_host_key and profile.status == "active":
            yield Finding(
                ("transports", "sftp_remote", "learn_host_key"),
                "an active partner must have its server key pinned, not learned",
                "set host_key and remove learn_host_key",
                "sftp_host_key",
            )
    if t.send_via is not None and t.send_via not in configured:
        yield Finding(
            ("transports", "send_via"),
            f"names {t.send_via}, which is not configured for this partner",
            _one_of(configured) if configured else "configure a transport first",
            "send_via",
        )
    sends = bool(profile.messages.outbound) or profile.acknowledgements.send != "none"
    if sends and len(configured) > 1 and t.send_via is None:
        yield Finding(
            ("transports", "send_via"),
            "several transports are configured; say which one carries what we send",
            _one_of(configured),
            "send_via",
        )
    if profile.status == "active" and not configured:
        yield Finding(
            ("transports",),
            "an active partner needs a transport",
            "as2, sftp_mailbox or sftp_remote",
            "transport_required",
        )


def _odoo(profile: PartnerProfile) -> Iterator[Finding]:
    inbound_invoices = sorted(profile.inbound_types & INVOICE_TYPES)
    if inbound_invoices and not profile.odoo.vendor_ref:
        yield Finding(
            ("odoo", "vendor_ref"),
            f"the partner sends invoices ({', '.join(inbound_invoices)}), but no Odoo vendor"
            " is mapped to make the bills out to",
            "the vendor's reference in Odoo (res.partner ref)",
            "vendor_for_invoices",
        )
    if inbound_invoices and not (profile.odoo.charge_products or profile.odoo.fallback_product):
        yield Finding(
            ("odoo", "charge_products"),
            "the partner sends invoices, but no charge class is mapped to an Odoo product"
            " for the bill lines",
            "charge class -> product, e.g. line_haul: FREIGHT-LH",
            "products_for_invoices",
        )
    outbound_tenders = sorted(profile.outbound_types & TENDER_TYPES)
    if outbound_tenders and not profile.odoo.carrier:
        yield Finding(
            ("odoo", "carrier"),
            f"we send tenders ({', '.join(outbound_tenders)}), but no Odoo carrier says which"
            " pickings go to this partner",
            "the delivery carrier's name in Odoo",
            "carrier_for_tenders",
        )


def _service_levels(profile: PartnerProfile) -> Iterator[Finding]:
    inbound = profile.inbound_types
    for doc_type, sla in profile.sla.items():
        if doc_type not in inbound:
            yield Finding(
                ("sla", doc_type),
                f"is a service level for '{doc_type}', which the partner does not send us",
                _one_of(sorted(inbound)) if inbound else "first list it under messages.inbound",
                "sla_type",
            )
        if sla.batch_window is not None and doc_type not in INVOICE_TYPES:
            yield Finding(
                ("sla", doc_type, "batch_window"),
                "a batch window applies to invoices only",
                "remove it, or set it on 210 / INVOIC",
                "sla_batch_window",
            )
        if sla.retry.first_delay > sla.retry.max_delay:
            yield Finding(
                ("sla", doc_type, "retry", "first_delay"),
                "the first retry delay is longer than the longest delay",
                "first_delay up to max_delay",
                "sla_retry",
            )


def _vocab(profile: PartnerProfile) -> Iterator[Finding]:
    vocabularies = _vocabularies()
    if vocabularies is None:
        return
    milestones, charge_classes, reference_kinds = vocabularies
    for code, milestone in profile.code_tables.status.items():
        if milestone not in milestones:
            yield Finding(
                ("code_tables", "status", code),
                f"'{milestone}' is not a milestone",
                _one_of(milestones),
                "milestone",
            )
    for code, charge_class in profile.code_tables.charges.items():
        if charge_class not in charge_classes:
            yield Finding(
                ("code_tables", "charges", code),
                f"'{charge_class}' is not a charge class",
                _one_of(charge_classes),
                "charge_class",
            )
    for charge_class in profile.odoo.charge_products:
        if charge_class not in charge_classes:
            yield Finding(
                ("odoo", "charge_products", charge_class),
                f"'{charge_class}' is not a charge class",
                _one_of(charge_classes),
                "charge_class",
            )
    for i, charge_class in enumerate(profile.invoices.allowed_accessorials):
        if charge_class not in charge_classes:
            yield Finding(
                ("invoices", "allowed_accessorials", i),
                f"'{charge_class}' is not a charge class",
                _one_of(charge_classes),
                "charge_class",
            )
    for i, rule in enumerate(profile.reference_rules):
        if rule.reference not in reference_kinds:
            yield Finding(
                ("reference_rules", i, "reference"),
                f"'{rule.reference}' is not a reference kind",
                _one_of(reference_kinds),
                "reference_kind",
            )


_PROFILE_RULES = (
    _standard,
    _envelope,
    _acknowledgements,
    _delimiters,
    _transports,
    _odoo,
    _service_levels,
    _vocab,
)


def check_profile(profile: PartnerProfile) -> list[Finding]:
    """Every cross-field finding for one profile that passed the schema."""
    return [finding for rule in _PROFILE_RULES for finding in rule(profile)]


@dataclass(frozen=True, slots=True)
class Clash:
    """A cross-profile finding: `profile_id`'s field clashes with `other_id`'s."""

    profile_id: str
    other_id: str
    finding: Finding


def check_folder(profiles: Sequence[PartnerProfile]) -> list[Clash]:
    """Findings across profiles: the same envelope ids, AS2 id or mailbox login claimed twice.

    The first profile (in the order given) keeps its claim; each later one is reported."""
    clashes: list[Clash] = []
    claims: dict[tuple[str, ...], str] = {}

    def claim(key: tuple[str, ...], profile: PartnerProfile, finding: Finding) -> None:
        owner = claims.setdefault(key, profile.id)
        if owner != profile.id:
            clashes.append(Clash(profile.id, owner, finding))

    for profile in profiles:
        party: Path = ("envelope", "theirs")
        id_field = "isa_id" if profile.standard == "x12" else "unb_id"
        for key in profile.envelope_keys():
            claim(
                ("envelope", *key),
                profile,
                Finding(
                    (*party, id_field),
                    f"the envelope ids {profile.describe_envelope()} are already claimed by"
                    " partner '{other}'; the gateway could not tell the two apart",
                    "ids no other profile uses",
                    "unique_envelope_ids",
                ),
            )
        as2 = profile.transports.as2
        if as2 is not None:
            claim(
                ("as2", as2.their_as2_id),
                profile,
                Finding(
                    ("transports", "as2", "their_as2_id"),
                    f"the AS2 id '{as2.their_as2_id}' is already used by partner '{{other}}'",
                    "an AS2 id no other profile uses",
                    "unique_as2_id",
                ),
            )
        mailbox = profile.transports.sftp_mailbox
        if mailbox is not None:
            claim(
                ("sftp", mailbox.username),
                profile,
                Finding(
                    ("transports", "sftp_mailbox", "username"),
                    f"the SFTP login '{mailbox.username}' is already used by partner '{{other}}'",
                    "a login no other profile uses",
                    "unique_sftp_login",
                ),
            )
    return clashes
