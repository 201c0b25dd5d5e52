"""End-to-end scenarios of ../shared/SCENARIOS.md through the real pipeline: PostgreSQL,
the in-process job runner, partner profiles from files, and the Odoo emulator over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.pipeline import edi
from tests.integration.pipeline.harness import example_profile, gateway

pytestmark = pytest.mark.integration


def acme(**changes: object) -> dict[str, object]:
    profile = example_profile("acme-ltl", **changes)
    profile["sla"]["210"].pop("batch_window")  # post invoices at once in these tests
    return profile


def test_bad_day_one_broken_status_among_five(tmp_path: Path, fresh_pg_url: str) -> None:
    """C1: the third 214 has a broken AT7; the 997 rejects it, the other four post."""
    sets = [
        edi.status_214("0001", "X3", time="0800"),
        edi.status_214("0002", "AF", time="0900"),
        edi.status_214("0003", "??", time="1000"),
        edi.status_214("0004", "X6", time="1100"),
        edi.status_214("0005", "AG", time="1200"),
    ]
    data = edi.acme_interchange(sets, control=101, functional_id="QM")
    with gateway(tmp_path, fresh_pg_url, [acme()]) as gw:
        received = gw.receive(data, "status-101.edi")
        ic = gw.interchange(received.interchange_id)
        assert ic.partner_id == "acme-ltl" and ic.status == "processed"
        docs = gw.documents(ic.id)
        assert [d.state for d in docs] == ["posted", "posted", "rejected", "posted", "posted"]
        assert all(d.odoo_model == "stock.picking" for d in docs if d.state == "posted")
        (ack,) = gw.mailbox_outbound("acme-ltl")
        text = ack.read_text()
        assert "AK2*214*0003" in text and "AK5*R" in text and "AK9*P*5*5*4" in text
        with gw.odoo() as odoo:
            notes = odoo.search_read(
                "mail.message", [["model", "=", "stock.picking"]], ["body", "subtype_id"]
            )
            (picking,) = odoo.search_read(
                "stock.picking", [["name", "=", "WH/OUT/00042"]], ["carrier_tracking_ref"]
            )
        milestones = [str(n["body"]) for n in notes if "interchange 000000101" in str(n["body"])]
        assert len(milestones) == 4
        assert any("Carrier arrived at pickup - 2026-11-28 14:00 UTC" in m for m in milestones)
        assert picking["carrier_tracking_ref"] == "ACM778812"


def test_duplicate_interchange_posts_nothing_twice(tmp_path: Path, fresh_pg_url: str) -> None:
    """C3: the same interchange control number again is a recorded duplicate."""
    data = edi.acme_interchange([edi.status_214("0001", "X1")], control=202, functional_id="QM")
    with gateway(tmp_path, fresh_pg_url, [acme()]) as gw:
        first = gw.receive(data, "a.edi")
        again = gw.receive(data + b"\n", "b.edi")  # a new delivery of the same interchange
        assert gw.interchange(first.interchange_id).status == "processed"
        second = gw.interchange(again.interchange_id)
        assert second.status == "duplicate" and second.duplicate_of == first.interchange_id
        assert gw.documents(again.interchange_id) == []
