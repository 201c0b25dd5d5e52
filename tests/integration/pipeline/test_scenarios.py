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


def test_unknown_shipment_then_rule_and_replay(tmp_path: Path, fresh_pg_url: str) -> None:
    """C4: a 214 naming a shipment Odoo does not know opens an exception listing the
    references tried; a new reference rule and a replay post it once, linked."""
    status = edi.status_214("0001", "X6", shipment="LOAD-9", extra=("L11*S00042*PO",))
    data = edi.acme_interchange([status], control=303, functional_id="QM")
    profile = acme()
    with gateway(tmp_path, fresh_pg_url, [profile]) as gw:
        received = gw.receive(data, "c4.edi")
        (doc,) = gw.documents(received.interchange_id)
        assert doc.state == "exception"
        (exc,) = gw.exceptions("unknown_shipment")
        assert "LOAD-9" in exc.message and "stock.picking.name" in exc.message
        # the operator teaches the profile to look at the PO reference too, and replays
        rule = {"reference": "po", "odoo_field": "origin"}
        profile["reference_rules"] = [*profile["reference_rules"], rule]
        gw.write_profile(profile)
        from inbound.replay import replay_document

        replayed = replay_document(gw.runtime, doc.id, by="operator")
        gw.settle()
        first, again = gw.documents(received.interchange_id)
        assert first.state == "replayed" and again.replay_of == first.id
        assert again.state == "posted" and again.odoo_model == "stock.picking"
        assert replayed.documents == [again.id]
        # a second replay of the same original is refused: it is no longer failed
        with pytest.raises(Exception, match="only failed ones replay"):
            replay_document(gw.runtime, first.id, by="operator")


def test_invoice_outside_tolerance_held_then_resolved(tmp_path: Path, fresh_pg_url: str) -> None:
    """A5/A6: 1,000 + 180 fuel + 150 detention = 1,330.00 against the picking's expected
    freight: the bill stays draft with an invoice_mismatch; resolving posts that same bill."""
    charges = [("400", "100000"), ("FUE", "18000"), ("DTN", "15000")]
    data = edi.acme_interchange(
        [edi.invoice_210("0001", "INV-7781", charges)], control=404, functional_id="IM"
    )
    with gateway(tmp_path, fresh_pg_url, [acme()]) as gw:
        received = gw.receive(data, "inv.edi")
        (doc,) = gw.documents(received.interchange_id)
        assert doc.state == "posted" and doc.odoo_model == "account.move"
        (exc,) = gw.exceptions("invoice_mismatch")
        assert exc.detail["invoiced_total"] == "1330.00"
        assert "accessorial_detention" in exc.detail["unexpected_charges"]
        with gw.odoo() as odoo:
            (bill,) = odoo.search_read(
                "account.move", [["ref", "=", "INV-7781"]], ["state", "amount_total"]
            )
        assert bill["state"] == "draft" and bill["amount_total"] == 1330.0
        from inbound.followups import resolve

        outcome = resolve(gw.runtime, exc.id, by="finance", note_text="detention approved")
        assert outcome["state"] == "posted"
        # the same invoice again in a new interchange is not a second bill
        resent = edi.acme_interchange(
            [edi.invoice_210("0001", "INV-7781", charges)], control=405, functional_id="IM"
        )
        (doc2,) = gw.documents(gw.receive(resent, "inv-again.edi").interchange_id)
        assert doc2.state == "posted" and doc2.odoo_id == doc.odoo_id
        with gw.odoo() as odoo:
            bills = odoo.search_read("account.move", [["ref", "=", "INV-7781"]], ["state"])
        assert [b["state"] for b in bills] == ["posted"]
        assert gw.exceptions("invoice_mismatch")[0].status == "resolved"


