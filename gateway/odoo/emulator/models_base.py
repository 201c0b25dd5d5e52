"""Base, mail and attachment models of the emulator: companies, partners, users, groups,
currencies, units, ir.model(.data), ir.attachment, chatter messages and activities."""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Any

from gateway.odoo.emulator.errors import (
    MANDATORY_FIELD_TEXT,
    OdooValueError,
    UserError,
    ValidationError,
)
from gateway.odoo.emulator.orm import (
    BaseModel,
    Field,
    Registry,
    api_model,
    now_string,
    today_string,
)

registry = Registry()
COMPANY_DOMAIN = (
    "(company_id and ['|', ('company_id', '=', False), ('company_id', 'parent_of', "
    "[company_id])] or ['|', ('company_id', '=', False), ('company_id', 'parent_of', '')]) "
    "+ ([])"
)


def _company_default(env: Any) -> int | None:
    return 1 if env.tx.peek("res.company", 1) else None


# ---------------------------------------------------------------------------- mail mixin
def _attachment_count(model: BaseModel, rid: int) -> int:
    return len(model.env.tx.lookup("ir.attachment", ("res_model", "res_id"), [(model._name, rid)]))


def _message_ids(model: BaseModel, rid: int) -> list[int]:
    ids = model.env.tx.lookup("mail.message", ("model", "res_id"), [(model._name, rid)])
    return sorted(ids, reverse=True)


def _activity_ids(model: BaseModel, rid: int) -> list[int]:
    return model.env.tx.lookup("mail.activity", ("res_model", "res_id"), [(model._name, rid)])


MAIL_THREAD_FIELDS = {
    "message_ids": Field(
        "one2many", "Messages", relation="mail.message", compute=_message_ids, store=False
    ),
    "message_partner_ids": Field("many2many", "Followers (Partners)", relation="res.partner"),
    "message_attachment_count": Field(
        "integer", "Attachment Count", compute=_attachment_count, store=False
    ),
    "activity_ids": Field(
        "one2many", "Activities", relation="mail.activity", compute=_activity_ids, store=False
    ),
}


