"""A profile that loads again resolves its own `profile_invalid` exception: the real
registry on a temp folder of profile files, the runtime's hooks, and a real store (SQLite
and PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.store.journal import resolve_exception
from gateway.store.models import Event, ExceptionRecord
from tests.unit.profiles.support import EXAMPLES

pytestmark = pytest.mark.integration

RuntimeFactory = Callable[[], Runtime]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    for path in EXAMPLES.glob("*.yaml"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.fixture(params=["sqlite", "postgresql"])
def start(request: pytest.FixtureRequest, tmp_path: Path, folder: Path) -> Iterator[RuntimeFactory]:
    """Starts a gateway runtime on the folder; every start shares one store (a restart)."""
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("fresh_pg_url")
    started: list[Runtime] = []

    def make() -> Runtime:
        settings = load_settings(var_dir=tmp_path / "var", profiles_dir=folder, database_url=url)
        runtime = Runtime.from_settings(settings)
        started.append(runtime)
        return runtime

    yield make
    for runtime in started:
        runtime.close()


def edit(folder: Path, partner: str, old: str, new: str) -> None:
    path = folder / f"{partner}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def exceptions(runtime: Runtime) -> list[ExceptionRecord]:
    with runtime.db.session() as session:
        return list(
            session.scalars(
                select(ExceptionRecord)
                .where(ExceptionRecord.kind == "profile_invalid")
                .order_by(ExceptionRecord.id)
            )
        )


def resolved_events(runtime: Runtime) -> list[Event]:
    with runtime.db.session() as session:
        return list(
            session.scalars(
                select(Event).where(Event.kind == "exception_resolved").order_by(Event.id)
            )
        )


def test_fixing_the_file_resolves_its_exception(start: RuntimeFactory, folder: Path) -> None:
    runtime = start()
    registry = runtime.profiles
    edit(folder, "acme-ltl", "status: active", "status: live")
    edit(folder, "retail-co", "status: active", "status: live")
    registry.refresh(loaded_by="jane")
    acme, retail = exceptions(runtime)
    assert (acme.subject_id, acme.status) == ("acme-ltl", "open")
    assert (retail.subject_id, retail.status) == ("retail-co", "open")

    # still broken, another way: the same exception stays open, nothing resolved
    edit(folder, "acme-ltl", "standard: x12", "standard: x13")
    report = registry.refresh()
    assert "acme-ltl" in report.rejected and report.recovered == []
    assert [e.status for e in exceptions(runtime)] == ["open", "open"]

    edit(folder, "acme-ltl", "status: live", "status: active")
    edit(folder, "acme-ltl", "standard: x13", "standard: x12")
    edit(folder, "acme-ltl", 'absolute: "50.00"', 'absolute: "60.00"')  # a real change too
    report = registry.refresh()
    assert report.recovered == ["acme-ltl"] and report.versions == {"acme-ltl": 2}
    assert registry.served("acme-ltl").version == 2  # type: ignore[union-attr]
    acme, retail = exceptions(runtime)
    assert acme.status == "resolved" and acme.resolved_by == "gateway"
    assert acme.resolved_at is not None
    assert acme.resolution_note is not None
    assert acme.resolution_note.startswith("profile acme-ltl loads again: version 2 serves")
    assert str(folder / "acme-ltl.yaml") in acme.resolution_note
    assert retail.status == "open"  # its file is still broken
    (event,) = resolved_events(runtime)
    assert event.actor == "gateway"
    assert event.detail["exception_id"] == acme.id
    assert event.detail["kind"] == "profile_invalid"
    assert event.detail["note"] == acme.resolution_note

    # a later refresh with nothing changed resolves nothing twice
    registry.refresh()
    assert len(resolved_events(runtime)) == 1


def test_reverting_to_the_served_content_resolves_with_that_version(
    start: RuntimeFactory, folder: Path
) -> None:
    runtime = start()
    registry = runtime.profiles
    original = (folder / "nordlink-fwd.yaml").read_bytes()
    (folder / "nordlink-fwd.yaml").write_text("id: nordlink-fwd\nname: [", encoding="utf-8")
    registry.refresh()
    (record,) = exceptions(runtime)
    assert record.status == "open"
    (folder / "nordlink-fwd.yaml").write_bytes(original)
    report = registry.refresh()
    assert report.recovered == ["nordlink-fwd"] and report.versions == {}
    (record,) = exceptions(runtime)
    assert record.status == "resolved"
    assert (record.resolution_note or "").startswith(
        "profile nordlink-fwd loads again: version 1 serves"
    )


def test_a_file_fixed_while_the_gateway_was_down_resolves_at_start(
    start: RuntimeFactory, folder: Path
) -> None:
    first = start()
    first.profiles.refresh()
    edit(folder, "acme-ltl", "status: active", "status: live")
    first.profiles.refresh()
    assert [e.status for e in exceptions(first)] == ["open"]
    first.close()

    # restarted with the file still broken: the recorded version serves, still open
    second = start()
    assert second.profiles.served("acme-ltl").version == 1  # type: ignore[union-attr]
    assert second.profiles.last_error("acme-ltl") is not None
    assert [e.status for e in exceptions(second)] == ["open"]
    second.close()

    edit(folder, "acme-ltl", "status: live", "status: active")
    third = start()
    assert third.profiles.get("acme-ltl") is not None
    (record,) = exceptions(third)
    assert record.status == "resolved" and record.resolved_by == "gateway"
    assert (record.resolution_note or "").startswith(
        "profile acme-ltl loads again: version 1 serves"
    )


def test_a_deleted_file_resolves_its_exception(start: RuntimeFactory, folder: Path) -> None:
    """Deleting the file is a person's decision to stop serving the partner: nothing is
    left to fix, so its exception closes, saying that the partner is no longer served."""
    runtime = start()
    registry = runtime.profiles
    edit(folder, "retail-co", "status: active", "status: live")
    (folder / "newbie.yaml").write_text("id: newbie\nname: [\n", encoding="utf-8")
    registry.refresh()
    assert sorted(e.subject_id for e in exceptions(runtime)) == ["newbie", "retail-co"]
    (folder / "retail-co.yaml").unlink()
    (folder / "newbie.yaml").unlink()  # never served: its exception closes as well
    report = registry.refresh()
    assert report.removed == ["retail-co"]
    assert registry.get("retail-co") is None and registry.last_error("retail-co") is None
    by_partner = {e.subject_id: e for e in exceptions(runtime)}
    for partner, record in by_partner.items():
        assert record.status == "resolved" and record.resolved_by == "gateway"
        assert record.resolution_note == (
            f"profile file {folder / (partner + '.yaml')} was deleted: "
            f"partner {partner} is no longer served"
        )


def test_a_file_deleted_while_the_gateway_was_down_resolves_at_start(
    start: RuntimeFactory, folder: Path
) -> None:
    first = start()
    edit(folder, "retail-co", "status: active", "status: live")
    first.profiles.refresh()
    (record,) = exceptions(first)
    assert record.status == "open"
    first.close()
    (folder / "retail-co.yaml").unlink()
    second = start()
    assert second.profiles.get("retail-co") is None
    (record,) = exceptions(second)
    assert record.status == "resolved"
    assert record.resolution_note == (
        "no profile file of partner retail-co any more: it is no longer served"
    )


def test_an_unreadable_folder_resolves_when_it_reads_again(
    start: RuntimeFactory, folder: Path
) -> None:
    runtime = start()
    registry = runtime.profiles
    aside = folder.with_name("profiles-aside")
    folder.rename(aside)
    report = registry.refresh()
    assert list(report.rejected) == [""]
    (record,) = exceptions(runtime)
    assert record.subject_id == "?" and record.status == "open"
    assert registry.get("acme-ltl") is not None  # what was loaded keeps serving
    aside.rename(folder)
    report = registry.refresh()
    assert not report.rejected and registry.last_error("") is None
    (record,) = exceptions(runtime)
    assert record.status == "resolved"
    assert record.resolution_note == "the profiles folder can be read again"


def test_an_exception_a_person_resolved_is_left_alone(start: RuntimeFactory, folder: Path) -> None:
    runtime = start()
    registry = runtime.profiles
    edit(folder, "acme-ltl", "status: active", "status: live")
    registry.refresh()
    with runtime.db.session() as session:
        (record,) = session.scalars(select(ExceptionRecord)).all()
        resolve_exception(session, record, by="jane", note_text="known, fixing it")
    edit(folder, "acme-ltl", "status: live", "status: active")
    registry.refresh()
    (record,) = exceptions(runtime)
    assert record.resolved_by == "jane" and record.resolution_note == "known, fixing it"
    assert [e.actor for e in resolved_events(runtime)] == ["jane"]


def test_the_watcher_resolves_it_without_anyone_asking(start: RuntimeFactory, folder: Path) -> None:
    runtime = start()
    registry = runtime.profiles
    registry.start_watching(interval=0.05)
    edit(folder, "ridgeline-tl", "queue: finance", "queue: overnight")
    wait_for(lambda: [e.status for e in exceptions(runtime)] == ["open"])
    edit(folder, "ridgeline-tl", "queue: overnight", "queue: finance")
    wait_for(lambda: [e.status for e in exceptions(runtime)] == ["resolved"])
    registry.stop()
    (record,) = exceptions(runtime)
    assert record.resolved_by == "gateway"


def test_two_gateways_on_one_postgres_store_resolve_it_once(
    fresh_pg_url: str, tmp_path: Path, folder: Path
) -> None:
    runtimes = [
        Runtime.from_settings(
            load_settings(
                var_dir=tmp_path / f"var{i}", database_url=fresh_pg_url, profiles_dir=folder
            )
        )
        for i in range(2)
    ]
    try:
        first, second = (rt.profiles for rt in runtimes)
        edit(folder, "acme-ltl", "status: active", "status: live")
        first.refresh()
        second.refresh()
        assert len(exceptions(runtimes[0])) == 1  # opened once
        edit(folder, "acme-ltl", "status: live", "status: active")
        first.refresh()
        second.refresh()
        (record,) = exceptions(runtimes[0])
        assert record.status == "resolved"
        assert len(resolved_events(runtimes[0])) == 1
    finally:
        for rt in runtimes:
            rt.close()


def wait_for(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)