def test_tender_acknowledged_and_overdue_then_late_ack(tmp_path: Path, fresh_pg_url: str) -> None:
    """A2/A3 and C5: the Odoo poll tenders WH/OUT/00042 once (a 204 in ACME's mailbox, the
    rate recorded on the picking); with no 997 within four hours it turns overdue with an
    exception, and the late 997 accepts it and closes the exception."""
    from datetime import UTC, datetime, timedelta

    from outbound.tenders import poll_odoo_tenders

    with gateway(tmp_path, fresh_pg_url, [acme()]) as gw:
        assert poll_odoo_tenders(gw.runtime) == {"acme-ltl": 1}
        gw.settle()
        assert poll_odoo_tenders(gw.runtime) == {}  # tendered once only
        gw.settle()
        (sent,) = gw.mailbox_outbound("acme-ltl")
        text = sent.read_text()
        assert "ST*204*" in text and "WH/OUT/00042" in text
        with gw.runtime.db.session() as s:
            from sqlalchemy import select

            from gateway.store import Interchange

            (out,) = s.scalars(select(Interchange).where(Interchange.direction == "out")).all()
        assert out.status == "sent" and out.ack_status == "pending"
        assert out.ack_due_at is not None
        hours = (out.ack_due_at - datetime.now(UTC)).total_seconds() / 3600
        assert 3.9 < hours <= 4.0
        (doc,) = gw.documents(out.id)
        assert doc.state == "sent" and doc.doc_type == "204"

        gw.sweep(datetime.now(UTC) + timedelta(hours=5))
        assert gw.interchange(out.id).ack_status == "overdue"
        (overdue,) = gw.exceptions("ack_overdue")
        assert overdue.status == "open"

        group = out.meta["group_control_number"]
        ack = edi.acme_interchange(
            [edi.ack_997("0001", group, [("204", doc.control_number)])],
            control=505,
            functional_id="FA",
        )
        gw.receive(ack, "997.edi")
        assert gw.interchange(out.id).ack_status == "accepted"
        assert gw.documents(out.id)[0].state == "accepted"
        assert gw.exceptions("ack_overdue")[0].status == "resolved"


def test_3pl_sends_status_and_invoice_then_999(tmp_path: Path, fresh_pg_url: str) -> None:
    """E: a 214 and a 210 rendered in retail-co's 005010 dialect land in its hosted mailbox;
    its 999 turns both outbound documents accepted."""
    from datetime import date
    from decimal import Decimal

    from outbound.deliver import submit
    from translators.canonical.models import (
        ChargeLine,
        FreightInvoice,
        Money,
        ShipmentStatus,
        StatusEvent,
    )
    from translators.canonical.vocab import ChargeClass, Milestone
    from translators.x12 import Envelope, write

    def usd(amount: str) -> Money:
        return Money(amount=Decimal(amount), currency="USD")

    status = ShipmentStatus(
        shipment_id="RC-5501",
        carrier_scac="NWDL",
        carrier_reference="PRO-31",
        references={"po": ["PO-88"]},
        events=[StatusEvent(milestone=Milestone.DELIVERED, pod_name="J SMITH")],
    )
    invoice = FreightInvoice(
        invoice_number="3PL-1001",
        invoice_date=date(2026, 11, 28),
        shipment_id="RC-5501",
        currency="USD",
        lines=[
            ChargeLine(charge_class=ChargeClass.LINE_HAUL, amount=usd("640.00")),
            ChargeLine(charge_class=ChargeClass.FUEL, amount=usd("80.00")),
        ],
        total=usd("720.00"),
        carrier_scac="NWDL",
    )
    profile = example_profile("retail-co")
    with gateway(tmp_path, fresh_pg_url, [profile]) as gw:
        rc = gw.runtime.profiles.get("retail-co")
        assert rc is not None
        ids = [submit(gw.runtime, rc, [status]), submit(gw.runtime, rc, [invoice])]
        gw.settle()
        files = gw.mailbox_outbound("retail-co")
        assert len(files) == 2
        texts = [f.read_text() for f in files]
        assert any("ST*214*" in t and "*005010" in t for t in texts)
        assert any("ST*210*" in t and "3PL-1001" in t for t in texts)
        for interchange_id in ids:
            out = gw.interchange(interchange_id)
            assert out.status == "sent" and out.ack_status == "pending"
        acks = []
        for n, interchange_id in enumerate(ids, start=1):
            out = gw.interchange(interchange_id)
            (doc,) = gw.documents(interchange_id)
            group = out.meta["group_control_number"]
            fid = "QM" if doc.doc_type == "214" else "IM"
            acks.append(
                edi.transaction(
                    f"000{n}",
                    [
                        f"ST*999*000{n}*005010X231",
                        f"AK1*{fid}*{group}*005010X231",
                        f"AK2*{doc.doc_type}*{doc.control_number}",
                        "IK5*A",
                        "AK9*A*1*1*1",
                    ],
                )
            )
        data = write(
            acks,
            Envelope(
                sender_id="9251730000",
                sender_qualifier="08",
                receiver_id="061524983",
                receiver_qualifier="01",
                control_number=77,
                group_control_number=77,
                functional_id="FA",
                version="005010X231",
                timestamp=edi.STAMP,
            ),
            edi.LINES,
        )
        gw.receive(data, "999.edi")
        for interchange_id in ids:
            assert gw.interchange(interchange_id).ack_status == "accepted"
            assert [d.state for d in gw.documents(interchange_id)] == ["accepted"]


