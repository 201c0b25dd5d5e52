"""Odoo side of the gateway: the odoorpc client, posting rules and the bundled emulator."""
