"""`edigw messages` and `edigw send`: find, inspect and replay interchanges, send an outbound
one again now (`resend`), post invoices held for a batch window now (`release`); send
documents."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import click
from sqlalchemy import select

from gateway.cli._base import open_runtime
from gateway.store import Document, Event, ExceptionRecord, Interchange, TransportReceipt
from gateway.store.models import Acknowledgement

_DURATION = re.compile(r"^(\d+)([smhd])$")


def parse_since(value: str) -> datetime:
    """An ISO time, or a duration back from now such as 30m, 2h, 7d."""
    match = _DURATION.match(value.strip())
    if match:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: int(match.group(1))})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither an ISO time nor a duration like 2h"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _time(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


@click.group()
def messages() -> None:
    """Interchanges and documents: list, show the timeline, replay, resend, release."""


@messages.command(name="list")
@click.option("--partner", help="partner id")
@click.option("--type", "doc_type", help="document type, e.g. 214, 210, IFTSTA")
@click.option("--state", help="interchange status or document state")
@click.option("--direction", type=click.Choice(["in", "out"]))
@click.option("--since", help="ISO time or a duration such as 2h")
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print JSON lines")
def list_(
    partner: str | None,
    doc_type: str | None,
    state: str | None,
    direction: str | None,
    since: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List interchanges (newest first) with their documents."""
    runtime = open_runtime()
    query = select(Interchange).order_by(Interchange.id.desc()).limit(limit)
    if partner:
        query = query.where(Interchange.partner_id == partner)
    if direction:
        query = query.where(Interchange.direction == direction)
    if since:
        query = query.where(Interchange.received_at >= parse_since(since))
    if doc_type or state:
        docs = select(Document.interchange_id)
        if doc_type:
            docs = docs.where(Document.doc_type == doc_type)
        if state:
            docs = docs.where(Document.state == state)
            query = query.where((Interchange.status == state) | Interchange.id.in_(docs))
        else:
            query = query.where(Interchange.id.in_(docs))
    with runtime.db.session() as session:
        rows = session.scalars(query).all()
        if as_json:
            for ic in rows:
                click.echo(json.dumps(_interchange_summary(ic)))
            return
        if not rows:
            click.echo("no interchanges")
            return
        click.echo(
            f"{'ID':>6}  {'RECEIVED (UTC)':19}  DIR {'PARTNER':14} {'STD':7} "
            f"{'CONTROL':10} {'STATUS':15} {'ACK':12} DOCUMENTS"
        )
        for ic in rows:
            summary = _interchange_summary(ic)
            docs_text = ", ".join(f"{d['type']}:{d['state']}" for d in summary["documents"])
            click.echo(
                f"{ic.id:>6}  {_time(ic.received_at)}  {ic.direction:3} "
                f"{(ic.partner_id or '?'):14} {(ic.standard or '-'):7} "
                f"{(ic.control_number or '-'):10} {ic.status:15} {ic.ack_status:12} {docs_text}"
            )


def _interchange_summary(ic: Interchange) -> dict[str, Any]:
    return {
        "id": ic.id,
        "direction": ic.direction,
        "partner": ic.partner_id,
        "standard": ic.standard,
        "transport": ic.transport,
        "transport_ref": ic.transport_ref,
        "control_number": ic.control_number,
        "status": ic.status,
        "ack_status": ic.ack_status,
        "ack_due_at": ic.ack_due_at.isoformat() if ic.ack_due_at else None,
        "received_at": ic.received_at.isoformat(),
        "duplicate_of": ic.duplicate_of,
        "documents": [
            {
                "id": d.id,
                "type": d.doc_type,
                "control_number": d.control_number,
                "state": d.state,
                "odoo": f"{d.odoo_model},{d.odoo_id}" if d.odoo_model else None,
                "replay_of": d.replay_of,
            }
            for d in ic.documents
        ],
    }


