"""Posting against the emulator over HTTP: the issue's done-when items (a 214 updates its
picking, a 210 within tolerance becomes a posted bill, one outside stays draft with a
mismatch, the same file twice changes nothing, a 204 is produced from a ready picking
exactly once) and the rules around them."""

from __future__ import annotations

import base64
import dataclasses
from decimal import Decimal
from typing import Any

import odoorpc
import pytest

from gateway.odoo.client import OdooClient
from gateway.odoo.errors import ShipmentNotFound
from gateway.odoo.posting import OdooPoster, StatusItem
from gateway.odoo.rules import OdooRules, ReferenceRule
from tests.integration.odoo.documents import (
    DELIVERED_AT,
    charge,
    invoice_210,
    status_214,
    tender_response,
)
from translators.canonical.vocab import ChargeClass, Milestone, TenderAction

pytestmark = pytest.mark.integration

RAW_214 = b"ISA*00*          *00*          *02*ACMF           *01*061524983      *~"


def picking(admin: odoorpc.ODOO, name: str) -> dict[str, Any]:
    rows = admin.execute_kw(
        "stock.picking",
        "search_read",
        [[["name", "=", name]]],
        {
            "fields": [
                "state",
                "carrier_tracking_ref",
                "date_done",
                "carrier_price",
                "message_attachment_count",
            ]
        },
    )
    assert len(rows) == 1
    return rows[0]


def messages(admin: odoorpc.ODOO, picking_id: int) -> list[dict[str, Any]]:
    return admin.execute_kw(
        "mail.message",
        "search_read",
        [
            [
                ["model", "=", "stock.picking"],
                ["res_id", "=", picking_id],
                ["message_type", "=", "comment"],
            ]
        ],
        {"fields": ["body", "subtype_id", "notified_partner_ids"], "order": "id asc"},
    )


def snapshot(admin: odoorpc.ODOO) -> dict[str, Any]:
    """Everything a repeated post could add or change."""
    counts = {
        model: admin.execute_kw(model, "search_count", [[]])
        for model in (
            "account.move",
            "account.move.line",
            "mail.message",
            "ir.attachment",
            "mail.activity",
            "stock.picking",
            "stock.landed.cost",
        )
    }
    counts["pickings"] = admin.execute_kw(
        "stock.picking",
        "search_read",
        [[]],
        {"fields": ["state", "carrier_tracking_ref", "carrier_price", "date_done"]},
    )
    counts["moves"] = admin.execute_kw(
        "account.move",
        "search_read",
        [[]],
        {"fields": ["state", "amount_total", "ref", "write_date"]},
    )
    return counts


