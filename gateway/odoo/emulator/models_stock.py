"""Inventory, delivery, purchase and landed-cost models of the emulator: products,
locations, operation types, pickings and moves with Odoo 17/18 validation (backorder
wizard included), carriers, freight purchase orders and landed costs (reference §7)."""

from __future__ import annotations

from typing import Any

from gateway.odoo.emulator.errors import UserError
from gateway.odoo.emulator.models_base import COMPANY_DOMAIN, MailThread, registry
from gateway.odoo.emulator.orm import (
    BaseModel,
    Field,
    now_string,
    round_half_up,
    today_string,
)

LOCATION_DOMAIN = (
    "(company_id and [('company_id', 'in', [company_id] + [False])] or "
    "[('company_id', '=', False)]) + ([])"
)


@registry.add
class ProductCategory(BaseModel):
    _name = "product.category"
    _description = "Product Category"
    _parent_name = "parent_id"
    _declared_fields = {
        "name": Field("char", "Name", required=True),
        "parent_id": Field("many2one", "Parent Category", relation="product.category"),
        "property_cost_method": Field(
            "selection",
            "Costing Method",
            selection=[
                ("standard", "Standard Price"),
                ("fifo", "First In First Out (FIFO)"),
                ("average", "Average Cost (AVCO)"),
            ],
            default="standard",
        ),
        "property_valuation": Field(
            "selection",
            "Inventory Valuation",
            selection=[("manual_periodic", "Manual"), ("real_time", "Automated")],
            default="manual_periodic",
        ),
    }


def _product_display(model: BaseModel, rid: int) -> str:
    row = model._peek(rid)
    code = row.get("default_code")
    return f"[{code}] {row.get('name')}" if code else str(row.get("name") or "")


@registry.add
class Product(BaseModel):
    _name = "product.product"
    _description = "Product Variant"
    _order = "priority desc, default_code, name, id"
    _indexes = (("default_code",),)
    _declared_fields = {
        "name": Field("char", "Name", required=True),
        "default_code": Field("char", "Internal Reference"),
        "priority": Field(
            "selection", "Favorite", selection=[("0", "Normal"), ("1", "Favorite")], default="0"
        ),
        "type": Field(
            "selection",
            "Product Type",
            required=True,
            default="consu",
            selection=[("consu", "Goods"), ("service", "Service"), ("combo", "Combo")],
            help="Goods are tangible materials and merchandise you provide.\nA service is a "
            "non-material product you provide.",
        ),
        "is_storable": Field(
            "boolean",
            "Track Inventory",
            help="A storable product is a product for which you manage stock.",
        ),
        "categ_id": Field("many2one", "Product Category", relation="product.category", default=1),
        "purchase_ok": Field("boolean", "Purchase", default=True),
        "sale_ok": Field("boolean", "Sales", default=True),
        "list_price": Field("float", "Sales Price", default=1.0),
        "standard_price": Field("float", "Cost"),
        "weight": Field("float", "Weight"),
        "uom_id": Field("many2one", "Unit", relation="uom.uom", required=True, default=1),
        "uom_po_id": Field(
            "many2one",
            "Purchase Unit",
            relation="uom.uom",
            required=True,
            default=1,
            help="Default unit of measure used for purchase orders. It must be in the same "
            "category as the default unit of measure.",
        ),
        "supplier_taxes_id": Field(
            "many2many",
            "Purchase Taxes",
            relation="account.tax",
            help="Default taxes used when buying the product",
            domain=[["type_tax_use", "=", "purchase"]],
        ),
        "property_account_expense_id": Field(
            "many2one", "Expense Account", relation="account.account"
        ),
        "landed_cost_ok": Field("boolean", "Is a Landed Cost"),
        "split_method_landed_cost": Field(
            "selection",
            "Default Split Method",
            selection=[
                ("equal", "Equal"),
                ("by_quantity", "By Quantity"),
                ("by_current_cost_price", "By Current Cost"),
                ("by_weight", "By Weight"),
                ("by_volume", "By Volume"),
            ],
        ),
        "active": Field("boolean", "Active", default=True),
        "company_id": Field("many2one", "Company", relation="res.company"),
    }

    def _display_name(self, rid: int) -> str:
        return _product_display(self, rid)

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        if "supplier_taxes_id" not in vals:
            try:
                row["supplier_taxes_id"] = [self.env.ref("account.default_purchase_tax")]
            except Exception:
                row["supplier_taxes_id"] = []


