"""`edigw as2` and `edigw sftp`: transport tools for people and black-box tests."""

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
    group.add_command(as2)
    group.add_command(sftp)
