"""Seed data. `bare` mirrors a fresh Odoo 18 database with the generic chart of accounts
(ids as in the recorded capture); `demo` adds the partners, freight products, carriers and
pickings the gateway's examples and tests use (WH/OUT/00042 for acme-ltl, a done receipt)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.odoo.emulator.models_base import registry
from gateway.odoo.emulator.orm import Env
from gateway.odoo.emulator.store import Transaction

ADMIN_UID = 2
INTEGRATION_UID = 6
READONLY_UID = 7

# Access rights: group xml ids allowed per operation; "*" is the default for other models.
USER = {"base.group_user"}
ADMIN_ONLY = {"base.group_erp_manager"}
STOCK = {"stock.group_stock_user"}
ACCOUNTING = {"account.group_account_invoice"}
ACL: dict[str, dict[str, set[str]]] = {
    "*": {"read": USER, "write": USER, "create": USER, "unlink": USER},
    "ir.model.data": {
        "read": ADMIN_ONLY,
        "write": ADMIN_ONLY,
        "create": ADMIN_ONLY,
        "unlink": ADMIN_ONLY,
    },
    "ir.model": {
        "read": ADMIN_ONLY,
        "write": ADMIN_ONLY,
        "create": ADMIN_ONLY,
        "unlink": ADMIN_ONLY,
    },
    "res.users": {"read": USER, "write": ADMIN_ONLY, "create": ADMIN_ONLY, "unlink": ADMIN_ONLY},
    "res.groups": {"read": USER, "write": ADMIN_ONLY, "create": ADMIN_ONLY, "unlink": ADMIN_ONLY},
    "res.company": {"read": USER, "write": ADMIN_ONLY, "create": ADMIN_ONLY, "unlink": ADMIN_ONLY},
    "account.move": {
        "read": ACCOUNTING | {"account.group_account_readonly"},
        "write": ACCOUNTING,
        "create": ACCOUNTING,
        "unlink": ACCOUNTING,
    },
    "account.move.line": {
        "read": ACCOUNTING | {"account.group_account_readonly"},
        "write": ACCOUNTING,
        "create": ACCOUNTING,
        "unlink": ACCOUNTING,
    },
    "account.account": {
        "read": USER,
        "write": {"account.group_account_manager"},
        "create": {"account.group_account_manager"},
        "unlink": {"account.group_account_manager"},
    },
    "account.journal": {
        "read": USER,
        "write": {"account.group_account_manager"},
        "create": {"account.group_account_manager"},
        "unlink": {"account.group_account_manager"},
    },
    "account.tax": {
        "read": USER,
        "write": {"account.group_account_manager"},
        "create": {"account.group_account_manager"},
        "unlink": {"account.group_account_manager"},
    },
    "stock.picking": {"read": USER, "write": STOCK, "create": STOCK, "unlink": STOCK},
    "stock.move": {"read": USER, "write": STOCK, "create": STOCK, "unlink": STOCK},
    "stock.backorder.confirmation": {
        "read": STOCK,
        "write": STOCK,
        "create": STOCK,
        "unlink": STOCK,
    },
    "stock.landed.cost": {
        "read": {"stock.group_stock_manager"},
        "write": {"stock.group_stock_manager"},
        "create": {"stock.group_stock_manager"},
        "unlink": {"stock.group_stock_manager"},
    },
    "stock.landed.cost.lines": {
        "read": {"stock.group_stock_manager"},
        "write": {"stock.group_stock_manager"},
        "create": {"stock.group_stock_manager"},
        "unlink": {"stock.group_stock_manager"},
    },
    "purchase.order": {
        "read": {"purchase.group_purchase_user"},
        "write": {"purchase.group_purchase_user"},
        "create": {"purchase.group_purchase_user"},
        "unlink": {"purchase.group_purchase_user"},
    },
    "purchase.order.line": {
        "read": {"purchase.group_purchase_user"},
        "write": {"purchase.group_purchase_user"},
        "create": {"purchase.group_purchase_user"},
        "unlink": {"purchase.group_purchase_user"},
    },
}

GROUPS = [
    ("base", "group_user", "Role / User"),
    ("base", "group_erp_manager", "Administration / Access Rights"),
    ("base", "group_system", "Administration / Settings"),
    ("stock", "group_stock_user", "Inventory / User"),
    ("stock", "group_stock_manager", "Inventory / Administrator"),
    ("account", "group_account_invoice", "Invoicing / Billing"),
    ("account", "group_account_readonly", "Accounting / Read-only"),
    ("account", "group_account_manager", "Invoicing / Billing Administrator"),
    ("purchase", "group_purchase_user", "Purchase / User"),
]
INTEGRATION_GROUPS = (
    "base.group_user",
    "stock.group_stock_user",
    "stock.group_stock_manager",
    "account.group_account_invoice",
    "purchase.group_purchase_user",
)


class Seeder:
    """Creates records at fixed ids through the ORM (so defaults and names are Odoo's)."""

    def __init__(self, tx: Transaction, version: int) -> None:
        self.tx = tx
        self.env = Env(
            registry, tx, 1, {"mail_create_nolog": True}, su=True, version=version, acl=ACL
        )

    def make(self, model: str, rid: int | None, vals: dict[str, Any], xmlid: str = "") -> int:
        if rid is not None:
            self.tx.reserve_ids(model, rid)
        new_id = self.env[model]._create_one(dict(vals))
        if rid is not None and new_id != rid:
            raise RuntimeError(f"seed: {model} got id {new_id}, wanted {rid}")
        if xmlid:
            self.xmlid(xmlid, model, new_id)
        return int(new_id)

    def xmlid(self, xmlid: str, model: str, rid: int) -> None:
        module, _, name = xmlid.partition(".")
        self.env["ir.model.data"]._create_one(
            {"module": module, "name": name, "model": model, "res_id": rid, "noupdate": True}
        )


def seed_bare(tx: Transaction, version: int, passwords: dict[str, str]) -> None:
    s = Seeder(tx, version)
    for index, name in enumerate(sorted(registry.models), start=1):
        cls = registry.models[name]
        s.make("ir.model", index, {"model": name, "name": cls._description or name})
    s.make("res.currency", 1, {"name": "USD", "symbol": "$"}, "base.USD")
    s.make("res.currency", 2, {"name": "EUR", "symbol": "€"}, "base.EUR")
    s.make("res.currency", 3, {"name": "CAD", "symbol": "$"}, "base.CAD")
    s.make("res.country", 1, {"name": "United States", "code": "US"}, "base.us")
    s.make("res.country", 2, {"name": "Canada", "code": "CA"}, "base.ca")
    s.make("res.country", 3, {"name": "Germany", "code": "DE"}, "base.de")
    s.make("res.country.state", 1, {"name": "Illinois", "code": "IL", "country_id": 1})
    s.make("res.country.state", 2, {"name": "Texas", "code": "TX", "country_id": 1})
    s.make(
        "res.partner",
        1,
        {
            "name": "My Company",
            "is_company": True,
            "email": "info@yourcompany.example",
            "street": "250 Executive Park Blvd",
            "city": "Chicago",
            "zip": "60601",
            "state_id": 1,
            "country_id": 1,
        },
        "base.main_partner",
    )
    s.make(
        "res.company",
        1,
        {"name": "My Company", "partner_id": 1, "currency_id": 1, "anglo_saxon_accounting": True},
        "base.main_company",
    )
    s.make(
        "res.partner",
        2,
        {"name": "OdooBot", "email": "odoobot@example.com", "active": False},
        "base.partner_root",
    )
    s.make(
        "res.partner",
        3,
        {"name": "Administrator", "email": "admin@yourcompany.example", "parent_id": False},
        "base.partner_admin",
    )
    s.make("res.partner", 5, {"name": "Read-only Clerk", "email": "clerk@yourcompany.example"})
    s.make(
        "res.partner", 6, {"name": "EDI Gateway Integration", "email": "edigw@yourcompany.example"}
    )
    tx.reserve_ids("res.partner", 7)
    group_ids = {}
    for index, (module, name, label) in enumerate(GROUPS, start=1):
        group_ids[f"{module}.{name}"] = s.make(
            "res.groups",
            index,
            {"name": label.split(" / ")[-1], "full_name": label},
            f"{module}.{name}",
        )
    s.make(
        "res.users",
        1,
        {
            "login": "__system__",
            "partner_id": 2,
            "active": False,
            "groups_id": [[6, 0, list(group_ids.values())]],
        },
        "base.user_root",
    )
    s.make(
        "res.users",
        ADMIN_UID,
        {"login": "admin", "partner_id": 3, "groups_id": [[6, 0, list(group_ids.values())]]},
        "base.user_admin",
    )
    s.make(
        "res.users",
        INTEGRATION_UID,
        {
            "login": "edigw-integration",
            "partner_id": 6,
            "groups_id": [[6, 0, [group_ids[g] for g in INTEGRATION_GROUPS]]],
        },
    )
    s.make(
        "res.users",
        READONLY_UID,
        {
            "login": "clerk",
            "partner_id": 5,
            "groups_id": [[6, 0, [group_ids["base.group_user"]]]],
        },
    )
    for uid, login in (
        (ADMIN_UID, "admin"),
        (INTEGRATION_UID, "edigw-integration"),
        (READONLY_UID, "clerk"),
    ):
        row = tx.get("res.users", uid)
        assert row is not None
        row["password"] = passwords.get(login, login)
        tx.touch("res.users", uid)
    s.make("uom.uom", 1, {"name": "Units"}, "uom.product_uom_unit")
    s.make("uom.uom", 2, {"name": "kg"}, "uom.product_uom_kgm")
    s.make("uom.uom", 3, {"name": "lb"}, "uom.product_uom_lb")
    s.make("mail.message.subtype", 1, {"name": "Discussions"}, "mail.mt_comment")
    s.make("mail.message.subtype", 2, {"name": "Note", "internal": True}, "mail.mt_note")
    s.make("mail.message.subtype", 3, {"name": "Activities"}, "mail.mt_activities")
    for index, (name, label, active) in enumerate(
        [
            ("email", "Email", True),
            ("call", "Call", True),
            ("meeting", "Meeting", True),
            ("todo", "To-Do", True),
            ("upload_document", "Upload Document", True),
            ("warning", "Exception", False),
        ],
        start=1,
    ):
        s.make(
            "mail.activity.type",
            index,
            {"name": label, "active": active},
            f"mail.mail_activity_data_{name}",
        )
    accounts = [
        (5, "110100", "Stock Valuation", "asset_current", "account.stock_valuation"),
        (6, "110200", "Stock Interim (Received)", "asset_current", "account.stock_input"),
        (10, "131000", "Tax Paid", "asset_current", "account.tax_paid"),
        (11, "251000", "Tax Received", "liability_current", "account.tax_received"),
        (14, "121000", "Account Receivable", "asset_receivable", "account.receivable"),
        (16, "211000", "Account Payable", "liability_payable", "account.payable"),
        (28, "400000", "Product Sales", "income", "account.income"),
        (33, "600000", "Expenses", "expense", "account.expense"),
    ]
    for rid, code, name, kind, xmlid in accounts:
        s.make("account.account", rid, {"code": code, "name": name, "account_type": kind}, xmlid)
    s.make(
        "account.tax",
        1,
        {"name": "15%", "amount": 15.0, "type_tax_use": "sale", "account_id": 11},
        "account.default_sale_tax",
    )
    s.make(
        "account.tax",
        2,
        {"name": "15%", "amount": 15.0, "type_tax_use": "purchase", "account_id": 10},
        "account.default_purchase_tax",
    )
    journals = [
        (1, "Customer Invoices", "INV", "sale", 28),
        (2, "Vendor Bills", "BILL", "purchase", 33),
        (3, "Miscellaneous Operations", "MISC", "general", None),
        (4, "Exchange Difference", "EXCH", "general", None),
        (5, "Bank", "BNK1", "bank", None),
        (6, "Cash", "CSH1", "cash", None),
        (7, "Inventory Valuation", "STJ", "general", None),
    ]
    for rid, name, code, kind, account in journals:
        s.make(
            "account.journal",
            rid,
            {
                "name": name,
                "code": code,
                "type": kind,
                "sequence": rid,
                "default_account_id": account or False,
            },
        )
    s.make("product.category", 1, {"name": "All"}, "product.product_category_all")
    s.make(
        "stock.location",
        1,
        {"name": "Physical Locations", "usage": "view"},
        "stock.stock_location_locations",
    )
    s.make(
        "stock.location",
        2,
        {"name": "Partners", "usage": "view"},
        "stock.stock_location_locations_partner",
    )
    s.make(
        "stock.location",
        3,
        {"name": "Virtual Locations", "usage": "view"},
        "stock.stock_location_locations_virtual",
    )
    s.make(
        "stock.location",
        4,
        {"name": "Vendors", "usage": "supplier", "location_id": 2},
        "stock.stock_location_suppliers",
    )
    s.make(
        "stock.location",
        5,
        {"name": "Customers", "usage": "customer", "location_id": 2},
        "stock.stock_location_customers",
    )
    s.make("stock.location", 7, {"name": "WH", "usage": "view", "location_id": 1})
    s.make(
        "stock.location",
        8,
        {"name": "Stock", "usage": "internal", "location_id": 7, "company_id": 1},
        "stock.stock_location_stock",
    )
    s.make(
        "stock.warehouse",
        1,
        {"name": "My Company", "code": "WH", "lot_stock_id": 8, "partner_id": 1},
        "stock.warehouse0",
    )
    s.make(
        "stock.picking.type",
        1,
        {
            "name": "Receipts",
            "code": "incoming",
            "sequence_code": "IN",
            "default_location_src_id": 4,
            "default_location_dest_id": 8,
            "warehouse_id": 1,
            "sequence": 1,
        },
        "stock.picking_type_in",
    )
    s.make(
        "stock.picking.type",
        2,
        {
            "name": "Delivery Orders",
            "code": "outgoing",
            "sequence_code": "OUT",
            "default_location_src_id": 8,
            "default_location_dest_id": 5,
            "warehouse_id": 1,
            "sequence": 2,
        },
        "stock.picking_type_out",
    )
    s.make(
        "stock.picking.type",
        3,
        {
            "name": "Internal Transfers",
            "code": "internal",
            "sequence_code": "INT",
            "default_location_src_id": 8,
            "default_location_dest_id": 8,
            "warehouse_id": 1,
            "sequence": 3,
        },
        "stock.picking_type_internal",
    )
    s.make(
        "product.product",
        1,
        {
            "name": "Standard delivery",
            "type": "service",
            "default_code": "Delivery_007",
            "sale_ok": False,
            "purchase_ok": False,
            "list_price": 0.0,
        },
        "delivery.product_product_delivery",
    )
    s.make(
        "delivery.carrier",
        1,
        {"name": "Standard delivery", "product_id": 1, "fixed_price": 0.0},
        "delivery.free_delivery_carrier",
    )


def seed_demo(tx: Transaction, version: int) -> None:
    """Partners, freight products, carriers and pickings matching the example partner profiles
    (acme-ltl, nordlink-fwd, ridgeline-tl); external ids under module `edigw_demo`."""
    s = Seeder(tx, version)
    s.env["res.partner"].write([1], {"name": "Northwind Distribution"})
    s.env["res.company"].write([1], {"name": "Northwind Distribution"})
    s.env["stock.warehouse"].write([1], {"name": "Northwind Distribution"})
    carriers_by_profile = [
        (
            "acme_ltl",
            "ACME Freight Lines",
            "ACME-FREIGHT",
            "billing@acme-freight.example",
            "Joliet",
            1,
        ),
        (
            "nordlink",
            "Nordlink Forwarding GmbH",
            "NORDLINK-FWD",
            "invoices@nordlink.example",
            "Hamburg",
            3,
        ),
        (
            "ridgeline",
            "Ridgeline Truckload",
            "RIDGELINE-TL",
            "ap@ridgeline-tl.example",
            "Denver",
            1,
        ),
    ]
    for key, name, ref, email, city, country in carriers_by_profile:
        s.make(
            "res.partner",
            None,
            {
                "name": name,
                "is_company": True,
                "ref": ref,
                "email": email,
                "city": city,
                "country_id": country,
                "supplier_rank": 1,
            },
            f"edigw_demo.partner_{key}",
        )
    globex = s.make(
        "res.partner",
        None,
        {
            "name": "Globex Corporation",
            "is_company": True,
            "email": "receiving@globex.example",
            "street": "1200 Commerce St",
            "city": "Dallas",
            "zip": "75202",
            "state_id": 2,
            "country_id": 1,
            "customer_rank": 1,
        },
        "edigw_demo.partner_globex",
    )
    initech = s.make(
        "res.partner",
        None,
        {
            "name": "Initech Components",
            "is_company": True,
            "email": "ship@initech.example",
            "street": "4120 Freidrich Ln",
            "city": "Austin",
            "zip": "78744",
            "state_id": 2,
            "country_id": 1,
            "supplier_rank": 1,
        },
        "edigw_demo.partner_initech",
    )
    fifo = s.make(
        "product.category",
        None,
        {
            "name": "Goods (FIFO)",
            "property_cost_method": "fifo",
            "property_valuation": "real_time",
            "parent_id": 1,
        },
    )
    freight_categ = s.make(
        "product.category",
        None,
        {"name": "Freight", "parent_id": 1, "property_valuation": "real_time"},
    )
    charges = [
        ("linehaul", "FREIGHT-LINEHAUL", "Freight: line haul"),
        ("fuel", "FREIGHT-FUEL", "Freight: fuel surcharge"),
        ("accessorial", "FREIGHT-ACCESSORIAL", "Freight: accessorials"),
        ("discount", "FREIGHT-DISCOUNT", "Freight: discount"),
        ("customs", "FREIGHT-CUSTOMS", "Freight: customs clearance"),
        ("tax", "FREIGHT-TAX", "Freight: taxes and duties"),
        ("other", "FREIGHT-OTHER", "Freight: other charges"),
    ]
    for key, code, name in charges:
        s.make(
            "product.product",
            None,
            {
                "name": name,
                "default_code": code,
                "type": "service",
                "categ_id": freight_categ,
                "landed_cost_ok": True,
                "split_method_landed_cost": "by_weight",
                "sale_ok": False,
                "supplier_taxes_id": [[6, 0, []]],
            },
            f"edigw_demo.product_freight_{key}",
        )
    widgets = s.make(
        "product.product",
        None,
        {
            "name": "Pallet of widgets",
            "default_code": "WID-PAL",
            "type": "consu",
            "is_storable": True,
            "weight": 250.0,
            "categ_id": fifo,
            "standard_price": 800.0,
        },
        "edigw_demo.product_widgets",
    )
    gaskets = s.make(
        "product.product",
        None,
        {
            "name": "Carton of gaskets",
            "default_code": "GSK-CTN",
            "type": "consu",
            "is_storable": True,
            "weight": 12.5,
            "categ_id": fifo,
            "standard_price": 45.0,
        },
        "edigw_demo.product_gaskets",
    )
    acme_carrier = s.make(
        "delivery.carrier",
        None,
        {
            "name": "ACME Freight LTL",
            "product_id": 1,
            "fixed_price": 1250.0,
        },
        "edigw_demo.carrier_acme_ltl",
    )
    ridgeline_carrier = s.make(
        "delivery.carrier",
        None,
        {
            "name": "Ridgeline Truckload",
            "product_id": 1,
            "fixed_price": 2400.0,
        },
        "edigw_demo.carrier_ridgeline",
    )
    parcel_carrier = s.make(
        "delivery.carrier",
        None,
        {
            "name": "Parcel Express",
            "product_id": 1,
            "fixed_price": 35.0,
        },
        "edigw_demo.carrier_parcel",
    )
    soon = (datetime.now(UTC) + timedelta(days=1)).replace(hour=14, minute=0, second=0)
    scheduled = soon.strftime("%Y-%m-%d %H:%M:%S")
    pickings = s.env["stock.picking"]

    def delivery(
        name: str,
        carrier: int,
        price: float,
        origin: str,
        lines: list[Any],
        confirm: bool,
        xmlid: str,
    ) -> int:
        pid = s.make(
            "stock.picking",
            None,
            {
                "name": name,
                "picking_type_id": 2,
                "partner_id": globex,
                "origin": origin,
                "carrier_id": carrier,
                "carrier_price": price,
                "scheduled_date": scheduled,
                "user_id": ADMIN_UID,
                "move_ids": [
                    [
                        0,
                        0,
                        {
                            "name": n,
                            "product_id": p,
                            "product_uom_qty": q,
                            "product_uom": 1,
                            "location_id": 8,
                            "location_dest_id": 5,
                        },
                    ]
                    for n, p, q in lines
                ],
            },
            xmlid,
        )
        if confirm:
            pickings.action_confirm([pid])
        return pid

    delivery(
        "WH/OUT/00041",
        parcel_carrier,
        35.0,
        "S00041",
        [("Carton of gaskets", gaskets, 2.0)],
        True,
        "edigw_demo.picking_out_41",
    )
    delivery(
        "WH/OUT/00042",
        acme_carrier,
        1200.0,
        "S00042",
        [("Pallet of widgets", widgets, 4.0), ("Carton of gaskets", gaskets, 10.0)],
        True,
        "edigw_demo.picking_out_42",
    )
    delivery(
        "WH/OUT/00043",
        acme_carrier,
        0.0,
        "S00043",
        [("Pallet of widgets", widgets, 1.0)],
        False,
        "edigw_demo.picking_out_43",
    )
    receipt = s.make(
        "stock.picking",
        None,
        {
            "name": "WH/IN/00007",
            "picking_type_id": 1,
            "partner_id": initech,
            "origin": "P00007",
            "carrier_id": acme_carrier,
            "user_id": ADMIN_UID,
            "move_ids": [
                [
                    0,
                    0,
                    {
                        "name": "Pallet of widgets",
                        "product_id": widgets,
                        "product_uom_qty": 10.0,
                        "location_id": 4,
                        "location_dest_id": 8,
                        "product_uom": 1,
                    },
                ]
            ],
        },
        "edigw_demo.picking_in_7",
    )
    pickings.button_validate([receipt])
    # later pickings continue the demo's numbering
    delivery(
        "WH/OUT/00044",
        ridgeline_carrier,
        0.0,
        "S00044",
        [("Pallet of widgets", widgets, 20.0)],
        True,
        "edigw_demo.picking_out_44",
    )
    tx.raise_sequence("picking/2", 45)
    tx.raise_sequence("picking/1", 8)
