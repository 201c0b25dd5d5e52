"""EDI files from ACME Freight (the acme-ltl example partner) for the pipeline scenarios,
written with the gateway's own X12 writer. Nothing here comes from the corpus."""

from __future__ import annotations

from datetime import UTC, datetime

from translators.core import Segment
from translators.x12 import Delimiters, Envelope, write

STAMP = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
LINES = Delimiters(suffix="\n")


def seg(text: str) -> Segment:
    tag, *elements = text.split("*")
    return Segment(tag, list(elements))


def transaction(control: str, lines: list[str]) -> list[Segment]:
    body = [seg(x) for x in lines]
    return [*body, Segment("SE", [str(len(body) + 1), control])]


def status_214(
    control: str,
    event: str,
    *,
    shipment: str = "WH/OUT/00042",
    pro: str = "ACM778812",
    date: str = "20261128",
    time: str = "0930",
    extra: tuple[str, ...] = (),
) -> list[Segment]:
    return transaction(
        control,
        [
            f"ST*214*{control}",
            f"B10*{pro}*{shipment}*ACMF",
            "N1*SH*NORTHWIND DISTRIBUTION",
            "LX*1",
            f"AT7*{event}*NS***{date}*{time}*CT",
            "MS1*CHICAGO*IL*US",
            *extra,
        ],
    )


def invoice_210(
    control: str, number: str, charges: list[tuple[str, str]], *, shipment: str = "WH/OUT/00042"
) -> list[Segment]:
    """`charges`: (L1-08 code, amount in cents) per line."""
    total = sum(int(cents) for _, cents in charges)
    lines = [
        f"ST*210*{control}",
        f"B3**{number}*{shipment}*PP**20261128*{total}**20261127*035*ACMF",
        "C3*USD",
        "N1*BT*NORTHWIND DISTRIBUTION",
    ]
    for n, (code, cents) in enumerate(charges, start=1):
        lines += [f"LX*{n}", f"L1*{n}***{cents}****{code}"]
    lines.append(f"L3*1200*G***{total}")
    return transaction(control, lines)


def acme_interchange(sets: list[list[Segment]], *, control: int, functional_id: str) -> bytes:
    return write(
        sets,
        Envelope(
            sender_id="ACMF",
            sender_qualifier="02",
            receiver_id="061524983",
            receiver_qualifier="01",
            application_sender="ACMF",
            application_receiver="061524983",
            control_number=control,
            group_control_number=control,
            functional_id=functional_id,
            version="004010",
            timestamp=STAMP,
        ),
        LINES,
    )


def ack_997(
    control: str, group: str, acked: list[tuple[str, str]], *, code: str = "A"
) -> list[Segment]:
    """A 997 answering our group `group` (GS-06), one AK2/AK5 per (type, ST-02)."""
    lines = [f"ST*997*{control}", f"AK1*SM*{group}"]
    for doc_type, number in acked:
        lines += [f"AK2*{doc_type}*{number}", f"AK5*{code}"]
    n = len(acked)
    accepted = n if code in ("A", "E") else 0
    lines.append(f"AK9*{code if code != 'R' else 'R'}*{n}*{n}*{accepted}")
    return transaction(control, lines)
