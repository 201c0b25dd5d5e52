"""The running gateway's partner profiles: loaded from the profiles folder, versioned in the
store, reloaded when a file changes, and never replaced by an invalid edit.

`ProfileRegistry(runtime)` answers `get`, `resolve` and `all` from the last valid version of
each profile. `refresh()` re-reads the folder and records a `profile_version` row (content
hash, unified diff from the previous version, who, when) for every profile whose content
changed; `start_watching()` runs it on a background thread. An invalid edit is kept out:
the previous version keeps serving and `last_error(partner_id)` says what is wrong
(`on_problem` is told). When the trouble is gone (the file loads again, is deleted, or the
folder can be read again) `on_cleared` is told, so whatever was opened for it can close."""

from __future__ import annotations

import difflib
import getpass
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from gateway.runtime import Runtime
from gateway.store.journal import note
from gateway.store.models import ProfileVersion
from partner_profiles import (
    LoadedProfile,
    PartnerProfile,
    ProfileError,
    ProfileIndex,
    ProfileProblem,
    content_hash,
    cross_check,
    load_file,
    parse_profile,
    profile_files,
)
from partner_profiles.loading import claim_order

log = logging.getLogger(__name__)

ProblemHook = Callable[[str, list[ProfileProblem]], None]


@dataclass(frozen=True)
class ProfileCleared:
    """A cause of profile trouble that is gone. `loads`: the partner's file loaded and now
    serves as `version` (told for every load, since trouble may have been recorded by an
    earlier run or another process); `removed`: the partner's file was deleted, nothing
    serves it; `folder_readable`: the folder could be listed (`partner_id` is ""; told on
    the first listing and after a failed one), `files` names the partners it holds."""

    reason: Literal["loads", "removed", "folder_readable"]
    partner_id: str
    version: int | None = None
    file: str | None = None
    files: frozenset[str] = frozenset()


ClearedHook = Callable[[ProfileCleared], None]


def _default_actor() -> str:
    try:
        return getpass.getuser()[:64]
    except (KeyError, OSError):  # no user name in a bare container
        return "gateway"


@dataclass
class RefreshReport:
    """What one `refresh()` changed."""

    versions: dict[str, int] = field(default_factory=dict)  # partner -> new version recorded
    reloaded: list[str] = field(default_factory=list)  # now serving changed content
    rejected: dict[str, list[ProfileProblem]] = field(default_factory=dict)  # kept the old one
    removed: list[str] = field(default_factory=list)  # file deleted: no longer served
    # had a problem in this registry and now serves its file again
    recovered: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.reloaded or self.rejected or self.removed)


@dataclass(frozen=True)
class ServedProfile:
    loaded: LoadedProfile
    version: int  # the profile_version number being served


