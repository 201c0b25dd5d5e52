"""`edigw odoo`: check the Odoo connection and post a file directly (support, onboarding).

Both commands use EDIGW_ODOO_URL/_DB/_USER/_PASSWORD; without a URL they run against the
bundled emulator (its database kept in <var>/odoo-emulator.sqlite3, as `edigw serve` does)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from gateway.cli._base import EXIT_UNAVAILABLE
from gateway.settings import Settings, SettingsError, load_settings

# The models the gateway reads or writes (a missing one means a module is not installed).
REQUIRED_MODELS = (
    "res.partner",
    "stock.picking",
    "stock.move",
    "delivery.carrier",
    "account.move",
    "account.move.line",
    "product.product",
    "ir.attachment",
    "mail.message",
    "mail.activity",
)
OPTIONAL_MODELS = ("stock.landed.cost", "purchase.order.line")

EXIT_FAILED = 1


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(f"edigw: {exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)


@contextmanager
def _odoo_url(settings: Settings) -> Iterator[tuple[str, str]]:
    """(url, description): the configured Odoo; else the emulator a running `edigw serve`
    answers on; else the bundled emulator, started for the duration on the same file."""
    if settings.odoo_url:
        yield settings.odoo_url, settings.odoo_url
        return
    running = f"http://127.0.0.1:{settings.emulator_port}"
    if _is_emulator(running):
        yield running, f"the emulator of the running gateway ({running})"
        return
    from gateway.odoo.emulator import serve

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    path = settings.var_dir / "odoo-emulator.sqlite3"
    handle = serve("127.0.0.1", 0, path, db_name=settings.odoo_db)
    try:
        yield handle.url, f"bundled emulator ({path})"
    finally:
        handle.stop()


def _is_emulator(url: str) -> bool:
    """Whether our emulator answers at `url` (not just anything, such as a real Odoo)."""
    import httpx

    call = {"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}
    try:
        answer = httpx.post(f"{url}/_emulator/stats", json=call, timeout=2)
        return answer.status_code == 200 and "object_calls" in (answer.json().get("result") or {})
    except (httpx.HTTPError, ValueError, AttributeError):
        return False


def _client(settings: Settings, url: str) -> Any:
    from gateway.odoo.client import OdooClient

    return OdooClient(url, settings.odoo_db, settings.odoo_user, settings.odoo_password, timeout=30)


def _echo_json(payload: Any) -> None:
    click.echo(json.dumps(payload, indent=2, default=str))


@click.group()
def odoo() -> None:
    """Odoo connection and direct posting."""


@odoo.command()
def ping() -> None:
    """Show Odoo's version, log in, and check the models the gateway needs."""
    from gateway.odoo.errors import OdooError

    settings = _settings()
    with _odoo_url(settings) as (url, where):
        try:
            report = _client(settings, url).ping([*REQUIRED_MODELS, *OPTIONAL_MODELS])
        except OdooError as exc:
            _echo_json({"ok": False, "odoo": where, "error": exc.as_dict()})
            sys.exit(EXIT_FAILED)
    missing = [m for m in report["missing_models"] if m in REQUIRED_MODELS]
    report["odoo"] = where
    report["ok"] = not missing
    report["missing_optional"] = [m for m in report["missing_models"] if m in OPTIONAL_MODELS]
    _echo_json(report)
    if missing:
        sys.exit(EXIT_FAILED)


@odoo.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partner", required=True, help="partner profile id")
def post(file: Path, partner: str) -> None:
    """Translate FILE and post it now, bypassing the queue; print the records touched."""
    from gateway.odoo.errors import OdooError
    from gateway.odoo.posting import OdooPoster
    from gateway.odoo.rules import OdooRules
    from partner_profiles import load_folder
    from translators.canonical import FreightInvoice, ShipmentStatus, TenderResponse
    from translators.core.issues import NotEdiError
    from translators.engine import sniff
    from translators.maps.files import iter_translated

    settings = _settings()
    profiles = load_folder(settings.effective_profiles_dir)
    loaded = profiles.profiles.get(partner)
    if loaded is None:
        click.echo(
            f"edigw: no valid partner profile {partner!r} in {settings.effective_profiles_dir}",
            err=True,
        )
        sys.exit(EXIT_UNAVAILABLE)
    profile = loaded.profile
    data = file.read_bytes()
    try:
        standard = sniff(data)
    except NotEdiError as exc:
        _echo_json({"file": str(file), "error": {"error": "NotEdiError", "message": str(exc)}})
        sys.exit(EXIT_FAILED)
    rules = OdooRules.from_profile(profile)
    results: list[dict[str, Any]] = []
    failed = False
    with _odoo_url(settings) as (url, where):
        client = _client(settings, url)
        poster = OdooPoster(client)
        try:
            transactions = list(iter_translated(data, standard, profile.map_context()))
        except Exception as exc:  # a file the engine cannot read: one line, no traceback
            _echo_json(
                {"file": str(file), "error": {"error": type(exc).__name__, "message": str(exc)}}
            )
            sys.exit(EXIT_FAILED)
        for transaction in transactions:
            entry: dict[str, Any] = {
                "type": transaction.doc_type,
                "control_number": transaction.control_number,
            }
            record = transaction.record
            try:
                if isinstance(record, ShipmentStatus):
                    outcome = poster.post_status(
                        record,
                        rules,
                        raw=data,
                        interchange=transaction.source.interchange_control_number,
                        filename=file.name,
                    )
                elif isinstance(record, FreightInvoice):
                    outcome = poster.post_invoice(
                        record,
                        rules,
                        raw=data,
                        interchange=transaction.source.interchange_control_number,
                    )
                elif isinstance(record, TenderResponse):
                    outcome = poster.post_tender_response(record, rules)
                else:
                    entry["skipped"] = "nothing to post into Odoo for this document type"
                    results.append(entry)
                    continue
                entry.update(outcome.as_dict())
            except OdooError as exc:
                failed = True
                entry["error"] = exc.as_dict()
            except Exception as exc:  # reported per document, never a traceback
                failed = True
                entry["error"] = {"error": type(exc).__name__, "message": str(exc)}
            results.append(entry)
    _echo_json({"file": str(file), "partner": partner, "odoo": where, "documents": results})
    if failed:
        sys.exit(EXIT_FAILED)


def register(group: click.Group) -> None:
    group.add_command(odoo)
