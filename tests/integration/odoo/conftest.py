"""Fixtures for the Odoo tests: the bundled emulator served over HTTP on a free loopback
port (a fresh demo database per test), real odoorpc sessions, and the acme-ltl rules."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import odoorpc
import pytest

from gateway.odoo.client import OdooClient, RetryPolicy
from gateway.odoo.emulator import EmulatorHandle, serve
from gateway.odoo.posting import OdooPoster
from gateway.odoo.rules import OdooRules

INTEGRATION = ("edigw-integration", "edigw")
ADMIN = ("admin", "admin")


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorHandle]:
    handle = serve("127.0.0.1", 0, tmp_path / "odoo.sqlite3")
    yield handle
    handle.stop()


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[OdooClient]:
    """The gateway's client as the non-admin integration user."""
    c = OdooClient(
        emulator.url,
        "edigw",
        *INTEGRATION,
        timeout=10,
        retry=RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.05),
    )
    c.connect()
    yield c
    c.close()


@pytest.fixture
def poster(client: OdooClient) -> OdooPoster:
    return OdooPoster(client)


@pytest.fixture
def admin(emulator: EmulatorHandle) -> odoorpc.ODOO:
    """Plain odoorpc as admin, to inspect what the gateway did (as a person in Odoo would)."""
    odoo = odoorpc.ODOO(emulator.host, port=emulator.port, timeout=10)
    odoo.login("edigw", *ADMIN)
    return odoo


@pytest.fixture
def acme_rules() -> OdooRules:
    """What the acme-ltl example profile says (partner_profiles/examples/acme-ltl.yaml)."""
    return OdooRules(
        partner_id="acme-ltl",
        carrier_scac="ACMF",
        vendor_ref="ACME-FREIGHT",
        journal_code="BILL",
        carrier_name="ACME Freight LTL",
        charge_products={
            "line_haul": "FREIGHT-LINEHAUL",
            "fuel": "FREIGHT-FUEL",
            "accessorial_detention": "FREIGHT-ACCESSORIAL",
            "accessorial_liftgate": "FREIGHT-ACCESSORIAL",
            "accessorial_other": "FREIGHT-ACCESSORIAL",
            "discount": "FREIGHT-DISCOUNT",
        },
        fallback_charge_product="FREIGHT-ACCESSORIAL",
        tolerance_absolute=Decimal("50.00"),
        tolerance_percent=Decimal("5"),
        auto_post=True,
        currency="USD",
    )
