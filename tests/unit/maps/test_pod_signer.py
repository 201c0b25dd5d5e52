"""The proof-of-delivery signer (`pod_name`): read from X12 214 (N1*N5, K1 signer phrases)
and EDIFACT IFTSTA (FTX signer phrases, CTA accepting contact), only on delivered events,
with the original remark kept; written back by both reverse maps without repeating a
remark or a heading N1*N5 that already names the signer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.maps.segments import edifact, x12
from translators.canonical import Milestone
from translators.canonical.models import ShipmentStatus, StatusEvent
from translators.maps import MapContext, edifact_iftsta, x12_214
from translators.maps._pod import says_signer, signer_in
from translators.x12 import iter_transactions

pytestmark = pytest.mark.unit

SAMPLES = Path(__file__).resolve().parents[3] / "partner_profiles" / "examples" / "samples"
FREIGHTFORCE = Path("x12", "214", "x12types-freightforce-unpadded-isa-two-st.edi")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("SIGNED BY J MARTINEZ", "J MARTINEZ"),
        ("signed by  j.  martinez.", "j. martinez"),
        ("POD: J SMITH", "J SMITH"),
        ("POD - J SMITH", "J SMITH"),
        ("POD NAME J SMITH", "J SMITH"),
        ("POD SIGNED BY J SMITH", "J SMITH"),
        ("SIGNED FOR BY DOCK 4 CLERK", "DOCK 4 CLERK"),
        ("SIGNATURE: A NOWAK", "A NOWAK"),
        ("RECEIVED BY B OKAFOR", "B OKAFOR"),
        ("RCVD BY B OKAFOR", "B OKAFOR"),
        # not a signer: no name, a placeholder, a bare POD, another remark
        ("SIGNED BY", None),
        ("SIGNED BY: UNKNOWN", None),
        ("SIGNED BY N/A", None),
        ("POD ATTACHED", None),
        ("POD TO FOLLOW", None),
        ("LEFT AT DOCK", None),
        ("DRIVER SIGNED BY GATE", None),
        ("", None),
    ],
)
def test_signer_phrases(text: str, name: str | None) -> None:
    assert signer_in(text) == name


def test_says_signer_compares_names_loosely() -> None:
    assert says_signer(["LEFT AT DOCK", "signed by j  martinez"], "J MARTINEZ")
    assert not says_signer(["SIGNED BY J MARTIN"], "J MARTINEZ")


# --- X12 214 ---------------------------------------------------------------------------------


def test_acme_sample_d1_k1_remark_gives_the_signer_and_stays_a_remark() -> None:
    (tx,) = list(iter_transactions((SAMPLES / "acme-ltl-214-6-d1.edi").read_bytes()))
    (event,) = x12_214.to_canonical(tx.segments).events
    assert event.milestone is Milestone.DELIVERED
    assert event.pod_name == "J MARTINEZ"
    assert event.remarks == ["SIGNED BY J MARTINEZ"]


def test_k1_signer_split_over_k1_01_and_k1_02() -> None:
    status = x12_214.to_canonical(
        x12("ST*214*1~B10*P1*S1*ABCD~LX*1~AT7*D1*NS***20240107*1015*CT~K1*SIGNED BY*J MARTINEZ~")
    )
    assert status.events[0].pod_name == "J MARTINEZ"
    assert status.events[0].remarks == ["SIGNED BY", "J MARTINEZ"]


def test_signer_only_on_delivered_events_of_its_own_lx() -> None:
    status = x12_214.to_canonical(
        x12(
            "ST*214*1~B10*P1*S1*ABCD~"
            "LX*1~AT7*X1*NS***20240107*0900*CT~K1*SIGNED BY GATE GUARD~"
            "LX*2~AT7*D1*NS***20240107*1015*CT~K1*LEFT AT DOCK~"
            "LX*3~AT7*X1*NS***20240108*0900*CT~AT7*D1*NS***20240108*1000*CT~K1*POD: A NOWAK~"
        )
    )
    assert [(e.milestone, e.pod_name) for e in status.events] == [
        (Milestone.ARRIVED_DELIVERY, None),  # an arrival has nobody signing for goods
        (Milestone.DELIVERED, None),  # another LX's signer is not this one's
        (Milestone.ARRIVED_DELIVERY, None),
        (Milestone.DELIVERED, "A NOWAK"),
    ]
    assert status.events[0].remarks == ["SIGNED BY GATE GUARD"]


def test_heading_n1_n5_names_the_signer_freightforce_style(corpus_dir: Path) -> None:
    """The FreightForce guide example (corpus): the delivered set carries `N1*N5*SWEENY`
    (98 N5: party who signed the delivery receipt) in its heading, beside `N1*EY` (employee)."""
    data = (
        corpus_dir / "x12" / "214" / "x12types-freightforce-unpadded-isa-two-st.edi"
    ).read_bytes()
    picked_up, delivered = (x12_214.to_canonical(tx.segments) for tx in iter_transactions(data))
    assert [(e.milestone, e.pod_name) for e in picked_up.events] == [(Milestone.PICKED_UP, None)]
    assert [(e.milestone, e.pod_name) for e in delivered.events] == [
        (Milestone.DELIVERED, "SWEENY")
    ]
    assert [p.role for p in delivered.parties] == ["x12:DT", "x12:EY", "x12:N5"]


def test_detail_signer_wins_over_the_heading_and_partner_role_counts() -> None:
    segments = x12(
        "ST*214*1~B10*P1*S1*ABCD~N1*ZS*HEAD SIGNER~"
        "LX*1~AT7*D1*NS***20240107*1015*CT~K1*SIGNED BY DOCK CLERK~"
        "LX*2~AT7*D1*NS***20240108*1015*CT~"
    )
    plain = x12_214.to_canonical(segments)
    assert [e.pod_name for e in plain.events] == ["DOCK CLERK", None]  # ZS means nothing to us
    partner = MapContext(party_roles={"ZS": "pod_signer"})
    mapped = x12_214.to_canonical(segments, context=partner)
    assert [e.pod_name for e in mapped.events] == ["DOCK CLERK", "HEAD SIGNER"]


def test_5010_style_n1_n5_inside_the_lx_loop() -> None:
    status = x12_214.to_canonical(
        x12("ST*214*1~B10*P1*S1*ABCD~LX*1~N1*N5*R OKAFOR~AT7*D1*NS***20240107*1015*CT~")
    )
    assert status.events[0].pod_name == "R OKAFOR"


def _delivered(pod: str | None, remarks: list[str] | None = None) -> ShipmentStatus:
    return ShipmentStatus(
        shipment_id="WH/OUT/00042",
        carrier_reference="ACM778812",
        carrier_scac="ACMF",
        events=[StatusEvent(milestone=Milestone.DELIVERED, pod_name=pod, remarks=remarks or [])],
    )


def test_214_writes_the_signer_as_k1_once() -> None:
    fresh = x12_214.from_canonical(_delivered("J MARTINEZ"))
    assert [s.elements for s in fresh if s.tag == "K1"] == [["SIGNED BY J MARTINEZ"]]
    said = x12_214.from_canonical(_delivered("J MARTINEZ", ["SIGNED BY J MARTINEZ"]))
    assert [s.elements for s in said if s.tag == "K1"] == [["SIGNED BY J MARTINEZ"]]
    back = x12_214.to_canonical(fresh)
    assert back.events[0].pod_name == "J MARTINEZ"


def test_214_long_signer_goes_whole_into_k1_02() -> None:
    name = "MARIA-JOSEFINA VAN DER BERGHE"
    out = x12_214.from_canonical(_delivered(name))
    assert [s.elements for s in out if s.tag == "K1"] == [["SIGNED BY", name]]
    assert x12_214.to_canonical(out).events[0].pod_name == name


def test_214_heading_n5_party_is_not_repeated_as_k1(corpus_dir: Path) -> None:
    data = (
        corpus_dir / "x12" / "214" / "x12types-freightforce-unpadded-isa-two-st.edi"
    ).read_bytes()
    delivered = [x12_214.to_canonical(tx.segments) for tx in iter_transactions(data)][1]
    out = x12_214.from_canonical(delivered)
    assert [s.tag for s in out].count("K1") == 0
    assert ["N5", "SWEENY"] in [s.elements for s in out if s.tag == "N1"]
    assert x12_214.to_canonical(out).events[0].pod_name == "SWEENY"


# --- EDIFACT IFTSTA --------------------------------------------------------------------------

IFTSTA_POD = edifact(
    "UNH+1+IFTSTA:D:96A:UN'BGM+23+STAT1+9'"
    "CNI+1+CONS1'STS+1+21'DTM+334:202403011430:203'FTX+AAI+++SIGNED BY J MARTINEZ'"
    "STS+1+1'DTM+334:202403011400:203'FTX+AAI+++SIGNED BY NOBODY HERE'"
    "CNI+2+CONS2'STS+1+21'DTM+334:202403021000:203'CTA+AC+:B OKAFOR'"
    "CNI+3+CONS3'STS+1+21'DTM+334:202403031000:203'CTA+IC+:SOMEONE ELSE'FTX+AAI+++LEFT AT GATE'"
    "UNT+20+1'"
)


def test_iftsta_ftx_and_cta_accepting_contact_name_the_signer() -> None:
    status = edifact_iftsta.to_canonical(IFTSTA_POD)
    assert [(e.milestone, e.pod_name) for e in status.events] == [
        (Milestone.DELIVERED, "J MARTINEZ"),
        (Milestone.ARRIVED_DELIVERY, None),  # STS 1 "arrived": nobody signs for an arrival
        (Milestone.DELIVERED, "B OKAFOR"),
        (Milestone.DELIVERED, None),  # an information contact is not who signed
    ]
    assert status.events[0].remarks == ["SIGNED BY J MARTINEZ"]
    assert status.events[3].remarks == ["LEFT AT GATE"]


def test_iftsta_writes_the_signer_as_ftx_once_and_reads_it_back() -> None:
    fresh = edifact_iftsta.from_canonical(_delivered("J MARTINEZ"))
    texts = [s.get(4, 1) for s in fresh if s.tag == "FTX"]
    assert texts == ["SIGNED BY J MARTINEZ"]
    said = edifact_iftsta.from_canonical(_delivered("J MARTINEZ", ["SIGNED BY J MARTINEZ"]))
    assert [s.get(4, 1) for s in said if s.tag == "FTX"] == ["SIGNED BY J MARTINEZ"]
    assert edifact_iftsta.to_canonical(fresh).events[0].pod_name == "J MARTINEZ"


def test_signer_crosses_standards_214_to_iftsta_and_back() -> None:
    (tx,) = list(iter_transactions((SAMPLES / "acme-ltl-214-6-d1.edi").read_bytes()))
    status = x12_214.to_canonical(tx.segments)
    via_edifact = edifact_iftsta.to_canonical(edifact_iftsta.from_canonical(status))
    assert via_edifact.events[0].pod_name == "J MARTINEZ"
    assert via_edifact.events[0].remarks == ["SIGNED BY J MARTINEZ"]
    scac = MapContext(carrier_scac="ACMF")  # IFTSTA carries no SCAC
    again = x12_214.to_canonical(x12_214.from_canonical(via_edifact, context=scac))
    assert again.events[0].pod_name == "J MARTINEZ"
    assert again.events[0].remarks == ["SIGNED BY J MARTINEZ"]
