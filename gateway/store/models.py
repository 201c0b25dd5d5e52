"""SQLAlchemy models for every record of the design's Store section.

Times are stored timezone-aware (UTC). JSON columns hold structured detail (validation
errors, canonical records, transport metadata) so that the schema does not chase every
field of every message type."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so it is put back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Direction(enum.StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class InterchangeStatus(enum.StrEnum):
    RECEIVED = "received"  # stored, not yet opened
    DUPLICATE = "duplicate"  # same control number or delivery seen before; not processed
    ENVELOPED = "enveloped"  # split and partner resolved
    PROCESSED = "processed"  # every document reached a final or waiting state
    REJECTED = "rejected"  # the interchange as a whole was refused (TA1 / CONTRL level)
    UNKNOWN_PARTNER = "unknown_partner"
    FAILED = "failed"
    REPLAYED_AS = "replayed"  # taken in again as a new interchange (see meta.replay_of)
    SPLIT = "split"  # a file of several interchanges, cut into one row each (meta.split_into)
    # outbound
    RENDERED = "rendered"
    SENT = "sent"
    SEND_FAILED = "send_failed"


class AckStatus(enum.StrEnum):
    NOT_EXPECTED = "not_expected"
    PENDING = "pending"
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    OVERDUE = "overdue"


class DocumentState(enum.StrEnum):
    RECEIVED = "received"
    VALIDATED = "validated"
    REJECTED = "rejected"
    TRANSLATED = "translated"
    QUEUED = "queued"
    POSTED = "posted"
    FAILED = "failed"
    RETRYING = "retrying"
    EXCEPTION = "exception"
    REPLAYED = "replayed"
    # outbound documents
    RENDERED = "rendered"
    SENT = "sent"
    ACCEPTED = "accepted"


class Interchange(Base):
    __tablename__ = "interchange"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    standard: Mapped[str | None] = mapped_column(String(8))  # x12 | edifact
    transport: Mapped[str] = mapped_column(String(16))  # as2 | sftp | api | cli | file
    # inbound: AS2 Message-ID or SFTP path; outbound: where it came from (odoo:stock.picking,42)
    transport_ref: Mapped[str | None] = mapped_column(String(512))
    # what makes a delivery "the same one again" for its transport (AS2: the Message-ID;
    # SFTP: partner, name, size and hash); a repeat is recorded as a duplicate
    delivery_key: Mapped[str | None] = mapped_column(String(700))
    sender_id: Mapped[str | None] = mapped_column(String(64))
    receiver_id: Mapped[str | None] = mapped_column(String(64))
    control_number: Mapped[str | None] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    blob_key: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(24), default=InterchangeStatus.RECEIVED)
    ack_status: Mapped[str] = mapped_column(String(24), default=AckStatus.NOT_EXPECTED)
    ack_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("interchange.id"))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    documents: Mapped[list[Document]] = relationship(
        back_populates="interchange", order_by="Document.position"
    )

    __table_args__ = (
        Index("ix_interchange_control", "partner_id", "direction", "control_number"),
        Index("ix_interchange_transport_ref", "transport", "transport_ref"),
        Index("ix_interchange_delivery", "direction", "transport", "delivery_key"),
        # one first delivery per key: concurrent repeats of a delivery cannot both be first
        Index(
            "ux_interchange_first_delivery",
            "direction",
            "transport",
            "delivery_key",
            unique=True,
            postgresql_where=text("duplicate_of IS NULL AND delivery_key IS NOT NULL"),
            sqlite_where=text("duplicate_of IS NULL AND delivery_key IS NOT NULL"),
        ),
        Index("ix_interchange_ack_due", "ack_status", "ack_due_at"),
    )


class Document(Base):
    """One transaction set (ST..SE) or message (UNH..UNT)."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchange.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order within the interchange
    group_control_number: Mapped[str | None] = mapped_column(String(32))
    doc_type: Mapped[str | None] = mapped_column(String(16))  # 214, 210, IFTSTA, ...
    version: Mapped[str | None] = mapped_column(String(16))
    control_number: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default=DocumentState.RECEIVED, index=True)
    queue: Mapped[str | None] = mapped_column(String(16))
    validation_errors: Mapped[list[Any]] = mapped_column(default=list)
    canonical: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    odoo_model: Mapped[str | None] = mapped_column(String(64))
    odoo_id: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    replay_of: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    interchange: Mapped[Interchange] = relationship(back_populates="documents")

    __table_args__ = (Index("ix_document_due", "state", "next_attempt_at"),)


class Acknowledgement(Base):
    """A 997/999/TA1/CONTRL/APERAK, sent or received, and what it acknowledges."""

    __tablename__ = "acknowledgement"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    ack_type: Mapped[str] = mapped_column(String(8))
    # the interchange that carried this acknowledgement
    interchange_id: Mapped[int | None] = mapped_column(ForeignKey("interchange.id"))
    # the interchange it acknowledges (matched by partner and control number)
    acked_interchange_id: Mapped[int | None] = mapped_column(
        ForeignKey("interchange.id"), index=True
    )
    acked_control_number: Mapped[str | None] = mapped_column(String(32))
    acked_group_control_number: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ControlCounter(Base):
    """Per-partner control numbers (ISA13, GS06, ST02, UNB 0020, ...), drawn atomically."""

    __tablename__ = "control_counter"

    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class ExceptionStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ExceptionRecord(Base):
    """Something a person must look at: kind, subject, detail, next action, resolution."""

    __tablename__ = "exception"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    partner_id: Mapped[str | None] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(24))  # interchange | document | profile
    subject_id: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    next_action: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=ExceptionStatus.OPEN, index=True)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_exception_subject", "subject_type", "subject_id"),)


class Event(Base):
    """The audit trail: every state change, who or what made it, and when."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))  # system stage name or user
    kind: Mapped[str] = mapped_column(String(40))
    interchange_id: Mapped[int | None] = mapped_column(ForeignKey("interchange.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TransportReceipt(Base):
    """Proof of a transfer: signed MDNs kept for non-repudiation, SFTP upload records."""

    __tablename__ = "transport_receipt"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    interchange_id: Mapped[int | None] = mapped_column(ForeignKey("interchange.id"), index=True)
    transport: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # mdn | upload | download
    direction: Mapped[str] = mapped_column(String(3))
    message_id: Mapped[str | None] = mapped_column(String(512), index=True)
    blob_key: Mapped[str | None] = mapped_column(String(128))
    signed: Mapped[bool] = mapped_column(Boolean, default=False)
    mic: Mapped[str | None] = mapped_column(String(128))
    mic_algorithm: Mapped[str | None] = mapped_column(String(16))
    disposition: Mapped[str | None] = mapped_column(String(256))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProfileVersion(Base):
    """Every loaded change of a partner profile: content, hash, diff, who and when."""

    __tablename__ = "profile_version"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    diff: Mapped[str | None] = mapped_column(Text)
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (UniqueConstraint("partner_id", "version"),)
