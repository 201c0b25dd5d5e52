"""A faithful Odoo 18 JSON-RPC emulator backed by SQLite, for the demo (`edigw serve` without
EDIGW_ODOO_URL) and the tests; real odoorpc talks to it over HTTP. See docs/odoo.md."""

from gateway.odoo.emulator.server import Emulator, EmulatorHandle, serve, version_info

__all__ = ["Emulator", "EmulatorHandle", "serve", "version_info"]
