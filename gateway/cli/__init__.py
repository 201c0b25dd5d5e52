"""The `edigw` command line. Each feature keeps its commands in its own module here and
registers them on the root group below; `edigw --help` lists the whole surface."""

from __future__ import annotations

from gateway.cli import as2, db, demo, engine, exceptions, messages, odoo, partner, serve, sftp
from gateway.cli._base import main

for module in (serve, db, engine, partner, messages, exceptions, odoo, as2, sftp, demo):
    module.register(main)

__all__ = ["main"]