def timeline(session: Any, interchange_id: int) -> list[dict[str, Any]]:
    """Every event of an interchange and its documents, acknowledgements, receipts and
    exceptions, in time order: the story `messages show` tells."""
    doc_ids = list(
        session.scalars(select(Document.id).where(Document.interchange_id == interchange_id))
    )
    events = session.scalars(
        select(Event)
        .where((Event.interchange_id == interchange_id) | Event.document_id.in_(doc_ids))
        .order_by(Event.at, Event.id)
    ).all()
    entries = [
        {
            "at": e.at,
            "actor": e.actor,
            "what": e.kind,
            "document": e.document_id,
            "from": e.from_state,
            "to": e.to_state,
            "detail": e.detail,
        }
        for e in events
    ]
    for receipt in session.scalars(
        select(TransportReceipt)
        .where(TransportReceipt.interchange_id == interchange_id)
        .order_by(TransportReceipt.id)
    ):
        entries.append(
            {
                "at": receipt.created_at,
                "actor": f"transport:{receipt.transport}",
                "what": f"receipt:{receipt.kind}",
                "detail": receipt_detail(receipt),
            }
        )
    for ack in session.scalars(
        select(Acknowledgement).where(
            (Acknowledgement.acked_interchange_id == interchange_id)
            | (Acknowledgement.interchange_id == interchange_id)
        )
    ):
        entries.append(
            {
                "at": ack.created_at,
                "actor": "acks",
                "what": f"ack:{ack.direction}:{ack.ack_type}",
                "detail": {"status": ack.status, **ack.detail},
            }
        )
    subjects = [("interchange", str(interchange_id))] + [("document", str(i)) for i in doc_ids]
    for subject_type, subject_id in subjects:
        for exc in session.scalars(
            select(ExceptionRecord).where(
                ExceptionRecord.subject_type == subject_type,
                ExceptionRecord.subject_id == subject_id,
            )
        ):
            entries.append(
                {
                    "at": exc.created_at,
                    "actor": "system",
                    "what": f"exception #{exc.id} {exc.kind} ({exc.status})",
                    "detail": {"message": exc.message, "resolution": exc.resolution_note},
                }
            )
    entries.sort(key=lambda entry: entry["at"])
    return entries


def receipt_detail(receipt: TransportReceipt) -> dict[str, Any]:
    """What a transport receipt proves, for the timeline. An AS2 message we sent: its
    Message-ID and where it stands; the partner's MDN for it: the disposition, whether it
    was signed (and the signature checked out), whether its MIC is the one we computed,
    and our verdict. Other receipts (SFTP uploads): the reference and the MIC."""
    detail = receipt.detail or {}
    if receipt.transport == "as2" and receipt.kind == "message":
        return {
            "message_id": receipt.message_id,
            "status": detail.get("status"),
            "attempts": detail.get("attempts"),
            "mdn_mode": detail.get("mdn_mode"),
            "error": detail.get("error"),
        }
    if receipt.transport == "as2" and receipt.kind == "mdn":
        return {
            "message_id": receipt.message_id,
            "disposition": receipt.disposition,
            "signed": receipt.signed,
            "signature_valid": detail.get("signature_valid"),
            "mic_ok": detail.get("mic_ok"),
            "verdict": detail.get("verdict"),
            "error": detail.get("error"),
            "async": detail.get("async"),
        }
    return {"disposition": receipt.disposition, "mic": receipt.mic,
            "message_id": receipt.message_id, "signed": receipt.signed}  # fmt: skip


