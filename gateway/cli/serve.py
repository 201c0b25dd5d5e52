"""`edigw serve` (the gateway process) and `edigw worker` (a Celery worker)."""

from __future__ import annotations

import threading
import time
from typing import Any

import click

from gateway.cli._base import open_runtime
from gateway.runtime import Runtime


class Periodic:
    """Enqueues the periodic jobs in the embedded mode (Celery beat's work when a broker is
    configured; both read `PERIODIC_JOBS`)."""

    def __init__(self, runtime: Runtime, tick: float = 5.0) -> None:
        from gateway.celery_app import PERIODIC_JOBS

        self.runtime, self.tick = runtime, tick
        self._jobs = dict(PERIODIC_JOBS)
        self._last: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="edigw-periodic", daemon=True)

    def start(self) -> Periodic:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            now = time.monotonic()
            for name, interval in self._jobs.items():
                if now - self._last.get(name, 0.0) >= interval:
                    self._last[name] = now
                    self.runtime.enqueue(name)

    def stop(self) -> None:
        self._stop.set()


def start_pipeline(runtime: Runtime, *, periodic: bool = True) -> list[Any]:
    """Connect the runtime to the pipeline: Celery when a broker is set, else in-process
    threads plus the periodic timer. Returns what must be stopped on shutdown."""
    from gateway import jobs
    from gateway.celery_app import CeleryDispatcher, make_celery

    jobs.load_job_modules()
    if runtime.settings.broker_url:
        runtime.enqueue = CeleryDispatcher(make_celery(runtime.settings)).enqueue
        return []
    dispatcher = jobs.InProcessDispatcher(runtime).start()
    runtime.enqueue = dispatcher.enqueue
    return [dispatcher, Periodic(runtime).start()] if periodic else [dispatcher]


def start_services(runtime: Runtime) -> tuple[list[Any], list[str]]:
    """Everything `edigw serve` runs beside the HTTP front: the profile watcher, the bundled
    Odoo emulator (when no Odoo URL is set), the hosted SFTP server and the pipeline.
    Returns what to stop, and one line per service saying where it is."""
    from gateway.partners import ProfileMailboxDirectory
    from gateway.sftp.keys import AuthorizedKeysStore
    from gateway.sftp.server import default_host_key_path
    from gateway.sftp.server import serve as serve_sftp

    settings = runtime.settings
    running: list[Any] = []
    lines: list[str] = []
    registry = runtime.profiles
    registry.start_watching(interval=1.0)
    problems = registry.errors()
    lines.append(
        f"partner profiles: {len(registry.all())} from {settings.effective_profiles_dir}"
        + (f" ({len(problems)} with problems: edigw partner validate)" if problems else "")
    )
    if settings.uses_embedded_odoo:
        from gateway.odoo.emulator.server import serve as serve_emulator

        emulator = serve_emulator(
            "127.0.0.1", settings.emulator_port, settings.var_dir / "odoo-emulator.sqlite3"
        )
        runtime.odoo_url = emulator.url
        running.append(emulator)
        lines.append(f"Odoo emulator: {emulator.url} (database {settings.odoo_db})")
    else:
        lines.append(f"Odoo: {settings.odoo_url} (database {settings.odoo_db})")
    mailboxes = ProfileMailboxDirectory(
        registry, AuthorizedKeysStore(settings.var_dir / "sftp-keys")
    )
    sftp = serve_sftp(
        runtime, mailboxes, settings.sftp_host, settings.sftp_port, default_host_key_path(runtime)
    )
    running.append(sftp)
    lines.append(f"SFTP mailboxes: sftp://{settings.sftp_host}:{sftp.port}")
    running += start_pipeline(runtime)
    mode = f"Celery on {settings.broker_url}" if settings.broker_url else "in-process worker"
    lines.append(f"pipeline: {mode}")
    return running, lines


@click.command()
@click.option("--host", help="listen address (default: EDIGW_HTTP_HOST)")
@click.option("--port", type=int, help="listen port (default: EDIGW_HTTP_PORT)")
def serve(host: str | None, port: int | None) -> None:
    """Start the gateway: migrate the store, start the services, serve HTTP (/as2, /healthz,
    /metrics)."""
    import uvicorn

    from gateway.web import create_app

    runtime = open_runtime()
    settings = runtime.settings
    host = host or settings.http_host
    port = port if port is not None else settings.http_port
    running, lines = start_services(runtime)
    click.echo(f"edigw: database {runtime.db.url}")
    click.echo(f"edigw: blobs in {runtime.blobs.root.resolve()}")
    for line in lines:
        click.echo(f"edigw: {line}")
    click.echo(f"edigw: listening on http://{host}:{port} (AS2: /as2, health: /healthz)")
    try:
        uvicorn.run(create_app(runtime), host=host, port=port, log_level="warning")
    finally:
        for component in reversed(running):
            component.stop()
        runtime.close()


WORKER_THREADS = 4


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--queues", "-Q", default=None, help="comma-separated queues (default: all)")
@click.option(
    "--concurrency", "-c", type=int, default=None, help=f"jobs at once (default {WORKER_THREADS})"
)
@click.option("--pool", "-P", default="threads", show_default=True, help="Celery pool")
@click.option("--beat", "-B", is_flag=True, help="also run the periodic sweep scheduler")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(
    queues: str | None,
    concurrency: int | None,
    pool: str,
    beat: bool,
    celery_args: tuple[str, ...],
) -> None:
    """Run a Celery worker on EDIGW_BROKER_URL (all queues unless told otherwise).

    Jobs mostly wait on PostgreSQL and Odoo, so one worker process runs several at once on
    threads by default: the waits overlap, and a second core is used by a second process
    (`edigw worker` again, here or on another machine), not by forking."""
    from gateway import jobs
    from gateway.celery_app import make_celery
    from gateway.settings import load_settings

    settings = load_settings()
    if not settings.broker_url:
        raise click.ClickException(
            "EDIGW_BROKER_URL is not set; the embedded mode runs its worker inside `edigw serve`"
        )
    app = make_celery(settings)
    argv = ["worker", "-Q", queues or ",".join(jobs.QUEUES), "--loglevel", settings.log_level]
    argv += ["--pool", pool]
    if concurrency or pool == "threads":
        argv += ["--concurrency", str(concurrency or WORKER_THREADS)]
    if beat:
        argv.append("--beat")
    app.worker_main([*argv, *celery_args])


def register(group: click.Group) -> None:
    group.add_command(serve)
    group.add_command(worker)
