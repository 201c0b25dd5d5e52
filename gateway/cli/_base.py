"""The root command group and helpers shared by every command module."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from gateway import __version__
from gateway.runtime import Runtime
from gateway.settings import SettingsError, load_settings

# Exit status of a command whose feature has not landed yet, and of usage errors.
EXIT_UNAVAILABLE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="edigw")
def main() -> None:
    """Logistics EDI gateway: X12 and EDIFACT over AS2 and SFTP, into Odoo."""


def pending(feature: str, issue: int) -> NoReturn:
    """Say in one line that a command's feature lands with a later issue, and exit 2."""
    click.echo(f"edigw: {feature} is not available yet (lands with issue #{issue})", err=True)
    sys.exit(EXIT_UNAVAILABLE)


def open_runtime(migrate: bool = True) -> Runtime:
    """Build the runtime from settings; a settings problem is one readable message, exit 2."""
    try:
        return Runtime.from_settings(load_settings(), migrate=migrate)
    except SettingsError as exc:
        click.echo(f"edigw: {exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)
