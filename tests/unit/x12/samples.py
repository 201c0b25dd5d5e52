"""Valid X12 transaction sets written for these tests (never copied from the corpus)."""

from __future__ import annotations

from datetime import UTC, datetime

from translators.core import Segment
from translators.x12 import Delimiters, Envelope, write

STAMP = datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
LINES = Delimiters(suffix="\n")  # "~" plus a newline after each segment


def seg(text: str) -> Segment:
    tag, *elements = text.split("*")
    return Segment(tag, list(elements))


def status_214(control: str = "0001", event: str = "X1") -> list[Segment]:
    lines = [
        f"ST*214*{control}",
        "B10*PRO12345*LOAD778*ABCD",
        "L11*BOL99*BM",
        "N1*SH*ACME SHIPPING*93*SH01",
        "N3*1 MAIN ST",
        "N4*CHICAGO*IL*60609*US",
        "LX*1",
        f"AT7*{event}*NS***20260304*1015*CT",
        "MS1*DALLAS*TX*US",
        "MS2*ABCD*TRL123",
        "AT8*G*L*1200*3",
    ]
    return [seg(x) for x in lines] + [Segment("SE", [str(len(lines) + 1), control])]


def invoice_210(control: str = "0001") -> list[Segment]:
    lines = [
        f"ST*210*{control}",
        "B3**INV1001*LOAD778*PP**20260304*65940**20260303*035*ABCD*20260301",
        "C3*USD",
        "N1*BT*ACME BILLING*93*BT01",
        "N1*SH*ACME SHIPPING",
        "LX*1",
        "L5*1*PAPER ROLLS",
        "L0*1***7889*G***3*PCS",
        "L1*1*46.09*PH*63604****400",
        "LX*2",
        "L1*2***2336****405",
        "L3*7889*G***65940",
    ]
    return [seg(x) for x in lines] + [Segment("SE", [str(len(lines) + 1), control])]


def tender_204(control: str = "0001") -> list[Segment]:
    lines = [
        f"ST*204*{control}",
        "B2**ABCD**LOAD778**PP",
        "B2A*00*LT",
        "L11*PO55*PO",
        "S5*1*LD",
        "G62*37*20260305*I*0800*LT",
        "N1*SH*ACME SHIPPING",
        "S5*2*UL",
        "N1*CN*RECEIVER INC",
        "L3*1200*G",
    ]
    return [seg(x) for x in lines] + [Segment("SE", [str(len(lines) + 1), control])]


def interchange(
    sets: list[list[Segment]],
    *,
    functional_id: str = "QM",
    control: int = 1,
    delimiters: Delimiters = LINES,
    version: str = "004010",
) -> bytes:
    return write(
        sets,
        Envelope(
            sender_id="SENDER",
            receiver_id="RECEIVER",
            control_number=control,
            group_control_number=control,
            functional_id=functional_id,
            version=version,
            timestamp=STAMP,
        ),
        delimiters,
    )
