"""Prometheus counters of the SFTP transport, on the process-wide registry that the
gateway's `/metrics` serves."""

from __future__ import annotations

from prometheus_client import Counter

UPLOADS = Counter(
    "edigw_sftp_uploads_total",
    "Uploads into hosted mailboxes by partner and outcome (stored, duplicate, partial)",
    ["partner", "outcome"],
)
POLLS = Counter(
    "edigw_sftp_polls_total",
    "Polls of partners' servers by partner and status (ok, partial, failed, backoff, busy)",
    ["partner", "status"],
)
FILES = Counter(
    "edigw_sftp_files_total",
    "Files moved over SFTP by partner and kind (fetched, pushed, placed, collected)",
    ["partner", "kind"],
)
BYTES = Counter(
    "edigw_sftp_bytes_total",
    "Bytes moved over SFTP by partner and direction (in, out)",
    ["partner", "direction"],
)
