"""`edigw serve` (the gateway process) and `edigw worker` (a Celery worker)."""

from __future__ import annotations

import threading

import click

from gateway.cli._base import open_runtime
from gateway.runtime import Runtime


class Periodic:
    """Enqueues the sweep on a fixed interval in the embedded mode (Celery beat's job when a
    broker is configured)."""

    def __init__(self, runtime: Runtime, interval: float) -> None:
        self.runtime, self.interval = runtime, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="edigw-sweep", daemon=True)

    def start(self) -> Periodic:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.runtime.enqueue("pipeline.sweep")

    def stop(self) -> None:
        self._stop.set()


def start_pipeline(runtime: Runtime) -> list[object]:
    """Connect the runtime to the pipeline: Celery when a broker is set, else in-process
    threads plus a sweep timer. Returns what must be stopped on shutdown."""
    from gateway import jobs
    from gateway.celery_app import SWEEP_INTERVAL_S, CeleryDispatcher, make_celery

    jobs.load_job_modules()
    if runtime.settings.broker_url:
        runtime.enqueue = CeleryDispatcher(make_celery(runtime.settings)).enqueue
        return []
    dispatcher = jobs.InProcessDispatcher(runtime).start()
    runtime.enqueue = dispatcher.enqueue
    return [dispatcher, Periodic(runtime, SWEEP_INTERVAL_S).start()]


@click.command()
@click.option("--host", help="listen address (default: EDIGW_HTTP_HOST)")
@click.option("--port", type=int, help="listen port (default: EDIGW_HTTP_PORT)")
def serve(host: str | None, port: int | None) -> None:
    """Start the gateway: migrate the store, start the pipeline, serve HTTP (/healthz, /as2)."""
    import uvicorn

    from gateway.web import create_app

    runtime = open_runtime()
    settings = runtime.settings
    host = host or settings.http_host
    port = port if port is not None else settings.http_port
    running = start_pipeline(runtime)
    mode = "Celery on " + settings.broker_url if settings.broker_url else "in-process worker"
    click.echo(f"edigw: database {runtime.db.url}")
    click.echo(f"edigw: blobs in {runtime.blobs.root.resolve()}")
    click.echo(f"edigw: pipeline: {mode}")
    click.echo(f"edigw: partner profiles from {settings.effective_profiles_dir}")
    click.echo(f"edigw: listening on http://{host}:{port} (health: /healthz)")
    try:
        uvicorn.run(create_app(runtime), host=host, port=port, log_level="warning")
    finally:
        for component in reversed(running):
            component.stop()  # type: ignore[attr-defined]
        runtime.close()


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--queues", "-Q", default=None, help="comma-separated queues (default: all)")
@click.option("--concurrency", "-c", type=int, default=None)
@click.option("--beat", "-B", is_flag=True, help="also run the periodic sweep scheduler")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(
    queues: str | None, concurrency: int | None, beat: bool, celery_args: tuple[str, ...]
) -> None:
    """Run a Celery worker on EDIGW_BROKER_URL (all queues unless told otherwise)."""
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
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if beat:
        argv.append("--beat")
    app.worker_main([*argv, *celery_args])


def register(group: click.Group) -> None:
    group.add_command(serve)
    group.add_command(worker)
