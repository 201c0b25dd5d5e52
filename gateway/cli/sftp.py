"""`edigw sftp`: hosted mailboxes' keys and polling partners' servers."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click

from gateway.cli._base import EXIT_UNAVAILABLE, open_runtime
from gateway.settings import SettingsError, load_settings
from gateway.sftp.config import RemoteConfig
from gateway.sftp.errors import SftpConfigError
from gateway.sftp.keys import AuthorizedKeysStore, parse_authorized_keys

# Exit status of a poll that could not reach or log into the partner's server.
EXIT_POLL_FAILED = 1


def _fail(message: str) -> NoReturn:
    click.echo(f"edigw: {message}", err=True)
    sys.exit(EXIT_UNAVAILABLE)


def _key_store(keys_dir: str | None) -> AuthorizedKeysStore:
    if keys_dir:
        return AuthorizedKeysStore(Path(keys_dir))
    try:
        settings = load_settings()
    except SettingsError as exc:
        _fail(str(exc))
    return AuthorizedKeysStore(settings.var_dir / "sftp-keys")


@click.group()
def sftp() -> None:
    """SFTP: hosted mailboxes' keys, polling partners' servers."""


@sftp.command()
@click.argument("partner")
@click.option(
    "--rotate",
    type=click.Path(exists=True, dir_okay=False),
    help="replace the partner's keys with the keys in this authorized_keys file",
)
@click.option(
    "--keys-dir",
    type=click.Path(file_okay=False),
    help="key store folder (default: <EDIGW_VAR_DIR>/sftp-keys, one PARTNER.pub each)",
)
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def keys(partner: str, rotate: str | None, keys_dir: str | None, as_json: bool) -> None:
    """Show or rotate the keys PARTNER may log into its hosted mailbox with.

    Until partner profiles are wired in, the hosted server's keys live in the key store
    (`<var>/sftp-keys/PARTNER.pub`); a rotation takes effect at the partner's next login."""
    store = _key_store(keys_dir)
    try:
        if rotate:
            new_keys = parse_authorized_keys(Path(rotate).read_text("utf-8"))
            current = store.replace(partner, new_keys)
        else:
            current = store.get(partner)
    except (SftpConfigError, OSError, UnicodeDecodeError) as exc:
        _fail(f"sftp keys {partner}: {exc}")
    listing = [
        {"type": k.key_type, "fingerprint": k.fingerprint, "comment": k.comment} for k in current
    ]
    if as_json:
        click.echo(json.dumps({"partner": partner, "rotated": bool(rotate), "keys": listing}))
        return
    if not listing:
        click.echo(f"{partner}: no authorised keys (the partner cannot log in)")
    for key in listing:
        click.echo(f"{key['type']}  {key['fingerprint']}  {key['comment']}".rstrip())
    if rotate:
        click.echo(f"{partner}: keys replaced ({len(listing)} now authorised)", err=True)


@sftp.command()
@click.argument("partner")
@click.option("--host", required=True, help="the partner's SFTP server")
@click.option("--port", type=int, default=22, show_default=True)
@click.option("--user", "username", required=True)
@click.option("--key", "key_ref", required=True, help="our private key: env:NAME or file:PATH")
@click.option("--passphrase", "passphrase_ref", help="its passphrase: env:NAME or file:PATH")
@click.option("--host-key", help="pinned host key: 'ssh-ed25519 AAAA...' or 'SHA256:...'")
@click.option("--learn-host-key", is_flag=True, help="accept and remember an unpinned host key")
@click.option("--pickup-dir", default="outbound", show_default=True, help="where to fetch from")
@click.option(
    "--after-read", type=click.Choice(["move", "delete"]), default="move", show_default=True
)
@click.option("--archive-dir", default="archive", show_default=True, help="for --after-read move")
@click.option("--pattern", default="*", show_default=True, help="names to fetch (fnmatch)")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="seconds")
@click.option("--json", "as_json", is_flag=True, help="print the poll result as JSON")
def poll(
    partner: str,
    host: str,
    port: int,
    username: str,
    key_ref: str,
    passphrase_ref: str | None,
    host_key: str | None,
    learn_host_key: bool,
    pickup_dir: str,
    after_read: str,
    archive_dir: str,
    pattern: str,
    timeout: float,
    as_json: bool,
) -> None:
    """Poll PARTNER's SFTP server once, now (ignoring any backoff wait).

    Until partner profiles are wired in, the server is described by the options here.
    Files are taken in as they are fetched; exit 1 when the server could not be polled."""
    try:
        remote = RemoteConfig(
            partner_id=partner,
            host=host,
            port=port,
            username=username,
            key_ref=key_ref,
            key_passphrase_ref=passphrase_ref,
            host_key=host_key,
            learn_host_key=learn_host_key,
            pickup_dir=pickup_dir,
            after_read=after_read,  # type: ignore[arg-type]  # click.Choice checked it
            archive_dir=archive_dir if after_read == "move" else None,
            file_pattern=pattern,
            connect_timeout=timedelta(seconds=timeout),
        )
    except SftpConfigError as exc:
        _fail(f"sftp poll {partner}: {exc}")
    from gateway.sftp.poller import poll_once

    runtime = open_runtime()
    try:
        result = poll_once(runtime, remote, force=True)
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps(result.summary(), default=str))
    else:
        for polled in result.files:
            what = polled.outcome + (f", {polled.after_read}" if polled.after_read else "")
            note = f"  ({polled.error})" if polled.error else ""
            ref = f" -> interchange {polled.interchange_id}" if polled.interchange_id else ""
            click.echo(f"{polled.remote_path}  {polled.size} bytes  {what}{ref}{note}")
        if result.learned_host_key:
            click.echo(f"learned host key: {result.learned_host_key}", err=True)
        click.echo(f"{partner}: {result.status}, {len(result.taken)} taken"
                   + (f"; {result.error}" if result.error else ""), err=True)  # fmt: skip
    if result.status == "failed":
        sys.exit(EXIT_POLL_FAILED)


def register(group: click.Group) -> None:
    group.add_command(sftp)
