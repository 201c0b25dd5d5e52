"""`edigw odoo`: check the Odoo connection and post a file directly (support, onboarding)."""

from __future__ import annotations

import click

from gateway.cli._base import pending


@click.group()
def odoo() -> None:
    """Odoo connection and direct posting."""


@odoo.command()
def ping() -> None:
    """Show Odoo's version, log in, and check the models the gateway needs."""
    pending("odoo ping", 9)


@odoo.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--partner", required=True)
def post(file: str, partner: str) -> None:
    """Translate FILE and post it now, bypassing the queue; print the records touched."""
    pending("odoo post", 9)


def register(group: click.Group) -> None:
    group.add_command(odoo)
