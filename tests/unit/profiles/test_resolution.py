"""Finding the partner of an inbound interchange from its envelope ids."""

from __future__ import annotations

import pytest

from partner_profiles import (
    AmbiguousPartnerError,
    PartnerResolutionError,
    ProfileIndex,
    UnknownPartnerError,
    load_folder,
    parse_profile,
)
from tests.unit.profiles.support import EXAMPLES, variant

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def index() -> ProfileIndex:
    return ProfileIndex(p.profile for p in load_folder(EXAMPLES).profiles.values())


def test_x12_sender_by_isa_and_gs(index: ProfileIndex) -> None:
    # ISA ids arrive right-padded to 15 characters
    assert index.resolve("x12", "ACMF           ", "02", "ACMF").id == "acme-ltl"
    assert index.resolve_x12("ZZ", "RIDGELINETL    ", "RIDGELINE").id == "ridgeline-tl"
    # without a group (a TA1-only interchange) the ISA ids alone decide
    assert index.resolve_x12("08", "9251730000", None).id == "retail-co"


def test_x12_ids_compare_without_case_or_padding(index: ProfileIndex) -> None:
    assert index.resolve_x12(" 02", "acmf", "acmf").id == "acme-ltl"


def test_edifact_sender_with_and_without_qualifier(index: ProfileIndex) -> None:
    assert index.resolve("edifact", "5790002198342", "14").id == "nordlink-fwd"
    # real UNBs omit the qualifier; the id alone is then enough
    assert index.resolve_edifact("5790002198342").id == "nordlink-fwd"


def test_unknown_sender_is_a_clear_exception(index: ProfileIndex) -> None:
    with pytest.raises(UnknownPartnerError) as caught:
        index.resolve("x12", "NOBODY", "ZZ", "NOBODY")
    assert str(caught.value) == "no partner profile has the X12 sender ISA-05/06 ZZ/NOBODY"
    assert caught.value.sender == {"isa_qualifier": "ZZ", "isa_id": "NOBODY", "gs_id": "NOBODY"}
    assert isinstance(caught.value, PartnerResolutionError)


def test_wrong_qualifier_is_unknown(index: ProfileIndex) -> None:
    with pytest.raises(UnknownPartnerError):
        index.resolve_x12("ZZ", "ACMF", "ACMF")
    with pytest.raises(UnknownPartnerError) as caught:
        index.resolve_edifact("5790002198342", "ZZZ")
    assert "UNB sender 5790002198342 (qualifier ZZZ)" in str(caught.value)


def test_known_isa_with_unknown_gs_says_what_was_expected(index: ProfileIndex) -> None:
    with pytest.raises(UnknownPartnerError) as caught:
        index.resolve_x12("02", "ACMF", "ACMX")
    assert "not with GS-02 'ACMX' (profiles expect ACMF (acme-ltl))" in str(caught.value)


def test_gs_code_tells_two_divisions_apart() -> None:
    east = parse_profile(variant("acme-ltl")).profile
    west = parse_profile(
        variant(
            "acme-ltl",
            ("id: acme-ltl", "id: acme-west"),
            ("gs_id: ACMF", "gs_id: ACMFW"),
        )
    ).profile
    index = ProfileIndex([east, west])
    assert index.resolve_x12("02", "ACMF", "ACMFW").id == "acme-west"
    assert index.resolve_x12("02", "ACMF", "ACMF").id == "acme-ltl"
    with pytest.raises(AmbiguousPartnerError) as caught:
        index.resolve_x12("02", "ACMF", None)
    assert "acme-ltl, acme-west" in str(caught.value)


def test_standard_must_match(index: ProfileIndex) -> None:
    with pytest.raises(UnknownPartnerError):
        index.resolve("edifact", "ACMF", "02")
    with pytest.raises(UnknownPartnerError):
        index.resolve("tradacoms", "ACMF")


def test_get_and_all(index: ProfileIndex) -> None:
    assert len(index) == 4
    assert [p.id for p in index.all()] == ["acme-ltl", "nordlink-fwd", "retail-co", "ridgeline-tl"]
    assert index.get("nobody") is None
