"""`edigw demo`: scripted end-to-end stories played against a running gateway (`make run`);
`edigw demo scenario-a` plays ACME Freight over AS2 (docs/demo.md)."""

from __future__ import annotations

import sys
import time
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
    from gateway.odoo.errors import OdooError

    runtime = open_runtime()
    cli = ".venv/bin/edigw" if Path(".venv/bin/edigw").exists() else "edigw"
    try:
        ScenarioA(runtime, echo=click.echo, timeout=timeout, cli=cli).run()
    except (DemoError, DemoKeyError, AcmeError, As2Error, OdooError) as exc:
        click.echo(f"edigw demo: {exc}", err=True)
        sys.exit(1)
    finally:
        runtime.close()


@demo.command(name="acme-endpoint")
def acme_endpoint() -> None:
    """Run only ACME Freight's AS2 endpoint (demo keys made when absent) until Ctrl-C, and
    print what the gateway delivers to it: the 997s for files sent by hand as ACME with
    `edigw as2 send FILE --partner acme-ltl --key var/demo-keys/acme-freight.key`."""
    from gateway.demo.acme import AcmeError
    from gateway.demo.keys import DemoKeyError
    from gateway.demo.scenario_a import DemoError, prepare_acme

    runtime = open_runtime()
    try:
        _, acme = prepare_acme(runtime, click.echo)
        acme.start()
    except (DemoError, DemoKeyError, AcmeError) as exc:
        runtime.close()
        click.echo(f"edigw demo: {exc}", err=True)
        sys.exit(1)
    click.echo(f"ACME Freight's AS2 endpoint listens on {acme.url} (Ctrl-C stops it)")
    seen = {r.interchange_id for r in acme.received()}
    try:
        while True:
            for file in acme.received():
                if file.interchange_id not in seen:
                    seen.add(file.interchange_id)
                    click.echo(
                        f"ACME received {', '.join(file.transaction_types()) or 'a file'} "
                        f"({len(file.data)} bytes) as AS2 message {file.message_id}"
                    )
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        acme.stop()
        runtime.close()


def register(group: click.Group) -> None:
    group.add_command(demo)
