"""EDI engine commands: `translate`, `ack`, `render`, `schema`."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click

from translators.core import AnalysisReport, Issue
from translators.core.issues import NotEdiError

EXIT_REJECTED = 1
EXIT_NOT_EDI = 2


def _read(file: str) -> bytes:
    with open(file, "rb") as handle:
        return handle.read()


def _not_edi(file: str, exc: Exception) -> NoReturn:
    click.echo(f"edigw: {file} is not X12 or EDIFACT: {exc}", err=True)
    sys.exit(EXIT_NOT_EDI)


def _text_report(report: AnalysisReport) -> str:
    """One line per interchange, group and transaction, then its findings indented."""
    lines: list[str] = []

    def findings(issues: list[Issue], indent: str) -> None:
        for issue in issues:
            codes = ",".join(f"{k}={v}" for k, v in issue.standard_codes.items())
            where = issue.location.describe()
            lines.append(
                f"{indent}{issue.severity.value}: {issue.code} [{codes}] {where}: {issue.message}"
            )

    for ic in report.interchanges:
        lines.append(
            f"interchange {ic.control_number or '-'} {ic.standard} {ic.version or '-'} "
            f"{ic.sender_id or '-'} -> {ic.receiver_id or '-'}: {ic.status.value}"
        )
        findings(ic.issues, "  ")
        for group in ic.groups:
            lines.append(
                f"  group {group.functional_id or '-'} {group.control_number or '-'} "
                f"{group.version or '-'}: {group.status.value}"
            )
            findings(group.issues, "    ")
            for tx in group.transactions:
                lines.append(
                    f"    transaction {tx.type or '-'} {tx.control_number or '-'}: "
                    f"{tx.status.value}"
                )
                findings(tx.issues, "      ")
    findings(report.issues, "")
    return "\n".join(lines)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json")
def translate(file: str, fmt: str) -> None:
    """Parse and validate FILE (X12 or EDIFACT) and print every interchange, group and
    transaction with its status and errors. Exit 0 when all are accepted, 1 when any is
    rejected, 2 when FILE is not EDI."""
    from translators.engine import analyse
    from translators.maps.files import attach_canonical

    data = _read(file)
    try:
        report = analyse(data)
    except NotEdiError as exc:
        _not_edi(file, exc)
    attach_canonical(report, data)  # each accepted transaction's canonical record
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(_text_report(report))
    sys.exit(EXIT_REJECTED if report.any_rejected else 0)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def ack(file: str) -> None:
    """Print the 997/999/TA1 or CONTRL the gateway would send back for FILE."""
    from translators.engine import acknowledge

    try:
        acknowledgement = acknowledge(_read(file))
    except NotEdiError as exc:
        _not_edi(file, exc)
    # the bytes as built: a CONTRL may carry UTF-8 where the partner's id needed it
    sys.stdout.buffer.write(acknowledgement)
    if not acknowledgement.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


@click.command()
@click.argument("canonical", type=click.Path(exists=True, dir_okay=False))
@click.option("--standard", type=click.Choice(["x12", "edifact"]), required=True)
@click.option("--version", "version_", help="e.g. 004010, 005010, D96A")
@click.option("--partner", help="partner profile id (its dialect and envelope ids)")
def render(canonical: str, standard: str, version_: str | None, partner: str | None) -> None:
    """Render a canonical record (JSON) as EDI: one interchange on standard output. Exit 1
    when the record cannot be rendered (e.g. mandatory data missing), 2 on bad input."""
    from translators.canonical import RecordError, record_from_json
    from translators.maps import MapContext, MapError
    from translators.maps.files import Parties
    from translators.maps.files import render as render_record

    try:
        record = record_from_json(_read(canonical))
    except RecordError as exc:
        click.echo(f"edigw: {canonical} is not a canonical record:\n{exc}", err=True)
        sys.exit(EXIT_NOT_EDI)
    context, parties = MapContext(), Parties()
    if partner:
        context, parties, profile_version = _partner_rendering(partner, standard)
        version_ = version_ or profile_version
    try:
        data = render_record(record, standard, version_, context, parties)
    except MapError as exc:
        click.echo(f"edigw: {exc}", err=True)
        sys.exit(EXIT_REJECTED)
    click.echo(data.decode("latin-1"), nl=not data.endswith(b"\n"))


def _partner_rendering(partner: str, standard: str) -> tuple[Any, Any, str]:
    """(map context, envelope ids, version) from a partner profile; exit 2 when the profile
    is missing, broken, or speaks another standard."""
    from gateway.settings import SettingsError, load_settings
    from partner_profiles.loading import load_folder
    from translators.maps.files import Parties

    try:
        folder = load_settings().effective_profiles_dir
    except SettingsError as exc:
        click.echo(f"edigw: {exc}", err=True)
        sys.exit(EXIT_NOT_EDI)
    loaded = load_folder(folder).profiles.get(partner)
    if loaded is None:
        click.echo(f"edigw: no valid partner profile {partner!r} in {folder}", err=True)
        sys.exit(EXIT_NOT_EDI)
    profile = loaded.profile
    if profile.standard != standard:
        click.echo(
            f"edigw: partner {partner!r} speaks {profile.standard}, not {standard}", err=True
        )
        sys.exit(EXIT_NOT_EDI)
    ours, theirs = profile.envelope.ours, profile.envelope.theirs
    if standard == "x12":
        parties = Parties(
            sender_id=ours.isa_id or "SENDER",
            receiver_id=theirs.isa_id or "RECEIVER",
            sender_qualifier=ours.isa_qualifier or "ZZ",
            receiver_qualifier=theirs.isa_qualifier or "ZZ",
            application_sender=ours.gs_id,
            application_receiver=theirs.gs_id,
        )
    else:
        parties = Parties(
            sender_id=ours.unb_id or "SENDER",
            receiver_id=theirs.unb_id or "RECEIVER",
            sender_qualifier=ours.unb_qualifier,
            receiver_qualifier=theirs.unb_qualifier,
        )
    return profile.map_context(), parties, profile.version


@click.command()
@click.option("--out", type=click.Path(file_okay=False), help="write one file per model here")
def schema(out: str | None) -> None:
    """Print (or export, one <model>.json per canonical model) the JSON Schema of the
    canonical records; docs/schemas/ holds the exported copy."""
    from pathlib import Path

    from translators.canonical import json_schemas

    schemas = json_schemas()
    if out is None:
        click.echo(json.dumps(schemas, indent=2, ensure_ascii=False))
        return
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, document in schemas.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
        click.echo(str(path))


def register(group: click.Group) -> None:
    for command in (translate, ack, render, schema):
        group.add_command(command)
