"""One broken profile per rule, each built from a shipped example, each failing with its own
message at the right file line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from partner_profiles import ProfileError, ProfileProblem, load_folder, parse_profile
from tests.unit.profiles.support import line_of, variant

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Broken:
    example: str
    edits: tuple[tuple[str, str], ...]
    rule: str
    field: str
    says: str  # a fragment of the message
    at: str | None = None  # a fragment of the line the problem must point at (after edits)
    allowed: str | None = None  # a fragment of the "allowed" text


CASES = {
    # the four rules the issue names
    "inbound 210 without a vendor": Broken(
        "acme-ltl", (("  vendor_ref: ACME-FREIGHT\n", ""),), "vendor_for_invoices",
        "odoo.vendor_ref", "sends invoices (210), but no Odoo vendor", "odoo:",
    ),
    "inbound INVOIC without a vendor": Broken(
        "nordlink-fwd", (("  vendor_ref: NORDLINK-FWD\n", ""),), "vendor_for_invoices",
        "odoo.vendor_ref", "sends invoices (INVOIC)",
    ),
    "AS2 encryption without a certificate": Broken(
        "acme-ltl",
        (("    their_certificates:\n      - file:var/demo-keys/acme-freight.pem\n", ""),),
        "as2_encryption_needs_certificate", "transports.as2.their_certificates",
        "encryption is on, but no partner certificate", "  as2:", "encrypt: false",
    ),
    "ack due time without an expected ack": Broken(
        "acme-ltl", (('  expect: "997"', "  expect: none"),), "ack_due_needs_type",
        "acknowledgements.expect_within", "no acknowledgement is expected", "expect_within: 4h",
        "set acknowledgements.expect to 997",
    ),
    # the other cross-field rules
    "AS2 signing without our key": Broken(
        "acme-ltl", (("    our_key: file:var/demo-keys/as2-northwind.key\n", ""),),
        "as2_signing_needs_key", "transports.as2.our_key", "signing is on, but our private key",
    ),
    "async MDN without a URL": Broken(
        "acme-ltl", (("      mode: sync", "      mode: async"),), "as2_async_mdn_url",
        "transports.as2.mdn.async_url", "asynchronous MDNs need the address", "    mdn:",
    ),
    "move after read without an archive": Broken(
        "nordlink-fwd", (("    archive_dir: /out/northwind/archive\n", ""),), "sftp_archive",
        "transports.sftp_remote.archive_dir", "no archive folder", None, "after_read: delete",
    ),
    "remote server key not pinned": Broken(
        "nordlink-fwd",
        (("    host_key: SHA256:82yZ8sqTwXcZ7k/udt2EF8znuGty6rEdIg0ogYjRzRk\n", ""),),
        "sftp_host_key", "transports.sftp_remote.host_key", "key is not pinned",
    ),
    "learned host key on an active partner": Broken(
        "nordlink-fwd",
        (
            ("    host_key: SHA256:82yZ8sqTwXcZ7k/udt2EF8znuGty6rEdIg0ogYjRzRk\n",
             "    learn_host_key: true\n"),
        ),
        "sftp_host_key", "transports.sftp_remote.learn_host_key", "active partner must have",
        "learn_host_key: true",
    ),
    "send_via names a transport that is not there": Broken(
        "acme-ltl", (("  as2:\n", "  send_via: sftp_remote\n  as2:\n"),), "send_via",
        "transports.send_via", "names sftp_remote, which is not configured", "send_via",
    ),
    "two transports and no send_via": Broken(
        "retail-co",
        (
            ("transports:\n",
             "transports:\n  as2:\n    our_as2_id: NW\n    their_as2_id: RC\n"
             "    url: https://rc.example/as2\n    sign: false\n    encrypt: false\n"),
        ),
        "send_via", "transports.send_via", "several transports are configured", "transports:",
    ),
    "active partner without transport": Broken(
        "nordlink-fwd",
        (("transports:\n  sftp_remote:", "old_transports:\n  sftp_remote:"),
         ("status: active", "status: active\ntransports: {}\nx_placeholder: 1")),
        "schema", "old_transports", "is not a field here",
    ),
    "tenders without an Odoo carrier": Broken(
        "acme-ltl", (("  carrier: ACME Freight LTL\n", ""),), "carrier_for_tenders",
        "odoo.carrier", "we send tenders (204)",
    ),
    "invoices without charge products": Broken(
        "ridgeline-tl",
        (("  charge_products:\n    line_haul: FREIGHT-LINEHAUL\n    fuel: FREIGHT-FUEL\n"
          "    accessorial_detention: FREIGHT-ACCESSORIAL\n"
          "    accessorial_other: FREIGHT-ACCESSORIAL\n", ""),),
        "products_for_invoices", "odoo.charge_products", "no charge class is mapped",
    ),
    "SLA for a type the partner does not send": Broken(
        "acme-ltl", (('  "990": {post_within', '  "204": {post_within'),), "sla_type", "sla.204",
        "which the partner does not send us", '"204": {post_within', "210, 214, 990",
    ),
    "batch window on status messages": Broken(
        "acme-ltl",
        (('  "214": {post_within: 15m, queue: realtime}',
          '  "214": {post_within: 15m, queue: realtime, batch_window: 1h}'),),
        "sla_batch_window", "sla.214.batch_window", "applies to invoices only",
    ),
    "first retry delay above the longest": Broken(
        "acme-ltl", (("first_delay: 2m, max_delay: 2h", "first_delay: 3h, max_delay: 2h"),),
        "sla_retry", "sla.210.retry.first_delay", "first retry delay is longer",
    ),
    "status code mapped to a non-milestone": Broken(
        "ridgeline-tl", (("Z1: arrived_pickup", "Z1: arrived_at_pickup"),), "milestone",
        "code_tables.status.Z1", "'arrived_at_pickup' is not a milestone", "Z1: arrived",
        "arrived_pickup",
    ),
    "charge code mapped to a non-class": Broken(
        "acme-ltl", (("DTN: accessorial_detention", "DTN: detention"),), "charge_class",
        "code_tables.charges.DTN", "'detention' is not a charge class", "DTN:",
    ),
    "charge product for a non-class": Broken(
        "acme-ltl", (("    fuel: FREIGHT-FUEL", "    fuel_surcharge: FREIGHT-FUEL"),),
        "charge_class", "odoo.charge_products.fuel_surcharge", "is not a charge class",
        "fuel_surcharge",
    ),
    "allowed accessorial that is not a charge class": Broken(
        "acme-ltl", (("  auto_post: true", "  auto_post: true\n  allowed_accessorials: [lift]"),),
        "charge_class", "invoices.allowed_accessorials[0]", "'lift' is not a charge class",
        "allowed_accessorials", "accessorial_liftgate",
    ),
    "unknown reference kind": Broken(
        "acme-ltl", (("{reference: bol,", "{reference: bill,"),),
        "reference_kind", "reference_rules[1].reference", "'bill' is not a reference kind",
        "reference: bill",
    ),
    "X12 profile without ISA id": Broken(
        "acme-ltl", (("    isa_id: ACMF\n", ""),), "envelope_ids", "envelope.theirs.isa_id",
        "an X12 profile needs the ISA interchange id",
    ),
    "ISA id longer than 15": Broken(
        "acme-ltl", (("isa_id: ACMF", "isa_id: ACMEFREIGHTLINES1"),), "envelope_ids",
        "envelope.theirs.isa_id", "cannot be an ISA id", "ACMEFREIGHTLINES1",
    ),
    "EDIFACT field on an X12 profile": Broken(
        "acme-ltl", (("    gs_id: ACMF\n", "    gs_id: ACMF\n    unb_id: ACMF\n"),),
        "envelope_ids", "envelope.theirs.unb_id", "is an EDIFACT field", "unb_id: ACMF",
    ),
    "bad ISA qualifier": Broken(
        "acme-ltl", (('isa_qualifier: "02"', "isa_qualifier: scac"),), "envelope_ids",
        "envelope.theirs.isa_qualifier", "'scac' is not an ISA id qualifier",
    ),
    "EDIFACT profile without UNB id": Broken(
        "nordlink-fwd", (('    unb_id: "5790002198342"\n', ""),), "envelope_ids",
        "envelope.theirs.unb_id", "needs the UNB interchange id",
    ),
    "unknown version": Broken(
        "acme-ltl", (('version: "004010"', 'version: "004011"'),), "version", "version",
        "'004011' is not an X12 version", "version:", "004010, 004030, 005010",
    ),
    "EDIFACT message type on X12": Broken(
        "acme-ltl", (('"214", "210"]', '"214", "210", "IFTSTA"]'),),
        "message_type", "messages.inbound[3]", "'IFTSTA' is not an X12 message type",
    ),
    "999 on 004010": Broken(
        "acme-ltl", (('  send: "997"', '  send: "999"'),), "ack_type", "acknowledgements.send",
        "999 needs version 005010",
    ),
    "TA1 on EDIFACT": Broken(
        "nordlink-fwd", (("  expect: none", "  expect: none\n  request_ta1: true"),),
        "ack_type", "acknowledgements.request_ta1", "TA1 exists only in X12",
    ),
    "same delimiter twice": Broken(
        "acme-ltl", (('    component: ">"', '    component: "~"'),), "delimiters",
        "outbound.delimiters.segment", "'~' is already the component delimiter",
    ),
    "letter as delimiter": Broken(
        "acme-ltl", (('    element: "*"', '    element: "E"'),), "delimiters",
        "outbound.delimiters.element", "letters, digits and spaces occur in data",
    ),
    "repetition separator on EDIFACT": Broken(
        "nordlink-fwd", (('    decimal: "."', '    decimal: "."\n    repetition: "^"'),),
        "delimiters", "outbound.delimiters.repetition", "does not exist in EDIFACT",
    ),
    "id does not match the file name": Broken(
        "acme-ltl", (("id: acme-ltl", "id: acme-freight"),), "file_name", "id",
        "is 'acme-freight' but the file is named 'acme-ltl'", "id: acme-freight",
    ),
    # schema-level checks, in plain words
    "missing required field": Broken(
        "acme-ltl", (("standard: x12\n", ""),), "schema", "standard", "is required but missing",
    ),
    "misspelt field": Broken(
        "acme-ltl", (("  auto_post: true", "  autopost: true"),), "schema", "invoices.autopost",
        "did you mean 'auto_post'?", "autopost", "auto_post, currency",
    ),
    "status not in the list": Broken(
        "acme-ltl", (("status: active", "status: live"),), "schema", "status",
        "'live' is not allowed", "status: live", "'draft', 'testing', 'active' or 'suspended'",
    ),
    "duration in words": Broken(
        "acme-ltl", (("expect_within: 4h", "expect_within: four hours"),), "schema",
        "acknowledgements.expect_within", "'four hours' is not a duration", "four hours", "4h",
    ),
    "secret written into the profile": Broken(
        "acme-ltl", (("our_key: file:var/demo-keys/as2-northwind.key", "our_key: MIIEvQIBADAN"),),
        "schema", "transports.as2.our_key", "never the value itself", "MIIEvQ", "env:NAME",
    ),
    "bad SSH public key": Broken(
        "ridgeline-tl", (("      - ssh-ed25519 AAAAC3", "      - ssh-dss AAAAC3"),), "schema",
        "transports.sftp_mailbox.public_keys[0]", "is not an SSH public key", "ssh-dss",
    ),
    "yes/no field with another word": Broken(
        "acme-ltl", (("compress: false", "compress: maybe"),), "schema",
        "transports.as2.compress", "'maybe' is not yes or no", "compress: maybe",
    ),
    "tolerance percent over 100": Broken(
        "acme-ltl", (('percent: "5"', 'percent: "500"'),), "schema",
        "invoices.tolerance.percent", "is out of range", "percent:",
    ),
    "bad element reference in the overlay": Broken(
        "acme-ltl", (("required: [B10-02]", "required: [B10.2]"),), "schema",
        "validation.required[0]", "is not a segment or element reference", "B10.2",
    ),
    "field appears twice": Broken(
        "acme-ltl", (("status: active\n", "status: active\nstatus: testing\n"),), "yaml",
        "status", "appears twice", "status: testing",
    ),
    "tab indentation": Broken(
        "acme-ltl", (("  auto_post: true", "\tauto_post: true"),), "yaml", "",
        "a tab is used for indentation", "auto_post: true",
    ),
    "indentation that does not line up": Broken(
        "acme-ltl", (("  auto_post: true", " auto_post: true"),), "yaml", "",
        "does not line up", "auto_post: true",
    ),
}  # fmt: skip


def _problems(case: Broken) -> tuple[str, list[ProfileProblem]]:
    text = variant(case.example, *case.edits)
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, file=f"{case.example}.yaml", expected_id=case.example)
    return text, caught.value.problems


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_profile_fails_with_its_message(name: str) -> None:
    case = CASES[name]
    text, problems = _problems(case)
    matching = [p for p in problems if p.rule == case.rule and p.field == case.field]
    assert matching, [str(p) for p in problems]
    problem = matching[0]
    assert case.says in problem.message, str(problem)
    assert problem.file == f"{case.example}.yaml"
    if case.at is not None:
        assert problem.line == line_of(text, case.at), str(problem)
    else:
        assert problem.line is not None
    if case.allowed is not None:
        assert problem.allowed is not None and case.allowed in problem.allowed, str(problem)
    # the rendering a person reads: file:line: field: what is wrong (allowed: ...)
    rendered = str(problem)
    assert rendered.startswith(f"{case.example}.yaml:{problem.line}:")
    assert case.says in rendered


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_broken_profile_fails_for_its_own_reason_only(name: str) -> None:
    # a variant must not trip unrelated rules: the message a person sees is about their edit
    case = CASES[name]
    _, problems = _problems(case)
    assert {p.rule for p in problems} == {case.rule}, [str(p) for p in problems]


def test_active_partner_needs_a_transport() -> None:
    text = variant(
        "nordlink-fwd",
        ("transports:\n  sftp_remote:", "unused:\n  sftp_remote:"),
    )
    # drop the whole transports block: everything from "unused:" up to the next top-level key
    start = text.index("unused:")
    end = text.index("\nsla:")
    text = text[:start] + text[end + 1 :]
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, file="nordlink-fwd.yaml")
    (problem,) = caught.value.problems
    assert problem.rule == "transport_required"
    assert "an active partner needs a transport" in problem.message
    # the same profile while testing is fine
    parse_profile(text.replace("status: active", "status: testing"))


def _write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_two_profiles_may_not_claim_the_same_envelope_ids(profiles_dir: Path) -> None:
    copy = variant(
        "acme-ltl",
        ("id: acme-ltl", "id: acme-ltl-west"),
        ("their_as2_id: ACMEFREIGHT", "their_as2_id: ACMEFREIGHT-WEST"),
    )
    _write(profiles_dir, "acme-ltl-west", copy)
    result = load_folder(profiles_dir)
    # both are active: acme-ltl (first by name) keeps its ids; the copy is refused
    assert "acme-ltl" in result.profiles and "acme-ltl-west" not in result.profiles
    (problem,) = result.problems[profiles_dir / "acme-ltl-west.yaml"]
    assert problem.rule == "unique_envelope_ids"
    assert problem.field == "envelope.theirs.isa_id"
    assert problem.line == line_of(copy, "isa_id: ACMF")
    assert "ISA 02/ACMF, GS ACMF are already claimed by partner 'acme-ltl'" in problem.message


def test_an_active_partner_keeps_its_ids_against_a_new_draft(profiles_dir: Path) -> None:
    draft = variant(
        "acme-ltl",
        ("id: acme-ltl", "id: aaa-draft"),
        ("status: active", "status: draft"),
        ("their_as2_id: ACMEFREIGHT", "their_as2_id: AAA"),
    )
    _write(profiles_dir, "aaa-draft", draft)
    result = load_folder(profiles_dir)
    assert "acme-ltl" in result.profiles
    (problem,) = result.problems[profiles_dir / "aaa-draft.yaml"]
    assert problem.rule == "unique_envelope_ids"


def test_same_isa_ids_with_another_gs_code_are_a_different_partner(profiles_dir: Path) -> None:
    copy = variant(
        "acme-ltl",
        ("id: acme-ltl", "id: acme-ltl-west"),
        ("gs_id: ACMF", "gs_id: ACMFW"),
        ("their_as2_id: ACMEFREIGHT", "their_as2_id: ACMEFREIGHT-WEST"),
    )
    _write(profiles_dir, "acme-ltl-west", copy)
    assert load_folder(profiles_dir).all_problems() == []


def test_edifact_ids_match_case_insensitively_for_the_clash(profiles_dir: Path) -> None:
    copy = variant(
        "nordlink-fwd",
        ("id: nordlink-fwd", "id: nordlink-copy"),
    )
    _write(profiles_dir, "nordlink-copy", copy)
    result = load_folder(profiles_dir)
    (problem,) = result.problems[profiles_dir / "nordlink-fwd.yaml"]
    # "nordlink-copy" sorts first, so it keeps the claim and the original is reported
    assert problem.rule == "unique_envelope_ids"
    assert "already claimed by partner 'nordlink-copy'" in problem.message


def test_two_profiles_may_not_share_an_as2_id_or_a_mailbox_login(profiles_dir: Path) -> None:
    as2 = variant("acme-ltl", ("id: acme-ltl", "id: acme-two"), ("gs_id: ACMF", "gs_id: ACMF2"))
    _write(profiles_dir, "acme-two", as2)
    login = variant(
        "ridgeline-tl", ("id: ridgeline-tl", "id: ridgeline-two"),
        ("isa_id: RIDGELINETL", "isa_id: RIDGELINE2"),
    )  # fmt: skip
    _write(profiles_dir, "ridgeline-two", login)
    result = load_folder(profiles_dir)
    (as2_problem,) = result.problems[profiles_dir / "acme-two.yaml"]
    assert as2_problem.rule == "unique_as2_id" and "'ACMEFREIGHT'" in as2_problem.message
    (login_problem,) = result.problems[profiles_dir / "ridgeline-two.yaml"]
    assert login_problem.rule == "unique_sftp_login"
    assert "'ridgeline' is already used by partner 'ridgeline-tl'" in login_problem.message


def test_a_bad_file_does_not_stop_the_others(profiles_dir: Path) -> None:
    _write(profiles_dir, "broken", "id: broken\nname: [unclosed\n")
    (profiles_dir / "notes.txt").write_text("not a profile")
    result = load_folder(profiles_dir)
    assert sorted(result.profiles) == ["acme-ltl", "nordlink-fwd", "retail-co", "ridgeline-tl"]
    (problem,) = result.problems[profiles_dir / "broken.yaml"]
    assert problem.rule == "yaml" and problem.line is not None


def test_non_utf8_and_non_mapping_files_are_explained() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(b"name: Caf\xe9\n", file="x.yaml")
    assert "is not UTF-8 text" in caught.value.problems[0].message
    with pytest.raises(ProfileError) as caught:
        parse_profile("- just\n- a list\n", file="x.yaml")
    assert "should hold one partner profile" in caught.value.problems[0].message
    with pytest.raises(ProfileError) as caught:
        parse_profile("", file="x.yaml")
    assert caught.value.problems[0].rule == "yaml"


def test_a_fallback_product_is_enough_for_invoices() -> None:
    text = variant(
        "ridgeline-tl",
        (
            "  charge_products:\n    line_haul: FREIGHT-LINEHAUL\n    fuel: FREIGHT-FUEL\n"
            "    accessorial_detention: FREIGHT-ACCESSORIAL\n"
            "    accessorial_other: FREIGHT-ACCESSORIAL\n",
            "  fallback_product: FREIGHT-OTHER\n",
        ),
    )
    assert parse_profile(text).profile.odoo.fallback_product == "FREIGHT-OTHER"


def test_every_problem_is_reported_at_once() -> None:
    text = variant(
        "acme-ltl",
        ("  vendor_ref: ACME-FREIGHT\n", ""),
        ('  expect: "997"', "  expect: none"),
    )
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, file="acme-ltl.yaml")
    assert {p.rule for p in caught.value.problems} == {"vendor_for_invoices", "ack_due_needs_type"}
    assert "acme-ltl.yaml:" in str(caught.value)
