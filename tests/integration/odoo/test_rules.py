"""Posting rules from the shipped example profiles, tolerance arithmetic, external-id names
and the error tree (pure code: marked unit, kept beside the Odoo tests that use them)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gateway.odoo.client import odoo_datetime, xmlid_name
from gateway.odoo.errors import (
    OdooAccessError,
    OdooMissingRecord,
    OdooRetryableError,
    OdooValidationError,
    from_rpc_error,
)
from gateway.odoo.rules import DEFAULT_REFERENCE_RULES, OdooRules, ReferenceRule
from partner_profiles import load_folder

pytestmark = pytest.mark.unit

EXAMPLES = Path(__file__).resolve().parents[3] / "partner_profiles" / "examples"


def test_rules_from_the_acme_example_profile() -> None:
    profile = load_folder(EXAMPLES).profiles["acme-ltl"].profile
    rules = OdooRules.from_profile(profile)
    assert rules.partner_id == "acme-ltl" and rules.standard == "x12"
    assert rules.vendor_ref == "ACME-FREIGHT" and rules.journal_code == "BILL"
    assert rules.carrier_name == "ACME Freight LTL" and rules.carrier_scac == "ACMF"
    assert rules.reference_rules == (
        ReferenceRule("shipment_id", "name"),
        ReferenceRule("bol", "origin"),
        ReferenceRule("pro", "carrier_tracking_ref"),
    )
    assert rules.charge_products["fuel"] == "FREIGHT-FUEL"
    assert rules.fallback_charge_product == "FREIGHT-ACCESSORIAL"
    assert (rules.tolerance_absolute, rules.tolerance_percent) == (Decimal("50.00"), Decimal(5))
    assert rules.auto_post and rules.status_message == "note"
    assert not rules.validate_picking_on_delivery


def test_every_example_profile_gives_rules() -> None:
    for loaded in load_folder(EXAMPLES).profiles.values():
        rules = OdooRules.from_profile(loaded.profile)
        assert rules.reference_rules  # the profile's, or the design's defaults
    assert DEFAULT_REFERENCE_RULES[0] == ReferenceRule("shipment_id", "name")


@pytest.mark.parametrize(
    ("expected", "allowed"),
    [("1437.50", "71.88"), ("500.00", "50.00"), ("0", "50.00"), ("-2000", "100.00")],
)
def test_tolerance_is_the_larger_of_absolute_and_percent(expected: str, allowed: str) -> None:
    rules = OdooRules(partner_id="p", tolerance_absolute=Decimal(50), tolerance_percent=Decimal(5))
    assert rules.allowed_difference(Decimal(expected)) == Decimal(allowed)


def test_external_id_names_are_deterministic_and_odoo_safe() -> None:
    assert xmlid_name("bill", "acme-ltl", "INV 1001/A") == "bill_acme_ltl_inv_1001_a"
    assert xmlid_name("raw", "p", None, "", 7) == "raw_p_7"
    assert " " not in xmlid_name("a b", "c.d") and "." not in xmlid_name("a b", "c.d")


def test_datetimes_go_to_odoo_in_utc_without_t_or_zone() -> None:
    from datetime import datetime, timedelta, timezone

    local = datetime(2026, 11, 22, 9, 5, tzinfo=timezone(timedelta(hours=-6)))
    assert odoo_datetime(local) == "2026-11-22 15:05:00"
    with pytest.raises(ValueError, match="naive"):
        odoo_datetime(datetime(2026, 11, 22, 9, 5))


def _error(name: str, message: str) -> dict[str, object]:
    return {
        "code": 200,
        "message": "Odoo Server Error",
        "data": {"name": name, "message": message, "arguments": [message], "debug": ""},
    }


def test_odoo_error_objects_become_clear_exceptions() -> None:
    mandatory = (
        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. If possible, archive it "
        "instead.\n\nModel: Stock Move (stock.move)\nField: Source Location (location_id)\n"
    )
    error = from_rpc_error(
        _error("odoo.exceptions.ValidationError", mandatory),
        "",
        model="stock.picking",
        method="create",
        record_ids=None,
    )
    assert isinstance(error, OdooValidationError) and not error.retryable
    assert (error.odoo_model, error.field) == ("stock.move", "location_id")
    assert "stock.picking.create failed (field stock.move.location_id)" in str(error)
    locked = from_rpc_error(
        _error(
            "odoo.exceptions.UserError",
            "You cannot modify the following readonly fields on a posted move: invoice_date",
        ),
        "",
        model="account.move",
        method="write",
        record_ids=[4],
    )
    assert locked.field == "invoice_date" and locked.record_ids == [4]
    assert "account.move.write on account.move(4)" in str(locked)
    assert isinstance(
        from_rpc_error(
            _error("odoo.exceptions.AccessError", "no"), "", model="m", method="x", record_ids=[]
        ),
        OdooAccessError,
    )
    assert isinstance(
        from_rpc_error(
            _error("odoo.exceptions.MissingError", "gone"), "", model="m", method="x", record_ids=[]
        ),
        OdooMissingRecord,
    )
    conflict = from_rpc_error(
        _error(
            "psycopg2.errors.SerializationFailure",
            "could not serialize access due to concurrent update",
        ),
        "",
        model="m",
        method="write",
        record_ids=[1],
    )
    assert isinstance(conflict, OdooRetryableError) and conflict.retryable