@registry.add
class Warehouse(BaseModel):
    _name = "stock.warehouse"
    _description = "Warehouse"
    _declared_fields = {
        "name": Field("char", "Warehouse", required=True),
        "code": Field("char", "Short Name", required=True),
        "lot_stock_id": Field("many2one", "Location Stock", relation="stock.location"),
        "partner_id": Field("many2one", "Address", relation="res.partner"),
        "company_id": Field("many2one", "Company", relation="res.company", default=1),
    }


def _location_name(model: BaseModel, rid: int) -> str:
    # Odoo: a non-view location is named after its parent ("WH/Stock"); views stand alone.
    row = model._peek(rid)
    parent = row.get("location_id")
    if parent and row.get("usage") != "view" and model._peek(parent):
        return f"{_location_name(model, parent)}/{row.get('name')}"
    return str(row.get("name") or "")


@registry.add
class Location(BaseModel):
    _name = "stock.location"
    _description = "Inventory Locations"
    _order = "complete_name, id"
    _rec_name = "complete_name"
    _parent_name = "location_id"
    _declared_fields = {
        "name": Field("char", "Location Name", required=True),
        "complete_name": Field("char", "Full Location Name", compute=_location_name, store=False),
        "location_id": Field("many2one", "Parent Location", relation="stock.location"),
        "usage": Field(
            "selection",
            "Location Type",
            required=True,
            default="internal",
            selection=[
                ("supplier", "Vendor"),
                ("view", "Virtual"),
                ("internal", "Internal"),
                ("customer", "Customer"),
                ("inventory", "Inventory Loss"),
                ("production", "Production"),
                ("transit", "Transit"),
            ],
        ),
        "active": Field("boolean", "Active", default=True),
        "company_id": Field("many2one", "Company", relation="res.company"),
    }

    def _display_name(self, rid: int) -> str:
        return _location_name(self, rid)


@registry.add
class PickingType(BaseModel):
    _name = "stock.picking.type"
    _description = "Picking Type"
    _order = "sequence, id"
    _declared_fields = {
        "name": Field("char", "Operation Type", required=True),
        "code": Field(
            "selection",
            "Type of Operation",
            required=True,
            selection=[
                ("incoming", "Receipt"),
                ("outgoing", "Delivery"),
                ("internal", "Internal Transfer"),
            ],
        ),
        "sequence": Field("integer", "Sequence", default=10),
        "sequence_code": Field("char", "Sequence Prefix", required=True),
        "default_location_src_id": Field(
            "many2one",
            "Source Location",
            relation="stock.location",
            required=True,
            domain=LOCATION_DOMAIN,
            help="This is the default source location when this operation is manually created. "
            "However, it is possible to change it afterwards or that the routes use another one "
            "by default.",
        ),
        "default_location_dest_id": Field(
            "many2one",
            "Destination Location",
            relation="stock.location",
            required=True,
            domain=LOCATION_DOMAIN,
            help="This is the default destination location when this operation is manually "
            "created. However, it is possible to change it afterwards or that the routes use "
            "another one by default.",
        ),
        "warehouse_id": Field(
            "many2one", "Warehouse", relation="stock.warehouse", domain=LOCATION_DOMAIN
        ),
        "create_backorder": Field(
            "selection",
            "Create Backorder",
            selection=[("ask", "Ask"), ("always", "Always"), ("never", "Never")],
            default="ask",
        ),
        "active": Field("boolean", "Active", default=True),
        "company_id": Field("many2one", "Company", relation="res.company", default=1),
    }


