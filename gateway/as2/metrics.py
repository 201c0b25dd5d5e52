"""Prometheus metrics of the AS2 transport (served by the app's /metrics)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from prometheus_client import Counter, Gauge

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
CERTIFICATE_EXPIRY = Gauge(
    "edigw_as2_certificate_expiry_seconds",
    "seconds until an AS2 certificate expires (negative: expired)",
    ["partner", "role", "serial"],
)


def export_certificate_expiry(
    configs: Iterable[PartnerAs2Config], *, now: datetime | None = None
) -> None:
    """Set the expiry gauge for every certificate of every partner (call on profile load)."""
    for config in configs:
        for status in certificate_statuses(config, now=now):
            CERTIFICATE_EXPIRY.labels(
                partner=status.partner_id, role=status.role, serial=format(status.serial, "x")
            ).set(status.seconds_left)
