"""EDI engine commands: `translate`, `ack`, `render`, `schema`."""

from __future__ import annotations

import json
import sys
from typing import NoReturn

import click

from gateway.cli._base import pending
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

    try:
        report = analyse(_read(file))
    except NotEdiError as exc:
        _not_edi(file, exc)
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
    click.echo(acknowledgement.decode("latin-1"), nl=not acknowledgement.endswith(b"\n"))


@click.command()
@click.argument("canonical", type=click.Path(exists=True, dir_okay=False))
@click.option("--standard", type=click.Choice(["x12", "edifact"]), required=True)
@click.option("--version", "version_", help="e.g. 004010, 005010, D96A")
@click.option("--partner", help="partner profile id (its dialect and envelope ids)")
def render(canonical: str, standard: str, version_: str | None, partner: str | None) -> None:
    """Render a canonical record (JSON) as EDI."""
    pending("render", 5)


@click.command()
@click.option("--out", type=click.Path(file_okay=False), help="write one file per model here")
def schema(out: str | None) -> None:
    """Print (or export) the JSON Schema of the canonical models."""
    pending("schema", 5)


def register(group: click.Group) -> None:
    for command in (translate, ack, render, schema):
        group.add_command(command)
