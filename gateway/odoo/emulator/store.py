"""SQLite persistence of the emulator: one row per record (JSON), id sequences and named
sequences. One RPC call is one transaction: changes are buffered and written on commit.

Committed rows are kept decoded in memory, read-only (`FrozenRow`), with hash indexes on
the fields a model declares, as PostgreSQL indexes serve a real Odoo. A transaction reads
committed rows in place and keeps its own copy of a row only once it takes that row by id
(the way every write starts), so a call costs what it touches, not what the database holds;
dropping the transaction leaves the committed rows as they were. Another process writing
the same file (e.g. `edigw odoo post` next to `edigw serve`) is noticed through SQLite's
data_version and empties the cache, indexes included; they are rebuilt on the next read."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

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

IndexSpec = tuple[str, ...]
Row = dict[str, Any]


class FrozenRow(dict[str, Any]):
    """A committed row, shared by every call that reads it: it refuses in-place changes, so
    a call that forgot to take its own copy fails loudly instead of changing committed data
    that a rollback could no longer restore."""

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a committed emulator row is read-only: take it through the transaction")

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    setdefault = _refuse
    pop = _refuse
    popitem = _refuse
    clear = _refuse
    update = _refuse


class StoreStats:
    """Instrumentation, never part of Odoo: how many rows calls copied and looked at. A call
    whose cost does not grow with the data holds these flat as tables grow (see the tests)."""

    __slots__ = ("index_lookups", "rows_copied", "rows_scanned", "tables_loaded")

    def __init__(self) -> None:
        self.rows_copied = 0  # committed rows a transaction took its own copy of
        self.rows_scanned = 0  # rows visited by iterating a table or filtering candidates
        self.index_lookups = 0
        self.tables_loaded = 0  # models decoded from SQLite (start, or another writer)

    def snapshot(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


class Index:
    """Ids of the committed rows of one model by the values of some fields. Values that
    cannot be hashed (lists) are kept aside and always returned as candidates: the caller
    filters candidates with the exact condition anyway."""

    __slots__ = ("buckets", "fields", "unhashable")

    def __init__(self, fields: IndexSpec) -> None:
        self.fields = fields
        self.buckets: dict[Any, set[int]] = {}
        self.unhashable: set[int] = set()

    def key(self, row: Mapping[str, Any]) -> Any:
        if len(self.fields) == 1:
            return row.get(self.fields[0])
        return tuple(row.get(name) for name in self.fields)

    def add(self, rid: int, row: Mapping[str, Any]) -> None:
        key = self.key(row)
        try:
            self.buckets.setdefault(key, set()).add(rid)
        except TypeError:
            self.unhashable.add(rid)

    def remove(self, rid: int, row: Mapping[str, Any]) -> None:
        key = self.key(row)
        try:
            bucket = self.buckets.get(key)
        except TypeError:
            self.unhashable.discard(rid)
            return
        if bucket is not None:
            bucket.discard(rid)
            if not bucket:
                del self.buckets[key]

    def candidates(self, keys: Iterable[Any]) -> set[int]:
        found = set(self.unhashable)
        for key in keys:
            try:
                bucket = self.buckets.get(key)
            except TypeError:  # an unhashable key only equals an unhashable value
                continue
            if bucket:
                found |= bucket
        return found

    def count(self, keys: Iterable[Any]) -> int:
        total = len(self.unhashable)
        for key in keys:
            try:
                total += len(self.buckets.get(key, ()))
            except TypeError:
                continue
        return total


class Store:
    """The database file plus a lock: calls run one at a time, like a single Odoo worker."""

    def __init__(
        self, path: str | Path, indexes: Mapping[str, Iterable[IndexSpec]] | None = None
    ) -> None:
        self.path = str(path)
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # calls run one at a time, so an fsync per commit (SQLite's default) would bound the
        # calls per second; with WAL, NORMAL syncs at checkpoints: a crashed process loses
        # nothing, a power cut may lose the last calls (a test and demo double may)
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self.index_specs: dict[str, tuple[IndexSpec, ...]] = {
            model: tuple(dict.fromkeys(tuple(spec) for spec in specs))
            for model, specs in (indexes or {}).items()
        }
        self.stats = StoreStats()
        self._committed: dict[str, dict[int, FrozenRow]] = {}
        self._indexes: dict[str, dict[IndexSpec, Index]] = {}
        self._data_version = self._version()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def committed(self, model: str) -> dict[int, FrozenRow]:
        """The committed rows of `model` by id, in ascending id order."""
        rows = self._committed.get(model)
        if rows is None:
            cursor = self._conn.execute(
                "SELECT id, data FROM record WHERE model = ? ORDER BY id", (model,)
            )
            rows = {rid: FrozenRow(json.loads(data)) for rid, data in cursor}
            self._committed[model] = rows
            self.stats.tables_loaded += 1
            indexes = {spec: Index(spec) for spec in self.index_specs.get(model, ())}
            for index in indexes.values():
                for rid, row in rows.items():
                    index.add(rid, row)
            self._indexes[model] = indexes
        return rows

    def index(self, model: str, fields: IndexSpec) -> Index | None:
        self.committed(model)
        return self._indexes[model].get(fields)

    def begin(self) -> None:
        """Start of a call: forget the cache if another connection committed meanwhile."""
        version = self._version()
        if version != self._data_version:
            self._committed.clear()
            self._indexes.clear()
            self._data_version = version

    def _apply(self, model: str, changed: dict[int, Row | None]) -> None:
        """Bring the committed rows and indexes of `model` up to a transaction's commit."""
        rows = self.committed(model)
        indexes = self._indexes[model].values()
        last = next(reversed(rows), 0) if rows else 0
        appended = []
        for rid, data in changed.items():
            old = rows.get(rid)
            if old is not None:
                for index in indexes:
                    index.remove(rid, old)
            if data is None:
                rows.pop(rid, None)
                continue
            row = FrozenRow(data)
            if old is None:
                appended.append((rid, row))
            else:
                rows[rid] = row
            for index in indexes:
                index.add(rid, row)
        appended.sort(key=lambda item: item[0])
        if appended and appended[0][0] < last:
            # an id below the highest one (never from the id sequences): keep id order
            merged = sorted([*rows.items(), *appended], key=lambda item: item[0])
            rows.clear()
            rows.update(merged)
        else:
            rows.update(appended)

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