class MailThread(BaseModel):
    """Chatter: message_post, activities, followers."""

    _mail_thread = True
    _declared_fields = MAIL_THREAD_FIELDS

    def message_post(
        self,
        ids: list[int],
        *,
        body: str = "",
        subject: str | None = None,
        message_type: str = "notification",
        email_from: str | None = None,
        author_id: int | None = None,
        parent_id: int | bool = False,
        subtype_xmlid: str | None = None,
        subtype_id: int | bool = False,
        partner_ids: list[int] | None = None,
        attachments: list[Any] | None = None,
        attachment_ids: list[int] | None = None,
        body_is_html: bool = False,
        **kwargs: Any,
    ) -> int:
        ids = list(ids) if isinstance(ids, list) else [ids]
        if len(ids) != 1:
            raise OdooValueError(f"Expected singleton: {self._name}{tuple(ids)!r}")
        for forbidden in ("model", "res_id", "subtype"):
            if forbidden in kwargs:
                raise OdooValueError(
                    "message_post doesn't support model and res_id parameters anymore. Please "
                    "call message_post on record."
                    if forbidden != "subtype"
                    else "message_post doesn't support subtype parameter anymore. Please give "
                    "a valid subtype_id or subtype_xmlid value instead."
                )
        if message_type == "user_notification":
            raise OdooValueError("Use message_notify to send a notification to an user.")
        if kwargs:
            raise OdooValueError(f"Unexpected keyword arguments: {sorted(kwargs)}")
        rid = ids[0]
        self._row(rid)
        # mail.thread's _mail_post_access is 'write': posting needs write access on the record
        self.env.check_access(self, "write")
        messages = self.env["mail.message"].sudo_model()
        author = author_id or self._author_partner()
        if not email_from and not (self.env.tx.peek("res.partner", author) or {}).get("email"):
            raise UserError("Unable to send message, please configure the sender's email address.")
        if self.env.version >= 17 and not body_is_html:
            text = html.escape(str(body or ""))
            body_html = f"<p>{text}</p>" if text else ""
        else:
            body_html = str(body or "")
        if subtype_xmlid:
            subtype = self.env.ref(
                subtype_xmlid if "." in subtype_xmlid else f"mail.{subtype_xmlid}"
            )
        elif subtype_id:
            subtype = int(subtype_id)
        else:
            subtype = self.env.ref("mail.mt_note")
        notified = list(partner_ids or [])
        if subtype == self.env.ref("mail.mt_comment"):
            followers = self._value(rid, "message_partner_ids") or []
            notified += [p for p in followers if p not in notified and p != author]
        message_id = messages._create_one(
            {
                "model": self._name,
                "res_id": rid,
                "body": body_html,
                "subject": subject or False,
                "message_type": message_type,
                "subtype_id": subtype,
                "author_id": author,
                "email_from": email_from or False,
                "partner_ids": [[6, 0, list(partner_ids or [])]],
                "notified_partner_ids": [[6, 0, notified]],
                "parent_id": parent_id or False,
            }
        )
        linked = list(attachment_ids or [])
        attachment_model = self.env["ir.attachment"].sudo_model()
        for item in attachments or []:
            name, content = item[0], item[1]
            raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
            linked.append(
                attachment_model._create_one(
                    {
                        "name": name,
                        "datas": base64.b64encode(raw).decode("ascii"),
                        "res_model": self._name,
                        "res_id": rid,
                    }
                )
            )
        for aid in linked:
            attachment_model.write([aid], {"res_model": self._name, "res_id": rid})
        if linked:
            messages._set(message_id, "attachment_ids", linked)
        return int(message_id)

    def _author_partner(self) -> int:
        user = self.env.tx.peek("res.users", self.env.uid) or {}
        return int(user.get("partner_id") or 0)

    def activity_schedule(
        self,
        ids: list[int],
        act_type_xmlid: str = "",
        date_deadline: str | None = None,
        summary: str = "",
        note: str = "",
        **act_values: Any,
    ) -> str:
        activity_model = self.env["mail.activity"]
        type_id = (
            self.env.ref(act_type_xmlid)
            if act_type_xmlid
            else self.env.ref("mail.mail_activity_data_todo")
        )
        model_id = self.env["ir.model"].sudo_model()._model_id(self._name)
        created = []
        for rid in ids:
            vals = {
                "res_model_id": model_id,
                "res_id": rid,
                "activity_type_id": type_id,
                "summary": summary or False,
                "note": note or False,
                "date_deadline": date_deadline or today_string(),
                "automated": True,
                **act_values,
            }
            created.append(activity_model.create(vals))
        return f"mail.activity({','.join(str(i) for i in created)},)"

    def message_subscribe(self, ids: list[int], partner_ids: list[int] | None = None) -> bool:
        for rid in ids:
            current = list(self._value(rid, "message_partner_ids"))
            current += [p for p in partner_ids or [] if p not in current]
            self._set(rid, "message_partner_ids", current)
        return True


# ------------------------------------------------------------------------ base models
@registry.add
class Company(BaseModel):
    _name = "res.company"
    _description = "Companies"
    _order = "sequence, name"
    _declared_fields = {
        "name": Field("char", "Company Name", required=True),
        "partner_id": Field("many2one", "Partner", relation="res.partner"),
        "currency_id": Field("many2one", "Currency", relation="res.currency"),
        "sequence": Field("integer", "Sequence", default=10),
        "anglo_saxon_accounting": Field("boolean", "Use anglo-saxon accounting"),
    }


def _partner_display(model: BaseModel, rid: int) -> str:
    row = model._peek(rid)
    name = row.get("name") or ""
    parent = row.get("parent_id")
    if parent and model._peek(parent):
        return f"{model._display_name(parent)}, {name}"
    return name


def _commercial_partner(model: BaseModel, rid: int) -> int:
    current = rid
    seen = set()
    while current and current not in seen:
        seen.add(current)
        row = model._peek(current)
        if row.get("is_company") or not row.get("parent_id"):
            return current
        current = row["parent_id"]
    return rid


