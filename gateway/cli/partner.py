"""`edigw partner`: profiles for the onboarding team."""

from __future__ import annotations

import click

from gateway.cli._base import pending


@click.group()
def partner() -> None:
    """Partner profiles: validate, list, show, create and test with sample files."""


@partner.command()
@click.argument("path", required=False, type=click.Path(exists=True))
def validate(path: str | None) -> None:
    """Validate one profile file or a whole profiles folder (default: EDIGW_PROFILES_DIR)."""
    pending("partner validate", 6)


@partner.command(name="list")
def list_() -> None:
    """List the partner profiles with status, standard and transports."""
    pending("partner list", 6)


@partner.command()
@click.argument("partner_id")
def show(partner_id: str) -> None:
    """Show one profile as loaded (with its version history)."""
    pending("partner show", 6)


@partner.command()
@click.argument("partner_id")
@click.option("--from-example", required=True, help="example profile to start from")
def new(partner_id: str, from_example: str) -> None:
    """Create a new profile (status testing) from an example."""
    pending("partner new", 6)


@partner.command()
@click.argument("partner_id")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def test(partner_id: str, files: tuple[str, ...]) -> None:
    """Dry-run sample FILES through the partner's profile; nothing is sent or posted."""
    pending("partner test", 6)


def register(group: click.Group) -> None:
    group.add_command(partner)
