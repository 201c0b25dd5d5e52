"""`edigw sftp`: hosted mailboxes' keys and polling partners' servers."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click

from gateway.cli._base import EXIT_UNAVAILABLE, open_runtime
from gateway.partners import remote_config
from gateway.sftp.config import RemoteConfig
from gateway.sftp.errors import SftpConfigError
from gateway.sftp.keys import (
    AuthorizedKeysStore,
    parse_authorized_key,
    parse_authorized_keys,
)
from gateway.sftp.poller import poll_once

# Exit status of a poll that could not reach or log into the partner's server.
EXIT_POLL_FAILED = 1


def _fail(message: str) -> NoReturn:
    click.echo(f"edigw: {message}", err=True)
    sys.exit(EXIT_UNAVAILABLE)


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
@click.option("--clear", is_flag=True, help="drop rotated keys: the profile's keys apply again")
@click.option(
    "--keys-dir",
    type=click.Path(file_okay=False),
    help="key store folder (default: <EDIGW_VAR_DIR>/sftp-keys)",
)
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def keys(
    partner: str, rotate: str | None, clear: bool, keys_dir: str | None, as_json: bool
) -> None:
    """Show or rotate the keys PARTNER may log into its hosted mailbox with.

    Keys rotated here go to the key store (<EDIGW_VAR_DIR>/sftp-keys/PARTNER.pub) and take
    the place of the profile's transports.sftp_mailbox.public_keys from the partner's next
    login, without a profile change; --clear hands back to the profile's keys (once the
    profile carries the new ones). Without a rotation, the profile's keys are shown."""
    if rotate and clear:
        _fail("sftp keys: --rotate and --clear exclude each other")
    runtime = open_runtime()
    try:
        store = AuthorizedKeysStore(
            Path(keys_dir) if keys_dir else runtime.settings.var_dir / "sftp-keys"
        )
        if rotate:
            new_keys = parse_authorized_keys(Path(rotate).read_text("utf-8"))
            store.replace(partner, new_keys)
        elif clear:
            store.clear(partner)
        current = store.get(partner)
        source = f"key store {store.root} (in place of the profile's keys)"
        if not current:
            profile = runtime.profiles.get(partner)
            mailbox = profile.transports.sftp_mailbox if profile else None
            current = [parse_authorized_key(k) for k in mailbox.public_keys] if mailbox else []
            source = f"profile {partner}" if mailbox else "nowhere"
    except (SftpConfigError, OSError, UnicodeDecodeError) as exc:
        _fail(f"sftp keys {partner}: {exc}")
    finally:
        runtime.close()
    listing = [
        {"type": k.key_type, "fingerprint": k.fingerprint, "comment": k.comment} for k in current
    ]
    if as_json:
        click.echo(json.dumps({"partner": partner, "source": source, "rotated": bool(rotate),
                               "keys": listing}))  # fmt: skip
        return
    if not listing:
        click.echo(f"{partner}: no authorised keys (the partner cannot log in)")
    for key in listing:
        click.echo(f"{key['type']}  {key['fingerprint']}  {key['comment']}".rstrip())
    click.echo(f"{partner}: {len(listing)} key(s) from {source}", err=True)


@sftp.command()
@click.argument("partner")
@click.option("--host", help="the partner's SFTP server (default: from the profile)")
@click.option("--port", type=int, default=22, show_default=True)
@click.option("--user", "username", help="with --host: our login there")
@click.option("--key", "key_ref", help="with --host: our private key, env:NAME or file:PATH")
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
    host: str | None,
    port: int,
    username: str | None,
    key_ref: str | None,
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

    The server is the one in the partner's profile (transports.sftp_remote). With --host,
    the options describe it instead (for a partner without a profile, or a trial). Files
    are taken in as they are fetched; exit 1 when the server could not be polled."""
    remote: RemoteConfig | None = None
    if host is not None:
        if not username or not key_ref:
            _fail(f"sftp poll {partner}: --host needs --user and --key")
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
    runtime = open_runtime()
    try:
        if remote is None:
            try:
                profile = runtime.profiles.get(partner)
                usable = profile is not None and profile.status != "suspended"
                remote = remote_config(profile) if profile is not None and usable else None
            except (SftpConfigError, ValueError) as exc:
                _fail(f"sftp poll {partner}: {exc}")
            if remote is None:
                _fail(
                    f"sftp poll {partner}: no (unsuspended) profile with "
                    "transports.sftp_remote (or give the server with --host, --user, --key)"
                )
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