# Fields a real Odoo 18 res.partner has that odoorpc reads on browse(); published so that
# such a read is answered as Odoo answers it (name -> (type, label)).
_PARTNER_EXTRA = {
    "message_is_follower": ("boolean", "Is Follower"),
    "has_message": ("boolean", "Has Message"),
    "message_needaction": ("boolean", "Action Needed"),
    "message_needaction_counter": ("integer", "Number of Actions"),
    "message_has_error": ("boolean", "Message Delivery error"),
    "message_has_error_counter": ("integer", "Number of errors"),
    "message_has_sms_error": ("boolean", "SMS Delivery error"),
    "email_normalized": ("char", "Normalized Email"),
    "is_blacklisted": ("boolean", "Blacklist"),
    "message_bounce": ("integer", "Bounce"),
    "activity_state": ("selection", "Activity State"),
    "activity_type_icon": ("char", "Icon"),
    "activity_date_deadline": ("date", "Next Activity Deadline"),
    "my_activity_date_deadline": ("date", "My Activity Deadline"),
    "activity_summary": ("char", "Next Activity Summary"),
    "activity_exception_decoration": ("selection", "Activity Exception Decoration"),
    "activity_exception_icon": ("char", "Icon"),
    "image_1920": ("binary", "Image"),
    "image_1024": ("binary", "Image 1024"),
    "image_512": ("binary", "Image 512"),
    "image_256": ("binary", "Image 256"),
    "image_128": ("binary", "Image 128"),
    "avatar_1920": ("binary", "Avatar"),
    "avatar_1024": ("binary", "Avatar 1024"),
    "avatar_512": ("binary", "Avatar 512"),
    "avatar_256": ("binary", "Avatar 256"),
    "avatar_128": ("binary", "Avatar 128"),
    "parent_name": ("char", "Parent name"),
    "lang": ("selection", "Language"),
    "active_lang_count": ("integer", "Active Lang Count"),
    "tz": ("selection", "Timezone"),
    "tz_offset": ("char", "Timezone offset"),
    "company_registry": ("char", "Company ID"),
    "website": ("char", "Website Link"),
    "comment": ("html", "Notes"),
    "employee": ("boolean", "Employee"),
    "function": ("char", "Job Position"),
    "country_code": ("char", "Country Code"),
    "partner_latitude": ("float", "Geo Latitude"),
    "partner_longitude": ("float", "Geo Longitude"),
    "email_formatted": ("char", "Formatted Email"),
    "mobile": ("char", "Mobile"),
    "is_public": ("boolean", "Is Public"),
    "company_type": ("selection", "Company Type"),
    "color": ("integer", "Color Index"),
    "partner_share": ("boolean", "Share Partner"),
    "contact_address": ("char", "Complete Address"),
    "commercial_company_name": ("char", "Company Name Entity"),
    "company_name": ("char", "Company Name"),
    "barcode": ("char", "Barcode"),
    "im_status": ("char", "IM Status"),
    "contact_address_inline": ("char", "Inlined Complete Address"),
    "signup_type": ("char", "Signup Token Type"),
    "partner_gid": ("integer", "Company database ID"),
    "additional_info": ("char", "Additional info"),
    "phone_sanitized": ("char", "Sanitized Number"),
    "phone_sanitized_blacklisted": ("boolean", "Phone Blacklisted"),
    "phone_blacklisted": ("boolean", "Blacklisted Phone is Phone"),
    "mobile_blacklisted": ("boolean", "Blacklisted Phone Is Mobile"),
    "phone_mobile_search": ("char", "Phone/Mobile"),
    "payment_token_count": ("integer", "Payment Token Count"),
    "fiscal_country_codes": ("char", "Fiscal Country Codes"),
    "partner_vat_placeholder": ("char", "Partner Vat Placeholder"),
    "credit": ("monetary", "Total Receivable"),
    "credit_to_invoice": ("monetary", "Credit To Invoice"),
    "credit_limit": ("float", "Credit Limit"),
    "use_partner_credit_limit": ("boolean", "Partner Limit"),
    "show_credit_limit": ("boolean", "Show Credit Limit"),
    "days_sales_outstanding": ("float", "Days Sales Outstanding (DSO)"),
    "debit": ("monetary", "Total Payable"),
    "debit_limit": ("monetary", "Payable Limit"),
    "total_invoiced": ("monetary", "Total Invoiced"),
    "journal_item_count": ("integer", "Journal Items"),
    "bank_account_count": ("integer", "Bank"),
    "trust": ("selection", "Degree of trust you have in this debtor"),
    "ignore_abnormal_invoice_date": ("boolean", "Ignore Abnormal Invoice Date"),
    "ignore_abnormal_invoice_amount": ("boolean", "Ignore Abnormal Invoice Amount"),
    "invoice_warn": ("selection", "Invoice"),
    "invoice_warn_msg": ("text", "Message for Invoice"),
    "invoice_sending_method": ("selection", "Invoice sending"),
    "invoice_edi_format": ("selection", "eInvoice format"),
    "invoice_edi_format_store": ("char", "Invoice Edi Format Store"),
    "display_invoice_edi_format": ("boolean", "Display Invoice Edi Format"),
    "display_invoice_template_pdf_report_id": ("boolean", "Display Invoice Template Pdf Report"),
    "autopost_bills": ("selection", "Auto-post bills"),
    "duplicated_bank_account_partners_count": ("integer", "Duplicated Bank Account Partners"),
    "picking_warn": ("selection", "Stock Picking"),
    "picking_warn_msg": ("text", "Message for Stock Picking"),
    "is_ubl_format": ("boolean", "Is Ubl Format"),
    "is_peppol_edi_format": ("boolean", "Is Peppol Edi Format"),
    "peppol_endpoint": ("char", "Peppol Endpoint"),
    "peppol_eas": ("selection", "Peppol e-address (EAS)"),
    "purchase_order_count": ("integer", "Purchase Order Count"),
    "supplier_invoice_count": ("integer", "# Vendor Bills"),
    "purchase_warn": ("selection", "Purchase Order Warning"),
    "purchase_warn_msg": ("text", "Message for Purchase Order"),
    "receipt_reminder_email": ("boolean", "Receipt Reminder"),
    "reminder_date_before_receipt": ("integer", "Days Before Receipt"),
    "on_time_rate": ("float", "On-Time Delivery Rate"),
    "sale_order_count": ("integer", "Sale Order Count"),
    "sale_warn": ("selection", "Sales Warnings"),
    "sale_warn_msg": ("text", "Message for Sales Order"),
}