class ProfileRegistry:
    """Partner profiles as the running gateway sees them. Thread-safe: readers get an
    immutable snapshot; one refresh runs at a time."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        folder: Path | None = None,
        actor: str | None = None,
        on_problem: ProblemHook | None = None,
        on_cleared: ClearedHook | None = None,
    ) -> None:
        self.runtime = runtime
        self.folder = Path(folder or runtime.settings.effective_profiles_dir)
        self.actor = (actor or _default_actor())[:64]
        self.on_problem = on_problem
        self.on_cleared = on_cleared
        self._folder_listed = False  # the folder has been listed at least once
        self._served: dict[str, ServedProfile] = {}
        self._index = ProfileIndex([])
        self._seen: dict[Path, str] = {}  # last content hash looked at, valid or not
        self._errors: dict[str, list[ProfileProblem]] = {}
        self._refresh_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None

    # --- reading ----------------------------------------------------------------------------

    def get(self, partner_id: str) -> PartnerProfile | None:
        served = self._served.get(partner_id)
        return served.loaded.profile if served else None

    def served(self, partner_id: str) -> ServedProfile | None:
        """The profile with the text, hash and version number it is served from."""
        return self._served.get(partner_id)

    def all(self) -> list[PartnerProfile]:
        return self._index.all()

    def resolve(
        self,
        standard: str,
        sender_id: str | None,
        sender_qualifier: str | None = None,
        group_sender_id: str | None = None,
    ) -> PartnerProfile:
        """The partner of an inbound interchange; `UnknownPartnerError` when none claims it."""
        return self._index.resolve(standard, sender_id, sender_qualifier, group_sender_id)

    def last_error(self, partner_id: str) -> list[ProfileProblem] | None:
        """Why the partner's current file is not being served (None when it is)."""
        return self._errors.get(partner_id)

    def errors(self) -> dict[str, list[ProfileProblem]]:
        return dict(self._errors)

    def history(self, partner_id: str) -> list[ProfileVersion]:
        with self.runtime.db.session() as session:
            rows = session.scalars(
                select(ProfileVersion)
                .where(ProfileVersion.partner_id == partner_id)
                .order_by(ProfileVersion.version)
            )
            return list(rows)

    # --- loading ----------------------------------------------------------------------------

    def refresh(self, loaded_by: str | None = None) -> RefreshReport:
        """Re-read the folder; load, version and serve every changed valid profile."""
        with self._refresh_lock:
            return self._refresh((loaded_by or self.actor)[:64])

    def _refresh(self, actor: str) -> RefreshReport:
        report = RefreshReport()
        try:
            files = profile_files(self.folder)
        except OSError as exc:
            problem = ProfileProblem(
                str(self.folder), None, "", f"cannot be read: {exc.strerror}", None, "file"
            )
            self._reject("", [problem], report)
            return report
        cleared: list[ProfileCleared] = []
        present = {path.stem for path in files}
        if not self._folder_listed or "" in self._errors:
            self._folder_listed = True
            self._errors.pop("", None)
            cleared.append(ProfileCleared("folder_readable", "", files=frozenset(present)))
        served = dict(self._served)
        for path in [p for p in self._seen if p not in files]:
            del self._seen[path]
            self._errors.pop(path.stem, None)
            if path.stem in present:
                continue  # another file of the same partner (a changed suffix) is read below
            if path.stem in served:
                del served[path.stem]
                report.removed.append(path.stem)
                log.info("partner profile %s removed (file %s deleted)", path.stem, path)
            cleared.append(ProfileCleared("removed", path.stem, file=str(path)))

        candidates: list[tuple[Path, LoadedProfile]] = []
        for path in files:
            try:
                digest = content_hash(path.read_bytes())
            except OSError:
                continue  # vanished or unreadable between listing and reading: next time
            if self._seen.get(path) == digest:
                continue
            self._seen[path] = digest
            try:
                loaded = load_file(path)
            except ProfileError as exc:
                self._reject(path.stem, exc.problems, report)
                continue
            self._seen[path] = loaded.content_hash  # what was loaded, if it changed meanwhile
            candidates.append((path, loaded))

        # Profiles already serving keep their envelope ids against changed ones.
        changed_ids = {loaded.id for _, loaded in candidates}
        keep = [s.loaded for pid, s in served.items() if pid not in changed_ids]
        clashes = cross_check(claim_order(keep) + claim_order(c[1] for c in candidates))
        for path, loaded in candidates:
            if loaded.id in clashes:
                self._reject(loaded.id, clashes[loaded.id], report)
                continue
            try:
                version = self._record_version(loaded, actor, report)
            except SQLAlchemyError as exc:
                # not recorded, so not served: look at the file again on the next refresh
                self._seen.pop(path, None)
                problem = ProfileProblem(
                    str(path), None, "", f"could not be recorded in the store: {exc}", None, "store"
                )
                self._reject(loaded.id, [problem], report)
                continue
            served[loaded.id] = ServedProfile(loaded, version)
            if self._errors.pop(loaded.id, None) is not None:
                report.recovered.append(loaded.id)
            report.reloaded.append(loaded.id)
            cleared.append(ProfileCleared("loads", loaded.id, version, str(path)))
        present_ids = {path.stem for path in files}
        for partner_id in sorted(report.rejected):
            if partner_id in present_ids and partner_id not in served:
                fallback = self._last_recorded(partner_id, served)
                if fallback is not None:
                    served[partner_id] = fallback
                    report.reloaded.append(partner_id)
        if report.reloaded or report.removed:
            self._index = ProfileIndex(s.loaded.profile for s in served.values())
            self._served = served
        # told once the new version serves, so nothing is closed before its fix is live
        for event in cleared:
            self._tell_cleared(event)
        return report

    def _tell_cleared(self, event: ProfileCleared) -> None:
        if self.on_cleared is None:
            return
        try:
            self.on_cleared(event)
        except Exception:  # a failing hook must not stop the refresh
            log.exception("profile cleared hook failed for %s", event.partner_id or self.folder)

    def _last_recorded(
        self, partner_id: str, served: dict[str, ServedProfile]
    ) -> ServedProfile | None:
        """After a cold start with a broken file: the partner's last recorded version, so a
        bad edit does not take the partner down across a restart either."""
        try:
            with self.runtime.db.session() as session:
                latest = session.scalars(
                    select(ProfileVersion)
                    .where(ProfileVersion.partner_id == partner_id)
                    .order_by(ProfileVersion.version.desc())
                    .limit(1)
                ).first()
        except SQLAlchemyError:
            log.exception("could not read the recorded versions of %s", partner_id)
            return None
        if latest is None:
            return None
        try:
            loaded = parse_profile(
                latest.content,
                file=f"{partner_id} version {latest.version} (store)",
                expected_id=partner_id,
            )
        except ProfileError:
            return None  # recorded under older rules that it no longer meets
        if partner_id in cross_check([*(s.loaded for s in served.values()), loaded]):
            return None
        log.warning(
            "partner profile %s: serving recorded version %d until its file is fixed",
            partner_id,
            latest.version,
        )
        return ServedProfile(loaded, latest.version)

    def _reject(self, key: str, problems: list[ProfileProblem], report: RefreshReport) -> None:
        self._errors[key] = problems
        report.rejected[key] = problems
        kept = self._served.get(key)
        log.warning(
            "partner profile %s not loaded%s: %s",
            key or self.folder,
            f" (still serving version {kept.version})" if kept else "",
            "; ".join(str(p) for p in problems),
        )
        if self.on_problem is not None:
            try:
                self.on_problem(key, problems)
            except Exception:  # a failing hook must not stop the other profiles
                log.exception("profile problem hook failed for %s", key)

    def _record_version(self, loaded: LoadedProfile, actor: str, report: RefreshReport) -> int:
        """The version number of this content, recording a new version when it changed."""
        for attempt in range(3):
            try:
                with self.runtime.db.session() as session:
                    latest = session.scalars(
                        select(ProfileVersion)
                        .where(ProfileVersion.partner_id == loaded.id)
                        .order_by(ProfileVersion.version.desc())
                        .limit(1)
                    ).first()
                    if latest is not None and latest.content_hash == loaded.content_hash:
                        return latest.version  # e.g. a restart: same content, no new version
                    number = latest.version + 1 if latest else 1
                    diff = None
                    if latest is not None:
                        diff = "".join(
                            difflib.unified_diff(
                                latest.content.splitlines(keepends=True),
                                loaded.text.splitlines(keepends=True),
                                fromfile=f"{loaded.id} version {latest.version}",
                                tofile=f"{loaded.id} version {number}",
                            )
                        )
                    session.add(
                        ProfileVersion(
                            partner_id=loaded.id,
                            version=number,
                            content_hash=loaded.content_hash,
                            content=loaded.text,
                            diff=diff,
                            loaded_by=actor,
                        )
                    )
                    note(
                        session,
                        actor=actor,
                        kind="profile_version",
                        detail={
                            "partner_id": loaded.id,
                            "version": number,
                            "content_hash": loaded.content_hash,
                            "file": str(loaded.path),
                        },
                    )
                report.versions[loaded.id] = number
                log.info("partner profile %s version %d recorded", loaded.id, number)
                return number
            except IntegrityError:
                # another gateway process recorded the same change first; read it back
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # --- watching ---------------------------------------------------------------------------

    def start_watching(self, interval: float = 1.0) -> None:
        """Refresh every `interval` seconds on a daemon thread until `stop()`."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._stop.clear()
        self._watcher = threading.Thread(
            target=self._watch, args=(interval,), name="edigw-profile-watcher", daemon=True
        )
        self._watcher.start()

    def _watch(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.refresh()
            except Exception:  # the watcher must outlive any one bad refresh
                log.exception("partner profile refresh failed")

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=10)
            self._watcher = None

    def __enter__(self) -> ProfileRegistry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def open_registry(runtime: Runtime, *, actor: str | None = None) -> ProfileRegistry:
    """A registry with the profiles folder loaded once (problems are in `errors()`)."""
    registry = ProfileRegistry(runtime, actor=actor)
    registry.refresh()
    return registry
