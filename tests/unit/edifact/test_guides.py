"""The shipped EDIFACT guides in the shared guide format: they load and compile, the nearest
directory is chosen with a warning, and validation finds what it should with 0085 codes."""

from __future__ import annotations

import pytest

from translators.core import Status
from translators.edifact import acknowledge, analyse
from translators.edifact.guides import LIBRARY, choose_guide, directory_rank

pytestmark = pytest.mark.unit

SHIPPED = [
    f"{m}-{d}" for m in ("IFTMIN", "IFTSTA", "INVOIC", "CONTRL", "APERAK") for d in ("D96A", "D01B")
]


@pytest.mark.parametrize("guide_id", SHIPPED)
def test_every_guide_loads_and_compiles(guide_id: str) -> None:
    guide = LIBRARY.guide(guide_id)
    assert guide.standard == "edifact" and f"{guide.message}-{guide.version}" == guide_id
    compiled = LIBRARY.compiled(guide_id)
    assert compiled.root.nodes[0].trigger == "UNH"


def test_directory_rank_orders_directories() -> None:
    ranks = [directory_rank(d) for d in ("D93A", "D96A", "D96B", "D99B", "D00A", "D01B", "D10B")]
    assert ranks == sorted(ranks) and None not in ranks
    assert directory_rank("4:1") is None


@pytest.mark.parametrize(
    ("message", "directory", "expected", "note"),
    [
        ("IFTSTA", "D96A", "IFTSTA-D96A", None),
        ("IFTSTA", "D01B", "IFTSTA-D01B", None),
        ("INVOIC", "D97B", "INVOIC-D96A", "guide_nearest"),
        ("IFTMIN", "D00B", "IFTMIN-D01B", "guide_nearest"),
        ("IFTSTA", "D10B", "IFTSTA-D01B", "guide_nearest"),
        ("IFTSTA", "D93A", "IFTSTA-D96A", "guide_nearest"),
        ("IFTSTA", "D11A", None, "no_guide"),
        ("IFTSTA", "D92B", None, "no_guide"),
        ("IFTMBC", "D99B", None, "no_guide"),
        ("CONTRL", "D3", "CONTRL-D96A", None),
        ("CONTRL", "4:1", "CONTRL-D01B", "guide_nearest"),
    ],
)
def test_guide_choice(message: str, directory: str, expected: str | None, note: str | None) -> None:
    choice = choose_guide(message, directory)
    assert choice.guide_id == expected
    assert (choice.note_code if choice.note else None) == note


UNB = "UNB+UNOC:3+S+R+200101:1200+1'"


def invoic(body: str) -> bytes:
    count = body.count("'") + 2
    return (UNB + f"UNH+1+INVOIC:D:96A:UN'{body}UNT+{count}+1'UNZ+1+1'").encode()


def findings(data: bytes) -> list[tuple[str, str | None, str | None]]:
    (transaction,) = analyse(data).interchanges[0].transactions()
    return [
        (i.code, i.standard_codes.get("contrl"), i.location.segment_id) for i in transaction.issues
    ]


def test_valid_invoice_is_accepted() -> None:
    data = invoic("BGM+380+INV1+9'DTM+137:20240301:102'UNS+S'MOA+77:100.50'")
    (transaction,) = analyse(data).interchanges[0].transactions()
    assert transaction.issues == [] and transaction.status is Status.ACCEPTED


def test_missing_mandatory_segment_is_code_13() -> None:
    assert ("segment_missing", "13", "UNS") in findings(
        invoic("BGM+380+INV1+9'DTM+137::'MOA+77:1'")
    )


def test_element_type_length_code_and_repeat_findings() -> None:
    data = invoic("BGM+380+INV1+9'DTM+137:20240301:102'QTY+47:12A'UNS+X'UNS+S'MOA+77:1'NAD+BYZZ'")
    got = findings(data)
    assert ("element_invalid_character", "37", "QTY") in got or (
        "segment_out_of_order",
        "15",
        "QTY",
    ) in got
    assert ("element_invalid_code", "12", "UNS") in got
    assert ("segment_over_max", "35", "UNS") in got


def test_decimal_comma_and_sign_are_numeric() -> None:
    data = invoic("BGM+380+INV1+9'DTM+137:20240301:102'UNS+S'MOA+77:-100,50'")
    assert findings(data) == []


def test_dtm_value_must_fit_its_format() -> None:
    got = findings(invoic("BGM+380+X+9'DTM+137:20240301:203'DTM+3:20240230:102'UNS+S'MOA+77:1'"))
    assert ("dtm_format_mismatch", "12", "DTM") in got
    assert ("invalid_date", "12", "DTM") in got


def test_group_repeat_limit_is_code_36() -> None:
    body = "BGM+77+X'" + "CNI+1'STS+1+21'" * 1000
    data = (UNB + f"UNH+1+IFTSTA:D:96A:UN'{body}UNT+{2002}+1'UNZ+1+1'").encode()
    assert ("loop_over_max", "36", "CNI") in findings(data)


def test_guide_findings_reach_contrl_as_ucs_and_ucd() -> None:
    data = invoic("BGM+380+INV1+9'DTM+137:20240301:102'UNS+S'MOA+77:1.5X'")
    contrl = acknowledge(data).decode()
    assert "UCM+1+INVOIC:D:96A:UN+4'" in contrl
    assert "UCS+5'\nUCD+37+1:2'" in contrl


def test_our_contrl_passes_our_contrl_guide() -> None:
    data = invoic("BGM+380+INV1+9'DTM+137:20240301:102'UNS+S'MOA+77:1.5X'")
    contrl = acknowledge(data)
    report = analyse(contrl)
    (transaction,) = report.interchanges[0].transactions()
    assert transaction.type == "CONTRL" and transaction.issues == []