def _extra_partner_fields() -> dict[str, Field]:
    fields = {}
    for name, (ftype, label) in _PARTNER_EXTRA.items():
        selection: list[tuple[str, str]] | None = [] if ftype == "selection" else None
        fields[name] = Field(ftype, label, selection=selection, readonly=True)
    return fields


@registry.add
class Partner(MailThread):
    _name = "res.partner"
    _description = "Contact"
    _order = "complete_name ASC, id DESC"
    _parent_name = "parent_id"
    _created_note = None
    _indexes = (("ref",),)
    _declared_fields = {
        **_extra_partner_fields(),
        "name": Field("char", "Name"),
        "complete_name": Field(
            "char", "Complete Name", compute=_partner_display, store=False, readonly=True
        ),
        "ref": Field("char", "Reference"),
        "vat": Field(
            "char",
            "Tax ID",
            help="The Tax Identification Number. Values here will be validated based on the "
            "country format. You can use '/' to indicate that the partner is not subject to tax.",
        ),
        "is_company": Field(
            "boolean",
            "Is a Company",
            default=False,
            help="Check if the contact is a company, otherwise it is a person",
        ),
        "parent_id": Field("many2one", "Related Company", relation="res.partner"),
        "child_ids": Field(
            "one2many", "Contact", relation="res.partner", relation_field="parent_id"
        ),
        "commercial_partner_id": Field(
            "many2one",
            "Commercial Entity",
            relation="res.partner",
            compute=_commercial_partner,
            store=False,
            readonly=True,
        ),
        "type": Field(
            "selection",
            "Address Type",
            selection=[
                ("contact", "Contact"),
                ("invoice", "Invoice Address"),
                ("delivery", "Delivery Address"),
                ("other", "Other Address"),
            ],
            default="contact",
        ),
        "street": Field("char", "Street"),
        "street2": Field("char", "Street2"),
        "zip": Field("char", "Zip"),
        "city": Field("char", "City"),
        "state_id": Field("many2one", "State", relation="res.country.state"),
        "country_id": Field("many2one", "Country", relation="res.country"),
        "email": Field("char", "Email"),
        "phone": Field("char", "Phone"),
        "active": Field("boolean", "Active", default=True),
        "company_id": Field("many2one", "Company", relation="res.company"),
        "supplier_rank": Field("integer", "Supplier Rank", default=0),
        "customer_rank": Field("integer", "Customer Rank", default=0),
        "category_id": Field("many2many", "Tags", relation="res.partner.category"),
    }

    def _display_name(self, rid: int) -> str:
        return _partner_display(self, rid)

    def _check_required(self, rid: int) -> None:
        super()._check_required(rid)
        row = self._rows[rid]
        if row.get("type") == "contact" and not row.get("name"):
            raise ValidationError("The operation cannot be completed: Contacts require a name")

    def _name_search_extra(self, rid: int, operator: str, name: str) -> bool:
        from gateway.odoo.emulator.domain import _compare

        row = self._peek(rid)
        return any(
            _compare(operator, row.get(key), name)
            for key in ("email", "ref", "vat")
            if row.get(key)
        )


