"""Control numbers drawn from per-partner counters, safe under concurrent workers.

One statement does the draw: an upsert that increments the row and returns the new value.
On PostgreSQL the row lock it takes serialises concurrent draws for the same
(partner, kind), so two workers never receive the same number; a number is lost only when
the drawing transaction rolls back (the gaps the design allows). Values wrap to 1 after
`maximum` (ISA13 and GS06 are at most nine digits, UNB 0020 at most fourteen characters)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gateway.store.models import ControlCounter

X12_MAX = 999_999_999


def next_control_number(
    session: Session, partner_id: str, kind: str, maximum: int = X12_MAX
) -> int:
    """Draw the next number for (partner, kind) inside the caller's transaction."""
    dialect = session.get_bind().dialect.name
    table = ControlCounter.__table__.c
    if dialect == "postgresql":
        stmt: Any = pg_insert(ControlCounter)
    elif dialect == "sqlite":
        stmt = sqlite_insert(ControlCounter)
    else:
        raise RuntimeError(f"control counters are not implemented for {dialect}")
    stmt = (
        stmt.values(partner_id=partner_id, kind=kind, value=1)
        .on_conflict_do_update(
            index_elements=[table.partner_id, table.kind],
            set_={"value": case((table.value >= maximum, 1), else_=table.value + 1)},
        )
        .returning(table.value)
    )
    return int(session.execute(stmt).scalar_one())
