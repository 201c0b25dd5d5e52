"""Durable state: SQLAlchemy models and sessions, Alembic migrations, control-number
counters and the content-addressed blob store for raw payloads."""

from gateway.store.blobs import BlobRef, BlobStore
from gateway.store.counters import next_control_number
from gateway.store.db import Database, locked, migrate_down, migrate_up
from gateway.store.models import (
    Acknowledgement,
    Base,
    ControlCounter,
    Document,
    DocumentState,
    Event,
    ExceptionRecord,
    Interchange,
    ProfileVersion,
    TransportReceipt,
)

__all__ = [
    "Acknowledgement",
    "Base",
    "BlobRef",
    "BlobStore",
    "ControlCounter",
    "Database",
    "Document",
    "DocumentState",
    "Event",
    "ExceptionRecord",
    "Interchange",
    "ProfileVersion",
    "TransportReceipt",
    "locked",
    "migrate_down",
    "migrate_up",
    "next_control_number",
]
