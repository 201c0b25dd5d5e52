"""initial store

Revision ID: 0001
Revises:
Create Date: 2026-11-28 05:03:11.354083
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "control_counter",
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "kind"),
    )
    op.create_table(
        "exception",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("next_action", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("exception", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exception_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_exception_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exception_status"), ["status"], unique=False)
        batch_op.create_index("ix_exception_subject", ["subject_type", "subject_id"], unique=False)

    op.create_table(
        "interchange",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.Column("standard", sa.String(length=8), nullable=True),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("transport_ref", sa.String(length=512), nullable=True),
        sa.Column("delivery_key", sa.String(length=700), nullable=True),
        sa.Column("sender_id", sa.String(length=64), nullable=True),
        sa.Column("receiver_id", sa.String(length=64), nullable=True),
        sa.Column("control_number", sa.String(length=32), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("blob_key", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("ack_status", sa.String(length=24), nullable=False),
        sa.Column("ack_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "duplicate_of", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["interchange.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("interchange", schema=None) as batch_op:
        batch_op.create_index("ix_interchange_ack_due", ["ack_status", "ack_due_at"], unique=False)
        batch_op.create_index(
            "ix_interchange_control", ["partner_id", "direction", "control_number"], unique=False
        )
        batch_op.create_index(
            "ix_interchange_delivery", ["direction", "transport", "delivery_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interchange_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interchange_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            "ix_interchange_transport_ref", ["transport", "transport_ref"], unique=False
        )

    op.create_table(
        "profile_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=True),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partner_id", "version"),
    )
    with op.batch_alter_table("profile_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_profile_version_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "acknowledgement",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("ack_type", sa.String(length=8), nullable=False),
        sa.Column(
            "interchange_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "acked_interchange_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("acked_control_number", sa.String(length=32), nullable=True),
        sa.Column("acked_group_control_number", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["acked_interchange_id"],
            ["interchange.id"],
        ),
        sa.ForeignKeyConstraint(
            ["interchange_id"],
            ["interchange.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_acknowledgement_acked_interchange_id"),
            ["acked_interchange_id"],
            unique=False,
        )

    op.create_table(
        "document",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "interchange_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("group_control_number", sa.String(length=32), nullable=True),
        sa.Column("doc_type", sa.String(length=16), nullable=True),
        sa.Column("version", sa.String(length=16), nullable=True),
        sa.Column("control_number", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("queue", sa.String(length=16), nullable=True),
        sa.Column("validation_errors", sa.JSON(), nullable=False),
        sa.Column("canonical", sa.JSON(), nullable=True),
        sa.Column("odoo_model", sa.String(length=64), nullable=True),
        sa.Column("odoo_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("replay_of", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interchange_id"],
            ["interchange.id"],
        ),
        sa.ForeignKeyConstraint(
            ["replay_of"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index("ix_document_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_document_interchange_id"), ["interchange_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_document_state"), ["state"], unique=False)

    op.create_table(
        "transport_receipt",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "interchange_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("message_id", sa.String(length=512), nullable=True),
        sa.Column("blob_key", sa.String(length=128), nullable=True),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("mic", sa.String(length=128), nullable=True),
        sa.Column("mic_algorithm", sa.String(length=16), nullable=True),
        sa.Column("disposition", sa.String(length=256), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interchange_id"],
            ["interchange.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("transport_receipt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transport_receipt_interchange_id"), ["interchange_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_transport_receipt_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "interchange_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "document_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("from_state", sa.String(length=24), nullable=True),
        sa.Column("to_state", sa.String(length=24), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.ForeignKeyConstraint(
            ["interchange_id"],
            ["interchange.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_document_id"), ["document_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_interchange_id"), ["interchange_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_interchange_id"))
        batch_op.drop_index(batch_op.f("ix_event_document_id"))

    op.drop_table("event")
    with op.batch_alter_table("transport_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transport_receipt_message_id"))
        batch_op.drop_index(batch_op.f("ix_transport_receipt_interchange_id"))

    op.drop_table("transport_receipt")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_state"))
        batch_op.drop_index(batch_op.f("ix_document_interchange_id"))
        batch_op.drop_index("ix_document_due")

    op.drop_table("document")
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acknowledgement_acked_interchange_id"))

    op.drop_table("acknowledgement")
    with op.batch_alter_table("profile_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_version_partner_id"))

    op.drop_table("profile_version")
    with op.batch_alter_table("interchange", schema=None) as batch_op:
        batch_op.drop_index("ix_interchange_transport_ref")
        batch_op.drop_index(batch_op.f("ix_interchange_sha256"))
        batch_op.drop_index(batch_op.f("ix_interchange_partner_id"))
        batch_op.drop_index("ix_interchange_delivery")
        batch_op.drop_index("ix_interchange_control")
        batch_op.drop_index("ix_interchange_ack_due")

    op.drop_table("interchange")
    with op.batch_alter_table("exception", schema=None) as batch_op:
        batch_op.drop_index("ix_exception_subject")
        batch_op.drop_index(batch_op.f("ix_exception_status"))
        batch_op.drop_index(batch_op.f("ix_exception_partner_id"))
        batch_op.drop_index(batch_op.f("ix_exception_kind"))

    op.drop_table("exception")
    op.drop_table("control_counter")
