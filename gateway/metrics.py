"""Prometheus metrics. Counters and histograms are bumped by the stages as they work; the
gauges (work waiting, open exceptions, overdue acks) are read from the database at scrape
time, so they are right whichever process did the work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from gateway.runtime import Runtime
from gateway.store import Document, ExceptionRecord, Interchange
from gateway.store.models import AckStatus, ExceptionStatus

# the process-wide registry, shared with the transports' own metrics (gateway/as2/metrics.py)
REGISTRY = prometheus_client.REGISTRY
DOCUMENTS = Counter(
    "edigw_documents_total",
    "Documents by partner, type and outcome (received, rejected, posted, failed, exception)",
    ["partner", "type", "outcome"],
    registry=REGISTRY,
)
INTERCHANGES = Counter(
    "edigw_interchanges_total",
    "Interchanges by direction, partner and outcome",
    ["direction", "partner", "outcome"],
    registry=REGISTRY,
)
STAGE_SECONDS = Histogram(
    "edigw_stage_seconds",
    "Time spent in each pipeline stage",
    ["stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
INTAKE_TO_POSTED_SECONDS = Histogram(
    "edigw_intake_to_posted_seconds",
    "From intake to the document posted in Odoo",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900),
    registry=REGISTRY,
)


class _StoreCollector(Collector):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Any]:
        waiting = GaugeMetricFamily(
            "edigw_documents_waiting", "Documents waiting to be posted, by state", labels=["state"]
        )
        exceptions = GaugeMetricFamily(
            "edigw_open_exceptions", "Open exceptions by kind", labels=["kind"]
        )
        overdue = GaugeMetricFamily(
            "edigw_overdue_acks", "Outbound interchanges whose acknowledgement is overdue"
        )
        with self.runtime.db.session() as session:
            for state, count in session.execute(
                select(Document.state, func.count())
                .where(Document.state.in_(("queued", "retrying", "translated")))
                .group_by(Document.state)
            ):
                waiting.add_metric([state], count)
            for kind, count in session.execute(
                select(ExceptionRecord.kind, func.count())
                .where(ExceptionRecord.status == ExceptionStatus.OPEN)
                .group_by(ExceptionRecord.kind)
            ):
                exceptions.add_metric([kind], count)
            overdue.add_metric(
                [],
                session.scalar(
                    select(func.count()).where(Interchange.ack_status == AckStatus.OVERDUE)
                )
                or 0,
            )
        yield waiting
        yield exceptions
        yield overdue


def render(runtime: Runtime) -> bytes:
    """The text exposition for /metrics: process-wide counters plus store gauges."""
    scrape = CollectorRegistry(auto_describe=True)
    scrape.register(_StoreCollector(runtime))
    return generate_latest(REGISTRY) + generate_latest(scrape)
