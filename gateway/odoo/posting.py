"""Posting canonical records into Odoo: shipment status onto pickings, freight invoices as
vendor bills checked against the expected charge, tender responses, and outbound load
tenders built from ready pickings. `OdooPoster` is the one interface the pipeline calls.

Every effect is idempotent: records created get deterministic external ids (module `edigw`,
created through `load()`), chatter notes and activities are looked up before they are
added, and fields are only written when they differ. Posting the same document twice
changes nothing the second time."""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from gateway.odoo.client import XMLID_MODULE, OdooClient, odoo_datetime, xmlid_name
from gateway.odoo.errors import OdooCallError, OdooError, OdooSetupError, ShipmentNotFound
from gateway.odoo.rules import OdooRules
from translators.canonical import (
    Address,
    FreightInvoice,
    LoadTender,
    Money,
    Party,
    Quantity,
    ShipmentStatus,
    Source,
    StatusEvent,
    Stop,
    TenderResponse,
    Weight,
)
from translators.canonical.vocab import (
    EventKind,
    InvoiceKind,
    Milestone,
    PaymentMethod,
    StopKind,
    TenderAction,
)

log = logging.getLogger(__name__)

PICKING_FIELDS = [
    "name",
    "state",
    "origin",
    "carrier_tracking_ref",
    "carrier_id",
    "carrier_price",
    "user_id",
    "picking_type_code",
    "partner_id",
    "date_done",
    "scheduled_date",
    "location_id",
    "location_dest_id",
    "company_id",
]
_TAGS = re.compile(r"<[^>]+>")
_NOTE = "mail.mt_note"
_COMMENT = "mail.mt_comment"
_TODO = "mail.mail_activity_data_todo"


# ------------------------------------------------------------------------------ results
@dataclass
class TouchedRecord:
    """One Odoo record a post created, changed or found."""

    model: str
    id: int
    action: str  # created, updated, posted, validated, message, activity, attached, found
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "id": self.id, "action": self.action, "name": self.name}


@dataclass
class ChargeComparison:
    charge_class: str
    expected: Decimal | None
    invoiced: Decimal

    @property
    def difference(self) -> Decimal | None:
        return None if self.expected is None else self.invoiced - self.expected

    def as_dict(self) -> dict[str, Any]:
        diff = self.difference
        return {
            "charge_class": self.charge_class,
            "expected": None if self.expected is None else str(self.expected),
            "invoiced": str(self.invoiced),
            "difference": None if diff is None else str(diff),
        }


@dataclass
class InvoiceMismatch:
    """Why a bill stays draft: the pipeline turns this into an `invoice_mismatch` exception."""

    invoice_number: str
    vendor: str
    bill_id: int
    currency: str
    reason: str
    expected_source: str | None
    expected_total: Decimal | None
    invoiced_total: Decimal
    allowed_difference: Decimal | None
    charges: list[ChargeComparison] = field(default_factory=list)
    unexpected_charges: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "invoice_mismatch",
            "invoice_number": self.invoice_number,
            "vendor": self.vendor,
            "bill_id": self.bill_id,
            "currency": self.currency,
            "reason": self.reason,
            "expected_source": self.expected_source,
            "expected_total": None if self.expected_total is None else str(self.expected_total),
            "invoiced_total": str(self.invoiced_total),
            "allowed_difference": None
            if self.allowed_difference is None
            else str(self.allowed_difference),
            "charges": [c.as_dict() for c in self.charges],
            "unexpected_charges": list(self.unexpected_charges),
        }


