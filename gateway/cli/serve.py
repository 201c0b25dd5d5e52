"""`edigw serve` (HTTP front, with the embedded defaults) and `edigw worker`."""

from __future__ import annotations

import click

from gateway.cli._base import open_runtime, pending


@click.command()
@click.option("--host", help="listen address (default: EDIGW_HTTP_HOST)")
@click.option("--port", type=int, help="listen port (default: EDIGW_HTTP_PORT)")
def serve(host: str | None, port: int | None) -> None:
    """Start the gateway: migrate the store, then serve HTTP (/healthz, /as2, /api)."""
    import uvicorn

    from gateway.web import create_app

    runtime = open_runtime()
    settings = runtime.settings
    host = host or settings.http_host
    port = port if port is not None else settings.http_port
    click.echo(f"edigw: database {runtime.db.url}")
    click.echo(f"edigw: blobs in {runtime.blobs.root.resolve()}")
    click.echo(f"edigw: partner profiles from {settings.effective_profiles_dir}")
    click.echo(f"edigw: listening on http://{host}:{port} (health: /healthz)")
    uvicorn.run(create_app(runtime), host=host, port=port, log_level="warning")


@click.command()
def worker() -> None:
    """Run a Celery worker on EDIGW_BROKER_URL (all queues unless told otherwise)."""
    pending("the Celery worker", 10)


def register(group: click.Group) -> None:
    group.add_command(serve)
    group.add_command(worker)