def test_odoo_down_retries_then_posts_and_budget_becomes_exception(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    """C2: with Odoo unreachable documents wait with backoff and post once it is back; past
    the retry budget they become exceptions, and a replay posts them exactly once."""
    from datetime import timedelta

    from inbound.replay import replay_document

    profile = acme()
    profile["sla"]["214"]["retry"] = {"max_attempts": 2, "first_delay": "1m"}
    first = edi.acme_interchange([edi.status_214("0001", "X6")], control=601, functional_id="QM")
    second = edi.acme_interchange([edi.status_214("0001", "AG")], control=602, functional_id="QM")
    with gateway(tmp_path, fresh_pg_url, [profile]) as gw:
        gw.odoo_down()
        ic1 = gw.receive(first, "down-1.edi").interchange_id
        (doc,) = gw.documents(ic1)
        assert doc.state == "retrying" and doc.attempts == 1 and doc.next_attempt_at
        assert "OdooUnavailable" in (doc.last_error or "")
        gw.sweep()  # not due yet: nothing happens
        assert gw.documents(ic1)[0].attempts == 1

        gw.odoo_up()
        gw.let_time_pass(timedelta(minutes=2))
        gw.sweep()
        (doc,) = gw.documents(ic1)
        assert doc.state == "posted" and doc.attempts == 2

        gw.odoo_down()  # down again, longer than the retry budget
        ic2 = gw.receive(second, "down-2.edi").interchange_id
        gw.let_time_pass(timedelta(minutes=2))
        gw.sweep()
        (doc2,) = gw.documents(ic2)
        assert doc2.state == "exception" and doc2.attempts == 2, doc2.last_error
        (exc,) = gw.exceptions("post_failed")
        assert exc.subject_id == str(doc2.id)

        gw.odoo_up()
        replay_document(gw.runtime, doc2.id, by="operator")
        gw.settle()
        old, new = gw.documents(ic2)
        assert old.state == "replayed" and new.state == "posted" and new.replay_of == old.id
        with gw.odoo() as odoo:
            notes = odoo.search_read("mail.message", [["model", "=", "stock.picking"]], ["body"])
        assert sum("interchange 000000602" in str(n["body"]) for n in notes) == 1


def test_broken_profile_edit_opens_exception_and_keeps_serving(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    """A broken edit of a running partner's profile is an exception for a person; the last
    good version keeps taking the partner's files."""
    with gateway(tmp_path, fresh_pg_url, [acme()]) as gw:
        assert gw.runtime.profiles.get("acme-ltl") is not None  # loaded and serving
        (gw.profiles_dir / "acme-ltl.yaml").write_text("id: acme-ltl\nstandard: x12\nversion: [")
        gw.runtime.profiles.refresh(loaded_by="test")
        (exc,) = gw.exceptions("profile_invalid")
        assert exc.subject_id == "acme-ltl" and exc.status == "open"
        data = edi.acme_interchange([edi.status_214("0001", "X3")], control=909, functional_id="QM")
        (doc,) = gw.documents(gw.receive(data, "still.edi").interchange_id)
        assert doc.state == "posted"