@dataclass
class PostResult:
    """What one document did in Odoo. `changed` is false when it was all there already."""

    document: str
    records: list[TouchedRecord] = field(default_factory=list)
    mismatch: InvoiceMismatch | None = None
    duplicate: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(r.action != "found" for r in self.records)

    def touch(self, model: str, rid: int, action: str, name: str | None = None) -> None:
        self.records.append(TouchedRecord(model, rid, action, name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "changed": self.changed,
            "duplicate": self.duplicate,
            "records": [r.as_dict() for r in self.records],
            "mismatch": self.mismatch.as_dict() if self.mismatch else None,
            "notes": list(self.notes),
        }


@dataclass
class StatusItem:
    """One ShipmentStatus to post, with the raw file it came in and its interchange."""

    status: ShipmentStatus
    raw: bytes | None = None
    interchange: str | None = None
    filename: str | None = None


@dataclass
class InvoiceItem:
    """One FreightInvoice to post, with the raw file it came in and its interchange."""

    invoice: FreightInvoice
    raw: bytes | None = None
    interchange: str | None = None


@dataclass
class _BillPlan:
    """One invoice's bill as planned, then as created or found (`bill_id`, `existing`)."""

    item: InvoiceItem
    result: PostResult
    xmlid: str
    move_type: str
    header: dict[str, Any]
    lines: list[dict[str, Any]]
    landed: bool
    hold_reason: str | None
    picking: dict[str, Any] | None
    existing: dict[str, Any] | None = None  # the bill's id, name, state and lines
    created: bool = False  # by this call (else found)

    @property
    def bill_id(self) -> int | None:
        return int(self.existing["id"]) if self.existing else None


@dataclass
class _PostIntent:
    bill_id: int
    landed: bool
    picking: dict[str, Any] | None


@dataclass
class PendingTender:
    picking_id: int
    picking_name: str
    tender: LoadTender


# ------------------------------------------------------------------------------ poster
class OdooPoster:
    """Posts canonical records for one Odoo database; one instance per worker is enough."""

    def __init__(self, client: OdooClient) -> None:
        self.client = client
        self._partner_by_ref: dict[str, int] = {}
        self._products_by_code: dict[str, dict[str, Any]] = {}
        self._currency_by_name: dict[str, int] = {}
        self._journal_by_code: dict[str, int] = {}
        self._users_by_login: dict[str, int] = {}

    # ---------------------------------------------------------------- shipments
    def post_status(
        self,
        status: ShipmentStatus,
        rules: OdooRules,
        *,
        raw: bytes | None = None,
        interchange: str | None = None,
        filename: str | None = None,
    ) -> PostResult:
        outcome = self.post_statuses([StatusItem(status, raw, interchange, filename)], rules)[0]
        if isinstance(outcome, OdooError):
            raise outcome
        return outcome

    def post_statuses(
        self, items: Sequence[StatusItem], rules: OdooRules
    ) -> list[PostResult | OdooError]:
        """Several statuses in few calls: the pickings of all of them are looked up together,
        and their existing chatter read once. A status that fails does not stop the others."""
        refs = [_status_references(item.status) for item in items]
        found = self._find_pickings(refs, rules)
        picking_ids = sorted({row["id"] for row, _ in found if row})
        bodies = self._existing_bodies(picking_ids)
        outcomes: list[PostResult | OdooError] = []
        for item, (picking, tried) in zip(items, found, strict=True):
            label = _status_label(item.status)
            if picking is None:
                outcomes.append(ShipmentNotFound(label, tried))
                continue
            try:
                outcomes.append(self._post_one_status(item, picking, rules, bodies))
            except OdooError as exc:
                outcomes.append(exc)
            except Exception as exc:  # one bad document must not take its neighbours down
                log.exception("posting %s failed", label)
                failure = OdooError(f"{label}: unexpected {type(exc).__name__}: {exc}")
                failure.__cause__ = exc
                outcomes.append(failure)
        return outcomes

    def _post_one_status(
        self,
        item: StatusItem,
        picking: dict[str, Any],
        rules: OdooRules,
        bodies: dict[int, set[str]],
    ) -> PostResult:
        status = item.status
        pid = int(picking["id"])
        result = PostResult(_status_label(status))
        result.touch("stock.picking", pid, "found", picking["name"])
        pro = status.carrier_reference or _first(status.references.get("pro"))
        if pro and picking.get("carrier_tracking_ref") != pro:
            self.client.write("stock.picking", [pid], {"carrier_tracking_ref": pro})
            picking["carrier_tracking_ref"] = pro  # shared with later documents of the batch
            result.touch("stock.picking", pid, "updated", picking["name"])
        known = bodies.setdefault(pid, set())
        events = sorted(status.events, key=lambda e: (e.time is None, e.time or _EPOCH))
        for event in events:
            if _already_said(_event_core(event), known):
                continue
            text = _event_text(event, status, item.interchange)
            customer = rules.status_message == "comment" and (
                event.milestone in rules.customer_milestones
            )
            message_id = self._message(pid, text, _COMMENT if customer else _NOTE)
            known.add(_normal(text))
            result.touch("mail.message", message_id, "message")
        if item.raw is not None and rules.attach_raw_file:
            self._attach_raw(result, pid, item, rules)
        delivered = [e for e in events if e.milestone == Milestone.DELIVERED]
        if delivered and rules.validate_picking_on_delivery:
            self._validate_delivered(result, picking, delivered[-1])
        elif delivered and picking.get("state") != "done":
            result.notes.append(
                f"{picking['name']} reported delivered; not validated (the profile leaves "
                "validation to the warehouse)"
            )
        for event in events:
            if event.milestone in rules.attention_milestones:
                self._attention(result, picking, event, status, rules)
        return result

    def _message(self, pid: int, text: str, subtype: str, model: str = "stock.picking") -> int:
        body, extra = self.client.text_to_html(text)
        return int(
            self.client.call(
                model,
                "message_post",
                ids=[pid],
                body=body,
                message_type="comment",
                subtype_xmlid=subtype,
                **extra,
            )
        )

    def _existing_bodies(self, picking_ids: list[int]) -> dict[int, set[str]]:
        if not picking_ids:
            return {}
        rows = self.client.search_read(
            "mail.message",
            [["model", "=", "stock.picking"], ["res_id", "in", picking_ids]],
            ["res_id", "body"],
        )
        bodies: dict[int, set[str]] = {}
        for row in rows:
            bodies.setdefault(int(row["res_id"]), set()).add(_normal(row.get("body") or ""))
        return bodies

    def _attach_raw(self, result: PostResult, pid: int, item: StatusItem, rules: OdooRules) -> None:
        assert item.raw is not None
        key = item.interchange or _digest(item.raw)
        name = xmlid_name("raw", rules.partner_id, key, "picking", pid)
        found = self.client.xmlid_lookup(name)
        if found:
            result.touch("ir.attachment", found[1], "found")
            return
        filename = item.filename or f"{rules.partner_id}-{key}.edi"
        attachment_id = self.client.load_one(
            "ir.attachment",
            name,
            {
                "name": filename,
                "res_model": "stock.picking",
                "res_id": pid,
                "datas": base64.b64encode(item.raw).decode("ascii"),
                "mimetype": "text/plain",
            },
        )
        result.touch("ir.attachment", attachment_id, "attached", filename)

    def _validate_delivered(
        self, result: PostResult, picking: dict[str, Any], event: StatusEvent
    ) -> None:
        pid = int(picking["id"])
        state = picking.get("state")
        if state == "cancel":
            result.notes.append(f"{picking['name']} is cancelled; delivery not recorded on it")
            return
        if state != "done":
            self.validate_picking(pid)
            picking["state"] = "done"
            result.touch("stock.picking", pid, "validated", picking["name"])
            if event.time is not None:
                # the delivery time is the transfer's date (written on done pickings, §7.5)
                self.client.write("stock.picking", [pid], {"date_done": odoo_datetime(event.time)})

    def validate_picking(self, pid: int) -> None:
        """button_validate, answering Odoo's wizards: the backorder wizard is run with the
        context it returned (without it Odoo does nothing, reference §7.5); Odoo 16's
        immediate-transfer wizard likewise."""
        answer = self.client.call("stock.picking", "button_validate", ids=[pid])
        for _ in range(3):
            if not isinstance(answer, dict):
                break
            wizard_model = answer.get("res_model")
            if wizard_model not in ("stock.backorder.confirmation", "stock.immediate.transfer"):
                break  # a report/print action after the transfer is done
            context = dict(answer.get("context") or {})
            wizard = self.client.call(
                wizard_model, "create", {"pick_ids": [[4, pid]]}, context=context
            )
            answer = self.client.call(wizard_model, "process", ids=[int(wizard)], context=context)
        state = self.client.read("stock.picking", [pid], ["state"])[0]["state"]
        if state != "done":
            raise OdooError(f"stock.picking {pid} is still {state!r} after validation")

    def _attention(
        self,
        result: PostResult,
        picking: dict[str, Any],
        event: StatusEvent,
        status: ShipmentStatus,
        rules: OdooRules,
    ) -> None:
        label = _MILESTONE_LABEL.get(event.milestone, str(event.milestone))
        summary = f"{label}: {picking['name']}"
        if event.reason or (event.original and event.original.reason):
            summary += f" ({event.reason or event.original.reason})"  # type: ignore[union-attr]
        note = _event_text(event, status, None)
        self._activity(result, int(picking["id"]), summary, note, picking, rules)

    def _activity(
        self,
        result: PostResult,
        pid: int,
        summary: str,
        note: str,
        picking: dict[str, Any],
        rules: OdooRules,
    ) -> None:
        existing = self.client.search(
            "mail.activity",
            [["res_model", "=", "stock.picking"], ["res_id", "=", pid], ["summary", "=", summary]],
            limit=1,
        )
        if existing:
            result.touch("mail.activity", existing[0], "found", summary)
            return
        user = self._responsible(picking, rules)
        self.client.call(
            "stock.picking",
            "activity_schedule",
            ids=[pid],
            act_type_xmlid=_TODO,
            date_deadline=date.today().isoformat(),
            summary=summary,
            note=html.escape(note),
            user_id=user,
        )
        # activity_schedule answers "mail.activity(5,)" over RPC: look the id up
        created = self.client.search(
            "mail.activity",
            [["res_model", "=", "stock.picking"], ["res_id", "=", pid], ["summary", "=", summary]],
            limit=1,
        )
        result.touch("mail.activity", created[0] if created else 0, "activity", summary)

    def _responsible(self, picking: dict[str, Any], rules: OdooRules) -> int:
        if rules.activity_user_login:
            login = rules.activity_user_login
            if login not in self._users_by_login:
                found = self.client.search("res.users", [["login", "=", login]], limit=1)
                if not found:
                    raise OdooSetupError(f"no Odoo user with login {login!r} for activities")
                self._users_by_login[login] = found[0]
            return self._users_by_login[login]
        user = picking.get("user_id")
        if isinstance(user, list) and user:
            return int(user[0])
        if isinstance(user, int) and user:
            return user
        return int(self.client.uid or 0)

    # ---------------------------------------------------------------- finding
    def _find_pickings(
        self, refs_list: list[dict[str, list[str]]], rules: OdooRules
    ) -> list[tuple[dict[str, Any] | None, list[tuple[str, str, list[str]]]]]:
        """For each document's references, the picking the first matching rule finds. Rules
        are tried in order for the whole batch at once: one search per field, and only for
        the documents no earlier rule placed."""
        found: list[dict[str, Any] | None] = [None] * len(refs_list)
        tried: list[list[tuple[str, str, list[str]]]] = [[] for _ in refs_list]
        rows_by_field: dict[str, dict[str, list[dict[str, Any]]]] = {}  # field -> value -> rows
        for rule in rules.reference_rules:
            open_ = [i for i, refs in enumerate(refs_list) if found[i] is None]
            wanted = {i: refs_list[i].get(rule.reference, []) for i in open_}
            wanted = {i: values for i, values in wanted.items() if values}
            if not wanted:
                continue
            for i, values in wanted.items():
                tried[i].append((rule.reference, rule.odoo_field, list(values)))
            if "." in rule.odoo_field:
                for i, values in wanted.items():
                    rows = self.client.search_read(
                        "stock.picking",
                        [[rule.odoo_field, "in", values], ["state", "!=", "cancel"]],
                        PICKING_FIELDS,
                        order="id desc",
                    )
                    found[i] = _preferred(rows)
                continue
            by_value = rows_by_field.setdefault(rule.odoo_field, {})
            missing = sorted({v for values in wanted.values() for v in values} - set(by_value))
            if missing:
                for value in missing:
                    by_value[value] = []
                for row in self.client.search_read(
                    "stock.picking",
                    [[rule.odoo_field, "in", missing], ["state", "!=", "cancel"]],
                    sorted(set(PICKING_FIELDS) | {rule.odoo_field}),
                    order="id desc",
                ):
                    key = row.get(rule.odoo_field)
                    if isinstance(key, str):
                        by_value.setdefault(key, []).append(row)
            for i, values in wanted.items():
                matched = {int(r["id"]): r for v in values for r in by_value.get(v, [])}
                found[i] = _preferred(list(matched.values()))
        return list(zip(found, tried, strict=True))

    def find_picking(self, references: dict[str, list[str]], rules: OdooRules) -> dict[str, Any]:
        picking, tried = self._find_pickings([references], rules)[0]
        if picking is None:
            raise ShipmentNotFound(_refs_label(references), tried)
        return picking

    # ---------------------------------------------------------------- invoices
    def post_invoice(
        self,
        invoice: FreightInvoice,
        rules: OdooRules,
        *,
        raw: bytes | None = None,
        interchange: str | None = None,
    ) -> PostResult:
        """A vendor bill for the carrier's invoice, posted when it matches the expected
        charge within tolerance; otherwise left draft with a structured mismatch."""
        outcome = self.post_invoices([InvoiceItem(invoice, raw, interchange)], rules)[0]
        if isinstance(outcome, OdooError):
            raise outcome
        return outcome

    def post_invoices(
        self, items: Sequence[InvoiceItem], rules: OdooRules
    ) -> list[PostResult | OdooError]:
        """Several invoices in few calls. Vendor, products, pickings and the vendor's bills
        with these references are looked up for all of them at once; the new bills are
        created in one `load()` (each under its external id, so a retry updates instead of
        doubling), their raw files attached in another, and the bills that pass are posted
        with one action_post. Only the lines cost a call per bill. A bill Odoo refuses is
        found by retrying one by one; it fails alone, as does any invoice with a problem of
        its own."""
        try:
            vendor = self._vendor(rules)
            codes = {
                code
                for item in items
                for line in item.invoice.lines
                if (
                    code := rules.charge_products.get(str(line.charge_class))
                    or rules.fallback_charge_product
                )
            }
            self._products(codes)
            known = self._vendor_bills(vendor, sorted({i.invoice.invoice_number for i in items}))
        except OdooError as exc:
            return [exc for _ in items]
        found = self._find_pickings([_invoice_references(i.invoice) for i in items], rules)
        outcomes: list[PostResult | OdooError] = []
        plans: dict[int, _BillPlan] = {}  # by position; `existing` set when ours already
        for index, (item, (picking, tried)) in enumerate(zip(items, found, strict=True)):
            label = f"freight invoice {item.invoice.invoice_number}"
            try:
                plan = self._plan_bill(item, rules, vendor, picking, tried)
            except Exception as exc:  # one bad document must not take its neighbours down
                outcomes.append(_failure(label, exc))
                continue
            outcomes.append(plan.result)
            bills = known.get((plan.move_type, item.invoice.invoice_number), [])
            ours = next((b for b in bills if b["xmlid"] == f"{XMLID_MODULE}.{plan.xmlid}"), None)
            other = next((b for b in bills if b is not ours and b["state"] != "cancel"), None)
            if ours is None and other is not None:
                # a bill with this vendor reference that we did not create: a duplicate
                plan.result.duplicate = True
                plan.result.touch("account.move", other["id"], "found", other["name"])
                plan.result.notes.append(
                    f"bill {other['name']} already holds vendor reference "
                    f"{item.invoice.invoice_number}: not billed twice"
                )
                continue
            plan.existing = ours
            plans[index] = plan
        self._create_bills({i: p for i, p in plans.items() if p.existing is None}, outcomes)
        to_post: dict[int, _PostIntent] = {}
        attachments: dict[int, tuple[str, dict[str, Any]]] = {}
        for index, plan in plans.items():
            if isinstance(outcomes[index], OdooError) or plan.bill_id is None:
                continue
            try:
                intent = self._finish_bill(plan, rules, attachments, index)
            except Exception as exc:
                outcomes[index] = _failure(plan.result.document, exc)
                attachments.pop(index, None)
                continue
            if intent is not None:
                to_post[index] = intent
        self._attach_bill_files(attachments, plans, outcomes)
        to_post = {i: t for i, t in to_post.items() if not isinstance(outcomes[i], OdooError)}
        if to_post:
            self._post_bills(to_post, outcomes)
        return outcomes

    def _vendor_bills(
        self, vendor: int, numbers: list[str]
    ) -> dict[tuple[str, str], list[dict[str, Any]]]:
        """The vendor's bills and refunds carrying these references (any state), each with
        its external id ("" when not ours), by (move type, reference)."""
        rows = self.client.search_read(
            "account.move",
            [
                ["move_type", "in", ["in_invoice", "in_refund"]],
                ["partner_id", "=", vendor],
                ["ref", "in", numbers],
            ],
            ["name", "state", "ref", "move_type", "invoice_line_ids", "amount_total"],
            order="id",
        )
        xmlids: dict[str, str] = {}
        if rows:
            xmlids = self.client.call(
                "account.move", "get_external_id", ids=[int(r["id"]) for r in rows]
            )
        known: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in rows:
            row["xmlid"] = xmlids.get(str(row["id"])) or ""
            known.setdefault((row["move_type"], row["ref"]), []).append(row)
        return known

    def _plan_bill(
        self,
        item: InvoiceItem,
        rules: OdooRules,
        vendor: int,
        picking: dict[str, Any] | None,
        tried: list[tuple[str, str, list[str]]],
    ) -> _BillPlan:
        """What the bill of one invoice should hold, worked out before any call that writes."""
        invoice = item.invoice
        result = PostResult(f"freight invoice {invoice.invoice_number}")
        refund = invoice.kind == InvoiceKind.CREDIT_NOTE
        move_type = "in_refund" if refund else "in_invoice"
        references = _invoice_references(invoice)
        if picking is None:
            result.notes.append(str(ShipmentNotFound(_refs_label(references), tried)))
        lines = self._bill_lines(invoice, rules, refund)
        receipt = picking is not None and picking.get("picking_type_code") == "incoming"
        landed = rules.landed_cost and receipt
        hold_reason = None
        if landed:
            assert picking is not None
            problem = self._landed_cost_problem(picking, lines)
            if problem:
                # posting it as a plain expense would count the freight twice (§7.2)
                landed = False
                hold_reason = f"landed cost not applied: {problem}; left draft for finance"
                result.notes.append(hold_reason)
            else:
                for line in lines:
                    line["is_landed_costs_line"] = True
        header = {
            "move_type": move_type,
            "partner_id": vendor,
            "ref": invoice.invoice_number,
            "invoice_date": invoice.invoice_date.isoformat() if invoice.invoice_date else "",
            "invoice_origin": picking["name"] if picking else _first_ref(references),
            "currency_id": self._currency(invoice.currency),
        }
        if rules.journal_code:
            header["journal_id"] = self._journal(rules.journal_code)
        return _BillPlan(
            item,
            result,
            xmlid_name("bill", rules.partner_id, invoice.invoice_number),
            move_type,
            header,
            lines,
            landed,
            hold_reason,
            picking,
        )

    def _create_bills(
        self, fresh: dict[int, _BillPlan], outcomes: list[PostResult | OdooError]
    ) -> None:
        """Create the new bills' headers in one `load()`. Odoo refuses a whole import when
        one row fails, so a refused batch is retried row by row to find the culprit."""
        if not fresh:
            return
        plans = list(fresh.items())
        try:
            ids = self.client.load_many(
                "account.move", [(plan.xmlid, plan.header) for _, plan in plans]
            )
        except OdooCallError as refused:
            if len(plans) == 1:
                outcomes[plans[0][0]] = refused
            else:
                for index, plan in plans:
                    self._create_bills({index: plan}, outcomes)
            return
        except OdooError as exc:  # unreachable, timed out...: every new bill waits
            for index, _ in plans:
                outcomes[index] = exc
            return
        for (_, plan), bill_id in zip(plans, ids, strict=True):
            plan.existing = {"id": bill_id, "state": "draft", "invoice_line_ids": [], "name": None}
            plan.created = True
            plan.result.touch("account.move", bill_id, "created")

    def _finish_bill(
        self,
        plan: _BillPlan,
        rules: OdooRules,
        attachments: dict[int, tuple[str, dict[str, Any]]],
        index: int,
    ) -> _PostIntent | None:
        """Lines onto a draft bill that has none, its raw file queued for attaching, and the
        comparison with the expected charge. Returns what still has to be posted."""
        bill = plan.existing
        assert bill is not None and plan.bill_id is not None
        bill_id, result = plan.bill_id, plan.result
        if not plan.created:
            result.touch("account.move", bill_id, "found")
        if not bill["invoice_line_ids"] and bill["state"] == "draft":
            self.client.write(
                "account.move", [bill_id], {"invoice_line_ids": [[0, 0, v] for v in plan.lines]}
            )
            result.touch("account.move", bill_id, "updated", bill["name"])
        item = plan.item
        key = item.interchange or _digest(item.raw or b"")
        attachment = xmlid_name("raw", rules.partner_id, key, "bill", bill_id)
        # a bill made just now has no file yet; one found may have it from the first time
        if item.raw is not None and (plan.created or not self.client.xmlid_lookup(attachment)):
            filename = f"{rules.partner_id}-{item.invoice.invoice_number}.edi"
            attachments[index] = (
                attachment,
                {
                    "name": filename,
                    "res_model": "account.move",
                    "res_id": bill_id,
                    "datas": base64.b64encode(item.raw).decode("ascii"),
                    "mimetype": "text/plain",
                },
            )
        if bill["state"] != "draft":
            result.duplicate = not plan.created
            return None
        mismatch = self._compare(item.invoice, rules, plan.picking, bill_id)
        if mismatch is not None:
            result.mismatch = mismatch
            return None
        if not rules.auto_post:
            result.notes.append("within tolerance; left draft (the profile does not auto-post)")
            return None
        if plan.hold_reason:
            return None
        return _PostIntent(bill_id, plan.landed, plan.picking)

    def _attach_bill_files(
        self,
        attachments: dict[int, tuple[str, dict[str, Any]]],
        plans: dict[int, _BillPlan],
        outcomes: list[PostResult | OdooError],
    ) -> None:
        """The raw file onto each bill, all in one `load()` (an upsert by external id, so a
        file attached before is not attached twice); row by row when Odoo refuses it."""
        if not attachments:
            return
        rows = list(attachments.items())
        try:
            ids = self.client.load_many("ir.attachment", [spec for _, spec in rows])
        except OdooError as exc:
            if len(rows) > 1 and isinstance(exc, OdooCallError):
                for index, spec in rows:
                    self._attach_bill_files({index: spec}, plans, outcomes)
                return
            for index, _ in rows:
                outcomes[index] = exc
            return
        for (index, (_, values)), attachment_id in zip(rows, ids, strict=True):
            plans[index].result.touch("ir.attachment", attachment_id, "attached", values["name"])

    def _post_bills(
        self, to_post: dict[int, _PostIntent], outcomes: list[PostResult | OdooError]
    ) -> None:
        bill_ids = [intent.bill_id for intent in to_post.values()]
        posted: set[int] = set()
        try:
            self.client.call("account.move", "action_post", ids=bill_ids)
            posted = set(to_post)
        except OdooCallError as refused:
            if len(to_post) == 1:
                outcomes[next(iter(to_post))] = refused
                return
            # Odoo refused the call as a whole (one transaction): find the culprit(s)
            for index, intent in to_post.items():
                try:
                    self.client.call("account.move", "action_post", ids=[intent.bill_id])
                    posted.add(index)
                except OdooCallError as exc:
                    outcomes[index] = exc
        names = {
            row["id"]: row["name"]
            for row in self.client.read("account.move", bill_ids, ["name", "state"])
            if row["state"] == "posted"
        }
        for index in sorted(posted):
            intent = to_post[index]
            result = outcomes[index]
            assert isinstance(result, PostResult)
            result.touch("account.move", intent.bill_id, "posted", names.get(intent.bill_id))
            if intent.landed and intent.picking is not None:
                try:
                    self._landed_cost(result, intent.bill_id, intent.picking)
                except OdooError as exc:
                    result.notes.append(f"bill posted, landed cost failed: {exc}")
                    outcomes[index] = exc

    def release_bill(self, bill_id: int, rules: OdooRules) -> PostResult:
        """Post a bill held as draft (finance resolved its invoice_mismatch) and, when its
        lines were flagged as landed costs, make the landed cost on its receipt too. Safe to
        run again: a posted bill and an existing landed cost are left as they are."""
        rows = self.client.read(
            "account.move", [bill_id], ["name", "state", "invoice_origin", "move_type"]
        )
        if not rows:
            raise OdooSetupError(f"account.move {bill_id} does not exist (any more)")
        bill = rows[0]
        result = PostResult(f"held bill {bill['name']}")
        if bill["state"] == "draft":
            self.client.call("account.move", "action_post", ids=[bill_id])
            posted = self.client.read("account.move", [bill_id], ["name"])[0]
            result.touch("account.move", bill_id, "posted", posted["name"])
        elif bill["state"] == "posted":
            result.touch("account.move", bill_id, "found", bill["name"])
        else:
            raise OdooSetupError(f"bill {bill['name']} is {bill['state']}; not posted")
        flagged = self.client.search_count(
            "account.move.line", [["move_id", "=", bill_id], ["is_landed_costs_line", "=", True]]
        )
        if rules.landed_cost and flagged and bill.get("invoice_origin"):
            receipts = self.client.search_read(
                "stock.picking",
                [["name", "=", bill["invoice_origin"]], ["picking_type_code", "=", "incoming"]],
                PICKING_FIELDS,
                limit=1,
            )
            if receipts:
                self._landed_cost(result, bill_id, receipts[0])
            else:
                result.notes.append(f"no receipt {bill['invoice_origin']!r} for the landed cost")
        return result

    def _vendor(self, rules: OdooRules) -> int:
        if not rules.vendor_ref:
            raise OdooSetupError(f"partner {rules.partner_id}: no vendor_ref for bills")
        if rules.vendor_ref not in self._partner_by_ref:
            found = self.client.search("res.partner", [["ref", "=", rules.vendor_ref]], limit=2)
            if not found:
                raise OdooSetupError(f"no res.partner with ref {rules.vendor_ref!r} (the vendor)")
            if len(found) > 1:
                raise OdooSetupError(f"several res.partner with ref {rules.vendor_ref!r}")
            self._partner_by_ref[rules.vendor_ref] = found[0]
        return self._partner_by_ref[rules.vendor_ref]

    def _currency(self, code: str) -> int:
        if code not in self._currency_by_name:
            found = self.client.search(
                "res.currency", [["name", "=", code], ["active", "in", [True, False]]], limit=1
            )
            if not found:
                raise OdooSetupError(f"no res.currency {code!r}")
            self._currency_by_name[code] = found[0]
        return self._currency_by_name[code]

    def _journal(self, code: str) -> int:
        if code not in self._journal_by_code:
            found = self.client.search(
                "account.journal", [["code", "=", code], ["type", "=", "purchase"]], limit=1
            )
            if not found:
                raise OdooSetupError(f"no purchase journal with code {code!r}")
            self._journal_by_code[code] = found[0]
        return self._journal_by_code[code]

    def _products(self, codes: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted(set(codes) - set(self._products_by_code))
        if wanted:
            for row in self.client.search_read(
                "product.product",
                [["default_code", "in", wanted]],
                ["default_code", "name", "landed_cost_ok", "categ_id"],
            ):
                self._products_by_code[row["default_code"]] = row
        return {c: self._products_by_code[c] for c in codes if c in self._products_by_code}

    def _product_code(self, charge_class: str, rules: OdooRules) -> str:
        code = rules.charge_products.get(charge_class) or rules.fallback_charge_product
        if not code:
            raise OdooSetupError(
                f"partner {rules.partner_id}: no product for charge class {charge_class!r}"
            )
        return code

    def _bill_lines(
        self, invoice: FreightInvoice, rules: OdooRules, refund: bool
    ) -> list[dict[str, Any]]:
        codes = {self._product_code(str(line.charge_class), rules) for line in invoice.lines}
        products = self._products(codes)
        missing = sorted(codes - set(products))
        if missing:
            raise OdooSetupError(f"no product.product with default_code {missing}")
        values = []
        for line in invoice.lines:
            product = products[self._product_code(str(line.charge_class), rules)]
            amount = line.amount.amount
            label = line.description or _CHARGE_LABEL.get(
                str(line.charge_class), str(line.charge_class)
            )
            if line.code:
                label += f" ({line.code})"
            values.append(
                {
                    "product_id": product["id"],
                    "name": label,
                    "quantity": 1,
                    "price_unit": float(abs(amount) if refund else amount),
                    # the carrier's invoice is the whole amount: no purchase tax on top
                    "tax_ids": [[6, 0, []]],
                }
            )
        if not values:
            raise OdooSetupError(f"invoice {invoice.invoice_number} has no charge lines")
        return values

    # ------------------------------------------------------------- reconciliation
    def expected_charge(
        self, picking: dict[str, Any] | None, rules: OdooRules
    ) -> tuple[str, Decimal, dict[str, Decimal] | None] | None:
        """(source, total, per charge class or None) of what the shipment should cost."""
        if picking is None:
            return None
        for source in rules.expected_sources:
            if source == "carrier_price" and float(picking.get("carrier_price") or 0) > 0:
                return source, _money(picking["carrier_price"]), None
            if source == "purchase_order":
                per_class = self._purchase_order_freight(picking, rules)
                if per_class:
                    return source, sum(per_class.values(), Decimal(0)), per_class
            if source == "carrier_rate" and picking.get("carrier_id"):
                carrier_id = (
                    picking["carrier_id"][0]
                    if isinstance(picking["carrier_id"], list)
                    else picking["carrier_id"]
                )
                rows = self.client.read(
                    "delivery.carrier", [int(carrier_id)], ["delivery_type", "fixed_price"]
                )
                if rows and rows[0]["delivery_type"] == "fixed" and rows[0]["fixed_price"] > 0:
                    return source, _money(rows[0]["fixed_price"]), None
        return None

    def _purchase_order_freight(
        self, picking: dict[str, Any], rules: OdooRules
    ) -> dict[str, Decimal]:
        code_to_class: dict[str, str] = {}
        for charge_class, code in rules.charge_products.items():
            code_to_class.setdefault(code, charge_class)
        products = self._products(code_to_class)
        if not products:
            return {}
        class_by_product = {p["id"]: code_to_class[code] for code, p in products.items()}
        rows = self.client.search_read(
            "purchase.order.line",
            [
                ["order_id.origin", "=", picking["name"]],
                ["order_id.state", "in", ["purchase", "done"]],
                ["product_id", "in", sorted(class_by_product)],
            ],
            ["product_id", "price_subtotal"],
        )
        per_class: dict[str, Decimal] = {}
        for row in rows:
            product = (
                row["product_id"][0] if isinstance(row["product_id"], list) else row["product_id"]
            )
            matched = class_by_product.get(product)
            if matched:
                per_class[matched] = per_class.get(matched, Decimal(0)) + _money(
                    row["price_subtotal"]
                )
        return per_class

    def _compare(
        self,
        invoice: FreightInvoice,
        rules: OdooRules,
        picking: dict[str, Any] | None,
        bill_id: int,
    ) -> InvoiceMismatch | None:
        invoiced: dict[str, Decimal] = {}
        for line in invoice.lines:
            if str(line.charge_class) == "tax":
                continue  # taxes are not part of a tendered rate
            key = str(line.charge_class)
            invoiced[key] = invoiced.get(key, Decimal(0)) + line.amount.amount
        invoiced_total = sum(invoiced.values(), Decimal(0))
        expected = self.expected_charge(picking, rules)
        vendor = rules.vendor_ref or rules.partner_id
        if expected is None:
            return InvoiceMismatch(
                invoice_number=invoice.invoice_number,
                vendor=vendor,
                bill_id=bill_id,
                currency=invoice.currency,
                reason="no expected charge found for the shipment"
                if picking
                else "the shipment of this invoice was not found in Odoo",
                expected_source=None,
                expected_total=None,
                invoiced_total=invoiced_total,
                allowed_difference=None,
                charges=[ChargeComparison(k, None, v) for k, v in sorted(invoiced.items())],
            )
        source, expected_total, per_class = expected
        allowed = rules.allowed_difference(expected_total)
        if per_class is not None:
            classes = sorted(set(per_class) | set(invoiced))
            charges = [
                ChargeComparison(c, per_class.get(c, Decimal(0)), invoiced.get(c, Decimal(0)))
                for c in classes
            ]
            unexpected = [
                c
                for c in sorted(invoiced)
                if c.startswith("accessorial")
                and c not in per_class
                and c not in rules.allowed_accessorials
                and invoiced[c] > 0
            ]
        else:
            charges = [ChargeComparison(k, None, v) for k, v in sorted(invoiced.items())]
            charges.append(ChargeComparison("total", expected_total, invoiced_total))
            unexpected = [
                c
                for c in sorted(invoiced)
                if c.startswith("accessorial")
                and c not in rules.allowed_accessorials
                and invoiced[c] > 0
            ]
        difference = invoiced_total - expected_total
        reasons = []
        if abs(difference) > allowed:
            reasons.append(
                f"invoiced {invoiced_total} vs expected {expected_total} ({source}): difference "
                f"{difference} exceeds the tolerance {allowed}"
            )
        if unexpected:
            reasons.append(f"unexpected accessorial charges: {', '.join(unexpected)}")
        if invoice.currency != rules.currency:
            reasons.append(f"invoice currency {invoice.currency}, profile expects {rules.currency}")
        if not reasons:
            return None
        return InvoiceMismatch(
            invoice_number=invoice.invoice_number,
            vendor=vendor,
            bill_id=bill_id,
            currency=invoice.currency,
            reason="; ".join(reasons),
            expected_source=source,
            expected_total=expected_total,
            invoiced_total=invoiced_total,
            allowed_difference=allowed,
            charges=charges,
            unexpected_charges=unexpected,
        )

    # ----------------------------------------------------------------- landed cost
    def _landed_cost_problem(
        self, picking: dict[str, Any], lines: list[dict[str, Any]]
    ) -> str | None:
        """Odoo's landed-cost conditions, including those Odoo does not check (§7.2)."""
        if picking.get("state") != "done":
            return f"receipt {picking['name']} is not done"
        product_ids = sorted({int(line["product_id"]) for line in lines})
        for row in self.client.read("product.product", product_ids, ["name", "landed_cost_ok"]):
            if not row["landed_cost_ok"]:
                return f"product {row['name']!r} is not a landed cost"
        moves = self.client.search_read(
            "stock.move", [["picking_id", "=", picking["id"]]], ["product_id"]
        )
        goods = sorted({int(m["product_id"][0]) for m in moves if m.get("product_id")})
        categories = {
            int(r["categ_id"][0]) for r in self.client.read("product.product", goods, ["categ_id"])
        }
        for categ in self.client.read(
            "product.category", sorted(categories), ["name", "property_cost_method"]
        ):
            if categ["property_cost_method"] not in ("fifo", "average"):
                return (
                    f"goods of category {categ['name']!r} are not valued FIFO or AVCO; Odoo "
                    "cannot spread landed costs on them"
                )
        return None

    def _landed_cost(self, result: PostResult, bill_id: int, picking: dict[str, Any]) -> None:
        existing = self.client.search(
            "stock.landed.cost", [["vendor_bill_id", "=", bill_id]], limit=1
        )
        if existing:
            result.touch("stock.landed.cost", existing[0], "found")
            return
        action = self.client.call("account.move", "button_create_landed_costs", ids=[bill_id])
        landed_id = int(action["res_id"])
        # Odoo leaves the transfers empty on a landed cost made from a bill (§7.2)
        self.client.write(
            "stock.landed.cost", [landed_id], {"picking_ids": [[6, 0, [picking["id"]]]]}
        )
        self.client.call("stock.landed.cost", "button_validate", ids=[landed_id])
        result.touch("stock.landed.cost", landed_id, "validated")

    # --------------------------------------------------------------- tender responses
    def post_tender_response(self, response: TenderResponse, rules: OdooRules) -> PostResult:
        references = {k: list(v) for k, v in response.references.items()}
        references.setdefault("shipment_id", [])
        if response.shipment_id not in references["shipment_id"]:
            references["shipment_id"].insert(0, response.shipment_id)
        picking = self.find_picking(references, rules)
        pid = int(picking["id"])
        result = PostResult(f"tender response for {response.shipment_id}")
        result.touch("stock.picking", pid, "found", picking["name"])
        verb = _ACTION_LABEL.get(response.action, str(response.action))
        text = f"Load tender {verb} by {rules.partner_id}"
        if response.carrier_scac:
            text += f" ({response.carrier_scac})"
        text += f" for {picking['name']}"
        if response.action_code:
            text += f" - code {response.action_code}"
        if response.reason_code:
            text += f", reason {response.reason_code}"
        if response.remarks:
            text += " - " + " / ".join(response.remarks)
        bodies = self._existing_bodies([pid])
        if not _already_said(text, bodies.get(pid, set())):
            full = text + _via(response.source, None)
            result.touch("mail.message", self._message(pid, full, _NOTE), "message")
        if response.action == TenderAction.DECLINED:
            summary = f"Load tender declined by {rules.partner_id}: {picking['name']}"
            self._activity(result, pid, summary, text, picking, rules)
        return result

    # --------------------------------------------------------------- outbound tenders
    def _carrier_ids(self, rules: OdooRules) -> list[int]:
        if not rules.carrier_name:
            return []
        return self.client.search("delivery.carrier", [["name", "=", rules.carrier_name]])

    def pending_tenders(self, rules: OdooRules, *, limit: int = 50) -> list[PendingTender]:
        """Ready outgoing pickings of the partner's carrier with no tender recorded yet,
        each with the LoadTender built from it, its moves, addresses and weights."""
        carriers = self._carrier_ids(rules)
        if not carriers:
            return []
        pickings = self.client.search_read(
            "stock.picking",
            [
                ["carrier_id", "in", carriers],
                ["picking_type_code", "=", "outgoing"],
                ["state", "=", "assigned"],
            ],
            [*PICKING_FIELDS, "weight", "move_ids", "picking_type_id"],
            order="scheduled_date asc, id asc",
            limit=limit,
        )
        if not pickings:
            return []
        tendered = self._tendered_picking_ids([p["id"] for p in pickings], rules)
        pickings = [p for p in pickings if p["id"] not in tendered]
        if not pickings:
            return []
        moves = self.client.read(
            "stock.move",
            sorted({m for p in pickings for m in p["move_ids"]}),
            ["picking_id", "product_id", "product_uom_qty", "name", "state"],
        )
        product_ids = sorted({m["product_id"][0] for m in moves if m.get("product_id")})
        products = {
            p["id"]: p
            for p in self.client.read(
                "product.product", product_ids, ["name", "default_code", "weight"]
            )
        }
        partner_ids = {p["partner_id"][0] for p in pickings if p.get("partner_id")}
        types = {p["picking_type_id"][0] for p in pickings}
        type_rows = self.client.read("stock.picking.type", sorted(types), ["warehouse_id"])
        warehouse_ids = sorted({t["warehouse_id"][0] for t in type_rows if t.get("warehouse_id")})
        warehouses = {
            w["id"]: w
            for w in self.client.read("stock.warehouse", warehouse_ids, ["name", "partner_id"])
        }
        for w in warehouses.values():
            if w.get("partner_id"):
                partner_ids.add(w["partner_id"][0])
        partners = {
            p["id"]: p
            for p in self.client.read(
                "res.partner",
                sorted(partner_ids),
                [
                    "name",
                    "street",
                    "street2",
                    "city",
                    "zip",
                    "state_id",
                    "country_id",
                    "email",
                    "phone",
                    "ref",
                ],
            )
        }
        warehouse_of_type = {
            t["id"]: (t["warehouse_id"][0] if t.get("warehouse_id") else None) for t in type_rows
        }
        country_codes = self._country_codes(partners.values())
        state_codes = self._state_codes(partners.values())
        currency = self._company_currency()
        result = []
        for picking in pickings:
            picking_moves = [
                m for m in moves if m["picking_id"] and m["picking_id"][0] == picking["id"]
            ]
            warehouse = warehouses.get(warehouse_of_type.get(picking["picking_type_id"][0]) or 0)
            ship_from = (
                partners.get(warehouse["partner_id"][0])
                if warehouse and warehouse.get("partner_id")
                else None
            )
            ship_to = partners.get(picking["partner_id"][0]) if picking.get("partner_id") else None
            tender = _build_tender(
                picking,
                picking_moves,
                products,
                ship_from,
                ship_to,
                rules,
                currency,
                country_codes,
                state_codes,
            )
            result.append(PendingTender(picking["id"], picking["name"], tender))
        return result

    def _tendered_picking_ids(self, picking_ids: list[int], rules: OdooRules) -> set[int]:
        rows = self.client.search_read(
            "ir.attachment",
            [
                ["res_model", "=", "stock.picking"],
                ["res_id", "in", picking_ids],
                ["name", "=like", f"edigw-tender-{rules.partner_id}-%"],
            ],
            ["res_id"],
        )
        return {int(r["res_id"]) for r in rows}

    def record_tender(
        self,
        picking_id: int,
        tender: LoadTender,
        rules: OdooRules,
        *,
        raw: bytes | None = None,
        interchange: str | None = None,
    ) -> PostResult:
        """Mark the picking as tendered (once): the tender attached to it under an external
        id, the tendered rate stored as its carrier_price (the expected freight, §7.1), and a
        chatter note. Call it when the outbound document is durably queued."""
        result = PostResult(f"load tender {tender.shipment_id}")
        name = xmlid_name("tender", rules.partner_id, picking_id)
        found = self.client.xmlid_lookup(name)
        if found:
            result.duplicate = True
            result.touch("ir.attachment", found[1], "found")
            return result
        picking = self.client.read("stock.picking", [picking_id], ["name", "carrier_price"])[0]
        if tender.total_charge is not None and _money(picking["carrier_price"]) != (
            tender.total_charge.amount
        ):
            self.client.write(
                "stock.picking",
                [picking_id],
                {"carrier_price": float(tender.total_charge.amount)},
            )
            result.touch("stock.picking", picking_id, "updated", picking["name"])
        content = raw if raw is not None else tender.model_dump_json(indent=2).encode()
        suffix = "edi" if raw is not None else "json"
        filename = f"edigw-tender-{rules.partner_id}-{picking['name'].replace('/', '-')}.{suffix}"
        attachment = self.client.load_one(
            "ir.attachment",
            name,
            {
                "name": filename,
                "res_model": "stock.picking",
                "res_id": picking_id,
                "datas": base64.b64encode(content).decode("ascii"),
                "mimetype": "text/plain" if raw is not None else "application/json",
            },
        )
        result.touch("ir.attachment", attachment, "attached", filename)
        text = f"Load tender sent to {rules.partner_id} for {picking['name']}"
        if interchange:
            text += f" - interchange {interchange}"
        if tender.total_charge is not None:
            text += f" - tendered rate {tender.total_charge.amount} {tender.total_charge.currency}"
        result.touch("mail.message", self._message(picking_id, text, _NOTE), "message")
        return result

    def _country_codes(self, partners: Iterable[dict[str, Any]]) -> dict[int, str]:
        ids = sorted({p["country_id"][0] for p in partners if p.get("country_id")})
        return {r["id"]: r["code"] for r in self.client.read("res.country", ids, ["code"])}

    def _state_codes(self, partners: Iterable[dict[str, Any]]) -> dict[int, str]:
        ids = sorted({p["state_id"][0] for p in partners if p.get("state_id")})
        return {r["id"]: r["code"] for r in self.client.read("res.country.state", ids, ["code"])}

    def _company_currency(self) -> str:
        user = self.client.read("res.users", [int(self.client.uid or 0)], ["company_id"])
        if user and user[0].get("company_id"):
            company = self.client.read("res.company", [user[0]["company_id"][0]], ["currency_id"])
            if company and company[0].get("currency_id"):
                return str(company[0]["currency_id"][1])
        return "USD"


# ------------------------------------------------------------------------------ helpers
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_MILESTONE_LABEL = {
    Milestone.TENDERED: "Tendered",
    Milestone.ACCEPTED: "Accepted by carrier",
    Milestone.DECLINED: "Declined by carrier",
    Milestone.ARRIVED_PICKUP: "Carrier arrived at pickup",
    Milestone.LOADED: "Loaded",
    Milestone.PICKED_UP: "Picked up",
    Milestone.IN_TRANSIT: "In transit",
    Milestone.OUT_FOR_DELIVERY: "Out for delivery",
    Milestone.ARRIVED_DELIVERY: "Arrived at delivery",
    Milestone.DELIVERED: "Delivered",
    Milestone.DEPARTED_DELIVERY: "Departed delivery location",
    Milestone.DELAYED: "Delayed",
    Milestone.EXCEPTION: "Shipment exception",
    Milestone.APPOINTMENT_SET: "Appointment set",
    Milestone.ETA_UPDATED: "ETA updated",
    Milestone.CANCELLED: "Cancelled by carrier",
    Milestone.UNKNOWN: "Unrecognised status",
}
_ACTION_LABEL = {
    TenderAction.ACCEPTED: "accepted",
    TenderAction.DECLINED: "declined",
    TenderAction.CONDITIONALLY_ACCEPTED: "conditionally accepted",
    TenderAction.COUNTER_PROPOSAL: "answered with a counter proposal",
    TenderAction.UNKNOWN: "answered",
}
_CHARGE_LABEL = {
    "line_haul": "Line haul",
    "fuel": "Fuel surcharge",
    "discount": "Discount",
    "tax": "Tax",
    "other": "Other charge",
}


def _preferred(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Of several pickings matching one reference: a backorder shares its origin, so the
    open transfer first, then the newest."""
    if not rows:
        return None
    return min(rows, key=lambda r: (r.get("state") == "done", -int(r["id"])))


def _failure(label: str, exc: Exception) -> OdooError:
    """An error of one document as its outcome: Odoo's own errors as they are, anything
    unforeseen logged and wrapped, so it fails that document alone."""
    if isinstance(exc, OdooError):
        return exc
    log.exception("posting %s failed", label)
    failure = OdooError(f"{label}: unexpected {type(exc).__name__}: {exc}")
    failure.__cause__ = exc
    return failure


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _plain(number: Decimal) -> str:
    """10 -> "10", 2.50 -> "2.5" (never "1E+1")."""
    return format(number.normalize(), "f")


def _digest(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()[:16]


def _normal(body: str) -> str:
    """Chatter text compared without markup, entities or spacing (Odoo escapes and wraps)."""
    text = _TAGS.sub(" ", body.replace("<br>", "\n"))
    return " ".join(html.unescape(text).split())


def _merge_refs(target: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for kind, values in more.items():
        bucket = target.setdefault(kind, [])
        for value in values:
            if value not in bucket:
                bucket.append(value)


def _status_references(status: ShipmentStatus) -> dict[str, list[str]]:
    refs: dict[str, list[str]] = {}
    if status.shipment_id:
        refs["shipment_id"] = [status.shipment_id]
    if status.carrier_reference:
        refs["pro"] = [status.carrier_reference]
    _merge_refs(refs, status.references)
    for event in status.events:
        _merge_refs(refs, event.references)
    return refs


def _invoice_references(invoice: FreightInvoice) -> dict[str, list[str]]:
    refs: dict[str, list[str]] = {}
    if invoice.shipment_id:
        refs["shipment_id"] = [invoice.shipment_id]
    _merge_refs(refs, invoice.references)
    return refs


def _first_ref(refs: dict[str, list[str]]) -> str:
    for kind in ("shipment_id", "bol", "pro", "po", "load_id"):
        if refs.get(kind):
            return refs[kind][0]
    for values in refs.values():
        if values:
            return values[0]
    return ""


def _refs_label(refs: dict[str, list[str]]) -> str:
    return ", ".join(f"{k} {v[0]}" for k, v in refs.items() if v) or "a document without references"


def _status_label(status: ShipmentStatus) -> str:
    head = status.shipment_id or status.carrier_reference or _first_ref(status.references)
    return f"shipment status {head or '(no reference)'}"


def _event_core(event: StatusEvent) -> str:
    """What happened: milestone, UTC time, place, the partner's own codes, reason, signer,
    remarks. The same event sent again (in another interchange) has the same core."""
    label = _MILESTONE_LABEL.get(event.milestone, str(event.milestone))
    if event.kind == EventKind.APPOINTMENT:
        label = f"Appointment: {label.lower()}"
    parts = [label]
    if event.time is not None:
        moment = event.time.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if event.time_zone_assumed:
            moment += " (local time assumed)"
        parts.append(moment)
    if event.location is not None:
        where = (
            event.location.name,
            event.location.city,
            event.location.region,
            event.location.country,
        )
        place = ", ".join(p for p in where if p)
        if place:
            parts.append(f"at {place}")
    if event.original is not None:
        codes = "/".join(c for c in (event.original.status, event.original.reason) if c) or "-"
        kind = "AT7" if event.original.standard == "x12" else "STS"
        parts.append(f"{event.original.standard.upper()} {kind} {codes}")
    if event.reason:
        parts.append(event.reason)
    if event.pod_name:
        parts.append(f"signed by {event.pod_name}")
    # the carrier's own words (a K1 / FTX remark), less the one that named the signer
    remarks = [
        r for r in event.remarks if not (event.pod_name and event.pod_name.upper() in r.upper())
    ]
    if remarks:
        parts.append("remarks: " + "; ".join(remarks))
    return " - ".join(parts)


def _via(source: Source | None, interchange: str | None) -> str:
    """Where a document came from, appended to its chatter line after ` | `."""
    origin = []
    if source is not None and source.message_type:
        origin.append(f"{source.standard.upper()} {source.message_type}")
    number = interchange or (source.interchange_control_number if source else None)
    if number:
        origin.append(f"interchange {number}")
    return f" | via {', '.join(origin)}" if origin else ""


def _event_text(event: StatusEvent, status: ShipmentStatus, interchange: str | None) -> str:
    return _event_core(event) + _via(status.source, interchange)


def _already_said(core: str, known: set[str]) -> bool:
    """A chatter line for the same fact exists, whichever file it came in."""
    key = _normal(core)
    return any(body == key or body.startswith(key + " | ") for body in known)


def _address(
    partner: dict[str, Any] | None, countries: dict[int, str], states: dict[int, str]
) -> Address | None:
    if not partner:
        return None
    lines = [line for line in (partner.get("street"), partner.get("street2")) if line]
    return Address(
        lines=lines,
        city=partner.get("city") or None,
        region=states.get(partner["state_id"][0]) if partner.get("state_id") else None,
        postal_code=partner.get("zip") or None,
        country=countries.get(partner["country_id"][0]) if partner.get("country_id") else None,
    )


def _party(
    role: str, partner: dict[str, Any] | None, countries: dict[int, str], states: dict[int, str]
) -> Party | None:
    if not partner:
        return None
    return Party(
        role=role,
        name=partner.get("name") or None,
        id=partner.get("ref") or None,
        id_scheme="mutual" if partner.get("ref") else None,
        address=_address(partner, countries, states),
    )


def _aware(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _build_tender(
    picking: dict[str, Any],
    moves: list[dict[str, Any]],
    products: dict[int, dict[str, Any]],
    ship_from: dict[str, Any] | None,
    ship_to: dict[str, Any] | None,
    rules: OdooRules,
    currency: str,
    countries: dict[int, str],
    states: dict[int, str],
) -> LoadTender:
    """A LoadTender from one picking: shipment id = picking name, a pickup stop at the
    warehouse and a delivery stop at the customer, weights from the products."""
    total_kg = Decimal(0)
    pieces = Decimal(0)
    notes = []
    for move in moves:
        product = products.get(move["product_id"][0], {})
        qty = Decimal(str(move["product_uom_qty"]))
        pieces += qty
        total_kg += qty * Decimal(str(product.get("weight") or 0))
        notes.append(f"{_plain(qty)} x {product.get('name') or move['name']}")
    weight = (
        Weight(value=total_kg.quantize(Decimal("0.01")), unit="kg", qualifier="gross")
        if (total_kg)
        else None
    )
    quantity = Quantity(value=Decimal(_plain(pieces))) if pieces else None
    references: dict[str, list[str]] = {"shipment_id": [picking["name"]]}
    if picking.get("origin"):
        references["order"] = [picking["origin"]]
    shipper = _party("shipper", ship_from, countries, states)
    consignee = _party("consignee", ship_to, countries, states)
    pickup_time = _aware(picking.get("scheduled_date"))
    stops = [
        Stop(
            sequence=1,
            kind=StopKind.PICKUP,
            party=shipper,
            earliest=pickup_time,
            weight=weight,
            quantity=quantity,
            references={"shipment_id": [picking["name"]]},
        ),
        Stop(
            sequence=2,
            kind=StopKind.DELIVERY,
            party=consignee,
            weight=weight,
            quantity=quantity,
            references=dict(references),
        ),
    ]
    price = float(picking.get("carrier_price") or 0)
    return LoadTender(
        source=Source(partner=rules.partner_id, standard=rules.standard),
        references=references,
        shipment_id=picking["name"],
        carrier_scac=rules.carrier_scac,
        payment_method=PaymentMethod.PREPAID,
        parties=[p for p in (shipper, consignee) if p is not None],
        stops=stops,
        total_weight=weight,
        total_charge=Money(amount=_money(price), currency=currency) if price > 0 else None,
        notes=notes,
    )


def result_json(result: PostResult | OdooError) -> str:
    payload = result.as_dict()
    return json.dumps(payload, indent=2, default=str)
