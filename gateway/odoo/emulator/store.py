"""SQLite persistence of the emulator: one row per record (JSON), id sequences and named
sequences. One RPC call is one transaction: changes are buffered and written on commit.

Committed rows are also kept decoded in memory; a transaction works on shallow copies of
them. Another process writing the same file (e.g. `edigw odoo post` next to `edigw serve`)
is noticed through SQLite's data_version and empties that cache."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS record (
    model TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (model, id)
);
CREATE TABLE IF NOT EXISTS id_sequence (model TEXT PRIMARY KEY, next_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS named_sequence (name TEXT PRIMARY KEY, next_value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Store:
    """The database file plus a lock: calls run one at a time, like a single Odoo worker."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(_SCHEMA)
        self._committed: dict[str, dict[int, dict[str, Any]]] = {}
        self._data_version = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def committed(self, model: str) -> dict[int, dict[str, Any]]:
        rows = self._committed.get(model)
        if rows is None:
            cursor = self._conn.execute(
                "SELECT id, data FROM record WHERE model = ? ORDER BY id", (model,)
            )
            rows = {rid: json.loads(data) for rid, data in cursor}
            self._committed[model] = rows
        return rows

    def begin(self) -> None:
        """Start of a call: forget the cache if another connection committed meanwhile."""
        version = self._version()
        if version != self._data_version:
            self._committed.clear()
            self._data_version = version

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One call's transaction, holding SQLite's write lock from the start so that two
        emulators on one file never hand out the same id; rolled back unless committed."""
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            tx = Transaction(self)
            try:
                self.begin()
                yield tx
            finally:
                if not tx.finished:
                    self._conn.execute("ROLLBACK")

    def close(self) -> None:
        self._conn.close()


class Transaction:
    """Buffered view of the store for one call; `commit()` writes, dropping it rolls back."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._tables: dict[str, dict[int, dict[str, Any]]] = {}
        self._dirty: set[tuple[str, int]] = set()
        self._deleted: set[tuple[str, int]] = set()
        self._next_ids: dict[str, int] = {}
        self._named: dict[str, int] = {}
        self.memo: dict[Any, Any] = {}  # per-call memo (e.g. the user's groups)
        self.finished = False

    def table(self, model: str) -> dict[int, dict[str, Any]]:
        rows = self._tables.get(model)
        if rows is None:
            # shallow copies: the ORM replaces values, it never edits a stored list in place
            rows = {rid: dict(row) for rid, row in self._store.committed(model).items()}
            self._tables[model] = rows
        return rows

    def get(self, model: str, rid: Any) -> dict[str, Any] | None:
        if not isinstance(rid, int) or isinstance(rid, bool):
            return None
        return self.table(model).get(rid)

    def put(self, model: str, rid: int, data: dict[str, Any]) -> None:
        self.table(model)[rid] = data
        self._dirty.add((model, rid))
        self._deleted.discard((model, rid))

    def touch(self, model: str, rid: int) -> None:
        self._dirty.add((model, rid))

    def delete(self, model: str, rid: int) -> None:
        self.table(model).pop(rid, None)
        self._dirty.discard((model, rid))
        self._deleted.add((model, rid))

    def next_id(self, model: str) -> int:
        if model not in self._next_ids:
            row = self._store._conn.execute(
                "SELECT next_id FROM id_sequence WHERE model = ?", (model,)
            ).fetchone()
            self._next_ids[model] = row[0] if row else 1
        value = self._next_ids[model]
        self._next_ids[model] = value + 1
        return value

    def reserve_ids(self, model: str, next_id: int) -> None:
        """Make the next id of `model` at least `next_id` (seed data mirrors Odoo's ids)."""
        current = self._next_ids.get(model)
        if current is None:
            row = self._store._conn.execute(
                "SELECT next_id FROM id_sequence WHERE model = ?", (model,)
            ).fetchone()
            current = row[0] if row else 1
        self._next_ids[model] = max(current, next_id)

    def next_in_sequence(self, name: str) -> int:
        if name not in self._named:
            row = self._store._conn.execute(
                "SELECT next_value FROM named_sequence WHERE name = ?", (name,)
            ).fetchone()
            self._named[name] = row[0] if row else 1
        value = self._named[name]
        self._named[name] = value + 1
        return value

    def raise_sequence(self, name: str, at_least: int) -> None:
        current = self.next_in_sequence(name)
        self._named[name] = max(current, at_least)

    def commit(self) -> None:
        conn = self._store._conn
        try:
            for model, rid in self._deleted:
                conn.execute("DELETE FROM record WHERE model = ? AND id = ?", (model, rid))
            for model, rid in self._dirty:
                data = self._tables[model].get(rid)
                if data is None:
                    continue
                conn.execute(
                    "INSERT INTO record(model, id, data) VALUES (?, ?, ?) "
                    "ON CONFLICT(model, id) DO UPDATE SET data = excluded.data",
                    (model, rid, json.dumps(data, separators=(",", ":"))),
                )
            for model, next_id in self._next_ids.items():
                conn.execute(
                    "INSERT INTO id_sequence(model, next_id) VALUES (?, ?) "
                    "ON CONFLICT(model) DO UPDATE SET next_id = excluded.next_id",
                    (model, next_id),
                )
            for name, value in self._named.items():
                conn.execute(
                    "INSERT INTO named_sequence(name, next_value) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET next_value = excluded.next_value",
                    (name, value),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            self.finished = True
            raise
        self.finished = True
        for model, rid in self._deleted:
            self._store.committed(model).pop(rid, None)
        for model, rid in self._dirty:
            data = self._tables[model].get(rid)
            if data is not None:
                self._store.committed(model)[rid] = dict(data)
        # our own commit moved data_version too: the cache is current
        self._store._data_version = self._store._version()
        self._dirty.clear()
        self._deleted.clear()
