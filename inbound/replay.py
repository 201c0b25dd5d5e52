"""Replays: a person fixed the cause (a profile mapping, a picking in Odoo, a missing
partner) and asks the gateway to try again. A replay is a new attempt linked to the old
one (`replay_of`), interpreted afresh from the stored raw file with the partner's current
profile; the old document turns `replayed`. Odoo's external ids keep a replay from
posting anything twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from gateway.runtime import Runtime
from gateway.store import Document, DocumentState, Interchange
from gateway.store.journal import note, transition
from gateway.store.models import Direction, InterchangeStatus
from inbound.process import new_document, profile_version, route
from partner_profiles.dryrun import dry_run

REPLAYABLE = (
    DocumentState.EXCEPTION,
    DocumentState.REJECTED,
    DocumentState.FAILED,
    DocumentState.RETRYING,
)


class ReplayError(Exception):
    """The thing asked for cannot be replayed (unknown, or nothing to replay)."""


@dataclass
class ReplayResult:
    documents: list[int] = field(default_factory=list)  # new document ids
    interchanges: list[int] = field(default_factory=list)  # new interchange ids


def replay_document(runtime: Runtime, document_id: int, *, by: str) -> ReplayResult:
    jobs: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    result = ReplayResult()
    with runtime.db.session() as session:
        old = session.get(Document, document_id)
        if old is None:
            raise ReplayError(f"no document {document_id}")
        if old.state not in REPLAYABLE:
            raise ReplayError(f"document {document_id} is {old.state}; only failed ones replay")
        ic = session.get(Interchange, old.interchange_id)
        assert ic is not None
        if ic.direction != Direction.INBOUND:
            raise ReplayError("outbound documents are sent again with `edigw send`")
        profile = runtime.profiles.get(ic.partner_id or "")
        if profile is None:
            raise ReplayError(f"partner profile {ic.partner_id!r} is not loaded")
        fresh = dry_run(profile, runtime.blobs.read(ic.blob_key), name=f"replay of {old.id}")
        candidates = [t for t in fresh.transactions if t.control_number == old.control_number]
        if not candidates:
            raise ReplayError(f"transaction {old.control_number} is no longer in the file")
        tx = candidates[0]
        rejected, findings = fresh.verdict(tx)
        new = new_document(ic, old.position, tx, findings, replay_of=old.id)
        session.add(new)
        session.flush()
        transition(session, old, DocumentState.REPLAYED, actor=by, detail={"replay": new.id})
        note(
            session,
            actor=by,
            kind="replay",
            document_id=new.id,
            interchange_id=ic.id,
            detail={"replay_of": old.id, "profile_version": profile_version(runtime, profile.id)},
        )
        route(session, new, profile, tx, rejected, findings, jobs, actor=by, hold=False)
        result.documents.append(new.id)
    for name, args, options in jobs:
        runtime.enqueue(name, *args, **options)
    return result


def replay_interchange(runtime: Runtime, interchange_id: int, *, by: str) -> ReplayResult:
    """An interchange that never got as far as documents (unknown partner, unreadable) is
    taken in again as a new interchange; otherwise each of its failed documents replays."""
    with runtime.db.session() as session:
        ic = session.get(Interchange, interchange_id)
        if ic is None:
            raise ReplayError(f"no interchange {interchange_id}")
        if ic.direction != Direction.INBOUND:
            raise ReplayError("outbound interchanges are sent again with `edigw send`")
        if ic.status in (InterchangeStatus.UNKNOWN_PARTNER, InterchangeStatus.FAILED):
            again = Interchange(
                direction=ic.direction,
                transport=ic.transport,
                transport_ref=ic.transport_ref,
                sha256=ic.sha256,
                size=ic.size,
                blob_key=ic.blob_key,
                status=InterchangeStatus.RECEIVED,
                meta={**ic.meta, "replay_of": ic.id},
            )
            session.add(again)
            session.flush()
            transition(
                session, ic, InterchangeStatus.REPLAYED_AS, actor=by, detail={"replay": again.id}
            )
            note(
                session,
                actor=by,
                kind="replay",
                interchange_id=again.id,
                detail={"replay_of": ic.id},
            )
            new_id = again.id
        else:
            failed = session.scalars(
                select(Document.id).where(
                    Document.interchange_id == ic.id, Document.state.in_(REPLAYABLE)
                )
            ).all()
            new_id = None
    if new_id is not None:
        runtime.enqueue("inbound.process_interchange", new_id)
        return ReplayResult(interchanges=[new_id])
    if not failed:
        raise ReplayError(f"interchange {interchange_id} has no failed document to replay")
    result = ReplayResult()
    for document_id in failed:
        result.documents += replay_document(runtime, document_id, by=by).documents
    return result
