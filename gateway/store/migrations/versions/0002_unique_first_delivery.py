"""One first delivery per (direction, transport, delivery key)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = sa.text("duplicate_of IS NULL AND delivery_key IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ux_interchange_first_delivery",
        "interchange",
        ["direction", "transport", "delivery_key"],
        unique=True,
        postgresql_where=WHERE,
        sqlite_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("ux_interchange_first_delivery", table_name="interchange")