class TableView(Mapping[int, Row]):
    """One model's rows as one transaction sees them: its own copies over the committed
    rows, in ascending id order. Taking a row by id (`view[rid]`, `get`) gives the
    transaction's own copy, made on first use, so the caller may change it in place and
    `touch` it; iterating and `peek` read committed rows in place (read-only)."""

    __slots__ = ("_committed", "_local", "_model", "_tx")

    def __init__(self, tx: Transaction, model: str) -> None:
        self._tx = tx
        self._model = model
        self._committed = tx._store.committed(model)
        self._local = tx._local.setdefault(model, {})

    def peek(self, rid: Any) -> Row | None:
        if rid in self._local:
            return self._local[rid]
        return self._committed.get(rid)

    def __getitem__(self, rid: int) -> Row:
        if rid in self._local:
            local = self._local[rid]
            if local is None:
                raise KeyError(rid)
            return local
        committed = self._committed[rid]
        own = dict(committed)
        self._local[rid] = own
        self._tx._store.stats.rows_copied += 1
        return own

    def get(self, rid: Any, default: Row | None = None) -> Row | None:  # type: ignore[override]
        try:
            return self[rid]
        except (KeyError, TypeError):
            return default

    def __contains__(self, rid: object) -> bool:
        if rid in self._local:
            return self._local[rid] is not None
        return rid in self._committed

    def ids(self) -> list[int]:
        """Every id, ascending, without visiting the rows."""
        local = self._local
        if not local:
            return list(self._committed)
        ids = [rid for rid in self._committed if rid not in local or local[rid] is not None]
        return ids + self._new_ids()

    def _new_ids(self) -> list[int]:
        committed = self._committed
        new = sorted(
            rid for rid, row in self._local.items() if row is not None and rid not in committed
        )
        return new

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids())

    def __len__(self) -> int:
        return len(self.ids())

    def items(self) -> Iterator[tuple[int, Row]]:  # type: ignore[override]
        stats = self._tx._store.stats
        local = self._local
        committed = self._committed
        new = self._new_ids()
        if new and committed and new[0] < next(reversed(committed)):
            # ids created below a committed one: merge to keep id order
            for rid in sorted([*committed, *new]):
                row = local[rid] if rid in local else committed[rid]
                if row is not None:
                    stats.rows_scanned += 1
                    yield rid, row
            return
        for rid, committed_row in committed.items():
            row = local.get(rid, committed_row)
            if row is None:
                continue
            stats.rows_scanned += 1
            yield rid, row
        for rid in new:
            own = local[rid]
            if own is not None:
                stats.rows_scanned += 1
                yield rid, own

    def values(self) -> Iterator[Row]:  # type: ignore[override]
        for _rid, row in self.items():
            yield row

    def keys(self) -> list[int]:  # type: ignore[override]
        return self.ids()

    def lookup(self, fields: IndexSpec, keys: Iterable[Any]) -> list[int]:
        """Ids (ascending) of the rows whose `fields` hold one of `keys` (a value, or a tuple
        of values for several fields), found through the committed index plus this
        transaction's own rows; without such an index, by scanning."""
        keys = list(keys)
        stats = self._tx._store.stats
        index = self._tx._store.index(self._model, fields)
        if index is None:
            found = []
            for rid, row in self.items():
                key = row.get(fields[0]) if len(fields) == 1 else tuple(map(row.get, fields))
                if _key_in(key, keys):
                    found.append(rid)
            return found
        stats.index_lookups += 1
        local = self._local
        result = {rid for rid in index.candidates(keys) if rid not in local}
        for rid, own in local.items():
            if own is None:
                continue
            stats.rows_scanned += 1
            if _key_in(index.key(own), keys):
                result.add(rid)
        # committed candidates are checked again: an unhashable value is always a candidate
        exact = []
        for rid in sorted(result):
            current = self.peek(rid)
            if current is not None and _key_in(index.key(current), keys):
                exact.append(rid)
        stats.rows_scanned += len(result)
        return exact

    def estimate(self, fields: IndexSpec, keys: Iterable[Any]) -> int | None:
        """How many committed rows an index lookup would return (None: no such index)."""
        index = self._tx._store.index(self._model, fields)
        return None if index is None else index.count(keys)


