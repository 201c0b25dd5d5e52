"""The Odoo outbound poll: ready deliveries whose carrier maps to a partner become load
tenders (204 / IFTMIN), each sent once.

Once per partner that sends tenders: ask Odoo for ready pickings of its carrier that have
no tender recorded, render and store a tender for each, then record the tender on the
picking (attachment under an external id, the tendered rate as the expected freight).
The stored interchange carries the picking as its reference, so a crash between the two
steps does not tender the same picking twice: the next poll finds it and only records."""

from __future__ import annotations

from sqlalchemy import select

from gateway.jobs import job
from gateway.odoo.rules import OdooRules
from gateway.runtime import Runtime
from gateway.store import Interchange
from gateway.store.models import Direction
from outbound.deliver import submit

TENDER_TYPES = ("204", "IFTMIN")


def picking_reference(picking_id: int) -> str:
    return f"odoo:stock.picking,{picking_id}"


@job("outbound.poll_odoo_tenders", queue="outbound")
def poll_odoo_tenders(runtime: Runtime) -> dict[str, int]:
    sent: dict[str, int] = {}
    for profile in runtime.profiles.all():
        if profile.status != "active" or not set(TENDER_TYPES) & profile.outbound_types:
            continue
        rules = OdooRules.from_profile(profile)
        if not rules.carrier_name:
            continue
        for pending in runtime.odoo.pending_tenders(rules):
            reference = picking_reference(pending.picking_id)
            with runtime.db.session() as session:
                existing = session.scalars(
                    select(Interchange.id).where(
                        Interchange.direction == Direction.OUTBOUND,
                        Interchange.transport_ref == reference,
                    )
                ).first()
            if existing is None:
                existing = submit(
                    runtime, profile, [pending.tender], source="odoo", transport_ref=reference
                )
                sent[profile.id] = sent.get(profile.id, 0) + 1
            with runtime.db.session() as session:
                ic = session.get(Interchange, existing)
                assert ic is not None
                control, raw = ic.control_number, runtime.blobs.read(ic.blob_key)
            runtime.odoo.record_tender(
                pending.picking_id, pending.tender, rules, raw=raw, interchange=control
            )
    return sent