@registry.add
class PartnerCategory(BaseModel):
    _name = "res.partner.category"
    _description = "Partner Tags"
    _declared_fields = {"name": Field("char", "Tag Name", required=True)}


@registry.add
class Country(BaseModel):
    _name = "res.country"
    _description = "Country"
    _order = "name"
    _declared_fields = {
        "name": Field("char", "Country Name", required=True),
        "code": Field("char", "Country Code"),
    }


@registry.add
class CountryState(BaseModel):
    _name = "res.country.state"
    _description = "Country state"
    _declared_fields = {
        "name": Field("char", "State Name", required=True),
        "code": Field("char", "State Code", required=True),
        "country_id": Field("many2one", "Country", relation="res.country", required=True),
    }


@registry.add
class Currency(BaseModel):
    _name = "res.currency"
    _description = "Currency"
    _order = "active desc, name"
    _declared_fields = {
        "name": Field("char", "Currency", required=True),
        "symbol": Field("char", "Symbol", required=True),
        "rounding": Field("float", "Rounding Factor", digits=6, default=0.01),
        "active": Field("boolean", "Active", default=True),
    }


@registry.add
class Uom(BaseModel):
    _name = "uom.uom"
    _description = "Product Unit of Measure"
    _declared_fields = {
        "name": Field("char", "Unit of Measure", required=True),
        "uom_type": Field(
            "selection",
            "Type",
            selection=[("bigger", "Bigger"), ("reference", "Reference"), ("smaller", "Smaller")],
            default="reference",
        ),
    }


@registry.add
class Groups(BaseModel):
    _name = "res.groups"
    _description = "Access Groups"
    _declared_fields = {
        "name": Field("char", "Name", required=True),
        "full_name": Field("char", "Group Name"),
    }

    def _display_name(self, rid: int) -> str:
        return str(self._peek(rid).get("full_name") or super()._display_name(rid))


def _user_related(field_name: str) -> Any:
    def compute(model: BaseModel, rid: int) -> Any:
        partner = model._peek(rid).get("partner_id")
        if not partner:
            return None
        return (model.env.tx.peek("res.partner", partner) or {}).get(field_name)

    return compute


