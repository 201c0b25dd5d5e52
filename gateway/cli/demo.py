"""`edigw demo`: scripted end-to-end stories played against a running gateway (`make run`);
`edigw demo scenario-a` plays ACME Freight over AS2 (docs/demo.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gateway.cli._base import open_runtime


@click.group()
def demo() -> None:
    """Play a partner's side of a scenario against the running gateway."""


@demo.command(name="scenario-a")
@click.option(
    "--timeout",
    type=float,
    default=120.0,
    show_default=True,
    help="seconds to wait for the gateway at each step",
)
def scenario_a(timeout: float) -> None:
    """Scenario A over AS2: play ACME Freight (its own AS2 endpoint and keys) against the
    gateway that `make run` started, from the 204 tender to the approved freight bill.
    Run it from the directory the gateway runs in, with the same EDIGW_* settings."""
    from gateway.as2.errors import As2Error
    from gateway.demo.acme import AcmeError
    from gateway.demo.keys import DemoKeyError
    from gateway.demo.scenario_a import DemoError, ScenarioA

    runtime = open_runtime()
    cli = ".venv/bin/edigw" if Path(".venv/bin/edigw").exists() else "edigw"
    try:
        ScenarioA(runtime, echo=click.echo, timeout=timeout, cli=cli).run()
    except (DemoError, DemoKeyError, AcmeError, As2Error) as exc:
        click.echo(f"edigw demo: {exc}", err=True)
        sys.exit(1)
    finally:
        runtime.close()


def register(group: click.Group) -> None:
    group.add_command(demo)
