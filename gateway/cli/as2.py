"""`edigw as2`: inspect saved AS2 messages and MDNs, send a file as a partner would."""

from __future__ import annotations

import click

from gateway.cli._base import pending


@click.group()
def as2() -> None:
    """AS2: inspect saved messages and MDNs, send a file as a partner would."""


@as2.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", type=click.Path(exists=True), help="our private key (PEM)")
@click.option("--cert", type=click.Path(exists=True), help="our certificate (PEM)")
@click.option("--partner-cert", type=click.Path(exists=True), help="the partner's certificate")
@click.option("--binary", is_flag=True, help="the signer did not canonicalise line ends")
def inspect(
    file: str, key: str | None, cert: str | None, partner_cert: str | None, binary: bool
) -> None:
    """Read a saved AS2 message or MDN (HTTP headers then body) and print JSON."""
    pending("as2 inspect", 7)


@as2.command(name="send")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--partner", required=True)
def as2_send(file: str, partner: str) -> None:
    """Send FILE to PARTNER over AS2 and verify the MDN."""
    pending("as2 send", 7)


def register(group: click.Group) -> None:
    group.add_command(as2)