@registry.add
class Users(BaseModel):
    _name = "res.users"
    _description = "User"
    _order = "name, login"
    _indexes = (("login",),)
    _declared_fields = {
        "name": Field("char", "Name", compute=_user_related("name"), store=False),
        "email": Field("char", "Email", compute=_user_related("email"), store=False),
        "login": Field("char", "Login", required=True),
        "partner_id": Field("many2one", "Related Partner", relation="res.partner", required=True),
        "company_id": Field("many2one", "Company", relation="res.company", default=1),
        "groups_id": Field("many2many", "Groups", relation="res.groups"),
        "active": Field("boolean", "Active", default=True),
        "share": Field("boolean", "Share User"),
        "tz": Field("selection", "Timezone", selection=[("UTC", "UTC")]),
        "lang": Field(
            "selection", "Language", selection=[("en_US", "English (US)")], default="en_US"
        ),
    }

    @api_model
    def context_get(self) -> dict[str, Any]:
        row = self.env.tx.peek("res.users", self.env.uid) or {}
        return {
            "lang": row.get("lang") or "en_US",
            "tz": row.get("tz") or False,
            "uid": self.env.uid,
        }


@registry.add
class IrModel(BaseModel):
    _name = "ir.model"
    _description = "Models"
    _order = "model"
    _declared_fields = {
        "name": Field("char", "Model Description", required=True),
        "model": Field("char", "Model", required=True),
    }

    _indexes = (("model",),)

    def _model_id(self, model: str) -> int:
        for rid in self._rows.lookup(("model",), [model]):
            return rid
        raise OdooValueError(f"Object {model} doesn't exist")


def _complete_xmlid(model: BaseModel, rid: int) -> str:
    row = model._peek(rid)
    return f"{row.get('module')}.{row.get('name')}"


@registry.add
class IrModelData(BaseModel):
    _name = "ir.model.data"
    _description = "Model Data"
    _order = "module, model, name"
    _rec_name = "complete_name"
    _declared_fields = {
        "name": Field("char", "External Identifier", required=True),
        "module": Field("char", "Module", required=True, default=""),
        "model": Field("char", "Model Name", required=True),
        "res_id": Field("many2one_reference", "Record ID"),
        "noupdate": Field("boolean", "Non Updatable", default=False),
        "complete_name": Field("char", "Complete ID", compute=_complete_xmlid, store=False),
    }
    _indexes = (("module", "name"), ("model", "res_id"))

    def _check_required(self, rid: int) -> None:
        super()._check_required(rid)
        row = self._rows[rid]
        if " " in (row.get("name") or ""):
            raise ValidationError(
                "The operation cannot be completed: External IDs cannot contain spaces"
            )
        for other_id in self._rows.lookup(("module", "name"), [(row["module"], row["name"])]):
            if other_id != rid:
                raise ValidationError(
                    "The operation cannot be completed: duplicate key value violates unique "
                    'constraint "ir_model_data_module_name_uniq_index"\nDETAIL:  Key (module, '
                    f"name)=({row['module']}, {row['name']}) already exists."
                )

    @api_model
    def check_object_reference(
        self, module: str, xml_id: str, raise_on_access_error: bool = False
    ) -> list[Any]:
        # Runs as superuser in Odoo: any internal user may resolve an external id.
        for row in self.env.xmlid_rows(module, xml_id):
            model = row["model"]
            exists = self.env.tx.peek(model, row["res_id"]) is not None
            if model == "mail.activity.type" and exists:
                exists = bool((self.env.tx.peek(model, row["res_id"]) or {}).get("active"))
            return [model, row["res_id"] if exists else False]
        raise OdooValueError(f"External ID not found in the system: {module}.{xml_id}")


def _checksum(model: BaseModel, rid: int) -> str | None:
    datas = model._peek(rid).get("datas")
    if not datas:
        return None
    return hashlib.sha1(base64.b64decode(datas)).hexdigest()


def _file_size(model: BaseModel, rid: int) -> int:
    datas = model._peek(rid).get("datas")
    return len(base64.b64decode(datas)) if datas else 0


