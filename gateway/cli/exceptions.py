"""`edigw exceptions`: what needs a person, and its resolution."""

from __future__ import annotations

import getpass
import json

import click
from sqlalchemy import select

from gateway.cli._base import open_runtime
from gateway.store import ExceptionRecord
from gateway.store.models import ExceptionStatus


@click.group()
def exceptions() -> None:
    """Open exceptions: list, show, resolve."""


@exceptions.command(name="list")
@click.option("--kind")
@click.option("--partner")
@click.option("--all", "show_all", is_flag=True, help="include resolved ones")
@click.option("--json", "as_json", is_flag=True)
def list_(kind: str | None, partner: str | None, show_all: bool, as_json: bool) -> None:
    """List exceptions (open ones by default), newest first."""
    runtime = open_runtime()
    query = select(ExceptionRecord).order_by(ExceptionRecord.id.desc())
    if kind:
        query = query.where(ExceptionRecord.kind == kind)
    if partner:
        query = query.where(ExceptionRecord.partner_id == partner)
    if not show_all:
        query = query.where(ExceptionRecord.status == ExceptionStatus.OPEN)
    with runtime.db.session() as session:
        rows = session.scalars(query).all()
    if as_json:
        for row in rows:
            click.echo(json.dumps(_as_dict(row), default=str))
        return
    if not rows:
        click.echo("no exceptions")
        return
    for row in rows:
        click.echo(
            f"#{row.id:<5} {row.status:8} {row.kind:22} {(row.partner_id or '-'):14} "
            f"{row.subject_type} {row.subject_id}: {row.message}"
        )


def _as_dict(row: ExceptionRecord) -> dict[str, object]:
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "partner": row.partner_id,
        "subject": f"{row.subject_type}:{row.subject_id}",
        "message": row.message,
        "detail": row.detail,
        "next_action": row.next_action,
        "created_at": row.created_at,
        "resolved_at": row.resolved_at,
        "resolved_by": row.resolved_by,
        "resolution_note": row.resolution_note,
    }


@exceptions.command()
@click.argument("exception_id", type=int)
def show(exception_id: int) -> None:
    """Show one exception with its subject, detail and next action."""
    runtime = open_runtime()
    with runtime.db.session() as session:
        row = session.get(ExceptionRecord, exception_id)
        if row is None:
            raise click.ClickException(f"no exception {exception_id}")
        click.echo(json.dumps(_as_dict(row), indent=2, default=str))


@exceptions.command()
@click.argument("exception_id", type=int)
@click.option("--note", required=True, help="what was decided, e.g. 'detention approved'")
@click.option("--by", default=None, help="who resolves it (default: the OS user)")
@click.option(
    "--no-action",
    "no_action",
    is_flag=True,
    help="only close it: do not post the held bill (invoice_mismatch) or send the file "
    "again (send_failed)",
)
def resolve(exception_id: int, note: str, by: str | None, no_action: bool) -> None:
    """Resolve an exception with a note after running its follow-up: an invoice_mismatch
    posts the held bill, a send_failed sends the stored file again now. If the follow-up
    fails, the exception stays open and the command says why."""
    from inbound.followups import ResolveError, resolve

    runtime = open_runtime()
    try:
        outcome = resolve(
            runtime,
            exception_id,
            by=by or getpass.getuser(),
            note_text=note,
            action=not no_action,
        )
    except ResolveError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    click.echo(f"exception {exception_id} resolved")
    if outcome:
        click.echo(json.dumps(outcome))


def register(group: click.Group) -> None:
    group.add_command(exceptions)
