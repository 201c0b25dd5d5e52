"""Builds the gateway's ASGI application. Each feature mounts its own router here."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from gateway import __version__, metrics
from gateway.as2 import http as as2_http
from gateway.as2.client import AsyncMdnAnswer
from gateway.as2.metrics import watch_certificates
from gateway.runtime import Runtime


def _async_mdn(runtime: Runtime, answer: AsyncMdnAnswer) -> None:
    from outbound.deliver import mdn_outcome

    if answer.interchange_id is not None and answer.message_id:
        mdn_outcome(runtime, answer.interchange_id, answer.message_id, answer.problem)


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="edigw", version=__version__)
    app.state.runtime = runtime
    # partners' AS2 settings come from their profiles; the certificates are watched for
    # expiry on every scrape of /metrics
    directory = runtime.as2_partners
    app.state.as2_directory = directory
    watch_certificates(directory.all)
    app.include_router(as2_http.router(on_async_mdn=_async_mdn))

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        checks: dict[str, Any] = {}
        try:
            with runtime.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # report, do not crash the probe
            checks["database"] = f"error: {exc.__class__.__name__}: {exc}"
        checks["blob_store"] = "ok" if runtime.blobs.root.is_dir() else "missing"
        healthy = all(v == "ok" for v in checks.values())
        body = {"status": "ok" if healthy else "degraded", "version": __version__, **checks}
        return JSONResponse(body, status_code=200 if healthy else 503)

    @app.get("/metrics")
    def prometheus() -> Response:
        return Response(metrics.render(runtime), media_type=CONTENT_TYPE_LATEST)

    return app
