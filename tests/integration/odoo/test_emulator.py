"""The emulator as Odoo over raw JSON-RPC: domains, x2many commands, value shapes, the error
catalogue of reference §3.7 and §4.13, sessions and the envelope rules of §2.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.odoo.emulator import EmulatorHandle, serve

pytestmark = pytest.mark.integration


class Rpc:
    def __init__(self, emulator: EmulatorHandle, login: str = "admin", password: str = "admin"):
        self.http = httpx.Client(base_url=emulator.url, timeout=10)
        self.password = password
        self.uid = self.raw(
            "/jsonrpc", {"service": "common", "method": "login", "args": ["edigw", login, password]}
        )["result"]

    def raw(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(
            path, json={"jsonrpc": "2.0", "method": "call", "id": 7, "params": params}
        )
        assert response.status_code == 200
        return dict(response.json())

    def envelope(self, model: str, method: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.raw(
            "/jsonrpc",
            {
                "service": "object",
                "method": "execute_kw",
                "args": ["edigw", self.uid, self.password, model, method, list(args), kwargs],
            },
        )

    def __call__(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        answer = self.envelope(model, method, *args, **kwargs)
        assert "error" not in answer, answer["error"]["data"]["message"]
        return answer.get("result")

    def error(self, model: str, method: str, *args: Any, **kwargs: Any) -> tuple[str, str]:
        answer = self.envelope(model, method, *args, **kwargs)
        assert answer["error"]["code"] == 200
        data = answer["error"]["data"]
        return data["name"], data["message"]


@pytest.fixture
def rpc(emulator: EmulatorHandle) -> Rpc:
    return Rpc(emulator)


def names(rpc: Rpc, domain: list[Any], model: str = "res.partner") -> list[str]:
    rows = rpc(model, "search_read", domain, fields=["name"], order="name")
    return [r["name"] for r in rows]


def test_domains(rpc: Rpc) -> None:
    carriers = ["ACME Freight Lines", "Nordlink Forwarding GmbH", "Ridgeline Truckload"]
    assert names(rpc, [["supplier_rank", ">", 0], ["ref", "!=", False]]) == carriers
    assert names(rpc, ["|", ["ref", "=", "ACME-FREIGHT"], ["ref", "=", "RIDGELINE-TL"]]) == [
        carriers[0],
        carriers[2],
    ]
    assert names(rpc, ["&", ["ref", "ilike", "freight"], "!", ["name", "like", "Lines"]]) == []
    assert names(rpc, [["ref", "=like", "%-TL"]]) == ["Ridgeline Truckload"]
    assert names(rpc, [["ref", "in", ["NORDLINK-FWD", "nope"]]]) == [carriers[1]]
    assert names(rpc, [["country_id.code", "=", "DE"]]) == [carriers[1]]
    assert names(rpc, [["country_id", "=", "Germany"]]) == [carriers[1]]  # by name
    assert names(rpc, [["email", "=?", False], ["ref", "=", "RIDGELINE-TL"]]) == [carriers[2]]
    # active_test: OdooBot is archived
    assert "OdooBot" not in names(rpc, [])
    assert "OdooBot" in names(rpc, [["active", "in", [True, False]]])
    pickings = rpc(
        "stock.picking",
        "search",
        [["move_ids", "any", [["product_id.default_code", "=", "WID-PAL"]]]],
    )
    assert len(pickings) == 4
    stock = rpc("stock.location", "search", [["id", "child_of", 7]])
    assert sorted(stock) == [7, 8]
    assert rpc("res.partner", "search_count", [[1, "=", 1]]) == rpc(
        "res.partner", "search_count", []
    )


def test_domain_errors(rpc: Rpc) -> None:
    assert rpc.error("res.partner", "search", [["nope", "=", 1]]) == (
        "builtins.ValueError",
        "Invalid field res.partner.nope in leaf ('nope', '=', 1)",
    )
    name, message = rpc.error("res.partner", "search", ["|", ["name", "=", "x"]])
    assert name == "builtins.ValueError" and "syntactically not correct" in message
    name, message = rpc.error("res.partner", "search", [["name", "===", "x"]])
    assert name == "builtins.ValueError" and message.startswith("Invalid leaf")
    name, message = rpc.error("res.partner", "search", [], order="name; drop table")
    assert name == "odoo.exceptions.UserError" and 'Invalid "order" specified' in message
    name, message = rpc.error("res.partner", "search", [], count=True)
    assert name == "builtins.TypeError" and "count" in message


def test_x2many_commands(rpc: Rpc) -> None:
    tags = rpc("res.partner.category", "create", [{"name": "a"}, {"name": "b"}, {"name": "c"}])
    partner = rpc("res.partner", "create", {"name": "P", "category_id": [[6, 0, tags[:2]]]})

    def current() -> list[int]:
        return rpc("res.partner", "read", [partner], ["category_id"])[0]["category_id"]

    assert current() == tags[:2]
    rpc("res.partner", "write", [partner], {"category_id": [[4, tags[2]], [3, tags[0]]]})
    assert current() == tags[1:]
    rpc("res.partner", "write", [partner], {"category_id": [[0, 0, {"name": "d"}]]})
    assert len(current()) == 3
    rpc("res.partner", "write", [partner], {"category_id": [[5]]})
    assert current() == []
    rpc("res.partner", "write", [partner], {"category_id": tags})  # plain ids = SET
    assert current() == tags
    rpc("res.partner", "write", [partner], {"category_id": [[2, tags[0], 0]]})
    assert rpc("res.partner.category", "exists", [tags[0]]) == []
    child = rpc("res.partner", "create", {"name": "Child", "parent_id": partner})
    rpc("res.partner", "write", [partner], {"child_ids": [[1, child, {"email": "c@x.example"}]]})
    row = rpc("res.partner", "read", [child], ["display_name", "email", "parent_id"])[0]
    assert row["display_name"] == "P, Child" and row["parent_id"] == [partner, "P"]


def test_value_shapes_and_loads(rpc: Rpc) -> None:
    row = rpc(
        "stock.picking",
        "search_read",
        [["name", "=", "WH/OUT/00042"]],
        fields=[
            "partner_id",
            "move_ids",
            "carrier_price",
            "date_done",
            "scheduled_date",
            "priority",
            "message_attachment_count",
        ],
    )[0]
    assert isinstance(row["partner_id"], list) and isinstance(row["partner_id"][1], str)
    assert row["date_done"] is False and len(row["scheduled_date"]) == 19
    assert row["carrier_price"] == 1200.0 and row["message_attachment_count"] == 0
    plain = rpc("stock.picking", "read", [row["id"]], ["partner_id"], load="_classic_write")
    assert plain[0]["partner_id"] == row["partner_id"][0]
    assert rpc("res.partner", "read", [999999], ["name"]) == []
    assert rpc("res.partner", "default_get", ["active", "type", "name"]) == {
        "active": True,
        "type": "contact",
    }
    assert rpc("delivery.carrier", "name_search", "acme") == [[2, "ACME Freight LTL"]]
    assert rpc("res.partner", "name_search", "ACME-FREIGHT", operator="=")[0][1] == (
        "ACME Freight Lines"
    )


def test_error_catalogue(rpc: Rpc) -> None:
    assert rpc.error("foo.bar", "search", []) == (
        "odoo.exceptions.UserError",
        "Object foo.bar doesn't exist",
    )
    assert rpc.error("res.partner", "_write", [1], {}) == (
        "odoo.exceptions.AccessError",
        "Private methods (such as 'res.partner._write') cannot be called remotely.",
    )
    assert rpc.error("res.partner", "frobnicate", [1]) == (
        "builtins.AttributeError",
        "The method 'frobnicate' does not exist on the model 'res.partner'",
    )
    assert rpc.error("res.partner", "create", {"nope": 1}) == (
        "builtins.ValueError",
        "Invalid field 'nope' on model 'res.partner'",
    )
    assert rpc.error("res.partner", "read", [1], ["nope"]) == (
        "builtins.ValueError",
        "Invalid field 'nope' on model 'res.partner'",
    )
    assert rpc.error("stock.picking", "write", [2], {"move_type": "x"}) == (
        "builtins.ValueError",
        "Wrong value for stock.picking.move_type: 'x'",
    )
    name, message = rpc.error("res.partner", "write", [424242], {"name": "x"})
    assert name == "odoo.exceptions.MissingError" and "res.partner(424242,)" in message
    assert rpc.error("res.partner", "create", {"email": "x@y.example"}) == (
        "odoo.exceptions.ValidationError",
        "The operation cannot be completed: Contacts require a name",
    )
    name, message = rpc.error("stock.picking", "write", [2], {"date_done": "2026-11-20T10:00:00Z"})
    assert name == "builtins.ValueError" and "does not match format" in message
    name, message = rpc.error("stock.picking", "message_post", [1, 2], body="x")
    assert (name, message) == ("builtins.ValueError", "Expected singleton: stock.picking(1, 2)")


def test_bill_lifecycle_guards(rpc: Rpc) -> None:
    vendor = rpc("res.partner", "search", [["ref", "=", "ACME-FREIGHT"]])[0]
    assert rpc.error(
        "account.move",
        "action_post",
        [
            rpc(
                "account.move",
                "create",
                {"move_type": "in_invoice", "partner_id": vendor, "invoice_date": "2026-11-20"},
            )
        ],
    ) == ("odoo.exceptions.UserError", "You need to add a line before posting.")
    bill = rpc(
        "account.move",
        "create",
        {
            "move_type": "in_invoice",
            "partner_id": vendor,
            "invoice_date": "2026-11-20",
            "invoice_line_ids": [[0, 0, {"product_id": 1, "price_unit": 1000.0}]],
        },
    )
    row = rpc(
        "account.move",
        "read",
        [bill],
        ["amount_untaxed", "amount_tax", "amount_total", "name", "state"],
    )[0]
    assert (row["amount_untaxed"], row["amount_tax"], row["amount_total"]) == (
        1000.0,
        150.0,
        1150.0,
    )
    assert row["name"].startswith("BILL/") and row["state"] == "draft"
    assert rpc("account.move", "action_post", [bill]) is False
    assert rpc.error("account.move", "unlink", [bill])[0] == "odoo.exceptions.UserError"
    name, message = rpc.error(
        "account.move", "write", [bill], {"partner_id": 1, "date": "2026-11-01"}
    )
    head = "You cannot modify the following readonly fields on a posted move: "
    assert name == "odoo.exceptions.UserError" and message.startswith(head)
    assert sorted(message.removeprefix(head).split(", ")) == ["date", "partner_id"]
    answer = rpc.envelope("account.move", "button_draft", [bill])
    assert set(answer) == {"jsonrpc", "id"}  # None: no `result` key at all
    assert rpc("account.move", "unlink", [bill]) is True


def test_picking_validation_errors(rpc: Rpc) -> None:
    empty = rpc("stock.picking", "create", {"picking_type_id": 2})
    assert rpc("stock.picking", "read", [empty], ["name", "location_id"])[0]["name"] == (
        "WH/OUT/00045"
    )
    _name, message = rpc.error("stock.picking", "button_validate", [empty])
    assert message.startswith("You can’t validate an empty transfer")
    done = rpc("stock.picking", "search", [["name", "=", "WH/IN/00007"]])
    assert rpc.error("stock.picking", "button_validate", done)[1].startswith(
        "You cannot validate a transfer if no quantities are reserved"
    )


def test_sessions_and_envelope(emulator: EmulatorHandle) -> None:
    http = httpx.Client(base_url=emulator.url, timeout=10)
    call = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 3,
        "params": {"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}},
    }
    expired = http.post("/web/dataset/call_kw/res.partner/search_count", json=call).json()
    assert expired["error"]["code"] == 100
    assert expired["error"]["data"]["name"] == "odoo.http.SessionExpiredException"
    login = http.post(
        "/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"db": "edigw", "login": "edigw-integration", "password": "edigw"},
        },
    )
    assert login.json()["result"]["uid"] == 6 and "session_id" in login.cookies
    assert http.post("/web/dataset/call_kw", json=call).json()["result"] > 0
    text = http.post("/jsonrpc", content=b"hello", headers={"Content-Type": "text/plain"})
    assert text.status_code == 400 and "type='json'" in text.text
    bad = http.post("/jsonrpc", content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400
    missing = http.post("/no/such/route", json={"jsonrpc": "2.0", "id": 9, "params": {}}).json()
    assert missing["error"]["code"] == 404


def test_rights_of_the_three_users(emulator: EmulatorHandle) -> None:
    clerk = Rpc(emulator, "clerk", "clerk")
    name, message = clerk.error("account.move", "search", [])
    assert name == "odoo.exceptions.AccessError"
    assert "Invoicing/Billing" in message and "(account.move)" in message
    assert clerk("stock.picking", "search_count", []) == 5  # reading transfers is allowed
    assert clerk.error("stock.picking", "write", [2], {"origin": "x"})[0] == (
        "odoo.exceptions.AccessError"
    )
    integration = Rpc(emulator, "edigw-integration", "edigw")
    assert integration("ir.model.data", "check_object_reference", "mail", "mt_note") == [
        "mail.message.subtype",
        2,
    ]
    assert integration(
        "ir.model.data", "check_object_reference", "mail", "mail_activity_data_warning"
    ) == ["mail.activity.type", False]
    assert integration.error("ir.model.data", "check_object_reference", "edigw", "none")[1] == (
        "External ID not found in the system: edigw.none"
    )
    result = integration("res.partner", "load", ["id", "name"], [["edigw.p1", "P1"], ["p2", "P2"]])
    assert result["messages"] == [] and len(result["ids"]) == 2
    assert integration("res.partner", "get_external_id", result["ids"]) == {
        str(result["ids"][0]): "edigw.p1",
        str(result["ids"][1]): "__import__.p2",
    }
    failed = integration("res.partner", "load", ["id", "name"], [["edigw.bad id", "x"]])
    assert failed["ids"] is False and "cannot contain spaces" in failed["messages"][0]["message"]
    wrong = integration.raw(
        "/jsonrpc",
        {
            "service": "object",
            "method": "execute_kw",
            "args": ["edigw", 6, "not-it", "res.partner", "search", [[]]],
        },
    )
    assert wrong["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"


def test_two_emulators_on_one_file_see_each_others_writes(tmp_path: Path) -> None:
    # `edigw odoo post` runs its own emulator on the file `edigw serve` is serving
    first = serve("127.0.0.1", 0, tmp_path / "shared.sqlite3")
    second = serve("127.0.0.1", 0, tmp_path / "shared.sqlite3")
    try:
        a, b = Rpc(first), Rpc(second)
        assert b("res.partner", "search_count", [["ref", "=", "X-1"]]) == 0
        a("res.partner", "create", {"name": "X", "ref": "X-1"})
        assert b("res.partner", "search_count", [["ref", "=", "X-1"]]) == 1
        b("res.partner", "write", b("res.partner", "search", [["ref", "=", "X-1"]]), {"ref": "X-2"})
        assert a("res.partner", "search_count", [["ref", "=", "X-2"]]) == 1
    finally:
        first.stop()
        second.stop()


def test_backorder_wizard_needs_the_context_it_was_given(rpc: Rpc) -> None:
    [pid] = rpc("stock.picking", "search", [["name", "=", "WH/OUT/00042"]])
    moves = rpc("stock.move", "search", [["picking_id", "=", pid]])
    rpc("stock.move", "write", [moves[0]], {"quantity": 1, "picked": True})
    action = rpc("stock.picking", "button_validate", [pid])
    assert action["res_model"] == "stock.backorder.confirmation"
    context = action["context"]
    assert context["button_validate_picking_ids"] == [pid]
    wizard = rpc("stock.backorder.confirmation", "create", {"pick_ids": [[4, pid]]})
    # without the context Odoo answers true and does nothing (reference §7.5)
    assert rpc("stock.backorder.confirmation", "process", [wizard]) is True
    assert rpc("stock.picking", "read", [pid], ["state"])[0]["state"] == "assigned"
    rpc("stock.backorder.confirmation", "process_cancel_backorder", [wizard], context=context)
    assert rpc("stock.picking", "read", [pid], ["state"])[0]["state"] == "done"
    assert rpc("stock.picking", "search", [["backorder_id", "=", pid]]) == []
    # the shortcut: skip_backorder with the picking listed
    [other] = rpc("stock.picking", "search", [["name", "=", "WH/OUT/00044"]])
    [move] = rpc("stock.move", "search", [["picking_id", "=", other]])
    rpc("stock.move", "write", [move], {"quantity": 5, "picked": True})
    assert (
        rpc(
            "stock.picking",
            "button_validate",
            [other],
            context={"skip_backorder": True, "picking_ids_not_to_backorder": [other]},
        )
        is True
    )
    assert rpc("stock.picking", "search", [["backorder_id", "=", other]]) == []