@registry.add
class Attachment(BaseModel):
    _name = "ir.attachment"
    _description = "Attachment"
    _order = "id desc"
    _indexes = (("res_model", "res_id"),)
    _declared_fields = {
        "name": Field("char", "Name", required=True),
        "description": Field("text", "Description"),
        "res_model": Field("char", "Resource Model"),
        "res_field": Field("char", "Resource Field"),
        "res_id": Field("many2one_reference", "Resource ID"),
        "type": Field(
            "selection",
            "Type",
            required=True,
            selection=[("url", "URL"), ("binary", "File")],
            default="binary",
            help="You can either upload a file from your computer or copy/paste an internet "
            "link to your file.",
        ),
        "datas": Field("binary", "File Content (base64)"),
        "url": Field("char", "Url"),
        "mimetype": Field("char", "Mime Type", readonly=True),
        "public": Field("boolean", "Is public document"),
        "checksum": Field("char", "Checksum/SHA1", compute=_checksum, store=False),
        "file_size": Field("integer", "File Size", compute=_file_size, store=False),
        "company_id": Field(
            "many2one", "Company", relation="res.company", default=_company_default
        ),
    }

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        if not row.get("mimetype"):
            name = (row.get("name") or "").lower()
            row["mimetype"] = (
                "text/plain"
                if name.endswith((".edi", ".txt", ".x12", ".edifact"))
                else "application/octet-stream"
            )
        if row.get("datas"):
            try:
                base64.b64decode(row["datas"], validate=True)
            except ValueError:
                raise OdooValueError("Incorrect padding") from None


@registry.add
class MessageSubtype(BaseModel):
    _name = "mail.message.subtype"
    _description = "Message subtypes"
    _order = "sequence, id"
    _declared_fields = {
        "name": Field("char", "Message Type", required=True),
        "internal": Field("boolean", "Internal Only"),
        "sequence": Field("integer", "Sequence", default=1),
    }


@registry.add
class Message(BaseModel):
    _name = "mail.message"
    _description = "Message"
    _order = "id desc"
    _rec_name = "record_name"
    _indexes = (("model", "res_id"),)
    _declared_fields = {
        "subject": Field("char", "Subject"),
        "date": Field("datetime", "Date", default=lambda env: now_string()),
        "body": Field("html", "Contents", default=""),
        "model": Field("char", "Related Document Model"),
        "res_id": Field("many2one_reference", "Related Document ID"),
        "record_name": Field("char", "Message Record Name"),
        "message_type": Field(
            "selection",
            "Type",
            required=True,
            default="comment",
            selection=[
                ("email", "Incoming Email"),
                ("comment", "Comment"),
                ("email_outgoing", "Outgoing Email"),
                ("notification", "System notification"),
                ("auto_comment", "Automated Targeted Notification"),
                ("user_notification", "User Specific Notification"),
                ("sms", "SMS"),
                ("snailmail", "Snailmail"),
            ],
            help="Used to categorize message generator\n'email': generated by an incoming email "
            "e.g. mailgateway\n'comment': generated by user input e.g. through discuss or "
            "composer\n'email_outgoing': generated by a mailing\n'notification': generated by "
            "system e.g. tracking messages\n'auto_comment': generated by automated notification "
            "mechanism e.g. acknowledgment\n'user_notification': generated for a specific "
            "recipient",
        ),
        "subtype_id": Field("many2one", "Subtype", relation="mail.message.subtype"),
        "author_id": Field(
            "many2one",
            "Author",
            relation="res.partner",
            help="Author of the message. If not set, email_from may hold an email address that "
            "did not match any partner.",
        ),
        "email_from": Field("char", "From"),
        "parent_id": Field("many2one", "Parent Message", relation="mail.message"),
        "partner_ids": Field("many2many", "Recipients", relation="res.partner"),
        "notified_partner_ids": Field(
            "many2many", "Partners with Need Action", relation="res.partner"
        ),
        "attachment_ids": Field("many2many", "Attachments", relation="ir.attachment"),
    }

    def _log(self, model: str, res_id: int, text: str) -> int:
        user = self.env.tx.peek("res.users", self.env.uid) or {}
        body = f"<p>{html.escape(text)}</p>" if text else ""
        return self._create_one(
            {
                "model": model,
                "res_id": res_id,
                "body": body,
                "message_type": "notification",
                "subtype_id": self.env.ref("mail.mt_note"),
                "author_id": user.get("partner_id") or False,
            }
        )


