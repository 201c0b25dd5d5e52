"""Prometheus metrics of the AS2 transport (served by the app's /metrics).

Certificate expiry is computed at scrape time from the partners the AS2 endpoint serves, so
a certificate replaced in a profile shows up without anyone having to push a new value."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from gateway.as2.config import PartnerAs2Config, certificate_statuses

MESSAGES = Counter(
    "edigw_as2_messages_received_total",
    "AS2 messages received, by result (processed, duplicate, or the failure modifier)",
    ["result"],
)
SENT = Counter("edigw_as2_messages_sent_total", "AS2 messages sent, by result", ["result"])
ASYNC_MDNS = Counter(
    "edigw_as2_async_mdns_total", "async MDN deliveries to partners, by result", ["result"]
)

ConfigSource = Callable[[], Iterable[PartnerAs2Config]]


class CertificateExpiryCollector(Collector):
    """`edigw_as2_certificate_expiry_seconds{partner,role,serial}`: seconds until each AS2
    certificate (ours and theirs, both during a rollover) expires; negative once expired."""

    def __init__(self) -> None:
        self._source: ConfigSource | None = None
        self._lock = threading.Lock()

    def watch(self, source: ConfigSource) -> None:
        with self._lock:
            self._source = source

    def expiry(self, now: datetime | None = None) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "edigw_as2_certificate_expiry_seconds",
            "seconds until an AS2 certificate expires (negative: expired)",
            labels=["partner", "role", "serial"],
        )
        with self._lock:
            source = self._source
        for config in source() if source else ():
            for status in certificate_statuses(config, now=now):
                family.add_metric(
                    [status.partner_id, status.role, format(status.serial, "x")],
                    status.seconds_left,
                )
        return family

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            yield self.expiry()
        except Exception:  # a broken profile must not break the whole scrape
            return


CERTIFICATES = CertificateExpiryCollector()
REGISTRY.register(CERTIFICATES)


def watch_certificates(source: ConfigSource) -> None:
    """Report the certificates of the partners `source()` returns (called by the endpoint
    with its directory's `all`)."""
    CERTIFICATES.watch(source)
