"""Posting rules for one partner: how its documents land in Odoo. Plain data the pipeline
fills from the partner profile (`OdooRules.from_profile`); every field has the design's
default so a profile only states what differs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from translators.canonical.vocab import Milestone


@dataclass(frozen=True)
class ReferenceRule:
    """A canonical reference kind (bol, pro, shipment_id...) compared with a picking field."""

    reference: str
    odoo_field: str = "name"


DEFAULT_REFERENCE_RULES = (
    ReferenceRule("shipment_id", "name"),
    ReferenceRule("bol", "origin"),
    ReferenceRule("pro", "carrier_tracking_ref"),
)

# Milestones a person should look at: an activity is scheduled for the responsible user.
ATTENTION_MILESTONES = frozenset(
    {Milestone.DELAYED, Milestone.EXCEPTION, Milestone.CANCELLED, Milestone.UNKNOWN}
)
# Milestones a customer following the delivery may see when the profile posts comments.
CUSTOMER_MILESTONES = frozenset(
    {Milestone.PICKED_UP, Milestone.OUT_FOR_DELIVERY, Milestone.DELIVERED, Milestone.DELAYED}
)

ExpectedSource = Literal["carrier_price", "purchase_order", "carrier_rate"]


@dataclass(frozen=True)
class OdooRules:
    """What the partner profile decides about posting into Odoo."""

    partner_id: str
    standard: Literal["x12", "edifact"] = "x12"
    carrier_scac: str | None = None
    reference_rules: tuple[ReferenceRule, ...] = DEFAULT_REFERENCE_RULES
    # bills
    vendor_ref: str | None = None  # res.partner.ref of the carrier that bills us
    journal_code: str | None = None  # purchase journal; None: the company's default
    charge_products: Mapping[str, str] = field(default_factory=dict)  # class -> default_code
    fallback_charge_product: str | None = None  # for a charge class the map lacks
    currency: str = "USD"
    tolerance_absolute: Decimal = Decimal("0")
    tolerance_percent: Decimal = Decimal("0")
    auto_post: bool = True
    # where the expected freight comes from, in order (reference §7.1)
    expected_sources: tuple[ExpectedSource, ...] = ("carrier_price", "purchase_order")
    # accessorial classes that may appear on a bill without having been expected
    allowed_accessorials: frozenset[str] = frozenset()
    landed_cost: bool = False
    # status and tenders
    carrier_name: str | None = None  # delivery.carrier whose pickings are tendered to us
    status_message: Literal["note", "comment"] = "note"
    customer_milestones: frozenset[str] = CUSTOMER_MILESTONES
    attention_milestones: frozenset[str] = ATTENTION_MILESTONES
    validate_picking_on_delivery: bool = False
    attach_raw_file: bool = True
    activity_user_login: str | None = None  # None: the picking's responsible, else us

    @classmethod
    def from_profile(cls, profile: Any) -> OdooRules:
        """Rules from a `partner_profiles` PartnerProfile (duck-typed: only reads it)."""
        odoo = profile.odoo
        invoices = profile.invoices
        rules = tuple(
            ReferenceRule(rule.reference, rule.odoo_field) for rule in profile.reference_rules
        )
        scac = None
        envelope = getattr(profile, "envelope", None)
        theirs = getattr(envelope, "theirs", None)
        if theirs is not None:
            scac = getattr(theirs, "gs_id", None) or getattr(theirs, "isa_id", None)
        return cls(
            partner_id=profile.id,
            standard=profile.standard,
            carrier_scac=scac,
            reference_rules=rules or DEFAULT_REFERENCE_RULES,
            vendor_ref=odoo.vendor_ref,
            journal_code=odoo.journal,
            charge_products=dict(odoo.charge_products),
            fallback_charge_product=getattr(odoo, "fallback_product", None)
            or odoo.charge_products.get("accessorial_other")
            or odoo.charge_products.get("other"),
            allowed_accessorials=frozenset(getattr(invoices, "allowed_accessorials", ()) or ()),
            currency=invoices.currency,
            tolerance_absolute=Decimal(invoices.tolerance.absolute),
            tolerance_percent=Decimal(invoices.tolerance.percent),
            auto_post=invoices.auto_post,
            landed_cost=invoices.landed_cost,
            carrier_name=odoo.carrier,
            status_message=odoo.status_message,
            validate_picking_on_delivery=odoo.validate_picking_on_delivery,
        )

    def allowed_difference(self, expected: Decimal) -> Decimal:
        """The larger of the absolute and the percentage tolerance, as the profile reads."""
        percent = (abs(expected) * self.tolerance_percent / Decimal(100)).quantize(Decimal("0.01"))
        return max(self.tolerance_absolute, percent)
