"""Scenario B: an EDIFACT D96A forwarder whose own SFTP server (a real OpenSSH sshd) the
gateway polls. Each file is taken in once and moved to the forwarder's archive, a CONTRL
goes into its inbox, IFTSTA statuses become notes on the picking and the INVOIC a vendor
bill with a line per charge."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from inbound.polls import poll_sftp_partners
from tests.integration.pipeline.harness import example_profile, gateway
from tests.integration.sftp.sshd import start_sshd
from translators.canonical.models import (
    ChargeLine,
    FreightInvoice,
    Location,
    Money,
    ShipmentStatus,
    StatusEvent,
)
from translators.canonical.vocab import ChargeClass, Milestone
from translators.maps.files import Parties, render

pytestmark = pytest.mark.integration

FORWARDER = Parties(
    sender_id="5790002198342", sender_qualifier="14",
    receiver_id="7350057310007", receiver_qualifier="14",
)  # fmt: skip


def _files() -> dict[str, bytes]:
    at = datetime(2026, 11, 28, 7, 15, tzinfo=UTC)
    status = ShipmentStatus(
        shipment_id="WH/OUT/00041",
        carrier_reference="NL-77120",
        events=[
            StatusEvent(milestone=Milestone.PICKED_UP, time=at, location=Location(code="DKAAR")),
            StatusEvent(milestone=Milestone.DELIVERED, time=at.replace(hour=15)),
        ],
    )

    def eur(amount: str) -> Money:
        return Money(amount=Decimal(amount), currency="EUR")

    invoice = FreightInvoice(
        invoice_number="NL-INV-5501",
        invoice_date=at.date(),
        shipment_id="WH/OUT/00041",
        currency="EUR",
        lines=[
            ChargeLine(charge_class=ChargeClass.LINE_HAUL, amount=eur("30.00")),
            ChargeLine(charge_class=ChargeClass.FUEL, amount=eur("5.00")),
        ],
        total=eur("35.00"),
    )
    parties = [FORWARDER, replace(FORWARDER, interchange_control_number=2)]
    return {
        "status-1.edi": render(status, "edifact", "D96A", parties=parties[0], prepared=at),
        "invoice-1.edi": render(invoice, "edifact", "D96A", parties=parties[1], prepared=at),
    }


def test_forwarder_files_polled_once_contrl_back_and_posted(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    sshd = start_sshd()
    try:
        profile = example_profile("nordlink-fwd")
        profile["transports"] = {
            "sftp_remote": {
                "host": "127.0.0.1", "port": sshd.port, "username": sshd.user,
                "private_key": f"file:{sshd.client_key}", "host_key": sshd.host_key_line,
                "pickup_dir": "/outbound", "drop_dir": "/inbound", "archive_dir": "/archive",
                "file_pattern": "*.edi", "poll_interval": "1m", "after_read": "move",
            }
        }  # fmt: skip
        profile["sla"]["INVOIC"].pop("batch_window")
        for name, data in _files().items():
            (sshd.chroot / "outbound" / name).write_bytes(data)
        with gateway(tmp_path, fresh_pg_url, [profile]) as gw:
            taken = poll_sftp_partners(gw.runtime)
            gw.settle()
            assert taken == {"nordlink-fwd": 2}
            assert poll_sftp_partners(gw.runtime) == {}  # not due again yet
            assert sorted(p.name for p in (sshd.chroot / "outbound").glob("*.edi")) == []
            archived = sorted(p.name for p in (sshd.chroot / "archive").iterdir())
            assert archived == ["invoice-1.edi", "status-1.edi"]
            contrls = [p.read_text() for p in (sshd.chroot / "inbound").iterdir()]
            assert len(contrls) == 2 and all("CONTRL" in c and "+7'" in c for c in contrls)
            with gw.odoo() as odoo:
                notes = odoo.search_read(
                    "mail.message", [["model", "=", "stock.picking"]], ["body"]
                )
                bills = odoo.search_read(
                    "account.move", [["ref", "=", "NL-INV-5501"]], ["state", "invoice_line_ids"]
                )
            bodies = [str(n["body"]) for n in notes if "EDIFACT IFTSTA" in str(n["body"])]
            assert len(bodies) == 2
            assert any(b.startswith("<p>Delivered") for b in bodies)
            (bill,) = bills
            assert len(bill["invoice_line_ids"]) == 2
    finally:
        sshd.stop()
