"""The shipped example profiles load cleanly and say what the issue asks of them."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from partner_profiles import json_schema, load_file, load_folder, parse_profile
from tests.unit.profiles.support import EXAMPLES, example_text
from translators.core import Overlay

pytestmark = pytest.mark.unit

DOCS = Path(__file__).resolve().parents[3] / "docs"


@pytest.mark.parametrize("name", ["acme-ltl", "ridgeline-tl", "nordlink-fwd", "retail-co"])
def test_each_example_validates(name: str) -> None:
    loaded = load_file(EXAMPLES / f"{name}.yaml")
    assert loaded.id == name
    assert loaded.path == EXAMPLES / f"{name}.yaml"
    assert len(loaded.content_hash) == 64


def test_the_folder_of_examples_loads_without_clashes() -> None:
    result = load_folder(EXAMPLES)
    assert result.all_problems() == []
    assert sorted(result.profiles) == ["acme-ltl", "nordlink-fwd", "retail-co", "ridgeline-tl"]


def test_the_three_required_kinds_of_partner_are_shipped() -> None:
    profiles = {p.id: p.profile for p in load_folder(EXAMPLES).profiles.values()}
    acme, ridgeline, nordlink = (
        profiles["acme-ltl"],
        profiles["ridgeline-tl"],
        profiles["nordlink-fwd"],
    )
    # X12 004010 LTL carrier over AS2 (scenario A)
    assert (acme.standard, acme.version) == ("x12", "004010")
    assert acme.transports.configured() == ["as2"]
    assert acme.messages.outbound == ["204"]
    assert set(acme.messages.inbound) == {"990", "214", "210"}
    assert acme.acknowledgements.expect == "997"
    assert acme.acknowledgements.expect_within == timedelta(hours=4)
    assert acme.invoices.tolerance.percent == Decimal("5")
    assert acme.invoices.tolerance.absolute == Decimal("50.00")
    # X12 005010 truckload carrier over the hosted SFTP mailbox
    assert (ridgeline.standard, ridgeline.version) == ("x12", "005010")
    assert ridgeline.transports.configured() == ["sftp_mailbox"]
    # EDIFACT D96A forwarder whose SFTP server we poll (scenario B)
    assert (nordlink.standard, nordlink.version) == ("edifact", "D96A")
    assert nordlink.transports.configured() == ["sftp_remote"]
    assert nordlink.acknowledgements.send == "CONTRL"
    remote = nordlink.transports.sftp_remote
    assert remote is not None and remote.after_read == "move" and remote.archive_dir


def test_unquoted_numbers_stay_text() -> None:
    # YAML 1.1 reads 004010 as octal 2056 and 02 as 2; the loader must not.
    text = example_text("acme-ltl").replace('version: "004010"', "version: 004010")
    text = text.replace('isa_qualifier: "02"', "isa_qualifier: 02")
    profile = parse_profile(text).profile
    assert profile.version == "004010"
    assert profile.envelope.theirs.isa_qualifier == "02"


def test_overlay_is_what_the_engines_take() -> None:
    profile = load_file(EXAMPLES / "acme-ltl.yaml").profile
    overlay = profile.overlay()
    assert isinstance(overlay, Overlay)
    assert overlay.required == frozenset({"B10-02"})
    assert "D1" in overlay.restricted_codes["AT7-01"]
    # the overlay's own rule: a restricted list narrows the guide's list
    assert overlay.allowed_codes("AT7-01", frozenset({"D1", "ZZ"})) == frozenset({"D1"})
    ridgeline = load_file(EXAMPLES / "ridgeline-tl.yaml").profile.overlay()
    assert ridgeline.allowed_codes("AT7-01", frozenset({"D1"})) == frozenset({"D1", "Z1"})


def test_effective_delimiters_fill_the_standard_defaults() -> None:
    nordlink = load_file(EXAMPLES / "nordlink-fwd.yaml").profile
    assert nordlink.outbound.delimiters.effective("edifact") == {
        "element": "+",
        "component": ":",
        "segment": "'",
        "release": "?",
        "decimal": ".",
    }
    retail = load_file(EXAMPLES / "retail-co.yaml").profile
    assert retail.outbound.delimiters.effective("x12")["repetition"] == "^"


def test_a_profile_round_trips_through_its_json_form() -> None:
    profile = load_file(EXAMPLES / "acme-ltl.yaml").profile
    dumped = profile.model_dump(mode="json")
    assert dumped["acknowledgements"]["expect_within"] == "4h"
    assert type(profile).model_validate(dumped) == profile


def test_the_exported_json_schema_in_docs_is_current() -> None:
    committed = json.loads((DOCS / "partner-profile.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: python -m partner_profiles.schema_export"


def test_the_json_schema_names_every_top_level_field() -> None:
    schema = json_schema()
    for name in (
        "id", "name", "status", "standard", "version", "envelope", "outbound", "messages",
        "acknowledgements", "transports", "sla", "invoices", "code_tables", "reference_rules",
        "odoo", "validation",
    ):  # fmt: skip
        assert name in schema["properties"]
    assert schema["additionalProperties"] is False
