"""Accounting models of the emulator: accounts, journals, taxes, vendor bills and their
lines with Odoo 18's totals, sequence names, posting checks and posted-move guards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gateway.odoo.emulator.errors import UserError, ValidationError
from gateway.odoo.emulator.models_base import COMPANY_DOMAIN, MailThread, registry
from gateway.odoo.emulator.orm import (
    BaseModel,
    Field,
    round_half_up,
    today_string,
)


@registry.add
class Account(BaseModel):
    _name = "account.account"
    _description = "Account"
    _order = "code, id"
    _declared_fields = {
        "name": Field("char", "Account Name", required=True),
        "code": Field("char", "Code"),
        "account_type": Field(
            "selection",
            "Type",
            required=True,
            selection=[
                ("asset_receivable", "Receivable"),
                ("asset_current", "Current Assets"),
                ("liability_payable", "Payable"),
                ("liability_current", "Current Liabilities"),
                ("income", "Income"),
                ("expense", "Expenses"),
                ("expense_direct_cost", "Cost of Revenue"),
                ("off_balance", "Off-Balance Sheet"),
            ],
        ),
        "deprecated": Field("boolean", "Deprecated"),
    }

    def _display_name(self, rid: int) -> str:
        row = self._peek(rid)
        return f"{row.get('code')} {row.get('name')}"


@registry.add
class Journal(BaseModel):
    _name = "account.journal"
    _description = "Journal"
    _order = "sequence, type, code"
    _declared_fields = {
        "name": Field("char", "Journal Name", required=True),
        "code": Field("char", "Short Code", required=True),
        "type": Field(
            "selection",
            "Type",
            required=True,
            selection=[
                ("sale", "Sales"),
                ("purchase", "Purchase"),
                ("cash", "Cash"),
                ("bank", "Bank"),
                ("credit", "Credit Card"),
                ("general", "Miscellaneous"),
            ],
        ),
        "sequence": Field("integer", "Sequence", default=10),
        "active": Field("boolean", "Active", default=True),
        "company_id": Field("many2one", "Company", relation="res.company", default=1),
        "default_account_id": Field("many2one", "Default Account", relation="account.account"),
    }


@registry.add
class Tax(BaseModel):
    _name = "account.tax"
    _description = "Tax"
    _order = "sequence,id"
    _declared_fields = {
        "name": Field("char", "Tax Name", required=True),
        "amount": Field("float", "Amount", digits=4),
        "amount_type": Field(
            "selection",
            "Tax Computation",
            selection=[("percent", "Percentage of Price"), ("fixed", "Fixed")],
            default="percent",
        ),
        "type_tax_use": Field(
            "selection",
            "Tax Type",
            selection=[("sale", "Sales"), ("purchase", "Purchases"), ("none", "None")],
            default="sale",
        ),
        "sequence": Field("integer", "Sequence", default=1),
        "active": Field("boolean", "Active", default=True),
        "account_id": Field("many2one", "Tax Account", relation="account.account"),
    }


MOVE_STATES = [("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")]
MOVE_TYPES = [
    ("entry", "Journal Entry"),
    ("out_invoice", "Customer Invoice"),
    ("out_refund", "Customer Credit Note"),
    ("in_invoice", "Vendor Bill"),
    ("in_refund", "Vendor Credit Note"),
    ("out_receipt", "Sales Receipt"),
    ("in_receipt", "Purchase Receipt"),
]
# Odoo 18 refuses to change these on a posted move (reference §2.7).
LOCKED_WHEN_POSTED = (
    "invoice_line_ids",
    "line_ids",
    "invoice_date",
    "date",
    "partner_id",
    "partner_bank_id",
    "invoice_payment_term_id",
    "currency_id",
    "fiscal_position_id",
    "invoice_cash_rounding_id",
)


def _duplicated_refs(model: BaseModel, rid: int) -> list[int]:
    row = model._peek(rid)
    if row.get("move_type") not in ("in_invoice", "in_refund") or not row.get("ref"):
        return []
    partners = model.env["res.partner"]
    mine = (
        partners._value(row["partner_id"], "commercial_partner_id")
        if row.get("partner_id")
        else None
    )
    result = []
    for other_id in model._rows.lookup(("ref",), [row["ref"]]):
        other = model._peek(other_id)
        if other_id == rid or other.get("state") == "cancel":
            continue
        if other.get("move_type") != row["move_type"] or other.get("ref") != row["ref"]:
            continue
        theirs = (
            partners._value(other["partner_id"], "commercial_partner_id")
            if other.get("partner_id")
            else None
        )
        if theirs == mine:
            result.append(other_id)
    return result


def _invoice_lines(model: BaseModel, rid: int) -> list[int]:
    lines = model.env["account.move.line"]
    return [
        lid
        for lid in lines._rows.lookup(("move_id",), [rid])
        if lines._peek(lid).get("display_type") in ("product", "line_section", "line_note")
    ]


@registry.add
class Move(MailThread):
    _name = "account.move"
    _description = "Journal Entry"
    _order = "date desc, name desc, invoice_date desc, id desc"
    _tracked = ("state", "ref", "partner_id", "payment_reference")
    _indexes = (("ref",), ("partner_id",), ("name",), ("invoice_origin",))
    _declared_fields = {
        "name": Field("char", "Number"),
        "move_type": Field(
            "selection",
            "Type",
            required=True,
            readonly=True,
            selection=MOVE_TYPES,
            default="entry",
        ),
        "state": Field(
            "selection",
            "Status",
            required=True,
            readonly=True,
            selection=MOVE_STATES,
            default="draft",
        ),
        "partner_id": Field("many2one", "Partner", relation="res.partner", domain=COMPANY_DOMAIN),
        "ref": Field("char", "Reference"),
        "payment_reference": Field("char", "Payment Reference"),
        "invoice_origin": Field("char", "Origin"),
        "narration": Field("html", "Terms and Conditions"),
        "invoice_date": Field("date", "Invoice/Bill Date"),
        "date": Field("date", "Date", required=True),
        "invoice_date_due": Field("date", "Due Date"),
        "journal_id": Field(
            "many2one",
            "Journal",
            relation="account.journal",
            required=True,
            domain=COMPANY_DOMAIN.replace("([])", "([('id', 'in', suitable_journal_ids)])"),
        ),
        "currency_id": Field("many2one", "Currency", relation="res.currency", required=True),
        "company_id": Field("many2one", "Company", relation="res.company", default=1),
        "invoice_line_ids": Field(
            "one2many",
            "Invoice lines",
            relation="account.move.line",
            relation_field="move_id",
            domain=[["display_type", "in", ["product", "line_section", "line_note"]]],
        ),
        "line_ids": Field(
            "one2many", "Journal Items", relation="account.move.line", relation_field="move_id"
        ),
        "amount_untaxed": Field("monetary", "Untaxed Amount", readonly=True),
        "amount_tax": Field("monetary", "Tax", readonly=True),
        "amount_total": Field("monetary", "Total", readonly=True),
        "amount_residual": Field("monetary", "Amount Due", readonly=True),
        "payment_state": Field(
            "selection",
            "Payment Status",
            readonly=True,
            default="not_paid",
            selection=[
                ("not_paid", "Not Paid"),
                ("in_payment", "In Payment"),
                ("paid", "Paid"),
                ("partial", "Partially Paid"),
                ("reversed", "Reversed"),
                ("blocked", "Blocked"),
                ("invoicing_legacy", "Invoicing App Legacy"),
            ],
        ),
        "duplicated_ref_ids": Field(
            "many2many",
            "Duplicated Ref",
            relation="account.move",
            compute=_duplicated_refs,
            store=False,
        ),
    }
    # computed lines of invoice_line_ids override the plain one2many
    _declared_fields["invoice_line_ids"].compute = _invoice_lines
    _declared_fields["invoice_line_ids"].store = True

    def _display_name(self, rid: int) -> str:
        row = self._peek(rid)
        if row.get("name") and row["name"] != "/":
            return str(row["name"])
        return f"Draft Bill ({rid})" if row.get("move_type") == "in_invoice" else f"Draft ({rid})"

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        vals = dict(vals)
        if "move_type" not in vals and self.env.context.get("default_move_type"):
            vals["move_type"] = self.env.context["default_move_type"]
        if vals.get("state") == "posted":
            raise UserError(
                "You cannot create a move already in the posted state. Please create a draft "
                "move and post it after."
            )
        return vals

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        if not row.get("journal_id"):
            wanted = (
                "purchase"
                if row["move_type"] in ("in_invoice", "in_refund", "in_receipt")
                else "sale"
                if row["move_type"].startswith("out_")
                else "general"
            )
            for jid, journal in self.env.tx.table("account.journal").items():
                if journal["type"] == wanted and journal.get("active", True):
                    row["journal_id"] = jid
                    break
        if not row.get("currency_id"):
            company = self.env.tx.peek("res.company", row.get("company_id") or 1) or {}
            row["currency_id"] = company.get("currency_id")
        if not row.get("date"):
            row["date"] = today_string()
        if not row.get("invoice_date_due"):
            row["invoice_date_due"] = row["date"]
        if not row.get("name") or row["name"] == "/":
            row["name"] = self._sequence_name(row)

    def _sequence_name(self, row: dict[str, Any]) -> str:
        journal = self.env.tx.peek("account.journal", row.get("journal_id")) or {}
        code = journal.get("code", "MISC")
        day = row.get("invoice_date") or row.get("date") or today_string()
        year, month = day[:4], day[5:7]
        if self.env.version <= 16 and row.get("state") != "posted":
            return "/"
        number = self.env.tx.next_in_sequence(f"move/{code}/{year}/{month}")
        return f"{code}/{year}/{month}/{number:04d}"

    def _after_create(self, rid: int, vals: dict[str, Any]) -> None:
        self._recompute(rid)

    def _before_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if self.env.context.get("emulator_internal"):
            return
        for rid in ids:
            row = self._rows[rid]
            if row.get("state") != "posted":
                continue
            if "journal_id" in vals and vals["journal_id"] != row.get("journal_id"):
                raise UserError(
                    "You cannot edit the journal of an account move if it has been posted once, "
                    'unless the name is removed or set to "/". This might create a gap in the '
                    "sequence."
                )
            if self.env.version >= 18:
                locked = [name for name in LOCKED_WHEN_POSTED if name in vals]
                if locked:
                    raise UserError(
                        "You cannot modify the following readonly fields on a posted move: "
                        + ", ".join(locked)
                    )

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if {"invoice_line_ids", "line_ids", "currency_id"} & set(vals):
            for rid in ids:
                self._recompute(rid)

    def _recompute(self, rid: int) -> None:
        """Rebuild tax and payable lines and the totals from the product lines."""
        lines = self.env["account.move.line"].sudo_model()
        internal = lines.env.with_context(emulator_internal=True)
        lines = lines._new_env_model(internal)
        row = self._rows[rid]
        mine = [(lid, lines._peek(lid)) for lid in lines._rows.lookup(("move_id",), [rid])]
        product_lines = [(lid, line) for lid, line in mine if line.get("display_type") == "product"]
        generated = [
            lid for lid, line in mine if line.get("display_type") in ("tax", "payment_term")
        ]
        lines._unlink_ids(generated)
        if row.get("move_type") not in ("in_invoice", "in_refund", "out_invoice", "out_refund"):
            return
        untaxed = 0.0
        tax_bases: dict[int, float] = {}
        for _lid, line in product_lines:
            untaxed += line.get("price_subtotal") or 0.0
            for tax_id in line.get("tax_ids") or []:
                tax_bases[tax_id] = tax_bases.get(tax_id, 0.0) + (line.get("price_subtotal") or 0)
        untaxed = round_half_up(untaxed, 2)
        total_tax = 0.0
        for tax_id, base in sorted(tax_bases.items()):
            tax = self.env.tx.peek("account.tax", tax_id) or {}
            if tax.get("amount_type") == "fixed":
                amount = float(tax.get("amount") or 0)
            else:
                amount = base * float(tax.get("amount") or 0) / 100.0
            amount = round_half_up(amount, 2)
            total_tax += amount
            lines._create_one(
                {
                    "move_id": rid,
                    "display_type": "tax",
                    "name": tax.get("name", ""),
                    "account_id": tax.get("account_id") or False,
                    "price_unit": amount,
                    "quantity": 1,
                    "tax_line_id": tax_id,
                    "tax_ids": [],
                }
            )
        total_tax = round_half_up(total_tax, 2)
        total = round_half_up(untaxed + total_tax, 2)
        payable = self.env.ref("account.payable") if self._has_xmlid("account.payable") else None
        lines._create_one(
            {
                "move_id": rid,
                "display_type": "payment_term",
                "name": "",
                "account_id": payable or False,
                "price_unit": total,
                "quantity": 1,
                "tax_ids": [],
            }
        )
        row["amount_untaxed"] = untaxed
        row["amount_tax"] = total_tax
        row["amount_total"] = total
        row["amount_residual"] = total
        self.env.tx.touch(self._name, rid)

    def _has_xmlid(self, xmlid: str) -> bool:
        module, _, name = xmlid.partition(".")
        return bool(self.env.xmlid_rows(module, name))

    def action_post(self, ids: list[int]) -> Any:
        self.env.check_access(self, "write")
        for rid in ids:
            row = self._row(rid)
            is_purchase = row["move_type"] in ("in_invoice", "in_refund", "in_receipt")
            is_invoice = row["move_type"] != "entry"
            if row.get("state") != "draft":
                if self.env.version <= 16:
                    raise UserError(f"The entry {row.get('name')} (id {rid}) is already posted.")
                raise UserError(f"The entry {row.get('name')} (id {rid}) must be in draft.")
            if not _invoice_lines(self, rid) and is_invoice:
                raise UserError("You need to add a line before posting.")
            if is_invoice and not row.get("partner_id"):
                label = "Vendor" if is_purchase else "Customer"
                kind = "Vendor Bill" if is_purchase else "Invoice"
                raise UserError(
                    f"The field '{label}' is required, please complete it to validate the {kind}."
                )
            if is_invoice and (row.get("amount_total") or 0) < 0:
                raise UserError(
                    "You cannot validate an invoice with a negative total amount. You should "
                    "create a credit note instead. Use the action menu to transform it into a "
                    "credit note or refund."
                )
            if is_purchase and not row.get("invoice_date"):
                raise UserError("The Bill/Refund date is required to validate this document.")
            currency = self.env.tx.peek("res.currency", row.get("currency_id")) or {}
            if not currency.get("active", True):
                raise UserError(
                    "You cannot validate a document with an inactive currency: "
                    f"{currency.get('name')}"
                )
            journal = self.env.tx.peek("account.journal", row.get("journal_id")) or {}
            if not journal.get("active", True):
                raise UserError(
                    f"You cannot post an entry in an archived journal ({journal.get('name')})"
                )
            if self.env.version <= 16 and is_purchase and _duplicated_refs(self, rid):
                raise ValidationError(
                    "Duplicated vendor reference detected. You probably encoded twice the same "
                    "vendor bill/credit note."
                )
        for rid in ids:
            row = self._rows[rid]
            if not row.get("name") or row["name"] == "/":
                row["state"] = "posted"
                row["name"] = self._sequence_name(row)
            old = dict(row)
            row["state"] = "posted"
            self.env.tx.touch(self._name, rid)
            self._track(rid, old, {"state": "posted"})
            partner = self.env.tx.get("res.partner", row.get("partner_id"))
            if partner is not None and row["move_type"].startswith("in_"):
                partner["supplier_rank"] = int(partner.get("supplier_rank") or 0) + 1
                self.env.tx.touch("res.partner", row["partner_id"])
        return False

    def button_draft(self, ids: list[int]) -> None:
        for rid in ids:
            row = self._row(rid)
            if row.get("state") not in ("posted", "cancel"):
                raise UserError("Only posted/cancelled journal entries can be reset to draft.")
        for rid in ids:
            old = dict(self._rows[rid])
            self._rows[rid]["state"] = "draft"
            self.env.tx.touch(self._name, rid)
            self._track(rid, old, {"state": "draft"})
        return None

    def button_cancel(self, ids: list[int]) -> None:
        for rid in ids:
            row = self._row(rid)
            if row.get("state") == "posted":
                row["state"] = "draft"
            if row.get("state") != "draft":
                raise UserError("Only draft journal entries can be cancelled.")
        for rid in ids:
            old = dict(self._rows[rid])
            self._rows[rid]["state"] = "cancel"
            self.env.tx.touch(self._name, rid)
            self._track(rid, old, {"state": "cancel"})
        return None

    def _before_unlink(self, ids: list[int]) -> None:
        for rid in ids:
            if self._rows[rid].get("state") == "posted":
                raise UserError(
                    "You can't delete a posted journal item. Don’t play games with your "
                    "accounting records; reset the journal entry to draft before deleting it."
                )

    def button_create_landed_costs(self, ids: list[int]) -> dict[str, Any]:
        rid = ids[0]
        row = self._row(rid)
        lines = self.env["account.move.line"]
        cost_lines = []
        for lid in lines._rows.lookup(("move_id",), [rid]):
            line = lines._peek(lid)
            if not line.get("is_landed_costs_line"):
                continue
            product = self.env.tx.peek("product.product", line.get("product_id")) or {}
            cost_lines.append(
                [
                    0,
                    0,
                    {
                        "product_id": line.get("product_id"),
                        "name": line.get("name") or product.get("name"),
                        "account_id": line.get("account_id") or False,
                        "price_unit": line.get("price_subtotal") or 0.0,
                        "split_method": product.get("split_method_landed_cost") or "equal",
                    },
                ]
            )
        landed = self.env["stock.landed.cost"].create(
            {
                "vendor_bill_id": rid,
                "date": row.get("invoice_date") or today_string(),
                "cost_lines": cost_lines,
            }
        )
        return {
            "name": "Landed Costs",
            "type": "ir.actions.act_window",
            "res_model": "stock.landed.cost",
            "view_mode": "form",
            "res_id": landed,
            "context": {"default_vendor_bill_id": rid},
        }


def _line_subtotal(row: dict[str, Any]) -> float:
    quantity = float(row.get("quantity") or 0.0)
    price = float(row.get("price_unit") or 0.0)
    discount = float(row.get("discount") or 0.0)
    return round_half_up(quantity * price * (1 - discount / 100.0), 2)


@registry.add
class MoveLine(BaseModel):
    _name = "account.move.line"
    _description = "Journal Item"
    _order = "date desc, move_name desc, id"
    _indexes = (("purchase_line_id",),)
    _declared_fields = {
        "move_id": Field(
            "many2one",
            "Journal Entry",
            relation="account.move",
            required=True,
            ondelete="cascade",
        ),
        "move_name": Field("char", "Number"),
        "date": Field("date", "Date"),
        "name": Field("char", "Label"),
        "product_id": Field(
            "many2one", "Product", relation="product.product", domain=COMPANY_DOMAIN
        ),
        "quantity": Field(
            "float",
            "Quantity",
            default=1.0,
            help="The optional quantity expressed by this line, eg: number of product sold. The "
            "quantity is not a legal requirement but is very useful for some reports.",
        ),
        "price_unit": Field("float", "Unit Price"),
        "discount": Field("float", "Discount (%)"),
        "account_id": Field(
            "many2one",
            "Account",
            relation="account.account",
            domain="(company_id and [('company_ids', 'parent_of', [company_id])] or "
            "[('company_ids', 'parent_of', '')]) + ([('deprecated', '=', False), "
            "('account_type', '!=', 'off_balance')])",
        ),
        "tax_ids": Field(
            "many2many",
            "Taxes",
            relation="account.tax",
            context={"active_test": False},
            domain=COMPANY_DOMAIN,
        ),
        "tax_line_id": Field("many2one", "Originator Tax", relation="account.tax"),
        "product_uom_id": Field("many2one", "Unit of Measure", relation="uom.uom"),
        "display_type": Field(
            "selection",
            "Display Type",
            required=True,
            default="product",
            selection=[
                ("product", "Product"),
                ("cogs", "Cost of Goods Sold"),
                ("tax", "Tax"),
                ("discount", "Discount"),
                ("rounding", "Rounding"),
                ("payment_term", "Payment Term"),
                ("line_section", "Section"),
                ("line_note", "Note"),
                ("epd", "Early Payment Discount"),
            ],
        ),
        "price_subtotal": Field("monetary", "Subtotal", readonly=True),
        "price_total": Field("monetary", "Total", readonly=True),
        "debit": Field("monetary", "Debit"),
        "credit": Field("monetary", "Credit"),
        "balance": Field("monetary", "Balance"),
        "currency_id": Field("many2one", "Currency", relation="res.currency"),
        "is_landed_costs_line": Field("boolean", "Is Landed Costs Line"),
        "purchase_line_id": Field(
            "many2one", "Purchase Order Line", relation="purchase.order.line"
        ),
        "analytic_distribution": Field("json", "Analytic Distribution"),
    }

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        move = self.env.tx.peek("account.move", row.get("move_id")) or {}
        if (
            self.env.version >= 18
            and not self.env.context.get("emulator_internal")
            and move.get("state") == "posted"
        ):
            raise UserError(
                "You cannot modify the following readonly fields on a posted move: line_ids"
            )
        row["move_name"] = move.get("name")
        row["date"] = move.get("date")
        row["currency_id"] = move.get("currency_id")
        product = self.env.tx.peek("product.product", row.get("product_id")) or {}
        if row.get("display_type") == "product":
            if product:
                if "name" not in vals:
                    row["name"] = product.get("name")
                if "price_unit" not in vals:
                    row["price_unit"] = float(product.get("standard_price") or 0.0)
                if "tax_ids" not in vals:
                    row["tax_ids"] = list(product.get("supplier_taxes_id") or [])
                if not row.get("product_uom_id"):
                    row["product_uom_id"] = product.get("uom_id")
            if not row.get("account_id"):
                row["account_id"] = product.get("property_account_expense_id") or self._expense()
        self._amounts(row, move)

    def _expense(self) -> int | None:
        try:
            return self.env.ref("account.expense")
        except Exception:
            return None

    def _amounts(self, row: dict[str, Any], move: dict[str, Any]) -> None:
        if row.get("display_type") in ("line_section", "line_note"):
            return
        outgoing = str(move.get("move_type", "")).startswith("out_")
        if row.get("display_type") == "product":
            subtotal = _line_subtotal(row)
            row["price_subtotal"] = subtotal
            row["price_total"] = subtotal
            amount = subtotal
            debit_side = not outgoing
        elif row.get("display_type") == "payment_term":
            row["price_subtotal"] = 0.0
            row["price_total"] = 0.0
            amount = float(row.get("price_unit") or 0.0)
            debit_side = outgoing
        else:
            row["price_subtotal"] = 0.0
            row["price_total"] = 0.0
            amount = float(row.get("price_unit") or 0.0)
            debit_side = not outgoing
        if str(move.get("move_type", "")).endswith("refund"):
            debit_side = not debit_side
        amount = round_half_up(amount, 2)
        row["debit"] = (
            amount
            if debit_side and amount >= 0
            else (-amount if amount < 0 and not debit_side else 0.0)
        )
        row["credit"] = (
            amount
            if not debit_side and amount >= 0
            else (-amount if amount < 0 and debit_side else 0.0)
        )
        row["balance"] = round_half_up(row["debit"] - row["credit"], 2)

    def _after_create(self, rid: int, vals: dict[str, Any]) -> None:
        if not self.env.context.get("emulator_internal"):
            self.env["account.move"].sudo_model()._recompute(self._rows[rid]["move_id"])

    def _before_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if self.env.context.get("emulator_internal"):
            return
        for rid in ids:
            move = self.env.tx.peek("account.move", self._rows[rid].get("move_id")) or {}
            if (
                move.get("state") == "posted"
                and self.env.version >= 18
                and (
                    set(vals)
                    - {"name", "is_landed_costs_line", "purchase_line_id", "analytic_distribution"}
                )
            ):
                raise UserError(
                    "You cannot modify the following readonly fields on a posted move: line_ids"
                )

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        moves = set()
        for rid in ids:
            row = self._rows[rid]
            move = self.env.tx.peek("account.move", row.get("move_id")) or {}
            self._amounts(row, move)
            moves.add(row.get("move_id"))
        if not self.env.context.get("emulator_internal"):
            for move_id in moves:
                self.env["account.move"].sudo_model()._recompute(move_id)
        if "purchase_line_id" in vals:
            self.env["purchase.order.line"].sudo_model()._recompute_invoiced()

    def _before_unlink(self, ids: list[int]) -> None:
        if self.env.context.get("emulator_internal"):
            return
        for rid in ids:
            move = self.env.tx.peek("account.move", self._rows[rid].get("move_id")) or {}
            if move.get("state") == "posted":
                raise UserError(
                    "You can't delete a posted journal item. Don’t play games with your "
                    "accounting records; reset the journal entry to draft before deleting it."
                )


def utc_now() -> datetime:
    return datetime.now(UTC)