# --------------------------------------------------------------------- 214 status
def test_214_updates_its_picking(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    status = status_214(milestones=(Milestone.PICKED_UP, Milestone.IN_TRANSIT, Milestone.DELIVERED))
    result = poster.post_status(status, acme_rules, raw=RAW_214, interchange="000000101")
    row = picking(admin, "WH/OUT/00042")
    assert row["carrier_tracking_ref"] == "PRO7781234"
    assert row["message_attachment_count"] == 1
    notes = messages(admin, row["id"])
    assert len(notes) == 3
    assert all(n["subtype_id"][1] == "Note" for n in notes), "internal notes, not comments"
    assert all(n["notified_partner_ids"] == [] for n in notes), "nobody e-mailed"
    assert "Picked up" in notes[0]["body"] and "X12 AT7 AF/NS" in notes[0]["body"]
    assert "Delivered - 2026-11-22 15:05 UTC - at Dallas, TX, US" in notes[2]["body"]
    assert "signed by J. SMITH" in notes[2]["body"]
    assert "interchange 000000101" in notes[2]["body"]
    # the profile leaves validation to the warehouse: still ready, and the result says so
    assert row["state"] == "assigned"
    assert any("not validated" in n for n in result.notes)
    attachment = admin.execute_kw(
        "ir.attachment",
        "search_read",
        [[["res_model", "=", "stock.picking"], ["res_id", "=", row["id"]]]],
        {"fields": ["name", "datas", "mimetype"]},
    )[0]
    assert base64.b64decode(attachment["datas"]) == RAW_214
    assert attachment["mimetype"] == "text/plain"
    kinds = {(r.model, r.action) for r in result.records}
    assert ("stock.picking", "updated") in kinds and ("ir.attachment", "attached") in kinds


def test_delivered_validates_the_picking_when_the_profile_says_so(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    rules = dataclasses.replace(acme_rules, validate_picking_on_delivery=True)
    poster.post_status(status_214(), rules)
    row = picking(admin, "WH/OUT/00042")
    assert row["state"] == "done"
    assert row["date_done"] == DELIVERED_AT.strftime("%Y-%m-%d %H:%M:%S")
    moves = admin.execute_kw(
        "stock.move",
        "search_read",
        [[["picking_id", "=", row["id"]]]],
        {"fields": ["state", "quantity", "product_uom_qty"]},
    )
    assert all(m["state"] == "done" and m["quantity"] == m["product_uom_qty"] for m in moves)


def test_partial_pick_goes_through_the_backorder_wizard(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    row = picking(admin, "WH/OUT/00042")
    move_ids = admin.execute_kw("stock.move", "search", [[["picking_id", "=", row["id"]]]])
    admin.execute_kw("stock.move", "write", [[move_ids[0]], {"quantity": 1, "picked": True}])
    admin.execute_kw("stock.move", "write", [[move_ids[1]], {"quantity": 10, "picked": True}])
    poster.validate_picking(row["id"])
    assert picking(admin, "WH/OUT/00042")["state"] == "done"
    backorders = admin.execute_kw(
        "stock.picking", "search_read", [[["backorder_id", "=", row["id"]]]], {"fields": ["state"]}
    )
    assert len(backorders) == 1 and backorders[0]["state"] == "assigned"


def test_delay_schedules_one_activity_for_the_responsible(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    status = status_214(milestones=(Milestone.DELAYED,))
    poster.post_status(status, acme_rules)
    poster.post_status(status, acme_rules)
    row = picking(admin, "WH/OUT/00042")
    activities = admin.execute_kw(
        "mail.activity",
        "search_read",
        [[["res_model", "=", "stock.picking"], ["res_id", "=", row["id"]]]],
        {"fields": ["summary", "user_id", "activity_type_id", "date_deadline"]},
    )
    assert len(activities) == 1
    assert activities[0]["summary"] == "Delayed: WH/OUT/00042 (AO)"
    assert activities[0]["user_id"][0] == 2  # the picking's responsible (admin in the seed)
    assert activities[0]["activity_type_id"][1] == "To-Do"


def test_customer_facing_milestones_only_where_the_profile_asks(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    rules = dataclasses.replace(
        acme_rules, status_message="comment", customer_milestones=frozenset({Milestone.DELIVERED})
    )
    poster.post_status(status_214(), rules)
    notes = messages(admin, picking(admin, "WH/OUT/00042")["id"])
    by_kind = {("Delivered" in n["body"]): n for n in notes}
    globex = admin.execute_kw("res.partner", "search", [[["name", "=", "Globex Corporation"]]])
    assert by_kind[True]["subtype_id"][1] == "Discussions"
    assert by_kind[True]["notified_partner_ids"] == globex  # the customer follows it
    assert by_kind[False]["subtype_id"][1] == "Note"
    assert by_kind[False]["notified_partner_ids"] == []


def test_status_for_an_unknown_shipment_names_the_references_tried(
    poster: OdooPoster, acme_rules: OdooRules
) -> None:
    status = status_214("WH/OUT/99999", pro="PRO-NOPE")
    with pytest.raises(ShipmentNotFound) as caught:
        poster.post_status(status, acme_rules)
    tried = caught.value.as_dict()["tried"]
    assert tried == [
        {"reference": "shipment_id", "odoo_field": "name", "values": ["WH/OUT/99999"]},
        {"reference": "bol", "odoo_field": "origin", "values": ["BOL-42"]},
        {"reference": "pro", "odoo_field": "carrier_tracking_ref", "values": ["PRO-NOPE"]},
    ]


def test_reference_rules_are_tried_in_profile_order(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    # the sales order number of WH/OUT/00044 is the 214's BOL here; shipment id is unknown
    rules = dataclasses.replace(
        acme_rules,
        reference_rules=(ReferenceRule("shipment_id", "name"), ReferenceRule("bol", "origin")),
    )
    status = status_214("NOT-IN-ODOO").model_copy(update={"references": {"bol": ["S00044"]}})
    result = poster.post_status(status, rules)
    assert result.records[0].name == "WH/OUT/00044"


def test_statuses_are_batched(
    client: OdooClient, poster: OdooPoster, acme_rules: OdooRules
) -> None:
    items = [
        StatusItem(status_214(name, milestones=(Milestone.PICKED_UP,), pro=f"PRO{n}"))
        for n, name in enumerate(["WH/OUT/00041", "WH/OUT/00042", "WH/OUT/00044"])
    ]
    items.append(StatusItem(status_214("WH/OUT/00777")))
    before = client.calls
    outcomes = poster.post_statuses(items, acme_rules)
    batched = client.calls - before
    assert isinstance(outcomes[3], ShipmentNotFound)
    assert all(not isinstance(o, Exception) and o.changed for o in outcomes[:3])
    # lookups (one per reference field) and the chatter read are shared by all four
    # documents; each picking then costs one write and one message_post
    assert batched <= 3 + 1 + 3 * 2, batched


# --------------------------------------------------------------------- 210 invoices
def test_210_within_tolerance_becomes_a_posted_bill(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    # tendered 1200.00 (carrier_price); invoiced 1240.00 is 40.00 over, within 60.00 (5 %)
    invoice = invoice_210(line_haul="1060.00", fuel="180.00")
    result = poster.post_invoice(invoice, acme_rules, raw=b"ISA*210~", interchange="000000201")
    assert result.mismatch is None
    bill_id = next(r.id for r in result.records if r.action == "posted")
    bill = admin.execute_kw(
        "account.move",
        "read",
        [
            [bill_id],
            [
                "state",
                "move_type",
                "partner_id",
                "ref",
                "invoice_date",
                "invoice_origin",
                "amount_untaxed",
                "amount_tax",
                "amount_total",
                "currency_id",
                "journal_id",
                "name",
            ],
        ],
    )[0]
    assert bill["state"] == "posted" and bill["move_type"] == "in_invoice"
    assert bill["partner_id"][1] == "ACME Freight Lines"
    assert bill["ref"] == "ACME-INV-5001"
    assert bill["invoice_date"] == "2026-11-23"
    assert bill["invoice_origin"] == "WH/OUT/00042"
    assert bill["currency_id"][1] == "USD" and bill["journal_id"][1] == "Vendor Bills"
    assert (bill["amount_untaxed"], bill["amount_tax"], bill["amount_total"]) == (
        1240.0,
        0.0,
        1240.0,
    )
    assert bill["name"].startswith("BILL/")
    lines = admin.execute_kw(
        "account.move.line",
        "search_read",
        [[["move_id", "=", bill_id], ["display_type", "=", "product"]]],
        {"fields": ["product_id", "price_unit", "quantity", "tax_ids", "name"], "order": "id"},
    )
    assert [
        (line["product_id"][1], line["price_unit"], line["quantity"], line["tax_ids"])
        for line in lines
    ] == [
        ("[FREIGHT-LINEHAUL] Freight: line haul", 1060.0, 1.0, []),
        ("[FREIGHT-FUEL] Freight: fuel surcharge", 180.0, 1.0, []),
    ]
    assert lines[0]["name"] == "Line haul (400)"


def test_210_outside_tolerance_stays_draft_with_a_mismatch(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    invoice = invoice_210(
        "ACME-INV-5002",
        extra=[charge(ChargeClass.ACCESSORIAL_DETENTION, "150.00", "DTN")],
    )  # scenario A: 1,000.00 + 180.00 + detention 150.00 against a tendered 1,200.00
    result = poster.post_invoice(invoice, acme_rules)
    mismatch = result.mismatch
    assert mismatch is not None
    bill = admin.execute_kw(
        "account.move", "read", [[mismatch.bill_id], ["state", "amount_total"]]
    )[0]
    assert bill == {"id": mismatch.bill_id, "state": "draft", "amount_total": 1330.0}
    detail = mismatch.as_dict()
    assert detail["kind"] == "invoice_mismatch"
    assert detail["expected_source"] == "carrier_price"
    assert detail["expected_total"] == "1200.00" and detail["invoiced_total"] == "1330.00"
    assert detail["allowed_difference"] == "60.00"  # 5 % of 1200.00 beats 50.00
    assert detail["unexpected_charges"] == ["accessorial_detention"]
    by_class = {c["charge_class"]: c for c in detail["charges"]}
    assert by_class["total"] == {
        "charge_class": "total",
        "expected": "1200.00",
        "invoiced": "1330.00",
        "difference": "130.00",
    }
    assert by_class["accessorial_detention"]["invoiced"] == "150.00"


def test_expected_per_charge_class_from_a_freight_purchase_order(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    products = {
        r["default_code"]: r["id"]
        for r in admin.execute_kw(
            "product.product",
            "search_read",
            [[["default_code", "like", "FREIGHT-"]]],
            {"fields": ["default_code"]},
        )
    }
    vendor = admin.execute_kw("res.partner", "search", [[["ref", "=", "ACME-FREIGHT"]]])[0]
    order = admin.execute_kw(
        "purchase.order",
        "create",
        [
            {
                "partner_id": vendor,
                "origin": "WH/OUT/00044",
                "order_line": [
                    [
                        0,
                        0,
                        {
                            "name": "Line haul",
                            "product_id": products["FREIGHT-LINEHAUL"],
                            "product_qty": 1,
                            "price_unit": 2100.0,
                        },
                    ],
                    [
                        0,
                        0,
                        {
                            "name": "Fuel",
                            "product_id": products["FREIGHT-FUEL"],
                            "product_qty": 1,
                            "price_unit": 300.0,
                        },
                    ],
                ],
            }
        ],
    )
    admin.execute_kw("purchase.order", "button_confirm", [[order]])
    rules = dataclasses.replace(acme_rules, expected_sources=("purchase_order",))
    # expected 2400.00, tolerance 5 % = 120.00; the fuel line alone is 200.00 over
    invoice = invoice_210(
        "ACME-INV-5003", shipment="WH/OUT/00044", line_haul="2100.00", fuel="500.00"
    )
    result = poster.post_invoice(invoice, rules)
    assert result.mismatch is not None
    by_class = {c.charge_class: c for c in result.mismatch.charges}
    assert by_class["fuel"].expected == Decimal("300.00")
    assert by_class["fuel"].difference == Decimal("200.00")
    assert by_class["line_haul"].difference == Decimal("0.00")


def test_same_invoice_file_twice_changes_nothing(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    invoice = invoice_210()
    first = poster.post_invoice(invoice, acme_rules, raw=b"ISA*210~", interchange="000000201")
    assert first.changed
    before = snapshot(admin)
    second = poster.post_invoice(invoice, acme_rules, raw=b"ISA*210~", interchange="000000201")
    assert not second.changed and second.duplicate
    assert snapshot(admin) == before


def test_a_second_invoice_with_the_same_number_is_a_duplicate(
    client: OdooClient, poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    poster.post_invoice(invoice_210(), acme_rules)
    before = snapshot(admin)
    # another file, other amounts, same invoice number from the same carrier
    again = poster.post_invoice(invoice_210(line_haul="999.00", icn="000000999"), acme_rules)
    assert again.duplicate and not again.changed
    assert snapshot(admin) == before
    # a bill keyed in by hand with that vendor reference also counts (another poster, no xmlid)
    manual = invoice_210("HAND-TYPED-1")
    vendor = admin.execute_kw("res.partner", "search", [[["ref", "=", "ACME-FREIGHT"]]])[0]
    admin.execute_kw(
        "account.move",
        "create",
        [{"move_type": "in_invoice", "partner_id": vendor, "ref": "HAND-TYPED-1"}],
    )
    assert OdooPoster(client).post_invoice(manual, acme_rules).duplicate


def test_same_status_file_twice_changes_nothing(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    rules = dataclasses.replace(acme_rules, validate_picking_on_delivery=True)
    status = status_214(milestones=(Milestone.PICKED_UP, Milestone.DELAYED, Milestone.DELIVERED))
    assert poster.post_status(status, rules, raw=RAW_214, interchange="000000101").changed
    before = snapshot(admin)
    again = poster.post_status(status, rules, raw=RAW_214, interchange="000000101")
    assert not again.changed
    assert snapshot(admin) == before


def test_a_retried_post_resumes_a_bill_left_without_lines(
    client: OdooClient, poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    # the first attempt died after load() created the header: the retry finds it by xmlid
    vendor = admin.execute_kw("res.partner", "search", [[["ref", "=", "ACME-FREIGHT"]]])[0]
    header_id = client.load_one(
        "account.move",
        "bill_acme_ltl_acme_inv_5001",
        {
            "move_type": "in_invoice",
            "partner_id": vendor,
            "ref": "ACME-INV-5001",
            "invoice_date": "2026-11-23",
        },
    )
    result = poster.post_invoice(invoice_210(), acme_rules)
    assert next(r.id for r in result.records if r.model == "account.move") == header_id
    bill = admin.execute_kw("account.move", "read", [[header_id], ["state", "amount_total"]])[0]
    assert bill["state"] == "posted" and bill["amount_total"] == 1180.0
    assert admin.execute_kw("account.move", "search_count", [[]]) == 1


def test_freight_on_a_done_receipt_becomes_a_landed_cost(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    rules = dataclasses.replace(acme_rules, landed_cost=True, expected_sources=("carrier_rate",))
    invoice = invoice_210("ACME-INV-IN7", shipment="WH/IN/00007", line_haul="1200.00", fuel="60.00")
    result = poster.post_invoice(invoice, rules)
    assert result.mismatch is None, result.mismatch
    landed = [r for r in result.records if r.model == "stock.landed.cost"]
    assert landed and landed[0].action == "validated"
    cost = admin.execute_kw(
        "stock.landed.cost",
        "read",
        [[landed[0].id], ["state", "picking_ids", "amount_total", "vendor_bill_id"]],
    )[0]
    receipt = picking(admin, "WH/IN/00007")
    assert cost["state"] == "done" and cost["picking_ids"] == [receipt["id"]]
    assert cost["amount_total"] == 1260.0
    flagged = admin.execute_kw(
        "account.move.line",
        "search_count",
        [[["move_id", "=", cost["vendor_bill_id"][0]], ["is_landed_costs_line", "=", True]]],
    )
    assert flagged == 2


def test_landed_cost_needs_a_done_receipt_which_odoo_does_not_check(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    receipt = admin.execute_kw(
        "stock.picking",
        "create",
        [
            {
                "picking_type_id": 1,
                "origin": "P00008",
                "name": "WH/IN/00008",
                "move_ids": [
                    [
                        0,
                        0,
                        {
                            "name": "Widgets",
                            "product_id": admin.env.ref("edigw_demo.product_widgets").id,
                            "product_uom_qty": 2,
                            "location_id": 4,
                        },
                    ]
                ],
            }
        ],
    )
    admin.execute_kw("stock.picking", "action_confirm", [[receipt]])
    rules = dataclasses.replace(acme_rules, landed_cost=True, expected_sources=("carrier_rate",))
    result = poster.post_invoice(invoice_210("ACME-INV-IN8", shipment="WH/IN/00008"), rules)
    bill = next(r.id for r in result.records if r.model == "account.move")
    assert admin.execute_kw("account.move", "read", [[bill], ["state"]])[0]["state"] == "draft"
    assert any("is not done" in note for note in result.notes)
    assert admin.execute_kw("stock.landed.cost", "search_count", [[]]) == 0


# --------------------------------------------------------------------- 990 responses
def test_tender_response_accept_and_decline(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    accepted = poster.post_tender_response(tender_response(TenderAction.ACCEPTED), acme_rules)
    assert [r.action for r in accepted.records] == ["found", "message"]
    declined = poster.post_tender_response(tender_response(TenderAction.DECLINED), acme_rules)
    row = picking(admin, "WH/OUT/00042")
    bodies = [m["body"] for m in messages(admin, row["id"])]
    assert any("Load tender accepted by acme-ltl" in b for b in bodies)
    assert any("declined" in b and "no equipment available" in b for b in bodies)
    assert any(r.model == "mail.activity" and r.action == "activity" for r in declined.records)
    assert not poster.post_tender_response(
        tender_response(TenderAction.DECLINED), acme_rules
    ).changed


# --------------------------------------------------------------------- outbound 204
def test_outbound_204_from_a_ready_picking_exactly_once(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    pending = poster.pending_tenders(acme_rules)
    # 00041 is another carrier's, 00043 is not ready, 00044 is Ridgeline's
    assert [p.picking_name for p in pending] == ["WH/OUT/00042"]
    tender = pending[0].tender
    assert tender.shipment_id == "WH/OUT/00042" and tender.carrier_scac == "ACMF"
    assert tender.total_weight is not None and tender.total_weight.value == Decimal("1125.00")
    assert tender.total_charge is not None and tender.total_charge.amount == Decimal("1200.00")
    assert [s.kind for s in tender.stops] == ["pickup", "delivery"]
    assert tender.stops[1].party is not None and tender.stops[1].party.name == (
        "Globex Corporation"
    )
    address = tender.stops[1].party.address
    assert address is not None and (address.city, address.region, address.country) == (
        "Dallas",
        "TX",
        "US",
    )
    assert tender.references == {"shipment_id": ["WH/OUT/00042"], "order": ["S00042"]}
    assert tender.notes == ["4 x Pallet of widgets", "10 x Carton of gaskets"]
    # what the outbound pipeline does with it: the X12 204 map renders it
    from translators.maps import from_canonical

    segments = from_canonical(tender, "x12", "004010")
    assert segments[0].tag == "ST" and segments[0].elements[0] == "204"
    b2 = next(seg for seg in segments if seg.tag == "B2")
    assert b2.elements[1:4] == ["ACMF", "", "WH/OUT/00042"]
    recorded = poster.record_tender(
        pending[0].picking_id, tender, acme_rules, raw=b"ISA*204~", interchange="000000401"
    )
    assert recorded.changed
    assert poster.pending_tenders(acme_rules) == []
    again = poster.record_tender(pending[0].picking_id, tender, acme_rules, raw=b"ISA*204~")
    assert again.duplicate and not again.changed
    # a newly ready picking of the same carrier is the next one, once
    admin.execute_kw("stock.picking", "action_confirm", [[picking(admin, "WH/OUT/00043")["id"]]])
    assert [p.picking_name for p in poster.pending_tenders(acme_rules)] == ["WH/OUT/00043"]


def test_recording_a_tender_stores_the_rate_as_expected_freight(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    admin.execute_kw("stock.picking", "action_confirm", [[picking(admin, "WH/OUT/00043")["id"]]])
    pending = {p.picking_name: p for p in poster.pending_tenders(acme_rules)}["WH/OUT/00043"]
    assert pending.tender.total_charge is None  # no price yet on that picking
    from translators.canonical import Money

    priced = pending.tender.model_copy(
        update={"total_charge": Money(amount=Decimal("640.00"), currency="USD")}
    )
    poster.record_tender(pending.picking_id, priced, acme_rules)
    assert picking(admin, "WH/OUT/00043")["carrier_price"] == 640.0
    result = poster.post_invoice(
        invoice_210("ACME-INV-43", shipment="WH/OUT/00043", line_haul="600.00", fuel="40.00"),
        acme_rules,
    )
    assert result.mismatch is None
    assert any(r.action == "posted" for r in result.records)


def test_invoices_are_batched_and_a_refused_bill_fails_alone(
    client: OdooClient, poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    from gateway.odoo.errors import OdooValidationError
    from gateway.odoo.posting import InvoiceItem

    admin.execute_kw(
        "stock.picking",
        "write",
        [[picking(admin, "WH/OUT/00044")["id"]], {"carrier_price": 2400.0}],
    )
    within = invoice_210("B-1")
    outside = invoice_210("B-2", line_haul="2000.00")
    undated = invoice_210("B-3", shipment="WH/OUT/00044", line_haul="2200.00", fuel="200.00")
    undated = undated.model_copy(update={"invoice_date": None})
    also_within = invoice_210("B-4", shipment="WH/OUT/00044", line_haul="2150.00", fuel="250.00")
    outcomes = poster.post_invoices(
        [InvoiceItem(within), InvoiceItem(outside), InvoiceItem(undated), InvoiceItem(also_within)],
        acme_rules,
    )
    assert not isinstance(outcomes[0], Exception)
    assert any(r.action == "posted" for r in outcomes[0].records)
    assert not isinstance(outcomes[1], Exception) and outcomes[1].mismatch is not None
    assert isinstance(outcomes[2], OdooValidationError)
    assert "Bill/Refund date is required" in outcomes[2].odoo_message
    assert not isinstance(outcomes[3], Exception)
    assert any(r.action == "posted" for r in outcomes[3].records)
    states = {
        r["ref"]: r["state"]
        for r in admin.execute_kw("account.move", "search_read", [[]], {"fields": ["ref", "state"]})
    }
    assert states == {"B-1": "posted", "B-2": "draft", "B-3": "draft", "B-4": "posted"}


def test_the_same_events_resent_in_a_new_interchange_add_no_notes(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    poster.post_status(
        status_214(icn="000000101"), acme_rules, raw=RAW_214, interchange="000000101"
    )
    resent = poster.post_status(
        status_214(icn="000000102"), acme_rules, raw=RAW_214 + b" ", interchange="000000102"
    )
    row = picking(admin, "WH/OUT/00042")
    assert len(messages(admin, row["id"])) == 2  # picked up, delivered: once each
    assert [r.action for r in resent.records if r.model == "ir.attachment"] == ["attached"]
    assert row["message_attachment_count"] == 2  # the raw file of each interchange
    later = status_214(milestones=(Milestone.IN_TRANSIT,), icn="000000103")
    poster.post_status(later, acme_rules)
    assert len(messages(admin, row["id"])) == 3


def test_an_open_backorder_is_preferred_to_its_done_original(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    original = picking(admin, "WH/OUT/00042")["id"]
    move_ids = admin.execute_kw("stock.move", "search", [[["picking_id", "=", original]]])
    admin.execute_kw("stock.move", "write", [[move_ids[0]], {"quantity": 2, "picked": True}])
    poster.validate_picking(original)  # partial: the rest goes to a backorder, same origin
    rules = dataclasses.replace(acme_rules, reference_rules=(ReferenceRule("bol", "origin"),))
    status = status_214("nope", milestones=(Milestone.IN_TRANSIT,)).model_copy(
        update={"references": {"bol": ["S00042"]}}
    )
    result = poster.post_status(status, rules)
    backorder = admin.execute_kw("stock.picking", "search", [[["backorder_id", "=", original]]])
    assert result.records[0].id == backorder[0]


def test_releasing_a_held_landed_cost_bill_makes_the_landed_cost_once(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    rules = dataclasses.replace(acme_rules, landed_cost=True, expected_sources=("carrier_rate",))
    invoice = invoice_210(
        "ACME-INV-IN9", shipment="WH/IN/00007", line_haul="1900.00", fuel="60.00"
    )  # 1960.00 against the carrier's 1250.00
    held = poster.post_invoice(invoice, rules)
    assert held.mismatch is not None
    assert admin.execute_kw("stock.landed.cost", "search_count", [[]]) == 0
    released = poster.release_bill(held.mismatch.bill_id, rules)  # finance approved it
    assert [(r.model, r.action) for r in released.records] == [
        ("account.move", "posted"),
        ("stock.landed.cost", "validated"),
    ]
    again = poster.release_bill(held.mismatch.bill_id, rules)
    assert not again.changed
    assert admin.execute_kw("stock.landed.cost", "search_count", [[]]) == 1


def test_two_statuses_of_one_picking_in_a_batch_write_the_pro_once(
    poster: OdooPoster, acme_rules: OdooRules
) -> None:
    first = status_214(milestones=(Milestone.PICKED_UP,), icn="000000501")
    second = status_214(milestones=(Milestone.IN_TRANSIT,), icn="000000502")
    outcomes = poster.post_statuses([StatusItem(first), StatusItem(second)], acme_rules)
    updates = [
        r
        for o in outcomes
        if not isinstance(o, Exception)
        for r in o.records
        if r.model == "stock.picking" and r.action == "updated"
    ]
    assert len(updates) == 1
    assert all(
        any(r.model == "mail.message" for r in o.records)
        for o in outcomes
        if not isinstance(o, Exception)
    )


def test_new_bills_cost_one_call_each_beyond_a_fixed_few(
    client: OdooClient, poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    from gateway.odoo.posting import InvoiceItem

    def batch(numbers: list[str]) -> list[InvoiceItem]:
        return [InvoiceItem(invoice_210(n), b"ISA*210~", "000000301") for n in numbers]

    poster.post_invoices(batch(["WARM-1"]), acme_rules)  # vendor, products: looked up once
    before = client.calls
    outcomes = poster.post_invoices(batch([f"N-{i}" for i in range(6)]), acme_rules)
    used = client.calls - before
    assert all(not isinstance(o, Exception) for o in outcomes)
    assert all(any(r.action == "posted" for r in o.records) for o in outcomes)  # type: ignore[union-attr]
    # the vendor's bills with these numbers (1), the pickings (one search per reference
    # field: up to 3), the headers in one load and the raw files in another (2), one
    # action_post and one read (2): 8 whatever the batch size, then each bill's lines
    assert used <= 8 + 6, used
    files = admin.execute_kw(
        "ir.attachment", "search_count", [[["res_model", "=", "account.move"]]]
    )
    assert files == 7


def test_a_bill_of_ours_whose_reference_was_edited_is_never_billed_twice(
    client: OdooClient, poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    """The batch finds our bills by vendor reference; one whose reference a person changed
    is missed, and load() then meets its external id: the posted bill refuses the update,
    so that invoice fails alone (an exception for a person) and no second bill appears."""
    from gateway.odoo.posting import InvoiceItem

    first = poster.post_invoice(invoice_210("E-1"), acme_rules)
    bill_id = next(r.id for r in first.records if r.model == "account.move")
    admin.execute_kw("account.move", "write", [[bill_id], {"ref": "E-1 (checked)"}])
    outcomes = poster.post_invoices(
        [InvoiceItem(invoice_210("E-1")), InvoiceItem(invoice_210("E-2"))], acme_rules
    )
    assert isinstance(outcomes[0], Exception)
    assert not isinstance(outcomes[1], Exception)
    assert any(r.action == "posted" for r in outcomes[1].records)
    refs = sorted(
        r["ref"] for r in admin.execute_kw("account.move", "search_read", [[]], {"fields": ["ref"]})
    )
    assert refs == ["E-1 (checked)", "E-2"]


def test_a_status_note_carries_the_carriers_remarks_and_signer_once(
    poster: OdooPoster, admin: odoorpc.ODOO, acme_rules: OdooRules
) -> None:
    status = status_214(milestones=(Milestone.DELIVERED,))
    delivered = status.events[0].model_copy(
        update={"pod_name": "J MARTINEZ", "remarks": ["LEFT AT DOCK 4", "SIGNED BY J MARTINEZ"]}
    )
    status = status.model_copy(update={"events": [delivered]})
    poster.post_status(status, acme_rules)
    (body,) = [
        str(m["body"])
        for m in messages(admin, picking(admin, "WH/OUT/00042")["id"])
        if "Delivered" in str(m["body"])
    ]
    assert "signed by J MARTINEZ - remarks: LEFT AT DOCK 4" in body
    assert "SIGNED BY" not in body