def _key_in(key: Any, keys: list[Any]) -> bool:
    try:
        return key in keys
    except TypeError:
        return False


class Transaction:
    """Buffered view of the store for one call; `commit()` writes, dropping it rolls back."""

    def __init__(self, store: Store) -> None:
        self._store = store
        # per model: this call's own rows by id (None: deleted in this call)
        self._local: dict[str, dict[int, Row | None]] = {}
        self._views: dict[str, TableView] = {}
        self._dirty: set[tuple[str, int]] = set()
        self._deleted: set[tuple[str, int]] = set()
        self._next_ids: dict[str, int] = {}
        self._named: dict[str, int] = {}
        self.memo: dict[Any, Any] = {}  # per-call memo (e.g. the user's groups)
        self.finished = False

    @property
    def stats(self) -> StoreStats:
        return self._store.stats

    def table(self, model: str) -> TableView:
        view = self._views.get(model)
        if view is None:
            view = self._views[model] = TableView(self, model)
        return view

    def get(self, model: str, rid: Any) -> Row | None:
        """The call's own (changeable) copy of one row; None when it does not exist."""
        if not isinstance(rid, int) or isinstance(rid, bool):
            return None
        return self.table(model).get(rid)

    def peek(self, model: str, rid: Any) -> Row | None:
        """One row for reading only (a committed row is not copied)."""
        if not isinstance(rid, int) or isinstance(rid, bool):
            return None
        return self.table(model).peek(rid)

    def lookup(self, model: str, fields: IndexSpec, keys: Iterable[Any]) -> list[int]:
        return self.table(model).lookup(fields, keys)

    def index_specs(self, model: str) -> tuple[IndexSpec, ...]:
        return self._store.index_specs.get(model, ())

    def put(self, model: str, rid: int, data: Row) -> None:
        self.table(model)._local[rid] = data
        self._dirty.add((model, rid))
        self._deleted.discard((model, rid))

    def touch(self, model: str, rid: int) -> None:
        self._dirty.add((model, rid))

    def delete(self, model: str, rid: int) -> None:
        self.table(model)._local[rid] = None
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

    def _changes(self) -> dict[str, dict[int, Row | None]]:
        """What this call changed, per model: the row to store, or None (deleted)."""
        changes: dict[str, dict[int, Row | None]] = {}
        for model, rid in self._deleted:
            changes.setdefault(model, {})[rid] = None
        for model, rid in self._dirty:
            data = self._local.get(model, {}).get(rid)
            if data is not None:
                changes.setdefault(model, {})[rid] = data
        return changes

    def commit(self) -> None:
        conn = self._store._conn
        changes = self._changes()
        try:
            for model, rows in changes.items():
                deleted = [(model, rid) for rid, data in rows.items() if data is None]
                if deleted:
                    conn.executemany("DELETE FROM record WHERE model = ? AND id = ?", deleted)
                written = [
                    (model, rid, json.dumps(data, separators=(",", ":")))
                    for rid, data in rows.items()
                    if data is not None
                ]
                if written:
                    conn.executemany(
                        "INSERT INTO record(model, id, data) VALUES (?, ?, ?) "
                        "ON CONFLICT(model, id) DO UPDATE SET data = excluded.data",
                        written,
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
        for model, rows in changes.items():
            self._store._apply(model, rows)
        # our own commit moved data_version too: the cache is current
        self._store._data_version = self._store._version()
        self._dirty.clear()
        self._deleted.clear()
        self._local.clear()
        self._views.clear()
