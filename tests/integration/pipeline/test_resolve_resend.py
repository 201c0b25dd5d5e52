"""Resolving a `send_failed` exception sends the file again, as an operator would do it with
`edigw exceptions resolve`, against a live store and the partner's hosted mailbox (which
cannot take files until the test fixes it):

- while the cause is still there the resolve fails, says why, and the exception stays open
  (the gateway retries the file again); after the fix it delivers the stored file once and
  closes the exception with the operator's note and name, once;
- a file that a retry delivered meanwhile is not sent again: the delivery closed the
  exception already, and resolving it afterwards is refused;
- `--no-action` closes it without sending, and says so in the interchange's story;
- `edigw messages resend` first closes the exception itself; resolving it afterwards is
  refused as already resolved (no loop, no second delivery)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from gateway.cli import main as cli
from gateway.runtime import Runtime
from gateway.store import Event, ExceptionRecord, Interchange
from outbound.deliver import deliver
from tests.integration.pipeline.harness import cli_runtime
from tests.integration.pipeline.test_resend_release import (
    STATUS,
    _block_mailbox,
    _run_out_of_retries,
)

pytestmark = pytest.mark.integration


def _failed_delivery(tmp_path: Path, env: dict[str, str]) -> tuple[CliRunner, Path, int, int]:
    """Send a 214 into a mailbox that cannot take it until its retries run out; returns the
    runner, the blocker, the interchange id and its open send_failed exception's id."""
    runner = CliRunner(env=env)
    blocker = _block_mailbox(env)
    record = tmp_path / "status.json"
    record.write_text(json.dumps(STATUS))
    sent = runner.invoke(cli, ["send", str(record), "--partner", "retail-co"])
    assert sent.exit_code == 0, sent.output
    runtime = cli_runtime(env)
    try:
        with runtime.db.session() as s:
            (ic,) = s.scalars(select(Interchange)).all()
            ic_id = ic.id
        _run_out_of_retries(runtime, ic_id)
        with runtime.db.session() as s:
            (exc,) = s.scalars(select(ExceptionRecord)).all()
            assert (exc.kind, exc.status, exc.subject_id) == ("send_failed", "open", str(ic_id))
            return runner, blocker, ic_id, exc.id
    finally:
        runtime.close()


def _resolve(runner: CliRunner, exception_id: int, *extra: str) -> Result:
    return runner.invoke(cli, ["exceptions", "resolve", str(exception_id), "--by", "ops", *extra])


def _placed(env: dict[str, str]) -> list[Path]:
    folder = Path(env["EDIGW_VAR_DIR"]) / "sftp" / "retail-co" / "outbound"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _kinds(runtime: Runtime, interchange_id: int) -> list[str]:
    """The interchange's own events (not its documents'), in order."""
    with runtime.db.session() as s:
        return list(
            s.scalars(
                select(Event.kind)
                .where(Event.interchange_id == interchange_id, Event.document_id.is_(None))
                .order_by(Event.id)
            )
        )


def _resolutions(runtime: Runtime, exception_id: int) -> list[Event]:
    with runtime.db.session() as s:
        events = s.scalars(select(Event).where(Event.kind == "exception_resolved")).all()
        return [e for e in events if e.detail.get("exception_id") == exception_id]


def test_resolving_send_failed_sends_the_file_again_once_the_cause_is_fixed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    runner, blocker, ic_id, exc_id = _failed_delivery(tmp_path, env)

    still = _resolve(runner, exc_id, "--note", "partner says the mailbox is fixed")
    assert still.exit_code == 1
    assert "the follow-up of send_failed failed, still open" in still.output
    assert f"interchange {ic_id} was not delivered over sftp_mailbox" in still.output
    runtime = cli_runtime(env)
    try:
        with runtime.db.session() as s:
            exc = s.get(ExceptionRecord, exc_id)
            assert exc is not None and exc.status == "open"
            ic = s.get(Interchange, ic_id)
            assert ic is not None and ic.status == "send_failed"  # retried by the gateway
            assert ic.meta["next_attempt_at"]

        blocker.unlink()
        fixed = _resolve(runner, exc_id, "--note", "mailbox fixed, sent again")
        assert fixed.exit_code == 0, fixed.output
        assert f"exception {exc_id} resolved" in fixed.output
        outcome = json.loads(fixed.output.splitlines()[-1])
        assert outcome == {
            "interchange": ic_id,
            "resent": True,
            "transport": "sftp_mailbox",
            "status": "sent",
        }
        (placed,) = _placed(env)
        with runtime.db.session() as s:
            ic = s.get(Interchange, ic_id)
            assert ic is not None and ic.status == "sent"
            assert placed.read_bytes() == runtime.blobs.read(ic.blob_key)
            exc = s.get(ExceptionRecord, exc_id)
            assert exc is not None and exc.status == "resolved"
            assert (exc.resolved_by, exc.resolution_note) == ("ops", "mailbox fixed, sent again")
        (resolution,) = _resolutions(runtime, exc_id)  # closed once, by the delivery
        assert resolution.actor == "ops"
        kinds = _kinds(runtime, ic_id)
        assert kinds.count("sent") == 1
        assert kinds.count("resend_requested") == 2  # the failed resolve and the good one
        assert kinds[-2:] == ["sent", "follow_up:send_failed"]
    finally:
        runtime.close()

    # nothing loops and nothing goes out twice
    again = _resolve(runner, exc_id, "--note", "twice")
    assert again.exit_code == 1 and "already resolved" in again.output
    resend = runner.invoke(cli, ["messages", "resend", str(ic_id)])
    assert resend.exit_code == 1 and "add --again" in resend.output
    assert len(_placed(env)) == 1
    shown = runner.invoke(cli, ["messages", "show", str(ic_id)])
    assert "follow_up:send_failed" in shown.output
    assert f"exception #{exc_id} send_failed (resolved)" in shown.output