PICKING_STATES = [
    ("draft", "Draft"),
    ("waiting", "Waiting Another Operation"),
    ("confirmed", "Waiting"),
    ("assigned", "Ready"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]
PICKING_STATE_HELP = (
    " * Draft: The transfer is not confirmed yet. Reservation doesn't apply.\n * Waiting "
    "another operation: This transfer is waiting for another operation before being ready.\n"
    " * Waiting: The transfer is waiting for the availability of some products.\n(a) The "
    'shipping policy is "As soon as possible": no product could be reserved.\n(b) The '
    'shipping policy is "When all products are ready": not all the products could be '
    "reserved.\n * Ready: The transfer is ready to be processed.\n(a) The shipping policy is "
    '"As soon as possible": at least one product has been reserved.\n(b) The shipping policy '
    'is "When all products are ready": all product have been reserved.\n * Done: The '
    "transfer has been processed.\n * Cancelled: The transfer has been cancelled."
)


def _picking_type_code(model: BaseModel, rid: int) -> str | None:
    row = model._peek(rid)
    ptype = model.env.tx.peek("stock.picking.type", row.get("picking_type_id")) or {}
    return ptype.get("code")


def _picking_moves(model: BaseModel, rid: int) -> list[int]:
    return model.env.tx.lookup("stock.move", ("picking_id",), [rid])


def _picking_weight(model: BaseModel, rid: int) -> float:
    total = 0.0
    for mid in _picking_moves(model, rid):
        move = model.env.tx.peek("stock.move", mid) or {}
        product = model.env.tx.peek("product.product", move.get("product_id")) or {}
        total += float(move.get("product_uom_qty") or 0) * float(product.get("weight") or 0)
    return round_half_up(total, 2)


def _shipping_weight(model: BaseModel, rid: int) -> float:
    total = 0.0
    for mid in _picking_moves(model, rid):
        move = model.env.tx.peek("stock.move", mid) or {}
        product = model.env.tx.peek("product.product", move.get("product_id")) or {}
        total += float(move.get("quantity") or 0) * float(product.get("weight") or 0)
    return round_half_up(total, 2)


@registry.add
class Picking(MailThread):
    _name = "stock.picking"
    _description = "Transfer"
    _order = "priority desc, scheduled_date asc, id desc"
    _created_note = "Transfer created"
    _indexes = (
        ("name",),
        ("origin",),
        ("carrier_tracking_ref",),
        ("partner_id",),
        ("carrier_id",),
        ("state",),
    )
    _tracked = ("state", "scheduled_date", "date", "user_id")
    _declared_fields = {
        "name": Field("char", "Reference", readonly=True, default="/"),
        "origin": Field("char", "Source Document", help="Reference of the document"),
        "note": Field("html", "Notes"),
        "partner_id": Field("many2one", "Contact", relation="res.partner", domain=COMPANY_DOMAIN),
        "picking_type_id": Field(
            "many2one", "Operation Type", relation="stock.picking.type", required=True
        ),
        "picking_type_code": Field(
            "selection",
            "Type of Operation",
            selection=[
                ("incoming", "Receipt"),
                ("outgoing", "Delivery"),
                ("internal", "Internal Transfer"),
            ],
            compute=_picking_type_code,
            store=False,
            readonly=True,
        ),
        "location_id": Field(
            "many2one",
            "Source Location",
            relation="stock.location",
            required=True,
            domain=LOCATION_DOMAIN,
        ),
        "location_dest_id": Field(
            "many2one",
            "Destination Location",
            relation="stock.location",
            required=True,
            domain=LOCATION_DOMAIN,
        ),
        "state": Field(
            "selection",
            "Status",
            readonly=True,
            selection=PICKING_STATES,
            default="draft",
            help=PICKING_STATE_HELP,
        ),
        "move_type": Field(
            "selection",
            "Shipping Policy",
            required=True,
            default="direct",
            selection=[("direct", "As soon as possible"), ("one", "When all products are ready")],
        ),
        "priority": Field(
            "selection", "Priority", selection=[("0", "Normal"), ("1", "Urgent")], default="0"
        ),
        "scheduled_date": Field("datetime", "Scheduled Date", default=lambda env: now_string()),
        "date": Field("datetime", "Date of Transfer", default=lambda env: now_string()),
        "date_done": Field("datetime", "Date of Transfer", readonly=True),
        "move_ids": Field(
            "one2many", "Stock Moves", relation="stock.move", relation_field="picking_id"
        ),
        "carrier_id": Field(
            "many2one", "Carrier", relation="delivery.carrier", domain=LOCATION_DOMAIN
        ),
        "carrier_tracking_ref": Field("char", "Tracking Reference"),
        "carrier_price": Field("float", "Shipping Cost"),
        "weight": Field("float", "Weight", compute=_picking_weight, store=False),
        "shipping_weight": Field(
            "float", "Weight for Shipping", compute=_shipping_weight, store=False
        ),
        "weight_uom_name": Field(
            "char", "Weight unit of measure label", compute=lambda m, r: "kg", store=False
        ),
        "backorder_id": Field("many2one", "Back Order of", relation="stock.picking"),
        "user_id": Field("many2one", "Responsible", relation="res.users"),
        "company_id": Field("many2one", "Company", relation="res.company", default=1),
        "purchase_id": Field("many2one", "Purchase Orders", relation="purchase.order"),
    }

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        ptype = self.env.tx.peek("stock.picking.type", row.get("picking_type_id")) or {}
        if not row.get("location_id"):
            row["location_id"] = ptype.get("default_location_src_id")
        if not row.get("location_dest_id"):
            row["location_dest_id"] = ptype.get("default_location_dest_id")
        if not row.get("name") or row["name"] == "/":
            warehouse = self.env.tx.peek("stock.warehouse", ptype.get("warehouse_id")) or {}
            prefix = f"{warehouse.get('code', 'WH')}/{ptype.get('sequence_code', 'TR')}/"
            number = self.env.tx.next_in_sequence(f"picking/{row.get('picking_type_id')}")
            row["name"] = f"{prefix}{number:05d}"
        if row.get("partner_id"):
            row["message_partner_ids"] = [row["partner_id"]]

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if vals.get("partner_id"):
            self.message_subscribe(ids, [int(vals["partner_id"])])

    def _moves(self, rid: int) -> list[int]:
        return _picking_moves(self, rid)

    def _set_state(self, rid: int, state: str) -> None:
        old = dict(self._rows[rid])
        self._rows[rid]["state"] = state
        self.env.tx.touch(self._name, rid)
        self._track(rid, old, {"state": state})

    def action_confirm(self, ids: list[int]) -> bool:
        self.env.check_access(self, "write")
        moves = self.env["stock.move"].sudo_model()
        for rid in ids:
            self._row(rid)
            for mid in self._moves(rid):
                if moves._rows[mid].get("state") == "draft":
                    moves._set(mid, "state", "assigned")
            if self._rows[rid].get("state") == "draft" and self._moves(rid):
                self._set_state(rid, "assigned")
        return True

    def action_assign(self, ids: list[int]) -> bool:
        self.env.check_access(self, "write")
        moves = self.env["stock.move"].sudo_model()
        for rid in ids:
            pending = [
                mid
                for mid in self._moves(rid)
                if moves._rows[mid].get("state")
                in ("draft", "confirmed", "waiting", "partially_available")
            ]
            if not pending and self._rows[rid].get("state") not in ("assigned",):
                raise UserError("Nothing to check the availability for.")
            for mid in pending:
                moves._set(mid, "state", "assigned")
            if self._rows[rid].get("state") in ("draft", "confirmed", "waiting"):
                self._set_state(rid, "assigned")
        return True

    def button_validate(self, ids: list[int]) -> Any:
        self.env.check_access(self, "write")
        moves = self.env["stock.move"].sudo_model()
        needs_backorder = []
        for rid in ids:
            row = self._row(rid)
            move_ids = self._moves(rid)
            if not move_ids:
                raise UserError(
                    "You can’t validate an empty transfer. Please add some products to move "
                    "before proceeding."
                )
            if row.get("state") in ("done", "cancel"):
                raise UserError(
                    "You cannot validate a transfer if no quantities are reserved. To force the "
                    "transfer, encode quantities."
                )
            if row.get("state") == "draft":
                self.action_confirm([rid])
            picked = [mid for mid in move_ids if moves._rows[mid].get("picked")]
            if (
                not picked
                and self.env.version <= 16
                and not self.env.context.get("emulator_immediate")
            ):
                # Odoo 16: nothing processed yet -> the immediate-transfer wizard
                return {
                    "name": "Immediate Transfer?",
                    "type": "ir.actions.act_window",
                    "res_model": "stock.immediate.transfer",
                    "view_mode": "form",
                    "target": "new",
                    "context": {
                        "button_validate_picking_ids": list(ids),
                        "default_show_transfers": False,
                        "default_pick_ids": [[4, pid] for pid in ids],
                    },
                }
            if not picked:
                for mid in move_ids:
                    move = moves._rows[mid]
                    moves._set(mid, "quantity", move.get("product_uom_qty") or 0.0)
            partial = [
                mid
                for mid in move_ids
                if (moves._rows[mid].get("quantity") or 0)
                < (moves._rows[mid].get("product_uom_qty") or 0)
            ]
            skip = self.env.context.get("skip_backorder") and rid in (
                self.env.context.get("picking_ids_not_to_backorder") or []
            )
            policy = (self.env.tx.peek("stock.picking.type", row.get("picking_type_id")) or {}).get(
                "create_backorder", "ask"
            )
            if (
                partial
                and not skip
                and policy == "ask"
                and not self.env.context.get("emulator_backorder_decided")
            ):
                needs_backorder.append(rid)
        if needs_backorder:
            return {
                "name": "Create Backorder?",
                "type": "ir.actions.act_window",
                "res_model": "stock.backorder.confirmation",
                "view_mode": "form",
                "target": "new",
                "context": {
                    "button_validate_picking_ids": list(ids),
                    "default_show_transfers": False,
                    "default_pick_ids": [[4, rid] for rid in needs_backorder],
                },
            }
        keep_backorder = self.env.context.get("emulator_keep_backorder", True)
        skip_ids = set(self.env.context.get("picking_ids_not_to_backorder") or [])
        for rid in ids:
            self._done(rid, keep_backorder=keep_backorder and rid not in skip_ids)
        return True

    def _done(self, rid: int, *, keep_backorder: bool) -> None:
        moves = self.env["stock.move"].sudo_model()
        remaining = []
        for mid in self._moves(rid):
            move = moves._rows[mid]
            left = (move.get("product_uom_qty") or 0.0) - (move.get("quantity") or 0.0)
            if left > 0:
                remaining.append((mid, left))
            if (move.get("quantity") or 0.0) > 0:
                moves._set(mid, "product_uom_qty", move.get("quantity"))
                moves._set(mid, "state", "done")
                moves._set(mid, "picked", True)
            else:
                moves._set(mid, "state", "cancel")
        if remaining and keep_backorder:
            row = self._rows[rid]
            backorder = self._new_env_model(self.env.sudo())._create_one(
                {
                    "picking_type_id": row["picking_type_id"],
                    "partner_id": row.get("partner_id") or False,
                    "origin": row.get("origin") or False,
                    "location_id": row["location_id"],
                    "location_dest_id": row["location_dest_id"],
                    "carrier_id": row.get("carrier_id") or False,
                    "backorder_id": rid,
                    "move_ids": [
                        [
                            0,
                            0,
                            {
                                "name": moves._rows[mid]["name"],
                                "product_id": moves._rows[mid]["product_id"],
                                "product_uom_qty": left,
                                "product_uom": moves._rows[mid].get("product_uom"),
                                "location_id": row["location_id"],
                                "location_dest_id": row["location_dest_id"],
                            },
                        ]
                        for mid, left in remaining
                    ],
                }
            )
            self.action_confirm([backorder])
        self._rows[rid]["date_done"] = now_string()
        self._set_state(rid, "done")

    def action_cancel(self, ids: list[int]) -> bool:
        moves = self.env["stock.move"].sudo_model()
        for rid in ids:
            self._row(rid)
            for mid in self._moves(rid):
                if moves._rows[mid].get("state") != "done":
                    moves._set(mid, "state", "cancel")
            self._set_state(rid, "cancel")
        return True


@registry.add
class StockMove(BaseModel):
    _name = "stock.move"
    _description = "Stock Move"
    _order = "sequence, id"
    _declared_fields = {
        "name": Field("char", "Description", required=True),
        "sequence": Field("integer", "Sequence", default=10),
        "product_id": Field("many2one", "Product", relation="product.product", required=True),
        "product_uom_qty": Field("float", "Demand", required=True, default=0.0),
        "product_uom": Field("many2one", "UoM", relation="uom.uom", required=True),
        "quantity": Field("float", "Quantity"),
        "picked": Field("boolean", "Picked"),
        "location_id": Field(
            "many2one", "Source Location", relation="stock.location", required=True
        ),
        "location_dest_id": Field(
            "many2one", "Destination Location", relation="stock.location", required=True
        ),
        "picking_id": Field("many2one", "Transfer", relation="stock.picking", ondelete="cascade"),
        "state": Field(
            "selection",
            "Status",
            readonly=True,
            default="draft",
            selection=[
                ("draft", "New"),
                ("waiting", "Waiting Another Move"),
                ("confirmed", "Waiting Availability"),
                ("partially_available", "Partially Available"),
                ("assigned", "Available"),
                ("done", "Done"),
                ("cancel", "Cancelled"),
            ],
        ),
        "date": Field(
            "datetime", "Date Scheduled", required=True, default=lambda env: now_string()
        ),
        "price_unit": Field("float", "Unit Price"),
    }

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        product = self.env.tx.peek("product.product", row.get("product_id")) or {}
        if not row.get("product_uom") and self.env.version >= 17:
            row["product_uom"] = product.get("uom_id")
        picking = self.env.tx.peek("stock.picking", row.get("picking_id")) or {}
        if not row.get("location_dest_id") and self.env.version >= 18:
            row["location_dest_id"] = picking.get("location_dest_id")
        if picking and picking.get("state") in ("assigned", "confirmed"):
            row["state"] = "assigned"


@registry.add
class BackorderConfirmation(BaseModel):
    _name = "stock.backorder.confirmation"
    _description = "Backorder Confirmation"
    _rec_name = None
    _declared_fields = {
        "pick_ids": Field("many2many", "Pick", relation="stock.picking"),
        "show_transfers": Field("boolean", "Show Transfers"),
    }

    def _run(self, ids: list[int], keep: bool) -> bool:
        picking_ids = self.env.context.get("button_validate_picking_ids")
        if not picking_ids:
            return True  # Odoo does nothing without the wizard context (reference §7.5)
        pickings = self.env["stock.picking"]
        env = pickings.env.with_context(
            emulator_backorder_decided=True,
            emulator_keep_backorder=keep,
            skip_backorder=True,
        )
        result = pickings._new_env_model(env).button_validate(list(picking_ids))
        return bool(result)

    def process(self, ids: list[int]) -> bool:
        return self._run(ids, keep=True)

    def process_cancel_backorder(self, ids: list[int]) -> bool:
        return self._run(ids, keep=False)


@registry.add
class ImmediateTransfer(BaseModel):
    """Odoo 16's wizard for validating a transfer nothing was processed on."""

    _name = "stock.immediate.transfer"
    _description = "Immediate Transfer"
    _last_version = 16  # gone in 17
    _rec_name = None
    _declared_fields = {
        "pick_ids": Field("many2many", "Pick", relation="stock.picking"),
        "show_transfers": Field("boolean", "Show Transfers"),
    }

    def process(self, ids: list[int]) -> Any:
        picking_ids = self.env.context.get("button_validate_picking_ids")
        if not picking_ids:
            return True
        pickings = self.env["stock.picking"]
        env = pickings.env.with_context(emulator_immediate=True)
        return pickings._new_env_model(env).button_validate(list(picking_ids))


@registry.add
class Carrier(BaseModel):
    _name = "delivery.carrier"
    _description = "Shipping Methods"
    _order = "sequence, id"
    _declared_fields = {
        "name": Field("char", "Delivery Method", required=True),
        "sequence": Field("integer", "Sequence", default=10),
        "delivery_type": Field(
            "selection",
            "Provider",
            required=True,
            default="fixed",
            selection=[("base_on_rule", "Based on Rules"), ("fixed", "Fixed Price")],
        ),
        "integration_level": Field(
            "selection",
            "Integration Level",
            selection=[("rate", "Get Rate"), ("rate_and_ship", "Get Rate and Create Shipment")],
            default="rate_and_ship",
        ),
        "product_id": Field(
            "many2one", "Delivery Product", relation="product.product", required=True
        ),
        "fixed_price": Field("float", "Fixed Price"),
        "margin": Field("float", "Margin"),
        "carrier_description": Field("text", "Carrier Description"),
        "active": Field("boolean", "Active", default=True),
        "company_id": Field("many2one", "Company", relation="res.company"),
    }

    def rate_shipment(self, ids: list[int], order: Any = None) -> Any:
        raise AttributeErrorText("'int' object has no attribute 'partner_shipping_id'")


class AttributeErrorText(Exception):
    """A Python AttributeError from inside a business method."""


@registry.add
class PurchaseOrder(MailThread):
    _name = "purchase.order"
    _description = "Purchase Order"
    _order = "priority desc, id desc"
    _indexes = (("name",), ("origin",))
    _declared_fields = {
        "name": Field("char", "Order Reference", required=True, default="New"),
        "priority": Field(
            "selection", "Priority", selection=[("0", "Normal"), ("1", "Urgent")], default="0"
        ),
        "partner_id": Field("many2one", "Vendor", relation="res.partner", required=True),
        "origin": Field("char", "Source Document"),
        "partner_ref": Field("char", "Vendor Reference"),
        "state": Field(
            "selection",
            "Status",
            default="draft",
            selection=[
                ("draft", "RFQ"),
                ("sent", "RFQ Sent"),
                ("to approve", "To Approve"),
                ("purchase", "Purchase Order"),
                ("cancel", "Cancelled"),
            ],
        ),
        "order_line": Field(
            "one2many", "Order Lines", relation="purchase.order.line", relation_field="order_id"
        ),
        "currency_id": Field("many2one", "Currency", relation="res.currency", default=1),
        "invoice_status": Field(
            "selection",
            "Billing Status",
            default="no",
            selection=[
                ("no", "Nothing to Bill"),
                ("to invoice", "Waiting Bills"),
                ("invoiced", "Fully Billed"),
            ],
        ),
        "amount_untaxed": Field("monetary", "Untaxed Amount", readonly=True),
    }

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        if row.get("name") in (None, "New"):
            row["name"] = f"P{self.env.tx.next_in_sequence('purchase.order'):05d}"

    def _after_create(self, rid: int, vals: dict[str, Any]) -> None:
        lines = self.env["purchase.order.line"]
        total = sum(
            float(lines._peek(lid).get("price_subtotal") or 0)
            for lid in lines._rows.lookup(("order_id",), [rid])
        )
        self._rows[rid]["amount_untaxed"] = round_half_up(total, 2)

    def button_confirm(self, ids: list[int]) -> bool:
        for rid in ids:
            self._set(rid, "state", "purchase")
            self._set(rid, "invoice_status", "to invoice")
        return True


@registry.add
class PurchaseOrderLine(BaseModel):
    _name = "purchase.order.line"
    _description = "Purchase Order Line"
    _order = "order_id, sequence, id"
    _declared_fields = {
        "order_id": Field(
            "many2one",
            "Order Reference",
            relation="purchase.order",
            required=True,
            ondelete="cascade",
        ),
        "sequence": Field("integer", "Sequence", default=10),
        "name": Field("text", "Description", required=True),
        "product_id": Field("many2one", "Product", relation="product.product"),
        "product_qty": Field("float", "Quantity", required=True, default=1.0),
        "price_unit": Field("float", "Unit Price", required=True, default=0.0),
        "price_subtotal": Field("monetary", "Subtotal", readonly=True),
        "qty_invoiced": Field("float", "Billed Qty", readonly=True),
    }

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        row["price_subtotal"] = round_half_up(
            float(row.get("product_qty") or 0) * float(row.get("price_unit") or 0), 2
        )

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        for rid in ids:
            self._complete_row(rid, self._rows[rid], vals)

    def _recompute_invoiced(self) -> None:
        bill_lines = self.env.tx.table("account.move.line")
        for rid in self._rows.ids():
            billed = sum(
                float((bill_lines.peek(lid) or {}).get("quantity") or 0)
                for lid in bill_lines.lookup(("purchase_line_id",), [rid])
            )
            if self._peek(rid).get("qty_invoiced") != billed:
                self._rows[rid]["qty_invoiced"] = billed
                self.env.tx.touch(self._name, rid)


@registry.add
class LandedCost(MailThread):
    _name = "stock.landed.cost"
    _description = "Stock Landed Cost"
    _order = "date desc, id desc"
    _indexes = (("vendor_bill_id",),)
    _declared_fields = {
        "name": Field("char", "Name", default="New"),
        "date": Field("date", "Date", required=True, default=lambda env: today_string()),
        "target_model": Field(
            "selection",
            "Apply On",
            required=True,
            default="picking",
            selection=[("picking", "Transfers")],
        ),
        "picking_ids": Field("many2many", "Transfers", relation="stock.picking"),
        "cost_lines": Field(
            "one2many", "Cost Lines", relation="stock.landed.cost.lines", relation_field="cost_id"
        ),
        "account_journal_id": Field(
            "many2one", "Account Journal", relation="account.journal", required=True
        ),
        "company_id": Field(
            "many2one", "Company", relation="res.company", required=True, default=1
        ),
        "vendor_bill_id": Field("many2one", "Vendor Bill", relation="account.move"),
        "state": Field(
            "selection",
            "State",
            default="draft",
            selection=[("draft", "Draft"), ("done", "Posted"), ("cancel", "Cancelled")],
        ),
        "amount_total": Field("monetary", "Total", readonly=True),
        "account_move_id": Field("many2one", "Journal Entry", relation="account.move"),
    }

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        if not row.get("account_journal_id"):
            for jid, journal in self.env.tx.table("account.journal").items():
                if journal.get("code") == "STJ":
                    row["account_journal_id"] = jid
        if row.get("name") in (None, "New"):
            year = (row.get("date") or today_string())[:4]
            row["name"] = f"LC/{year}/{self.env.tx.next_in_sequence('landed/' + year):04d}"

    def _after_create(self, rid: int, vals: dict[str, Any]) -> None:
        self._total(rid)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        for rid in ids:
            self._total(rid)

    def _total(self, rid: int) -> None:
        cost_lines = self.env.tx.table("stock.landed.cost.lines")
        total = sum(
            float((cost_lines.peek(lid) or {}).get("price_unit") or 0)
            for lid in cost_lines.lookup(("cost_id",), [rid])
        )
        self._rows[rid]["amount_total"] = round_half_up(total, 2)
        self.env.tx.touch(self._name, rid)

    def button_validate(self, ids: list[int]) -> bool:
        for rid in ids:
            row = self._row(rid)
            pickings = row.get("picking_ids") or []
            if not pickings:
                raise UserError(
                    "Please define Transfers on which those additional costs should apply."
                )
            moves = self.env.tx.table("stock.move")
            for pid in pickings:
                for mid in moves.lookup(("picking_id",), [pid]):
                    move = moves.peek(mid) or {}
                    product = self.env.tx.peek("product.product", move.get("product_id")) or {}
                    categ = self.env.tx.peek("product.category", product.get("categ_id")) or {}
                    if categ.get("property_cost_method") not in ("fifo", "average"):
                        raise UserError(
                            "You cannot apply landed costs on the chosen Transfers(s). Landed "
                            "costs can only be applied for products with FIFO or average costing "
                            "method."
                        )
            self._set(rid, "state", "done")
        return True

    def _before_unlink(self, ids: list[int]) -> None:
        for rid in ids:
            if self._rows[rid].get("state") == "done":
                raise UserError(
                    "Validated landed costs cannot be cancelled, but you could create negative "
                    "landed costs to reverse them"
                )

    def button_cancel(self, ids: list[int]) -> bool:
        self._before_unlink(ids)
        for rid in ids:
            self._set(rid, "state", "cancel")
        return True


@registry.add
class LandedCostLine(BaseModel):
    _name = "stock.landed.cost.lines"
    _description = "Stock Landed Cost Line"
    _declared_fields = {
        "cost_id": Field(
            "many2one",
            "Landed Cost",
            relation="stock.landed.cost",
            required=True,
            ondelete="cascade",
        ),
        "name": Field("char", "Description"),
        "product_id": Field("many2one", "Product", relation="product.product", required=True),
        "price_unit": Field("monetary", "Cost", required=True),
        "split_method": Field(
            "selection",
            "Split Method",
            required=True,
            selection=[
                ("equal", "Equal"),
                ("by_quantity", "By Quantity"),
                ("by_current_cost_price", "By Current Cost"),
                ("by_weight", "By Weight"),
                ("by_volume", "By Volume"),
            ],
        ),
        "account_id": Field("many2one", "Account", relation="account.account"),
    }

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        if not row.get("name"):
            product = self.env.tx.peek("product.product", row.get("product_id")) or {}
            row["name"] = f"{product.get('name')} - False" if product else None
