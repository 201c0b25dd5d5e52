"""`edigw sftp`: hosted mailboxes' keys and polling partners' servers."""

from __future__ import annotations

import click

from gateway.cli._base import pending


@click.group()
def sftp() -> None:
    """SFTP: hosted mailboxes' keys, polling partners' servers."""


@sftp.command()
@click.argument("partner")
@click.option("--rotate", type=click.Path(exists=True), help="replace the keys with this file")
def keys(partner: str, rotate: str | None) -> None:
    """Show or rotate a partner's authorised keys."""
    pending("sftp keys", 8)


@sftp.command()
@click.argument("partner")
def poll(partner: str) -> None:
    """Poll a partner's SFTP server once, now."""
    pending("sftp poll", 8)


def register(group: click.Group) -> None:
    group.add_command(sftp)
