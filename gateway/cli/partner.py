"""`edigw partner`: profiles for the onboarding team (validate, list, show, new, test)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from gateway.cli._base import EXIT_UNAVAILABLE, open_runtime
from gateway.settings import SettingsError, load_settings
from partner_profiles import (
    LoadedProfile,
    ProfileError,
    ProfileProblem,
    cross_check,
    load_file,
    load_folder,
    parse_profile,
    profile_files,
)
from partner_profiles.loading import claim_order
from partner_profiles.schema import PartnerProfile
from partner_profiles.templates import example_names, example_path, new_profile_text


def _profiles_dir() -> Path:
    try:
        return load_settings().effective_profiles_dir
    except SettingsError as exc:
        click.echo(f"edigw: {exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)


def _validate_path(path: Path) -> tuple[list[LoadedProfile], list[ProfileProblem]]:
    """Valid profiles and problems for a folder, or for one file checked against the other
    files of its folder (as the gateway would load it)."""
    if path.is_dir():
        result = load_folder(path)
        return sorted(result.profiles.values(), key=lambda p: p.id), result.all_problems()
    try:
        loaded = load_file(path)
    except ProfileError as exc:
        return [], exc.problems
    others = []
    for sibling in profile_files(path.parent):
        if sibling.resolve() == path.resolve():
            continue
        try:
            others.append(load_file(sibling))
        except ProfileError:
            continue  # a broken neighbour claims nothing
    # the neighbours are what is running: they keep their ids against this file
    clashes = cross_check([*claim_order(others), loaded])
    if loaded.id in clashes:
        return [], clashes[loaded.id]
    return [loaded], []


@click.group()
def partner() -> None:
    """Partner profiles: validate, list, show, create and test with sample files."""


@partner.command()
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def validate(path: Path | None, fmt: str) -> None:
    """Validate one profile file or a whole profiles folder (default: EDIGW_PROFILES_DIR).

    Prints every problem as FILE:LINE: FIELD: what is wrong (allowed: ...); exits 1 when
    there is any."""
    path = path or _profiles_dir()
    valid, problems = _validate_path(path)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "valid": [{"id": p.id, "file": str(p.path)} for p in valid],
                    "problems": [p.to_dict() for p in problems],
                },
                indent=2,
            )
        )
    else:
        for loaded in valid:
            p = loaded.profile
            click.echo(f"ok       {p.id}  ({p.standard} {p.version}, {p.status})  {loaded.path}")
        for problem in problems:
            click.echo(f"PROBLEM  {problem}")
        files = {pr.file for pr in problems}
        click.echo(
            f"{len(valid)} valid profile(s)"
            + (f", {len(problems)} problem(s) in {len(files)} file(s)" if problems else "")
        )
        for loaded in valid:
            for warning in _certificate_warnings(loaded.profile):
                click.echo(f"warning  {loaded.profile.id}: {warning}")
    sys.exit(1 if problems else 0)


def _certificate_warnings(profile: PartnerProfile) -> list[str]:
    """Expired or soon-expiring AS2 certificates, and certificates that cannot be read on
    this machine (warnings: the secrets may live only where the gateway runs)."""
    if profile.transports.as2 is None:
        return []
    from gateway.as2.config import certificate_warnings
    from gateway.partners import as2_config

    try:
        config = as2_config(profile)
    except Exception as exc:  # unreadable key or certificate: say so, do not fail validation
        return [f"AS2 keys or certificates cannot be loaded here: {exc}"]
    return certificate_warnings(config) if config is not None else []


@partner.command(name="list")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path))
def list_(folder: Path | None) -> None:
    """List the partner profiles with status, standard and transports."""
    folder = folder or _profiles_dir()
    result = load_folder(folder)
    rows = [("ID", "STATUS", "STANDARD", "IN", "OUT", "TRANSPORTS", "NAME")]
    for loaded in sorted(result.profiles.values(), key=lambda p: p.id):
        p = loaded.profile
        rows.append(
            (
                p.id,
                p.status,
                f"{p.standard} {p.version}",
                ",".join(p.messages.inbound) or "-",
                ",".join(p.messages.outbound) or "-",
                ",".join(p.transports.configured()) or "-",
                p.name,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1]
        )
    for file, problems in sorted(result.problems.items()):
        click.echo(
            f"not loaded: {file.name} ({len(problems)} problem(s); "
            f"run: edigw partner validate {file})"
        )


@partner.command()
@click.argument("partner_id")
@click.option("--version", "version_", type=int, help="show this recorded version and its diff")
def show(partner_id: str, version_: int | None) -> None:
    """Show one profile as loaded (with its version history)."""
    from gateway.profiles import ProfileRegistry

    runtime = open_runtime()
    try:
        registry = ProfileRegistry(runtime)
        registry.refresh()
        history = registry.history(partner_id)
        served = registry.served(partner_id)
        error = registry.last_error(partner_id)
        if served is None and not history:
            click.echo(
                f"edigw: no partner profile '{partner_id}' in {registry.folder}"
                + (":" if error else ""),
                err=True,
            )
            for problem in error or []:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
        if version_ is not None:
            row = next((r for r in history if r.version == version_), None)
            if row is None:
                click.echo(f"edigw: {partner_id} has no version {version_}", err=True)
                sys.exit(1)
            loaded_at = f"{row.loaded_at:%Y-%m-%d %H:%M:%S} UTC"
            click.echo(
                f"# {partner_id} version {row.version}, loaded {loaded_at} by {row.loaded_by}"
            )
            click.echo(row.content, nl=False)
            if row.diff:
                click.echo(f"\n# changes from version {row.version - 1}:")
                click.echo(row.diff, nl=False)
            return
        if served is not None:
            p = served.loaded.profile
            click.echo(f"# {p.id}: {p.name}")
            source = served.loaded.path or "the store (its file is not valid)"
            click.echo(
                f"# serving version {served.version} from {source}"
                f" (sha256 {served.loaded.content_hash[:12]})"
            )
            click.echo(f"# {p.standard} {p.version}, {p.status}; sender {p.describe_envelope()}")
            click.echo(served.loaded.text, nl=False)
        else:
            click.echo(f"# {partner_id}: not being served (its file is missing or invalid)")
        if error:
            click.echo("\n# the file on disk is NOT loaded; still serving the version above:")
            for problem in error:
                click.echo(f"#   {problem}")
        click.echo("\n# versions:")
        for row in history:
            click.echo(
                f"#   {row.version:>3}  {row.loaded_at:%Y-%m-%d %H:%M:%S} UTC  "
                f"{row.loaded_by:<16} sha256 {row.content_hash[:12]}"
                + ("" if row.diff is None else f"  ({_diff_size(row.diff)})")
            )
    finally:
        runtime.close()


def _diff_size(diff: str) -> str:
    lines = diff.splitlines()
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return f"+{added} -{removed} lines"


@partner.command()
@click.argument("partner_id")
@click.option(
    "--from-example",
    "example",
    required=True,
    help="example profile to start from: " + ", ".join(example_names()),
)
@click.option("--name", help="the partner's name")
@click.option(
    "--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
    help="profiles folder (default: EDIGW_PROFILES_DIR)",
)  # fmt: skip
def new(partner_id: str, example: str, name: str | None, folder: Path | None) -> None:
    """Create a new profile (status testing) from an example."""
    source = example_path(example)
    if source is None:
        click.echo(
            f"edigw: no example '{example}'; choose one of: {', '.join(example_names())}", err=True
        )
        sys.exit(EXIT_UNAVAILABLE)
    folder = folder or _profiles_dir()
    target = folder / f"{partner_id}.yaml"
    if target.exists():
        click.echo(f"edigw: {target} already exists; edit it instead", err=True)
        sys.exit(1)
    text = new_profile_text(source.read_text(encoding="utf-8"), partner_id, name)
    try:
        parse_profile(text, file=str(target), expected_id=partner_id)
    except ProfileError as exc:
        # e.g. an id that is not a valid partner id: say so, write nothing
        for problem in exc.problems:
            click.echo(f"PROBLEM  {problem}", err=True)
        sys.exit(1)
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"created {target} from example {source.stem} (status: testing)")
    click.echo("next:")
    click.echo("  1. set the partner's name and envelope ids (envelope.theirs), and replace the")
    click.echo(
        "     example's transport details (keys, certificates, addresses) with the partner's"
    )
    click.echo(f"  2. edigw partner validate {target}")
    click.echo(f"  3. edigw partner test {partner_id} SAMPLE_FILES...")


@partner.command()
@click.argument("partner_id")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--brief", is_flag=True, help="summary table only, no per-file detail")
@click.option(
    "--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
    help="profiles folder (default: EDIGW_PROFILES_DIR)",
)  # fmt: skip
def test(
    partner_id: str, files: tuple[str, ...], fmt: str, brief: bool, folder: Path | None
) -> None:
    """Dry-run sample FILES through the partner's profile; nothing is sent or posted.

    Each file goes through envelope checks and partner identification, validation with the
    partner's overlay, the acknowledgement the profile asks for, and translation with its
    code tables; the result shows what would happen in Odoo. Exit status 1 when anything
    would be rejected, 2 when the profile itself cannot be used."""
    from partner_profiles.dryrun import dry_run

    folder = folder or _profiles_dir()
    result = load_folder(folder)
    loaded = result.profiles.get(partner_id)
    if loaded is None:
        problems = result.problems.get(folder / f"{partner_id}.yaml") or result.problems.get(
            folder / f"{partner_id}.yml"
        )
        if problems:
            click.echo(f"edigw: the profile of {partner_id} is not valid:", err=True)
            for problem in problems:
                click.echo(f"  {problem}", err=True)
        else:
            click.echo(f"edigw: no partner profile '{partner_id}' in {folder}", err=True)
        sys.exit(EXIT_UNAVAILABLE)
    profile = loaded.profile
    results = [dry_run(profile, Path(f).read_bytes(), name=f) for f in files]
    rejected = any(r.rejected for r in results)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "partner": profile.id,
                    "rejected": rejected,
                    "files": [r.to_dict() for r in results],
                },
                indent=2,
                default=str,
            )
        )
        sys.exit(1 if rejected else 0)
    click.echo(
        f"dry-run of {len(files)} file(s) for {profile.id} ({profile.standard} {profile.version},"
        f" {profile.status}); nothing is sent or posted\n"
    )
    _summary_table(results)
    if not brief:
        for file_result in results:
            _file_detail(profile.acknowledgements.send, file_result)
    sys.exit(1 if rejected else 0)


def _verdict(rejected: bool, status: str, warnings: int) -> str:
    if rejected:
        return "REJECTED"
    return status + (f" ({warnings} warning(s))" if warnings else "")


def _summary_table(results: list[Any]) -> None:
    from partner_profiles.dryrun import Outcome

    rows = [("FILE", "INTERCHANGE", "TYPE", "CONTROL", "VERDICT", "RESULT")]
    totals = {"transactions": 0, "rejected": 0, "warnings": 0}
    for r in results:
        name = Path(r.name).name
        if not r.transactions:
            file_rejects = [f for f in r.findings if f.outcome is Outcome.REJECT]
            file_warnings = [f for f in r.findings if f.outcome is Outcome.WARNING]
            first = (file_rejects or file_warnings or [None])[0]
            verdict = "REJECTED" if file_rejects else "no transactions"
            rows.append((name, "-", "-", "-", verdict, first.message if first else ""))
        for t in r.transactions:
            rejected, findings = r.verdict(t)
            warnings = sum(f.outcome is Outcome.WARNING for f in findings)
            first_reject = next((f for f in findings if f.outcome is Outcome.REJECT), None)
            # the set's own errors first; otherwise what rejects its interchange
            summary = t.summary() if t.rejected or first_reject is None else first_reject.message
            totals["transactions"] += 1
            totals["rejected"] += rejected
            totals["warnings"] += warnings
            rows.append(
                (
                    name,
                    t.interchange or "-",
                    t.type or "?",
                    t.control_number or "-",
                    _verdict(rejected, t.status.value, warnings),
                    summary,
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, _clip(row[5], 110)]))
    files_rejected = sum(r.rejected for r in results)
    click.echo(
        f"\n{len(results)} file(s), {totals['transactions']} transaction(s):"
        f" {totals['rejected']} would be rejected, {totals['warnings']} warning(s);"
        f" {files_rejected} file(s) with something rejected"
    )


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _file_detail(ack_type: str, r: Any) -> None:
    click.echo(f"\n== {r.name}" + (f" ({r.standard})" if r.standard else ""))
    for ic in r.interchanges:
        sender = f"{ic.sender_qualifier}/{ic.sender_id}" if ic.sender_qualifier else ic.sender_id
        receiver = (
            f"{ic.receiver_qualifier}/{ic.receiver_id}" if ic.receiver_qualifier else ic.receiver_id
        )
        click.echo(
            f"   interchange {ic.control_number or '-'}: from {sender} to {receiver},"
            f" {ic.version or '-'}, test indicator {ic.test_indicator or '-'},"
            f" envelope {ic.status.value}"
        )
        for issue in ic.issues:
            click.echo(f"      {issue.severity.value:<8}{_issue(issue.to_dict())}")
    for issue in r.file_issues:
        click.echo(f"   {issue['severity']:<8}{_issue(issue)}")
    for finding in r.findings:
        _echo_finding(finding, "   ")
    for t in r.transactions:
        click.echo(
            f"   -- {t.type} {t.control_number} (group {t.group or '-'}, {t.version}):"
            f" {t.status.value}" + (" -> REJECTED" if t.rejected else "")
        )
        for issue in t.report.issues:
            click.echo(f"      {issue.severity.value:<8}{_issue(issue.to_dict())}")
        for finding in t.findings:
            click.echo(
                f"      {finding.outcome.value.upper():<8}{finding.stage}: {finding.message}"
            )
        for line in t.odoo:
            click.echo(f"      odoo    {line}")
        if t.canonical is not None:
            click.echo("      canonical record:")
            for line in json.dumps(_compact(t.canonical), indent=2, default=str).splitlines():
                click.echo(f"        {line}")
    if r.acknowledgement is not None:
        if r.acknowledgement:
            click.echo(f"   acknowledgement the gateway would send ({ack_type}):")
            for line in r.acknowledgement.decode("latin-1").splitlines():
                click.echo(f"        {line}")
        else:
            click.echo(f"   no {ack_type} would be sent for this file")


def _compact(value: Any) -> Any:
    """The record without empty fields, so a person reads what the partner actually sent."""
    if isinstance(value, dict):
        pairs = ((k, _compact(v)) for k, v in value.items())
        return {k: v for k, v in pairs if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _echo_finding(finding: Any, indent: str) -> None:
    click.echo(f"{indent}{finding.outcome.value.upper():<8}{finding.stage}: {finding.message}")


def _issue(issue: dict[str, Any]) -> str:
    location = issue.get("location") or {}
    where = []
    if location.get("segment_id"):
        ref = location["segment_id"]
        if location.get("element"):
            ref += f"-{location['element']:02d}"
        where.append(ref)
    if location.get("segment_position"):
        where.append(f"segment {location['segment_position']}")
    value = f" [value {issue['value']!r}]" if issue.get("value") is not None else ""
    code = issue.get("code", "")
    return f"{issue['message']}{value} ({', '.join([*where, code])})"


def register(group: click.Group) -> None:
    group.add_command(partner)
