"""The runtime's shared components, built once from settings: database, blob store.

Faces (HTTP app, CLI) and workers receive a `Runtime` instead of reaching for globals, so
tests can build one against a temporary SQLite file or a real PostgreSQL database."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gateway.settings import Settings, load_settings
from gateway.store import BlobStore, Database

if TYPE_CHECKING:
    from gateway.odoo.posting import OdooPoster
    from gateway.partners import ProfileAs2Directory
    from gateway.profiles import ProfileCleared, ProfileRegistry


@dataclass
class Runtime:
    settings: Settings
    db: Database
    blobs: BlobStore
    # How work is handed to the pipeline: (task name, ids...). The pipeline installs the
    # Celery or in-process dispatcher; until then nothing is sent and the durable state
    # (rows left in `received`) is what a sweeper picks up.
    enqueue: Callable[..., Any] = field(default=lambda task, *args, **options: None)
    _profiles: ProfileRegistry | None = field(default=None, repr=False)
    # where Odoo answers: EDIGW_ODOO_URL, or the bundled emulator `edigw serve` started
    odoo_url: str | None = None
    # one Odoo connection per thread (job threads share nothing but the database pool)
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _as2: ProfileAs2Directory | None = field(default=None, repr=False)

    @property
    def profiles(self) -> ProfileRegistry:
        """The partner profiles, loaded (and their versions recorded) on first use."""
        if self._profiles is None:
            from gateway.profiles import ProfileRegistry

            registry = ProfileRegistry(
                self,
                actor="gateway",
                on_problem=self._profile_problem,
                on_cleared=self._profile_cleared,
            )
            registry.refresh()
            self._profiles = registry
        return self._profiles

    @property
    def as2_partners(self) -> ProfileAs2Directory:
        """The partners' AS2 configurations, keys loaded once per served profile version
        (shared by the AS2 endpoint and outbound delivery)."""
        if self._as2 is None:
            from gateway.partners import ProfileAs2Directory

            self._as2 = ProfileAs2Directory(self.profiles)
        return self._as2

    def _profile_problem(self, partner_id: str, problems: list[Any]) -> None:
        """A profile file that does not load is something a person must fix: one open
        exception per profile (the last good version keeps serving meanwhile)."""
        from gateway.store.journal import open_exception

        with self.db.session() as session:
            open_exception(
                session,
                kind="profile_invalid",
                subject_type="profile",
                subject_id=partner_id or "?",
                partner_id=partner_id or None,
                message=f"profile {partner_id or '?'} does not load: {problems[0]}"
                + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
                detail={"problems": [str(p) for p in problems]},
                next_action="fix the file (edigw partner validate); the last good version serves",
            )

    def _profile_cleared(self, event: ProfileCleared) -> None:
        """What made a `profile_invalid` exception is gone: the gateway resolves it itself.
        A file that loads again closes its partner's (the note names the version now
        serving); a deleted file closes its partner's too (a person chose to stop serving
        the partner: nothing is left to fix, and files from it now meet `unknown_partner`);
        a folder that can be listed again closes the folder's ("?") and, on the first
        listing, those of partners whose file is gone (deleted while nothing was running)."""
        from sqlalchemy import select

        from gateway.store.journal import resolve_exception
        from gateway.store.models import ExceptionRecord, ExceptionStatus

        query = select(ExceptionRecord).where(
            ExceptionRecord.kind == "profile_invalid",
            ExceptionRecord.subject_type == "profile",
            ExceptionRecord.status == ExceptionStatus.OPEN,
        )
        if event.reason != "folder_readable":
            query = query.where(ExceptionRecord.subject_id == event.partner_id)
        with self.db.session() as session:
            # row locks: two gateway processes watching one folder resolve it once
            open_records = session.scalars(
                query.order_by(ExceptionRecord.id).with_for_update()
            ).all()
            for record in open_records:
                note_text = _cleared_note(event, record.subject_id)
                if note_text is not None:
                    resolve_exception(session, record, by="gateway", note_text=note_text)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *, migrate: bool = True) -> Runtime:
        settings = settings or load_settings()
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.effective_database_url)
        if migrate:
            db.migrate()
        return cls(settings=settings, db=db, blobs=BlobStore(settings.effective_blob_dir))

    @property
    def odoo(self) -> OdooPoster:
        """The Odoo poster of the calling thread: one connection per thread, reused, and
        made anew when the Odoo URL changes. (An Odoo connection must not be shared by two
        threads: their requests would interleave on one socket.)"""
        s = self.settings
        # unset: the bundled emulator that `edigw serve` starts on its port
        url = self.odoo_url or s.odoo_url or f"http://127.0.0.1:{s.emulator_port}"
        current: tuple[str, OdooPoster] | None = getattr(self._local, "odoo", None)
        if current is None or current[0] != url:
            from gateway.odoo.client import OdooClient
            from gateway.odoo.posting import OdooPoster

            if current is not None:
                current[1].client.close()
            poster = OdooPoster(OdooClient(url, s.odoo_db, s.odoo_user, s.odoo_password))
            self._local.odoo = current = (url, poster)
        return current[1]

    def close(self) -> None:
        if self._profiles is not None:
            self._profiles.stop()
        self.db.dispose()


def _cleared_note(event: ProfileCleared, subject_id: str) -> str | None:
    """Why `event` resolves the `profile_invalid` exception of `subject_id` (None: it
    does not)."""
    if event.reason == "loads" and subject_id == event.partner_id:
        return f"profile {subject_id} loads again: version {event.version} serves ({event.file})"
    if event.reason == "removed" and subject_id == event.partner_id:
        return f"profile file {event.file} was deleted: partner {subject_id} is no longer served"
    if event.reason == "folder_readable":
        if subject_id == "?":
            return "the profiles folder can be read again"
        if subject_id not in event.files:
            return f"no profile file of partner {subject_id} any more: it is no longer served"
    return None
