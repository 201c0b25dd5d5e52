"""The client against the emulator over HTTP: one kept-alive connection, retries of
transient failures only, Odoo's errors as clear exceptions, timeouts, versions 16/17/18, and
the non-admin integration user's rights (no ir.model.data writes, but load() works)."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import odoorpc
import odoorpc.error
import pytest

from gateway.odoo.client import OdooClient, RetryPolicy, xmlid_name
from gateway.odoo.emulator import EmulatorHandle, serve
from gateway.odoo.errors import (
    OdooAccessError,
    OdooLoginFailed,
    OdooRetryableError,
    OdooTimeout,
    OdooUnavailable,
    OdooValidationError,
)
from gateway.odoo.posting import OdooPoster
from gateway.odoo.rules import OdooRules
from tests.integration.odoo.conftest import INTEGRATION
from tests.integration.odoo.documents import status_214
from translators.canonical.vocab import Milestone

pytestmark = pytest.mark.integration


def fast_client(url: str, login: tuple[str, str] = INTEGRATION, **kw: object) -> OdooClient:
    sleeps: list[float] = []
    client = OdooClient(
        url,
        "edigw",
        *login,
        timeout=kw.pop("timeout", 10),  # type: ignore[arg-type]
        retry=RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.02),
        sleep=sleeps.append,
    )
    client.sleeps = sleeps  # type: ignore[attr-defined]
    return client


def test_real_odoorpc_talks_to_the_emulator(emulator: EmulatorHandle) -> None:
    odoo = odoorpc.ODOO(emulator.host, port=emulator.port)
    assert odoo.version == "18.0"
    odoo.login("edigw", *INTEGRATION)
    Picking = odoo.env["stock.picking"]
    [pid] = Picking.search([("name", "=", "WH/OUT/00042")])
    record = Picking.browse(pid)
    assert record.state == "assigned"
    assert record.carrier_id.name == "ACME Freight LTL"
    assert sorted(m.product_id.default_code for m in record.move_ids) == ["GSK-CTN", "WID-PAL"]
    record.carrier_tracking_ref = "PRO-1"  # a write through the record proxy
    assert Picking.read([pid], ["carrier_tracking_ref"])[0]["carrier_tracking_ref"] == "PRO-1"
    assert odoo.env.ref("edigw_demo.carrier_acme_ltl").name == "ACME Freight LTL"
    assert record.message_post(body="hello") > 0
    # the client-side exceptions of the capture: a browse of a missing id, `in env` for a
    # user who may not search ir.model
    with pytest.raises(ValueError, match=r"There is no 'res.partner' record with IDs \[999999\]"):
        odoo.env["res.partner"].browse(999999).name  # noqa: B018
    with pytest.raises(odoorpc.error.RPCError, match="not allowed to access"):
        "stock.picking" in odoo.env  # noqa: B015
    with pytest.raises(odoorpc.error.RPCError, match="Wrong login"):
        odoorpc.ODOO(emulator.host, port=emulator.port).login("edigw", "edigw-integration", "x")


def test_one_connection_is_reused(emulator: EmulatorHandle) -> None:
    before = emulator.emulator.connections
    client = fast_client(emulator.url).connect()  # version_info, login, context_get
    for _ in range(25):
        client.search("stock.picking", [])
    assert emulator.emulator.connections - before == 1
    client.close()
    # odoorpc's own opener, for comparison, opens one connection per call
    odoo = odoorpc.ODOO(emulator.host, port=emulator.port)
    odoo.login("edigw", *INTEGRATION)
    before = emulator.emulator.connections
    for _ in range(5):
        odoo.execute_kw("stock.picking", "search", [[]])
    assert emulator.emulator.connections - before == 5


def test_login_failures_are_clear(emulator: EmulatorHandle) -> None:
    with pytest.raises(OdooLoginFailed, match="refused login"):
        fast_client(emulator.url, ("edigw-integration", "wrong")).connect()
    bad_db = OdooClient(emulator.url, "nope", *INTEGRATION)
    with pytest.raises(OdooLoginFailed, match="no database 'nope'"):
        bad_db.connect()


def test_transient_failures_are_retried(emulator: EmulatorHandle) -> None:
    client = fast_client(emulator.url).connect()
    emulator.emulator.inject_fault(count=2)  # serialization failures
    assert client.search_count("stock.picking", []) == 5
    assert len(client.sleeps) == 2  # type: ignore[attr-defined]
    emulator.emulator.inject_fault(count=1, http_status=503)
    assert client.search_count("stock.picking", []) == 5
    emulator.emulator.inject_fault(count=5)
    with pytest.raises(OdooRetryableError, match="could not serialize"):
        client.search_count("stock.picking", [])


def test_odoo_refusals_are_not_retried_and_name_the_field(client: OdooClient) -> None:
    calls = client.calls
    with pytest.raises(OdooValidationError) as caught:
        client.search("res.partner", [["x_no_such_field", "=", 1]])
    assert client.calls - calls == 1
    error = caught.value
    assert (error.odoo_name, error.field, error.model) == (
        "builtins.ValueError",
        "x_no_such_field",
        "res.partner",
    )
    with pytest.raises(OdooValidationError) as caught:
        client.create(
            "stock.picking",
            {
                "picking_type_id": 2,
                "move_ids": [[0, 0, {"name": "x", "product_id": 1, "product_uom_qty": 1}]],
            },
        )
    assert caught.value.field == "location_id" and caught.value.odoo_model == "stock.move"
    assert "Source Location (location_id)" in str(caught.value)


def test_posted_bill_guards_come_back_as_errors(client: OdooClient) -> None:
    vendor = client.search("res.partner", [["ref", "=", "ACME-FREIGHT"]])[0]
    bill = client.create(
        "account.move",
        {
            "move_type": "in_invoice",
            "partner_id": vendor,
            "ref": "G-1",
            "invoice_line_ids": [[0, 0, {"product_id": 1, "price_unit": 10}]],
        },
    )
    with pytest.raises(OdooValidationError, match="Bill/Refund date is required"):
        client.call("account.move", "action_post", ids=[bill])
    client.write("account.move", [bill], {"invoice_date": "2026-11-20"})
    client.call("account.move", "action_post", ids=[bill])
    with pytest.raises(OdooValidationError) as caught:
        client.write("account.move", [bill], {"invoice_date": "2026-11-21"})
    assert caught.value.field == "invoice_date" and caught.value.record_ids == [bill]
    assert client.write("account.move", [bill], {"ref": "G-1-A"})  # allowed when posted


def test_unreachable_odoo_is_unavailable_after_retries(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = fast_client(f"http://127.0.0.1:{port}")
    with pytest.raises(OdooUnavailable, match="cannot reach"):
        client.connect()
    assert len(client.sleeps) == 2  # type: ignore[attr-defined]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_timeout_is_not_retried(silent_server: int) -> None:
    client = fast_client(f"http://127.0.0.1:{silent_server}", timeout=0.5)
    with pytest.raises(OdooTimeout):
        client.connect()
    assert client.sleeps == []  # type: ignore[attr-defined]


def test_integration_user_cannot_write_external_ids_but_load_works(
    client: OdooClient, emulator: EmulatorHandle
) -> None:
    with pytest.raises(OdooAccessError, match=r"ir\.model\.data"):
        client.create(
            "ir.model.data", {"module": "edigw", "name": "x", "model": "res.partner", "res_id": 1}
        )
    with pytest.raises(OdooAccessError):
        client.search("ir.model.data", [])
    with pytest.raises(OdooAccessError):
        client.search("ir.model", [["model", "=", "res.partner"]])  # odoorpc's `in env` check
    name = xmlid_name("partner", "acme-ltl", "Consignee 7")
    assert name == "partner_acme_ltl_consignee_7"
    first = client.load_one("res.partner", name, {"name": "Consignee 7", "is_company": True})
    again = client.load_one("res.partner", name, {"name": "Consignee 7", "is_company": True})
    assert first == again
    assert client.xmlid_lookup(name) == ("res.partner", first)
    assert client.xmlid_lookup("never_created") is None
    admin = fast_client(emulator.url, ("admin", "admin")).connect()
    row = admin.search_read("ir.model.data", [["name", "=", name]], ["module", "res_id"])
    assert row == [{"id": row[0]["id"], "module": "edigw", "res_id": first}]


@pytest.mark.parametrize("version", ["16.0", "17.0", "18.0"])
def test_versions_16_17_18(version: str, tmp_path: Path, acme_rules: OdooRules) -> None:
    handle = serve("127.0.0.1", 0, tmp_path / f"odoo{version}.sqlite3", version=version)
    try:
        client = fast_client(handle.url).connect()
        assert client.major == int(version.split(".")[0])
        assert client.search_count("stock.picking", []) == 5
        result = OdooPoster(client).post_status(
            status_214(milestones=(Milestone.PICKED_UP,)), acme_rules
        )
        message = next(r.id for r in result.records if r.model == "mail.message")
        body = client.read("mail.message", [message], ["body"])[0]["body"]
        # 17+ escape a plain-text body themselves; 16 takes HTML, so the client escapes
        assert body.startswith("<p>Picked up - 2026-11-20 09:30 UTC")
        assert "&lt;" not in body and "<p><p>" not in body
        if version == "18.0":
            with pytest.raises(OdooValidationError, match="does not exist on the model"):
                client.call("res.partner", "name_get", ids=[1])
        else:
            assert client.call("res.partner", "name_get", ids=[1])[0][0] == 1
        assert client.display_names("res.partner", [1]) == {1: "Northwind Distribution"}
        # validation on delivery: 16 answers with its immediate-transfer wizard, 17/18 not
        rules = dataclasses.replace(acme_rules, validate_picking_on_delivery=True)
        delivered = OdooPoster(client).post_status(status_214(), rules)
        assert any(r.action == "validated" for r in delivered.records)
        row = client.search_read("stock.picking", [["name", "=", "WH/OUT/00042"]], ["state"])
        assert row[0]["state"] == "done"
        if version == "16.0":
            assert client.search_count("stock.immediate.transfer", []) == 1
        else:  # the wizard is gone in 17
            with pytest.raises(OdooValidationError, match="doesn't exist"):
                client.search_count("stock.immediate.transfer", [])
    finally:
        handle.stop()


def test_ping(client: OdooClient) -> None:
    report = client.ping(["stock.picking", "account.move", "mail.activity", "no.such.model"])
    assert report["server_version"] == "18.0"
    assert report["login"] == "edigw-integration"
    assert report["missing_models"] == ["no.such.model"]


def test_the_same_client_works_again_once_odoo_is_back(tmp_path: Path) -> None:
    path = tmp_path / "odoo.sqlite3"
    first = serve("127.0.0.1", 0, path)
    port = first.port
    client = fast_client(first.url).connect()
    assert client.search_count("stock.picking", []) == 5
    first.stop()  # Odoo goes away; the kept-alive connection is dead
    with pytest.raises(OdooUnavailable):
        client.search_count("stock.picking", [])
    second = serve("127.0.0.1", port, path)  # back on the same address, same database
    try:
        assert client.search_count("stock.picking", []) == 5
    finally:
        second.stop()