@messages.command()
@click.argument("interchange_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def show(interchange_id: int, as_json: bool) -> None:
    """Print the whole timeline of one interchange."""
    runtime = open_runtime()
    with runtime.db.session() as session:
        ic = session.get(Interchange, interchange_id)
        if ic is None:
            raise click.ClickException(f"no interchange {interchange_id}")
        summary = _interchange_summary(ic)
        entries = timeline(session, interchange_id)
    if as_json:
        summary["timeline"] = [{**e, "at": e["at"].isoformat()} for e in entries]
        click.echo(json.dumps(summary, indent=2, default=str))
        return
    click.echo(
        f"interchange {ic.id}: {ic.direction} {ic.partner_id or '?'} {ic.standard or '-'} "
        f"control {ic.control_number or '-'} via {ic.transport} {ic.transport_ref or ''}"
    )
    click.echo(f"  status {ic.status}, ack {ic.ack_status}, sha256 {ic.sha256[:16]}…")
    for doc in summary["documents"]:
        click.echo(
            f"  document {doc['id']}: {doc['type']} {doc['control_number']} -> {doc['state']}"
            + (f" (Odoo {doc['odoo']})" if doc["odoo"] else "")
            + (f" replay of {doc['replay_of']}" if doc["replay_of"] else "")
        )
    for entry in entries:
        if entry["what"] == "receipt:mdn" and entry["actor"] == "transport:as2":
            click.echo(f"  {_mdn_line(entry['detail'])}")
    for entry in entries:
        detail = {k: v for k, v in (entry.get("detail") or {}).items() if v not in (None, "")}
        doc = f" doc {entry['document']}" if entry.get("document") else ""
        change = f" {entry['from']}->{entry['to']}" if entry.get("from") else ""
        click.echo(
            f"  {_time(entry['at'])}  {entry['actor']:18} {entry['what']}{doc}{change}"
            + (f"  {json.dumps(detail, default=str)}" if detail else "")
        )


def _mdn_line(detail: dict[str, Any]) -> str:
    """One line on a received MDN: disposition, signature, MIC, our verdict."""
    signed = "unsigned"
    if detail.get("signed"):
        valid = detail.get("signature_valid")
        checked = "not checked" if valid is None else ("ok" if valid else "NOT valid")
        signed = f"signed, signature {checked}"
    mic_ok = detail.get("mic_ok")
    mic = "no MIC" if mic_ok is None else ("MIC ok" if mic_ok else "MIC MISMATCH")
    kind = "async MDN" if detail.get("async") else "MDN"
    verdict = detail.get("verdict") or "?"
    error = f" ({detail['error']})" if detail.get("error") else ""
    return (
        f"{kind} for {detail.get('message_id')}: {detail.get('disposition') or 'unreadable'}; "
        f"{signed}; {mic} -> {verdict}{error}"
    )


@messages.command()
@click.argument("message_id")
@click.option("--by", default=None, help="who asks for the replay (default: the OS user)")
def replay(message_id: str, by: str | None) -> None:
    """Replay a document (D123) or a whole interchange (123) as a new linked attempt,
    interpreted again with the partner's current profile."""
    import getpass

    from gateway.cli.serve import start_pipeline
    from inbound.replay import ReplayError, replay_document, replay_interchange

    text = message_id.strip().upper()
    if not text.removeprefix("D").isdecimal():
        raise click.BadParameter("give an interchange id (123) or a document id (D123)")
    runtime = open_runtime()
    running = start_pipeline(runtime)
    who = by or getpass.getuser()
    try:
        if text.startswith("D"):
            result = replay_document(runtime, int(text[1:]), by=who)
        else:
            result = replay_interchange(runtime, int(text), by=who)
        _finish(running)
    except ReplayError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    for doc in result.documents:
        click.echo(f"document D{doc} queued (replay)")
    for ic in result.interchanges:
        click.echo(f"interchange {ic} taken in again (replay)")


@messages.command()
@click.argument("interchange_id", type=int)
@click.option(
    "--again",
    is_flag=True,
    help="also send one that was delivered but not acknowledged (the partner never got it)",
)
@click.option("--by", default=None, help="who asks (default: the OS user)")
def resend(interchange_id: int, again: bool, by: str | None) -> None:
    """Deliver a stored outbound interchange again now, unchanged, over the partner's current
    outbound transport. When it goes through, its open send_failed exception is resolved;
    when it does not, the gateway goes on retrying it and the command fails."""
    import getpass

    from outbound.resend import ResendError
    from outbound.resend import resend as resend_now

    runtime = open_runtime()
    try:
        result = resend_now(runtime, interchange_id, by=by or getpass.getuser(), again=again)
    except ResendError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()
    if not result.delivered:
        raise click.ClickException(
            f"interchange {interchange_id} was not delivered over {result.transport}: "
            f"{result.error}; it stays {result.status} and the gateway retries it"
        )
    click.echo(f"interchange {interchange_id} delivered again over {result.transport}: sent")
    for exception_id in result.resolved:
        click.echo(f"exception #{exception_id} send_failed resolved")


@messages.command()
@click.option("--partner", required=True, help="partner id")
@click.option("--type", "doc_type", help="only this document type, e.g. 210 or INVOIC")
@click.option("--by", default=None, help="who asks (default: the OS user)")
def release(partner: str, doc_type: str | None, by: str | None) -> None:
    """Close the batch window now: the partner's documents held for the profile's
    batch_window become due at once and are posted."""
    import getpass

    from gateway.cli.serve import start_pipeline
    from inbound.release import ReleaseError, release_held

    runtime = open_runtime()
    try:
        running = start_pipeline(runtime)
        try:
            released = release_held(runtime, partner, doc_type=doc_type, by=by or getpass.getuser())
        finally:
            _finish(running)  # the embedded mode posts them here before it exits
        if not released:
            what = f"{doc_type} documents" if doc_type else "documents"
            click.echo(f"no {what} of {partner} are held for a batch window")
            return
        with runtime.db.session() as session:
            for item in released:
                doc = session.get(Document, item.document_id)
                state = doc.state if doc else "?"
                click.echo(
                    f"document D{item.document_id}: {item.doc_type} {item.control_number or '-'}"
                    f" (interchange {item.interchange_id}) held until "
                    f"{_time(item.held_until)} UTC, released: {state}"
                )
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()


def _finish(running: list[Any]) -> None:
    """In the embedded mode the CLI runs the queued work itself before it exits."""
    for component in running:
        if hasattr(component, "wait_idle"):
            component.wait_idle(300)
        component.stop()


@click.command()
@click.argument("canonical", type=click.Path(exists=True, dir_okay=False))
@click.option("--partner", required=True, help="partner profile id")
def send(canonical: str, partner: str) -> None:
    """Render a canonical record (JSON: one record or a list) for PARTNER in its standard
    and dialect, store it and deliver it over the partner's outbound transport."""
    from pydantic import ValidationError

    from gateway.cli.serve import start_pipeline
    from outbound.deliver import submit
    from outbound.render import RenderError
    from translators.canonical.models import MODELS, CanonicalRecord

    with open(canonical, encoding="utf-8") as fh:
        try:
            loaded = json.load(fh)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"{canonical}: not JSON ({exc})") from None
    items = loaded if isinstance(loaded, list) else [loaded]
    try:
        records = [
            cast(CanonicalRecord, MODELS[item["record_type"]].model_validate(item))
            for item in items
        ]
    except (KeyError, TypeError):
        raise click.ClickException(
            f"{canonical}: every record needs a record_type of {', '.join(MODELS)}"
        ) from None
    except ValidationError as exc:
        raise click.ClickException(f"{canonical}: {exc}") from None
    runtime = open_runtime()
    profile = runtime.profiles.get(partner)
    if profile is None:
        raise click.ClickException(f"no active partner profile {partner!r}")
    running = start_pipeline(runtime)
    try:
        interchange_id = submit(runtime, profile, records, source="cli")
        _finish(running)
        with runtime.db.session() as session:
            ic = session.get(Interchange, interchange_id)
            assert ic is not None
            click.echo(
                f"interchange {ic.id}: {ic.standard} {ic.control_number} to {partner} "
                f"via {ic.transport}: {ic.status}"
            )
    except RenderError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        runtime.close()


def register(group: click.Group) -> None:
    group.add_command(messages)
    group.add_command(send)
