"""The runtime's shared components, built once from settings: database, blob store.

Faces (HTTP app, CLI) and workers receive a `Runtime` instead of reaching for globals, so
tests can build one against a temporary SQLite file or a real PostgreSQL database."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.settings import Settings, load_settings
from gateway.store import BlobStore, Database


@dataclass
class Runtime:
    settings: Settings
    db: Database
    blobs: BlobStore

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, migrate: bool = True) -> Runtime:
        settings = settings or load_settings()
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.effective_database_url)
        if migrate:
            db.migrate()
        return cls(settings=settings, db=db, blobs=BlobStore(settings.effective_blob_dir))

    def close(self) -> None:
        self.db.dispose()
