"""`edigw sftp`: hosted mailboxes' keys and polling partners' servers."""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import NoReturn

import click

from gateway.cli._base import EXIT_UNAVAILABLE, open_runtime
from gateway.sftp.config import RemoteConfig
from gateway.sftp.errors import SftpConfigError
from gateway.sftp.keys import (
    AuthorizedKey,
    AuthorizedKeysStore,
    parse_authorized_key,
    parse_authorized_keys,
)
from gateway.sftp.poller import poll_once
from gateway.sftp.profiles import ProfileRemoteDirectory, rewrite_public_keys
from partner_profiles import ProfileError, parse_profile

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
@click.option(
    "--keys-dir",
    type=click.Path(file_okay=False),
    help="use this key store folder instead of the partner's profile",
)
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def keys(partner: str, rotate: str | None, keys_dir: str | None, as_json: bool) -> None:
    """Show or rotate the keys PARTNER may log into its hosted mailbox with.

    The keys come from the partner's profile (transports.sftp_mailbox.public_keys); a
    rotation rewrites that list in the profile file, checks the result, and records the new
    profile version. Partners without a profile use the key store
    (<EDIGW_VAR_DIR>/sftp-keys/PARTNER.pub, or --keys-dir). A rotation applies at the
    partner's next login."""
    try:
        new_keys = parse_authorized_keys(Path(rotate).read_text("utf-8")) if rotate else None
        if new_keys is not None and not new_keys:
            raise SftpConfigError(f"{rotate} holds no key: it would lock the partner out")
        if keys_dir:
            source, current = _keys_in_store(AuthorizedKeysStore(Path(keys_dir)), partner, new_keys)
        else:
            source, current = _keys_of(partner, new_keys)
    except (SftpConfigError, OSError, UnicodeDecodeError) as exc:
        _fail(f"sftp keys {partner}: {exc}")
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
    verb = "replaced in" if rotate else "from"
    click.echo(f"{partner}: {len(listing)} key(s) {verb} {source}", err=True)


def _keys_in_store(
    store: AuthorizedKeysStore, partner: str, new_keys: list[AuthorizedKey] | None
) -> tuple[str, list[AuthorizedKey]]:
    current = store.replace(partner, new_keys) if new_keys is not None else store.get(partner)
    return f"key store {store.root}", current


def _keys_of(partner: str, new_keys: list[AuthorizedKey] | None) -> tuple[str, list[AuthorizedKey]]:
    runtime = open_runtime()
    try:
        served = runtime.profiles.served(partner)
        mailbox = served.loaded.profile.transports.sftp_mailbox if served else None
        if served is None or mailbox is None:
            store = AuthorizedKeysStore(runtime.settings.var_dir / "sftp-keys")
            return _keys_in_store(store, partner, new_keys)
        path = served.loaded.path
        if new_keys is None:
            return f"profile {path}", [parse_authorized_key(line) for line in mailbox.public_keys]
        if runtime.settings.profiles_dir is None or path is None:
            raise SftpConfigError(
                "the profiles are the shipped examples; set EDIGW_PROFILES_DIR to rotate keys"
            )
        text = rewrite_public_keys(served.loaded.text, [k.openssh_line() for k in new_keys])
        try:
            parse_profile(text, file=str(path), expected_id=path.stem)
        except ProfileError as exc:
            raise SftpConfigError(f"the rotated profile would not load: {exc}") from None
        _replace_file(path, text)
        report = runtime.profiles.refresh(loaded_by="edigw sftp keys")
        if partner in report.rejected:
            raise SftpConfigError(f"{path} was rejected on reload: {report.rejected[partner]}")
        return f"profile {path}", new_keys
    finally:
        runtime.close()


def _replace_file(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.rotating")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


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
                remote = ProfileRemoteDirectory(runtime.profiles.all).remote(partner)
            except SftpConfigError as exc:
                _fail(f"sftp poll {partner}: {exc}")
            if remote is None:
                _fail(
                    f"sftp poll {partner}: no active or testing profile with "
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
