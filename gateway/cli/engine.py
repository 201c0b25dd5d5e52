"""EDI engine commands: `translate`, `ack`, `render`, `schema`."""

from __future__ import annotations

import click

from gateway.cli._base import pending


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json")
def translate(file: str, fmt: str) -> None:
    """Parse and validate FILE (X12 or EDIFACT) and print every interchange, group and
    transaction with its status and errors."""
    pending("translate", 3)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def ack(file: str) -> None:
    """Print the 997/999/TA1 or CONTRL the gateway would send back for FILE."""
    pending("ack", 3)


@click.command()
@click.argument("canonical", type=click.Path(exists=True, dir_okay=False))
@click.option("--standard", type=click.Choice(["x12", "edifact"]), required=True)
@click.option("--version", "version_", help="e.g. 004010, 005010, D96A")
@click.option("--partner", help="partner profile id (its dialect and envelope ids)")
def render(canonical: str, standard: str, version_: str | None, partner: str | None) -> None:
    """Render a canonical record (JSON) as EDI."""
    pending("render", 5)


@click.command()
@click.option("--out", type=click.Path(file_okay=False), help="write one file per model here")
def schema(out: str | None) -> None:
    """Print (or export) the JSON Schema of the canonical models."""
    pending("schema", 5)


def register(group: click.Group) -> None:
    for command in (translate, ack, render, schema):
        group.add_command(command)
