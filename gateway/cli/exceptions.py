"""`edigw exceptions`: what needs a person, and its resolution."""

from __future__ import annotations

import click

from gateway.cli._base import pending


@click.group()
def exceptions() -> None:
    """Open exceptions: list, show, resolve."""


@exceptions.command(name="list")
@click.option("--kind")
@click.option("--partner")
@click.option("--all", "show_all", is_flag=True, help="include resolved ones")
def list_(kind: str | None, partner: str | None, show_all: bool) -> None:
    """List exceptions (open ones by default)."""
    pending("exceptions list", 10)


@exceptions.command()
@click.argument("exception_id", type=int)
def show(exception_id: int) -> None:
    """Show one exception with its subject and detail."""
    pending("exceptions show", 10)


@exceptions.command()
@click.argument("exception_id", type=int)
@click.option("--note", required=True)
def resolve(exception_id: int, note: str) -> None:
    """Resolve an exception with a note (and run its follow-up, e.g. post a held bill)."""
    pending("exceptions resolve", 10)


def register(group: click.Group) -> None:
    group.add_command(exceptions)
