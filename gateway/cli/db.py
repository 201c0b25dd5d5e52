"""`edigw db`: schema migrations of the store."""

from __future__ import annotations

import click

from gateway.settings import load_settings
from gateway.store import migrate_down, migrate_up


@click.group()
def db() -> None:
    """Store schema migrations (Alembic)."""


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: head)."""
    url = load_settings().effective_database_url
    migrate_up(url, revision)
    click.echo(f"upgraded {url} to {revision}")


@db.command()
@click.argument("revision", default="base")
def downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (default: base, an empty schema)."""
    url = load_settings().effective_database_url
    migrate_down(url, revision)
    click.echo(f"downgraded {url} to {revision}")


def register(group: click.Group) -> None:
    group.add_command(db)
