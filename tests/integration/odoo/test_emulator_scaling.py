"""The emulator's cost per call does not grow with the data it holds, shown without timing:
the store counts the rows each call copies and looks at, and the gateway's calls count the
same against 100 and 5,000 records per model. Also: committed rows are read-only, a call
that fails half-way leaves nothing behind, and index lookups answer what a scan answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.odoo.emulator import Emulator, serve
from gateway.odoo.emulator.orm import Env
from gateway.odoo.emulator.server import ACL, registry
from gateway.odoo.emulator.store import FrozenRow, Store

pytestmark = pytest.mark.integration

SMALL, LARGE = 100, 5000
ADMIN_UID = 2
INTEGRATION = (6, "edigw")


def _populate(emulator: Emulator, documents: int) -> None:
    """`documents` outgoing pickings (one move and a 'Transfer created' note each), an
    external id on each, and as many draft vendor bills created through load()."""
    store = emulator.store
    with store.transaction() as tx:
        env = Env(registry, tx, ADMIN_UID, {}, su=True, version=18, acl=ACL)
        out_type = env["stock.picking.type"].search([("code", "=", "outgoing")])[0]
        ptype = env["stock.picking.type"].read([out_type], ["default_location_src_id"])[0]
        src = ptype["default_location_src_id"][0]
        dest = env["stock.location"].search([("usage", "=", "customer")])[0]
        product = env["product.product"].search([("default_code", "=", "FREIGHT-FUEL")])[0]
        vendor = env["res.partner"].search([("ref", "=", "ACME-FREIGHT")])[0]
    for start in range(0, documents, 500):
        with store.transaction() as tx:
            env = Env(registry, tx, ADMIN_UID, {}, su=True, version=18, acl=ACL)
            pickings = env["stock.picking"]
            for i in range(start, min(start + 500, documents)):
                move = {
                    "name": "Pallet",
                    "product_id": product,
                    "product_uom_qty": 2,
                    "product_uom": 1,
                    "location_id": src,
                    "location_dest_id": dest,
                }
                pid = pickings.create(
                    {
                        "picking_type_id": out_type,
                        "origin": f"SO{i:05d}",
                        "location_id": src,
                        "location_dest_id": dest,
                        "move_ids": [[0, 0, move]],
                    }
                )
                pickings._xmlid_store(f"edigw.picking_{i}", pid)
                env["account.move"].load(
                    ["id", "move_type", "partner_id/.id", "ref"],
                    [[f"edigw.bill_{i}", "in_invoice", str(vendor), f"INV{i:05d}"]],
                )
            tx.commit()


@pytest.fixture(scope="module")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Emulator]]:
    built = {}
    for size in (SMALL, LARGE):
        emulator = Emulator(tmp_path_factory.mktemp(f"odoo{size}") / "odoo.sqlite3")
        _populate(emulator, size)
        built[size] = emulator
    yield built
    for emulator in built.values():
        emulator.close()


def _rpc(emulator: Emulator) -> Callable[..., Any]:
    uid, password = INTEGRATION

    def call(model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return emulator._object("execute_kw", ["edigw", uid, password, model, method, args, kwargs])

    return call


def _counted(emulator: Emulator, action: Callable[[Callable[..., Any]], Any]) -> dict[str, int]:
    """Rows copied and looked at while `action` runs (tables already decoded)."""
    call = _rpc(emulator)
    action(call)  # the first run may decode tables from SQLite; count the second
    before = emulator.store.stats.snapshot()
    action(call)
    after = emulator.store.stats.snapshot()
    assert after["tables_loaded"] == before["tables_loaded"]
    return {key: after[key] - before[key] for key in ("rows_copied", "rows_scanned")}


def _picking(call: Callable[..., Any], index: int) -> int:
    ids = call("stock.picking", "search", [["origin", "=", f"SO{index:05d}"]])
    assert len(ids) == 1
    return int(ids[0])


def _find_by_name(call: Callable[..., Any]) -> None:
    name = call("stock.picking", "read", [_picking(call, 42)], ["name"])[0]["name"]
    rows = call(
        "stock.picking",
        "search_read",
        [["name", "in", [name]], ["state", "!=", "cancel"]],
        ["name", "state", "origin", "carrier_tracking_ref", "partner_id", "picking_type_code"],
        order="id desc",
    )
    assert [row["name"] for row in rows] == [name]


def _write(call: Callable[..., Any]) -> None:
    assert call("stock.picking", "write", [_picking(call, 43)], {"carrier_tracking_ref": "PRO"})


def _message_post(call: Callable[..., Any]) -> None:
    pid = _picking(call, 44)
    message = call(
        "stock.picking",
        "message_post",
        [pid],
        body="Delivered",
        message_type="comment",
        subtype_xmlid="mail.mt_note",
    )
    assert message in call("stock.picking", "read", [pid], ["message_ids"])[0]["message_ids"]


counter = iter(range(1_000_000))


def _load_bill(call: Callable[..., Any]) -> None:
    serial = next(counter)
    vendor = call("res.partner", "search", [["ref", "=", "ACME-FREIGHT"]])[0]
    product = call("product.product", "search", [["default_code", "=", "FREIGHT-FUEL"]])[0]
    answer = call(
        "account.move",
        "load",
        ["id", "move_type", "partner_id/.id", "ref"],
        [[f"edigw.new_bill_{serial}", "in_invoice", str(vendor), f"NEW{serial}"]],
    )
    (bill,) = answer["ids"]
    lines = [[0, 0, {"product_id": product, "price_unit": 10.0}] for _ in range(2)]
    assert call("account.move", "write", [bill], {"invoice_line_ids": lines})
    assert call("account.move", "read", [bill], ["amount_total"])[0]["amount_total"] > 0


def _xmlid_lookup(call: Callable[..., Any]) -> None:
    model, rid = call("ir.model.data", "check_object_reference", "edigw", "bill_45", True)
    assert model == "account.move" and rid


GATEWAY_CALLS = {
    "search_read picking by name": _find_by_name,
    "write picking": _write,
    "message_post": _message_post,
    "load() bill + write lines": _load_bill,
    "xml-id lookup": _xmlid_lookup,
}


@pytest.mark.parametrize("name", sorted(GATEWAY_CALLS))
def test_gateway_calls_cost_the_same_with_50_times_the_data(
    emulators: dict[int, Emulator], name: str
) -> None:
    small = _counted(emulators[SMALL], GATEWAY_CALLS[name])
    large = _counted(emulators[LARGE], GATEWAY_CALLS[name])
    assert large == small, (name, small, large)
    assert large["rows_scanned"] < 100, large  # nowhere near a model's size


def test_the_counters_see_a_scan(emulators: dict[int, Emulator]) -> None:
    """A search no index serves (a pattern) still scans: the counter grows with the data,
    so the equalities above are not vacuous."""

    def pattern(call: Callable[..., Any]) -> None:
        assert len(call("stock.picking", "search", [["origin", "like", "SO0004_"]])) == 10

    small = _counted(emulators[SMALL], pattern)
    large = _counted(emulators[LARGE], pattern)
    assert large["rows_scanned"] >= LARGE > small["rows_scanned"]


DOMAINS = [
    [["origin", "=", "SO00007"]],
    [["origin", "=", "SO00007"], ["state", "=", "draft"]],
    [["origin", "in", ["SO00007", "SO00003", "SO00099", "nope"]]],
    [["origin", "in", []]],
    [["origin", "in", ["SO00003", False]]],
    [["origin", "=", False]],
    [["carrier_tracking_ref", "=", "PRO"], ["origin", "!=", "SO00043"]],
    [["id", "in", [5, 9, 7, 10_000]], ["state", "!=", "cancel"]],
    [["origin", "in", ["SO00001", "SO00002"]], ["id", "=", 3]],
    ["|", ["origin", "=", "SO00001"], ["origin", "=", "SO00002"]],
]
# (domain, served by indexes): False also matches an empty field, so it is scanned
MOVE_DOMAINS = [
    ([["picking_id.origin", "=", "SO00007"]], True),
    ([["picking_id.origin", "in", ["SO00007", "SO00001", False]], ["name", "=", "Pallet"]], False),
    ([["picking_id.name", "!=", "x"], ["picking_id.origin", "in", ["SO00003"]]], True),
    ([["picking_id.origin", "=", "SO00009"], ["picking_id.state", "in", ["draft", "done"]]], True),
]


def _scan_equivalent(domain: list[Any]) -> list[Any]:
    """The same domain behind a double negation, which no index serves."""
    if domain and domain[0] == "|":
        return ["!", "!", *domain]
    return ["!", "!", *(["&"] * (len(domain) - 1)), *domain]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("order", [None, "origin desc", "name, id desc", "state, id"])
def test_indexed_searches_answer_what_a_scan_answers(
    emulators: dict[int, Emulator], domain: list[Any], order: str | None
) -> None:
    call = _rpc(emulators[SMALL])
    for limit, offset in ((None, 0), (2, 1)):
        kwargs = {"order": order, "limit": limit, "offset": offset}
        found = call("stock.picking", "search", domain, **kwargs)
        assert found == call("stock.picking", "search", _scan_equivalent(domain), **kwargs)


@pytest.mark.parametrize(("domain", "indexed"), MOVE_DOMAINS)
def test_searches_through_a_many2one_answer_what_a_scan_answers(
    emulators: dict[int, Emulator], domain: list[Any], indexed: bool
) -> None:
    for size in (SMALL, LARGE):
        call = _rpc(emulators[size])
        found = call("stock.move", "search", domain, order="id desc")
        assert found == call("stock.move", "search", _scan_equivalent(domain), order="id desc")
        if size == LARGE and indexed:
            counted = _counted(emulators[size], lambda call: call("stock.move", "search", domain))
            assert counted["rows_scanned"] < 50, counted


def test_a_call_failing_half_way_leaves_nothing_behind(emulators: dict[int, Emulator]) -> None:
    emulator = emulators[SMALL]
    call = _rpc(emulator)
    pid = _picking(call, 7)
    before = call("stock.picking", "read", [pid], ["carrier_tracking_ref", "write_date"])
    # the picking is written first, then the move command fails: the whole call rolls back
    with pytest.raises(Exception, match="Record does not exist"):
        call(
            "stock.picking",
            "write",
            [pid],
            {"carrier_tracking_ref": "HALF-WAY", "move_ids": [[1, 999_999, {"name": "x"}]]},
        )
    assert call("stock.picking", "read", [pid], ["carrier_tracking_ref", "write_date"]) == before
    # load(): the first row updates an existing bill, the second fails: nothing is kept
    bill = call("ir.model.data", "check_object_reference", "edigw", "bill_8", True)[1]
    answer = call(
        "account.move",
        "load",
        ["id", "ref"],
        [["edigw.bill_8", "CHANGED"], ["edigw.bad name", "X"]],
    )
    assert answer["ids"] is False
    assert call("account.move", "read", [bill], ["ref"])[0]["ref"] == "INV00008"
    assert call("account.move", "search", [["ref", "=", "CHANGED"]]) == []
    # and SQLite agrees with the cache
    again = Store(emulator.store.path)
    try:
        assert again.committed("account.move")[bill]["ref"] == "INV00008"
        assert again.committed("stock.picking")[pid]["carrier_tracking_ref"] is None
    finally:
        again.close()


def test_committed_rows_are_read_only_and_indexes_follow_commits(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3", indexes={"x.thing": [("code",), ("kind", "code")]})
    with store.transaction() as tx:
        tx.put("x.thing", 1, {"code": "A", "kind": "k"})
        tx.put("x.thing", 2, {"code": "B", "kind": "k"})
        tx.commit()
    with store.transaction() as tx:
        shared = tx.peek("x.thing", 1)
        assert isinstance(shared, FrozenRow)
        with pytest.raises(TypeError):
            shared["code"] = "Z"
        own = tx.get("x.thing", 1)
        assert own is not None and own is not shared and own == shared
        own["code"] = "B"  # not touched and not committed: dropped with the transaction
        # this transaction's own rows are seen by lookups, before the index knows them
        assert tx.lookup("x.thing", ("code",), ["B"]) == [1, 2]
        assert tx.lookup("x.thing", ("code",), ["A"]) == []
    with store.transaction() as tx:
        assert tx.lookup("x.thing", ("code",), ["A"]) == [1]
        row = tx.get("x.thing", 2)
        assert row is not None
        row["code"] = "C"
        tx.touch("x.thing", 2)
        tx.put("x.thing", 3, {"code": "C", "kind": "k"})
        tx.delete("x.thing", 1)
        tx.commit()
    with store.transaction() as tx:
        assert tx.lookup("x.thing", ("code",), ["A", "B"]) == []
        assert tx.lookup("x.thing", ("code",), ["C"]) == [2, 3]
        assert tx.lookup("x.thing", ("kind", "code"), [("k", "C")]) == [2, 3]
        assert list(tx.table("x.thing")) == [2, 3]
    # a second store on the file (another process) rebuilds the same indexes from SQLite
    other = Store(tmp_path / "s.sqlite3", indexes={"x.thing": [("code",)]})
    try:
        with other.transaction() as tx:
            assert tx.lookup("x.thing", ("code",), ["C"]) == [2, 3]
            tx.put("x.thing", 4, {"code": "C", "kind": "k"})
            tx.commit()
    finally:
        other.close()
    with store.transaction() as tx:  # data_version moved: the cache and indexes are reloaded
        assert tx.lookup("x.thing", ("code",), ["C"]) == [2, 3, 4]
    store.close()


def test_the_counters_are_served_with_the_emulator_stats(tmp_path: Path) -> None:
    with serve("127.0.0.1", 0, tmp_path / "odoo.sqlite3") as handle:
        rpc = {"jsonrpc": "2.0", "method": "call", "id": 1}
        login = {"service": "common", "method": "login", "args": ["edigw", "admin", "admin"]}
        search = {
            "service": "object",
            "method": "execute_kw",
            "args": ["edigw", 2, "admin", "stock.picking", "search", [[["origin", "like", "%"]]]],
        }
        with httpx.Client(base_url=handle.url, timeout=10) as http:
            assert http.post("/jsonrpc", json={**rpc, "params": login}).json()["result"] == 2
            before = http.post("/_emulator/stats", json={**rpc, "params": {}}).json()["result"]
            assert "error" not in http.post("/jsonrpc", json={**rpc, "params": search}).json()
            after = http.post("/_emulator/stats", json={**rpc, "params": {}}).json()["result"]
    assert after["object_calls"] == before["object_calls"] + 1
    assert after["store"]["rows_scanned"] > before["store"]["rows_scanned"]  # a pattern scans


def test_a_second_process_on_the_file_is_seen_through_the_indexes(tmp_path: Path) -> None:
    """`edigw odoo post` next to `edigw serve`: what one emulator commits, the other finds
    by index on its next call (data_version empties its cache; indexes are rebuilt)."""
    path = tmp_path / "odoo.sqlite3"
    serving, posting = Emulator(path), Emulator(path)
    try:
        first, second = _rpc(serving), _rpc(posting)
        pid = _picking_like(first)
        assert first("stock.picking", "search", [["origin", "=", "FROM-THE-CLI"]]) == []
        assert second("stock.picking", "write", [pid], {"origin": "FROM-THE-CLI"})
        second("stock.picking", "message_post", [pid], body="from the CLI", message_type="comment")
        assert first("stock.picking", "search", [["origin", "=", "FROM-THE-CLI"]]) == [pid]
        bodies = first(
            "mail.message",
            "search_read",
            [["model", "=", "stock.picking"], ["res_id", "=", pid]],
            ["body"],
        )
        assert "<p>from the CLI</p>" in [row["body"] for row in bodies]
    finally:
        serving.close()
        posting.close()


def _picking_like(call: Callable[..., Any]) -> int:
    ids = call("stock.picking", "search", [], limit=1, order="id")
    assert ids
    return int(ids[0])