def test_a_file_delivered_by_a_retry_meanwhile_closes_its_exception(
    tmp_path: Path, env: dict[str, str]
) -> None:
    runner, blocker, ic_id, exc_id = _failed_delivery(tmp_path, env)
    assert _resolve(runner, exc_id, "--note", "try now").exit_code == 1  # retries resume
    blocker.unlink()
    runtime = cli_runtime(env)
    try:
        with runtime.db.session() as s:  # the retry comes due; the sweep delivers it
            ic = s.get(Interchange, ic_id)
            assert ic is not None
            ic.meta = {**ic.meta, "next_attempt_at": datetime.now(UTC).isoformat()}
        assert deliver(runtime, ic_id) == "sent"
        with runtime.db.session() as s:
            exc = s.get(ExceptionRecord, exc_id)
            assert exc is not None and exc.status == "resolved"
            assert (exc.resolved_by, exc.resolution_note) == ("outbound", "delivered by a retry")
        # nothing left for a person: resolving it now is refused, and nothing is sent again
        late = _resolve(runner, exc_id, "--note", "it went through on its own")
        assert late.exit_code == 1 and "already resolved" in late.output
        assert len(_placed(env)) == 1
        kinds = _kinds(runtime, ic_id)
        assert kinds.count("sent") == 1
        assert kinds.count("resend_requested") == 1  # only the failed resolve asked
    finally:
        runtime.close()


def test_no_action_closes_without_sending(tmp_path: Path, env: dict[str, str]) -> None:
    runner, blocker, ic_id, exc_id = _failed_delivery(tmp_path, env)
    blocker.unlink()  # it could go out; the operator says it must not (sent by e-mail)
    closed = _resolve(runner, exc_id, "--note", "sent by e-mail", "--no-action")
    assert closed.exit_code == 0, closed.output
    assert closed.output.strip() == f"exception {exc_id} resolved"
    assert _placed(env) == []
    runtime = cli_runtime(env)
    try:
        with runtime.db.session() as s:
            ic = s.get(Interchange, ic_id)
            assert ic is not None and ic.status == "failed"
            exc = s.get(ExceptionRecord, exc_id)
            assert exc is not None and exc.status == "resolved"
            (skipped,) = s.scalars(
                select(Event).where(Event.kind == "follow_up_skipped:send_failed")
            ).all()
            assert skipped.interchange_id == ic_id and skipped.actor == "ops"
        assert "resend_requested" not in _kinds(runtime, ic_id)
    finally:
        runtime.close()


def test_resend_first_closes_the_exception_and_resolve_then_refuses(
    tmp_path: Path, env: dict[str, str]
) -> None:
    runner, blocker, ic_id, exc_id = _failed_delivery(tmp_path, env)
    blocker.unlink()
    resent = runner.invoke(cli, ["messages", "resend", str(ic_id), "--by", "ops"])
    assert resent.exit_code == 0, resent.output
    assert f"exception #{exc_id} send_failed resolved" in resent.output
    refused = _resolve(runner, exc_id, "--note", "late")
    assert refused.exit_code == 1 and "already resolved" in refused.output
    assert len(_placed(env)) == 1
    runtime = cli_runtime(env)
    try:
        assert _kinds(runtime, ic_id).count("sent") == 1
        (resolution,) = _resolutions(runtime, exc_id)
        assert "edigw messages resend" in resolution.detail["note"]
    finally:
        runtime.close()
