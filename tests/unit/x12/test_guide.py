"""The shared guide format and compiler: loading, structure walking, element and rule checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from translators.core import Overlay, Segment
from translators.core import guide as g

pytestmark = pytest.mark.unit

GUIDE = {
    "id": "T-1",
    "standard": "x12",
    "message": "T",
    "version": "004010",
    "segments": {
        "ST": {"elements": ["143 ID 1/3 M", "329 AN 1/9 M"]},
        "BX": {
            "elements": [
                "127 AN 1/5 O",
                "145 AN 1/5 M",
                "373 DT 8/8 O",
                "337 TM 4/8 O",
                "58 N2 1/6 O",
                "81 R 1/6 O",
            ],
            "rules": ["R0102", "P0304"],
        },
        "N1": {
            "elements": ["98 ID 2/3 M", "93 AN 1/10 O", "66 ID 1/2 O", "67 AN 1/8 O"],
            "rules": ["P0304", "E0203"],
        },
        "N3": {"elements": ["166 AN 1/10 M"]},
        "AK4": {
            "elements": [
                {
                    "composite": "C030",
                    "usage": "M",
                    "components": ["722 N0 1/2 M", "1528 N0 1/2 O"],
                },
                "725 N0 1/4 O",
            ]
        },
        "SE": {"elements": ["96 N0 1/10 M", "329 AN 1/9 M"]},
    },
    "codes": {"N1-01": ["SH", "CN"]},
    "structure": [
        "ST M 1",
        "BX M 1",
        "AK4 O 2",
        {"loop": "N1", "usage": "O", "max": 2, "body": ["N1 M 1", "N3 O 1"]},
        "SE M 1",
    ],
}


def compiled(overlay: Overlay | None = None) -> g.CompiledGuide:
    return g.build_guide(GUIDE).compile(overlay, {"element_invalid_code": {"ak4": "7"}})


def seg(text: str) -> Segment:
    tag, *elements = text.split("*")
    return Segment(
        tag,
        [tuple(e.split(":")) if ":" in e else e for e in elements],  # type: ignore[misc]
    )


def codes(issues: list) -> list[tuple[str, str | None, int | None]]:
    return [(i.code, i.location.segment_id, i.location.element) for i in issues]


def check(*lines: str, overlay: Overlay | None = None) -> list:
    return compiled(overlay).validate([seg(x) for x in lines])


def test_a_valid_message_has_no_findings() -> None:
    assert (
        check(
            "ST*T*0001",
            "BX*A*B*20240229*1200*-1500*-1.5",
            "N1*SH*X",
            "N3*S",
            "N1*CN*Y",
            "SE*6*0001",
        )
        == []
    )


def test_element_types_and_lengths() -> None:
    issues = check("ST*T*0001", "BX*TOOLONG*B*20230229*2500*1.5*1.2.3", "SE*3*0001")
    assert codes(issues) == [
        ("element_too_long", "BX", 1),
        ("element_invalid_date", "BX", 3),
        ("element_invalid_time", "BX", 4),
        ("element_invalid_character", "BX", 5),
        ("element_invalid_character", "BX", 6),
    ]
    assert issues[0].location.segment_position == 2
    assert issues[1].value == "20230229"


def test_code_lists_mandatory_and_rules() -> None:
    issues = check("ST*T*0001", "BX***20240101", "N1*ZZ*N*1", "SE*4*0001")
    found = codes(issues)
    assert ("element_missing", "BX", 2) in found
    assert ("element_conditional_missing", "BX", 1) in found  # R0102
    assert ("element_conditional_missing", "BX", 4) in found  # P0304
    assert ("element_invalid_code", "N1", 1) in found
    assert ("element_conditional_missing", "N1", 4) in found  # P0304
    assert ("element_exclusion_violated", "N1", 3) in found  # E0203
    bad_code = next(i for i in issues if i.code == "element_invalid_code")
    assert bad_code.standard_codes["ak4"] == "7" and bad_code.value == "ZZ"


def test_structure_missing_order_repeats_and_loops() -> None:
    issues = check(
        "ST*T*0001", "N1*SH", "N3*A", "N3*B", "N1*CN", "N1*SH", "BX*A*B", "ZZZ*1", "SE*9*0001"
    )
    found = [(i.code, i.location.segment_id, i.location.segment_position) for i in issues]
    assert ("segment_missing", "BX", 2) in found
    assert ("segment_over_max", "N3", 4) in found
    assert ("loop_over_max", "N1", 6) in found
    assert ("segment_out_of_order", "BX", 7) in found
    assert ("segment_not_in_message", "ZZZ", 8) in found


def test_loop_reiteration_and_missing_trailer() -> None:
    assert codes(check("ST*T*0001", "BX*A*B", "N1*SH", "N1*CN", "N3*X")) == [
        ("segment_missing", "SE", None)
    ]


def test_composites_and_extra_elements() -> None:
    issues = check("ST*T*0001", "BX*A*B", "AK4*1:2", "AK4*:X*1*9", "SE*5*0001")
    assert codes(issues) == [
        ("too_many_elements", "AK4", 3),
        ("element_missing", "AK4", 1),
        ("element_invalid_character", "AK4", 1),
    ]
    assert [i.location.component for i in issues[1:]] == [1, 2]


def test_overlay_tightens_and_relaxes() -> None:
    overlay = Overlay(
        required=frozenset({"BX-01", "N1"}),
        restricted_codes={"N1-01": frozenset({"SH"})},
        extra_codes={},
    )
    issues = check("ST*T*0001", "BX**B", "SE*3*0001", overlay=overlay)
    assert ("element_missing", "BX", 1) in codes(issues)
    assert ("segment_missing", "N1", None) in codes(issues)
    issues = check("ST*T*0001", "BX*A*B", "N1*CN", "SE*4*0001", overlay=overlay)
    assert codes(issues) == [("element_invalid_code", "N1", 1)]
    relaxed = Overlay(extra_codes={"N1-01": frozenset({"ZZ"})})
    assert check("ST*T*0001", "BX*A*B", "N1*ZZ", "SE*4*0001", overlay=relaxed) == []


def test_repetitions() -> None:
    data = dict(GUIDE)
    data["segments"] = dict(GUIDE["segments"], N3={"elements": ["166 AN 1/10 M x2"]})
    guide = g.build_guide(data).compile()
    ok = [seg("ST*T*1"), seg("BX*A*B"), seg("N1*SH"), Segment("N3", [["A", "B"]]), seg("SE*5*1")]
    assert guide.validate(ok) == []
    ok[3] = Segment("N3", [["A", "B", "C"]])
    assert codes(guide.validate(ok)) == [("too_many_repetitions", "N3", 1)]


def test_library_extends_and_dictionary(tmp_path: Path) -> None:
    (tmp_path / "segments-1.yaml").write_text(
        yaml.safe_dump({"segments": {k: v for k, v in GUIDE["segments"].items()}})
    )
    base = {k: v for k, v in GUIDE.items() if k != "segments"} | {"dictionary": "segments-1"}
    (tmp_path / "T-1.yaml").write_text(yaml.safe_dump(base))
    child = {
        "id": "T-2",
        "extends": "T-1",
        "version": "005010",
        "remove_codes": {"N1-01": ["CN"]},
        "segments": {"N3": {"elements": ["166 AN 1/2 M"]}},
    }
    (tmp_path / "T-2.json").write_text(__import__("json").dumps(child))
    library = g.GuideLibrary(tmp_path)
    assert library.ids() == ["T-1", "T-2"]
    two = library.compiled("T-2")
    assert two is library.compiled("T-2", Overlay())  # cached per overlay content
    assert two.guide.version == "005010"
    found = codes(two.validate([seg(x) for x in ("ST*T*1", "BX*A*B", "N1*CN", "N3*ABC", "SE*5*1")]))
    assert found == [("element_invalid_code", "N1", 1), ("element_too_long", "N3", 1)]


@pytest.mark.parametrize(
    "bad",
    [
        {"structure": ["ST M"]},
        {"structure": ["QQ M 1"]},
        {"segments": {"ST": {"elements": ["1 AN"]}}},
        {"segments": {"ST": {"rules": ["Z0102"]}}},
    ],
)
def test_malformed_guides_raise_guide_error(bad: dict) -> None:
    with pytest.raises(g.GuideError):
        g.build_guide(GUIDE | bad)