@registry.add
class ActivityType(BaseModel):
    _name = "mail.activity.type"
    _description = "Activity Type"
    _order = "sequence, id"
    _declared_fields = {
        "name": Field("char", "Name", required=True),
        "sequence": Field("integer", "Sequence", default=10),
        "active": Field("boolean", "Active", default=True),
        "category": Field(
            "selection",
            "Action",
            selection=[("default", "None"), ("upload_file", "Upload Document")],
            default="default",
        ),
    }


def _activity_res_model(model: BaseModel, rid: int) -> str | None:
    return model._peek(rid).get("res_model")


@registry.add
class Activity(BaseModel):
    _name = "mail.activity"
    _description = "Activity"
    _order = "date_deadline ASC, id ASC"
    _rec_name = "summary"
    _indexes = (("res_model", "res_id"),)
    _declared_fields = {
        "res_model_id": Field("many2one", "Document Model", relation="ir.model", required=True),
        "res_model": Field("char", "Related Document Model"),
        "res_id": Field("many2one_reference", "Related Document ID"),
        "res_name": Field("char", "Document Name"),
        "activity_type_id": Field(
            "many2one",
            "Activity Type",
            relation="mail.activity.type",
            default=lambda env: env.ref("mail.mail_activity_data_todo"),
        ),
        "summary": Field("char", "Summary"),
        "note": Field("html", "Note"),
        "date_deadline": Field(
            "date", "Due Date", required=True, default=lambda env: today_string()
        ),
        "automated": Field("boolean", "Automated activity"),
        "user_id": Field(
            "many2one", "Assigned to", relation="res.users", default=lambda env: env.uid
        ),
    }

    def _prepare_create(self, vals: dict[str, Any]) -> dict[str, Any]:
        vals = dict(vals)
        if isinstance(vals.get("date_deadline"), str):
            vals["date_deadline"] = vals["date_deadline"][:10]
        if not vals.get("res_model_id"):
            model = vals.get("res_model") or self.env.context.get("default_res_model")
            if model:
                vals["res_model_id"] = self.env["ir.model"].sudo_model()._model_id(model)
        return vals

    def _complete_row(self, rid: int, row: dict[str, Any], vals: dict[str, Any]) -> None:
        if row.get("res_model_id"):
            model_row = self.env.tx.peek("ir.model", row["res_model_id"]) or {}
            row["res_model"] = model_row.get("model")
        if row.get("res_model_id") is None:
            raise ValidationError(
                MANDATORY_FIELD_TEXT.format(
                    description=self._description,
                    model=self._name,
                    label="Document Model",
                    field="res_model_id",
                )
            )
        if not row.get("res_id"):
            raise ValidationError(
                "The operation cannot be completed: Activities have to be linked to records "
                "with a not null res_id."
            )
        target = self.env.tx.peek(row["res_model"], row["res_id"])
        if target is not None:
            row["res_name"] = self.env[row["res_model"]].sudo_model()._display_name(row["res_id"])
        user = self.env.tx.peek("res.users", self.env.uid) or {}
        partner = self.env.tx.peek("res.partner", user.get("partner_id")) or {}
        if row.get("user_id") and row["user_id"] != self.env.uid and not partner.get("email"):
            raise UserError("Unable to send message, please configure the sender's email address.")

    def action_feedback(
        self, ids: list[int], feedback: str = "", attachment_ids: Any = None
    ) -> int:
        message_id = 0
        for rid in ids:
            row = self._row(rid)
            target = self.env[row["res_model"]].sudo_model()
            type_row = self.env.tx.peek("mail.activity.type", row.get("activity_type_id")) or {}
            text = f"{type_row.get('name', 'Activity')} done"
            if row.get("summary"):
                text += f": {row['summary']}"
            if feedback:
                text += f" — {feedback}"
            message_id = target.message_post(
                [row["res_id"]], body=text, subtype_xmlid="mail.mt_activities"
            )
            self.env.tx.delete(self._name, rid)
        return message_id
