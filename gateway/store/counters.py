"""Control numbers drawn from per-partner counters, safe under concurrent workers.

One statement does the draw: an upsert that increments the row and returns the new value.
On PostgreSQL the row lock it takes serialises concurrent draws for the same
(partner, kind), so two workers never receive the same number; a number is lost only when
the drawing transaction rolls back (the gaps the design allows). Values wrap to 1 after
`maximum` (ISA13 and GS06 are at most nine digits, UNB 0020 at most fourteen characters)."""

from __future__ import annotations

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
    insert = {"postgresql": pg_insert, "sqlite": sqlite_insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"control counters are not implemented for {dialect}")
    table = ControlCounter.__table__
    stmt = insert(table).values(partner_id=partner_id, kind=kind, value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.partner_id, table.c.kind],
        set_={"value": case((table.c.value >= maximum, 1), else_=table.c.value + 1)},
    ).returning(table.c.value)
    return int(session.execute(stmt).scalar_one())
