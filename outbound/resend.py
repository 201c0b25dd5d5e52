"""Delivering a stored outbound interchange again, now (`edigw messages resend ID`).

An operator fixed what stopped a delivery (the partner's endpoint is up again, the transport
settings are corrected) and does not want to wait for the next retry, or the retries ran out
(`failed`, with a `send_failed` exception). The stored file goes out unchanged, same control
numbers, over the partner's *current* outbound transport, through the same `deliver` job the
pipeline runs, here and now, with a fresh retry budget. The request is an event of its own;
when the file is delivered, the interchange's open `send_failed` exception is resolved. A file
the partner already has is only sent again on request (`again`) and never once it was
acknowledged. Resolving the `send_failed` exception (`edigw exceptions resolve`) calls this
too (inbound/followups.py); it never goes the other way, so the two cannot loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from gateway.runtime import Runtime
from gateway.store import Interchange, locked
from gateway.store.journal import note, transition
from gateway.store.models import AckStatus, Direction, InterchangeStatus
from outbound.deliver import close_delivery_exceptions, deliver

RESENDABLE = (InterchangeStatus.RENDERED, InterchangeStatus.SEND_FAILED, InterchangeStatus.FAILED)
ACKNOWLEDGED = (AckStatus.ACCEPTED, AckStatus.PARTIALLY_ACCEPTED)
CLAIM = timedelta(minutes=2)  # how long the retry time is held for the resend's own attempt


class ResendError(Exception):
    """The interchange cannot be sent again (unknown, inbound, acknowledged, no transport)."""


@dataclass
class ResendResult:
    interchange_id: int
    transport: str
    status: str  # the interchange's status afterwards
    error: str | None = None  # why the transport refused, when it did
    resolved: list[int] = field(default_factory=list)  # exceptions closed by the delivery

    @property
    def delivered(self) -> bool:
        return self.status == InterchangeStatus.SENT


def resend(
    runtime: Runtime,
    interchange_id: int,
    *,
    by: str,
    again: bool = False,
    note_text: str | None = None,
) -> ResendResult:
    """Deliver outbound interchange `interchange_id` now; `again` also sends one that was
    delivered but not acknowledged (the partner says it never arrived). On delivery the
    open `send_failed` exceptions are resolved, with `note_text` when given (an operator
    resolving the exception, inbound/followups.py) and a note naming the resend otherwise."""
    transport = _request(runtime, interchange_id, by=by, again=again)
    deliver(runtime, interchange_id, claimed=True)  # the pipeline's own delivery job, here
    with runtime.db.session() as session:
        ic = session.get(Interchange, interchange_id)
        assert ic is not None
        result = ResendResult(interchange_id, transport, ic.status)
        if not result.delivered:
            result.error = ic.meta.get("last_error")
            return result
        result.resolved = close_delivery_exceptions(
            session,
            interchange_id,
            by=by,
            why=note_text or f"delivered again over {transport} (edigw messages resend)",
        )
    return result


def _request(runtime: Runtime, interchange_id: int, *, by: str, again: bool) -> str:
    """Check that the interchange can go out again and make it due now (with a fresh retry
    budget); records `resend_requested`. Returns the transport it will take."""
    with runtime.db.session() as session:
        ic = locked(session, Interchange, interchange_id)
        if ic is None:
            raise ResendError(f"no interchange {interchange_id}")
        if ic.direction != Direction.OUTBOUND:
            raise ResendError(
                f"interchange {interchange_id} is inbound: a received file is interpreted "
                f"again with `edigw messages replay {interchange_id}`"
            )
        profile = runtime.profiles.get(ic.partner_id or "")
        if profile is None:
            raise ResendError(f"partner profile {ic.partner_id!r} is not loaded")
        transport = profile.transports.outbound_transport()
        if transport is None:
            raise ResendError(
                f"partner {profile.id} has no outbound transport (configure one, or set "
                "transports.send_via when it has several)"
            )
        if not runtime.blobs.exists(ic.blob_key):
            raise ResendError(f"the stored file of interchange {interchange_id} is missing")
        if ic.status == InterchangeStatus.SENT:
            if ic.ack_status in ACKNOWLEDGED:
                raise ResendError(
                    f"interchange {interchange_id} was delivered and the partner acknowledged "
                    f"it ({ic.ack_status}): nothing to send again"
                )
            if not again:
                raise ResendError(
                    f"interchange {interchange_id} was delivered already (acknowledgement "
                    f"{ic.ack_status}); add --again to send the same file once more"
                )
        elif ic.status not in RESENDABLE:
            raise ResendError(f"interchange {interchange_id} is {ic.status}; it cannot be sent")
        detail = {"by": by, "transport": transport, "attempts_before": ic.meta.get("attempts", 0)}
        # a fresh retry budget; the retry time is held ahead while this attempt runs, so a
        # queued job or the sweep does not send the same file at the same moment (the row
        # lock already prevents that on PostgreSQL, SQLite has none). Should this process
        # die here, the sweep sends it once that time has passed.
        hold = datetime.now(UTC) + CLAIM
        ic.meta = {**ic.meta, "attempts": 0, "next_attempt_at": hold.isoformat()}
        if ic.status == InterchangeStatus.SENT:
            # waiting for delivery again; `deliver` sends what is rendered or failed
            transition(
                session, ic, InterchangeStatus.RENDERED, actor=by, kind="resend_requested",
                detail={**detail, "again": True},
            )  # fmt: skip
        elif ic.status == InterchangeStatus.FAILED:
            transition(
                session, ic, InterchangeStatus.SEND_FAILED, actor=by, kind="resend_requested",
                detail=detail,
            )  # fmt: skip
        else:
            note(session, actor=by, kind="resend_requested", interchange_id=ic.id, detail=detail)
        return transport
