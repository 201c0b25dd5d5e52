"""`edigw messages` and `edigw send`: find, inspect and replay interchanges; send documents."""

from __future__ import annotations

import click

from gateway.cli._base import pending


@click.group()
def messages() -> None:
    """Interchanges and documents: list, show the timeline, replay."""


@messages.command(name="list")
@click.option("--partner")
@click.option("--type", "doc_type")
@click.option("--state")
@click.option("--since", help="ISO time or a duration such as 2h")
def list_(partner: str | None, doc_type: str | None, state: str | None, since: str | None) -> None:
    """List interchanges and their documents."""
    pending("messages list", 10)


@messages.command()
@click.argument("interchange_id")
def show(interchange_id: str) -> None:
    """Print the whole timeline of one interchange."""
    pending("messages show", 10)


@messages.command()
@click.argument("message_id")
def replay(message_id: str) -> None:
    """Replay a document or a whole interchange as a new linked attempt."""
    pending("messages replay", 10)


@click.command()
@click.argument("canonical", type=click.Path(exists=True, dir_okay=False))
@click.option("--partner", required=True)
def send(canonical: str, partner: str) -> None:
    """Queue an outbound document (canonical JSON) for PARTNER in its standard."""
    pending("send", 10)


def register(group: click.Group) -> None:
    group.add_command(messages)
    group.add_command(send)
