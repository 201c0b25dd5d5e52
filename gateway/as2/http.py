"""The AS2 HTTP endpoint: POST /as2 (messages, and async MDNs from partners) and
POST /as2/mdn. Bodies are streamed to a spool file under a size cap, never held whole."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from gateway.as2 import metrics
from gateway.as2.client import AsyncMdnAnswer, receive_async_mdn
from gateway.as2.config import As2Directory, StaticDirectory
from gateway.as2.mdn import is_mdn
from gateway.as2.mime import Entity, Span, headers_from_mapping
from gateway.as2.receive import (
    ReceiveOutcome,
    deliver_async_mdn,
    last_resort_answer,
    receive_message,
)
from gateway.runtime import Runtime

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 512 * 1024 * 1024  # hard cap before any partner is known


def _directory(request: Request, fixed: As2Directory | None) -> As2Directory:
    if fixed is not None:
        metrics.watch_certificates(fixed.all)
        return fixed
    state = request.app.state
    found = getattr(state, "as2_directory", None)
    if found is not None:
        metrics.watch_certificates(found.all)
        return found  # type: ignore[no-any-return]
    # nothing installed: the partner profiles, through the lead's adapter, built once
    try:
        state.as2_directory = state.runtime.as2_partners
        metrics.watch_certificates(state.as2_directory.all)
    except Exception:  # unreadable profiles: every sender is unknown, and the log says why
        log.exception("AS2: partner profiles not available; all senders are unknown")
        return StaticDirectory()
    return state.as2_directory  # type: ignore[no-any-return]


MdnListener = Callable[[Runtime, AsyncMdnAnswer], None]


def router(
    directory: As2Directory | None = None,
    *,
    on_async_mdn: MdnListener | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    async_mdn_attempts: int = 4,
    async_mdn_backoff_seconds: float = 1.0,
) -> APIRouter:
    """The AS2 routes. `directory` finds partners; when None, `app.state.as2_directory`, and
    when that is not set either, the partner profiles of `app.state.runtime`.
    `on_async_mdn` hears of every recorded async MDN answering one of our interchanges (the
    outbound pipeline turns a refusal into an exception)."""
    api = APIRouter()

    async def _spool(request: Request, workdir: Path) -> tuple[Any, int, bool]:
        # a named file on disk, not a spooled one: a large body must never sit in memory
        spool = tempfile.NamedTemporaryFile(dir=workdir, prefix="as2-", suffix=".body")  # noqa: SIM115
        size = 0
        too_large = False
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_body_bytes:
                    too_large = True  # keep draining so the sender still gets an answer
                    continue
                spool.write(chunk)
            spool.flush()
        except BaseException:
            spool.close()
            raise
        return spool, size, too_large

    @api.post("/as2")
    async def as2_inbound(request: Request, background: BackgroundTasks) -> Response:
        runtime: Runtime = request.app.state.runtime
        workdir = runtime.settings.var_dir / "as2-spool"
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            spool, size, too_large = await _spool(request, workdir)
        except ClientDisconnect:
            # the sender went away mid-body: nothing is stored, nobody is left to answer
            log.warning("AS2 request from %s cut off before its end", request.client)
            return Response(status_code=400)
        headers = [(k, v) for k, v in request.headers.items()]
        with spool:
            span = None if too_large else Span(spool.file, 0, size)
            directory_ = _directory(request, directory)
            if span is not None and is_mdn(Entity(headers_from_mapping(headers), span, span)):
                result = await run_in_threadpool(
                    receive_async_mdn, runtime, directory_, headers, span
                )
                await _tell(runtime, result)
                return Response(result.text, status_code=result.status_code)
            try:
                outcome = await run_in_threadpool(
                    receive_message,
                    runtime,
                    directory_,
                    headers,
                    span,
                    received_bytes=size,
                    too_large=too_large,
                    workdir=workdir,
                )
            except Exception as exc:  # the store itself failed: still no bare 500
                log.exception("AS2 message could not be stored")
                outcome = last_resort_answer(headers, exc)
        return _respond(runtime, outcome, background)

    @api.post("/as2/mdn")
    async def as2_async_mdn(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        workdir = runtime.settings.var_dir / "as2-spool"
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            spool, size, too_large = await _spool(request, workdir)
        except ClientDisconnect:
            return Response(status_code=400)
        with spool:
            if too_large:
                return Response("MDN too large\n", status_code=413)
            headers = [(k, v) for k, v in request.headers.items()]
            span = Span(spool.file, 0, size)
            result = await run_in_threadpool(
                receive_async_mdn, runtime, _directory(request, directory), headers, span
            )
        await _tell(runtime, result)
        return Response(result.text, status_code=result.status_code)

    async def _tell(runtime: Runtime, result: AsyncMdnAnswer) -> None:
        """Hand a recorded async MDN to whoever follows the message's interchange."""
        if on_async_mdn is None or result.interchange_id is None:
            return
        try:
            await run_in_threadpool(on_async_mdn, runtime, result)
        except Exception:  # the MDN is stored either way; the sweep's checks still apply
            log.exception("async MDN for interchange %s: follow-up failed", result.interchange_id)

    def _respond(
        runtime: Runtime, outcome: ReceiveOutcome, background: BackgroundTasks
    ) -> Response:
        response = Response(content=outcome.body, status_code=outcome.status_code)
        for name, value in outcome.headers:
            if name.lower() == "content-length":
                continue
            response.headers.append(name, value)
        if outcome.async_url and outcome.receipt_id is not None:
            background.add_task(
                deliver_async_mdn,
                runtime,
                outcome.receipt_id,
                outcome.async_url,
                attempts=async_mdn_attempts,
                backoff_seconds=async_mdn_backoff_seconds,
            )
        return response

    return api
