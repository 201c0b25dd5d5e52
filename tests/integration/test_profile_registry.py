"""The gateway's profile registry on a real store: versions with diffs, hot reload while
watching, and a broken edit that leaves the previous version serving."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.profiles import ProfileCleared, ProfileRegistry
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.store.models import Event, ProfileVersion
from partner_profiles import UnknownPartnerError
from tests.unit.profiles.support import EXAMPLES

pytestmark = pytest.mark.integration

EXAMPLE_IDS = ["acme-ltl", "nordlink-fwd", "retail-co", "ridgeline-tl"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    for path in EXAMPLES.glob("*.yaml"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


@pytest.fixture
def registry(runtime: Runtime, folder: Path) -> Iterator[ProfileRegistry]:
    with ProfileRegistry(runtime, folder=folder, actor="onboarding") as reg:
        yield reg


def edit(folder: Path, partner: str, old: str, new: str) -> str:
    path = folder / f"{partner}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def wait_for(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def versions(runtime: Runtime, partner: str) -> list[ProfileVersion]:
    with runtime.db.session() as session:
        return list(
            session.scalars(
                select(ProfileVersion)
                .where(ProfileVersion.partner_id == partner)
                .order_by(ProfileVersion.version)
            )
        )


def test_first_load_records_version_one_of_each(
    registry: ProfileRegistry, runtime: Runtime, folder: Path
) -> None:
    report = registry.refresh()
    assert report.versions == dict.fromkeys(EXAMPLE_IDS, 1)
    assert [p.id for p in registry.all()] == EXAMPLE_IDS
    (row,) = versions(runtime, "acme-ltl")
    assert row.version == 1 and row.diff is None and row.loaded_by == "onboarding"
    assert row.content == (folder / "acme-ltl.yaml").read_text(encoding="utf-8")
    assert len(row.content_hash) == 64 and row.loaded_at.tzinfo is not None
    with runtime.db.session() as session:
        kinds = session.scalars(select(Event.kind).where(Event.kind == "profile_version")).all()
    assert len(kinds) == 4


def test_nothing_changed_records_nothing(registry: ProfileRegistry, runtime: Runtime) -> None:
    registry.refresh()
    report = registry.refresh()
    assert not report.changed and report.versions == {}
    assert [r.version for r in versions(runtime, "acme-ltl")] == [1]


def test_a_restart_on_the_same_store_adds_no_version(
    registry: ProfileRegistry, runtime: Runtime, folder: Path
) -> None:
    registry.refresh()
    again = ProfileRegistry(runtime, folder=folder)
    report = again.refresh()
    assert report.versions == {} and sorted(report.reloaded) == EXAMPLE_IDS
    assert again.served("acme-ltl") is not None and again.served("acme-ltl").version == 1


def test_a_changed_profile_gets_a_new_version_with_its_diff(
    registry: ProfileRegistry, runtime: Runtime, folder: Path
) -> None:
    registry.refresh()
    edit(folder, "acme-ltl", 'absolute: "50.00"', 'absolute: "75.00"')
    report = registry.refresh(loaded_by="jane")
    assert report.versions == {"acme-ltl": 2} and report.reloaded == ["acme-ltl"]
    profile = registry.get("acme-ltl")
    assert profile is not None and profile.invoices.tolerance.absolute == Decimal("75.00")
    first, second = versions(runtime, "acme-ltl")
    assert second.loaded_by == "jane" and second.content_hash != first.content_hash
    assert second.diff is not None
    assert "--- acme-ltl version 1" in second.diff and "+++ acme-ltl version 2" in second.diff
    assert '-    absolute: "50.00"' in second.diff and '+    absolute: "75.00"' in second.diff
    assert [r.version for r in registry.history("acme-ltl")] == [1, 2]


def test_a_broken_edit_keeps_the_old_version_serving(
    registry: ProfileRegistry, runtime: Runtime, folder: Path
) -> None:
    registry.refresh()
    problems_seen: list[str] = []
    registry.on_problem = lambda partner, problems: problems_seen.append(partner)
    broken = edit(folder, "acme-ltl", "  vendor_ref: ACME-FREIGHT\n", "")
    report = registry.refresh()
    assert report.reloaded == [] and list(report.rejected) == ["acme-ltl"]
    assert problems_seen == ["acme-ltl"]
    # still serving version 1, with its vendor
    profile = registry.get("acme-ltl")
    assert profile is not None and profile.odoo.vendor_ref == "ACME-FREIGHT"
    assert registry.resolve("x12", "ACMF", "02", "ACMF").id == "acme-ltl"
    (problem,) = registry.last_error("acme-ltl") or []
    assert problem.rule == "vendor_for_invoices" and problem.field == "odoo.vendor_ref"
    assert problem.line == broken[: broken.index("odoo:")].count("\n") + 1
    assert [r.version for r in versions(runtime, "acme-ltl")] == [1]
    # the other partners are untouched
    assert registry.last_error("ridgeline-tl") is None and registry.get("ridgeline-tl")
    # fixing the file serves and versions the fix; the error goes away
    edit(folder, "acme-ltl", "odoo:\n", "odoo:\n  vendor_ref: ACME-FREIGHT-LINES\n")
    report = registry.refresh()
    assert report.versions == {"acme-ltl": 2}
    assert registry.last_error("acme-ltl") is None
    assert registry.get("acme-ltl").odoo.vendor_ref == "ACME-FREIGHT-LINES"  # type: ignore[union-attr]


def test_reverting_to_recorded_content_adds_no_version(
    registry: ProfileRegistry, runtime: Runtime, folder: Path
) -> None:
    registry.refresh()
    original = (folder / "acme-ltl.yaml").read_bytes()
    edit(folder, "acme-ltl", "status: active", "status: live")  # invalid
    registry.refresh()
    (folder / "acme-ltl.yaml").write_bytes(original)
    report = registry.refresh()
    assert report.reloaded == ["acme-ltl"] and report.versions == {}
    assert registry.last_error("acme-ltl") is None


def test_a_new_file_claiming_anothers_ids_is_refused(
    registry: ProfileRegistry, folder: Path
) -> None:
    registry.refresh()
    text = (folder / "acme-ltl.yaml").read_text(encoding="utf-8")
    # an "aaa" draft would win on a cold start by name, never against a serving partner
    copy = text.replace("id: acme-ltl", "id: aaa-copy").replace("ACMEFREIGHT", "AAA")
    (folder / "aaa-copy.yaml").write_text(copy, encoding="utf-8")
    report = registry.refresh()
    assert list(report.rejected) == ["aaa-copy"]
    (problem,) = registry.last_error("aaa-copy") or []
    assert problem.rule == "unique_envelope_ids" and "'acme-ltl'" in problem.message
    assert registry.get("aaa-copy") is None
    assert registry.resolve("x12", "ACMF", "02", "ACMF").id == "acme-ltl"


def test_a_deleted_file_stops_being_served(registry: ProfileRegistry, folder: Path) -> None:
    registry.refresh()
    (folder / "retail-co.yaml").unlink()
    report = registry.refresh()
    assert report.removed == ["retail-co"]
    assert registry.get("retail-co") is None
    with pytest.raises(UnknownPartnerError):
        registry.resolve("x12", "9251730000", "08", "9251730000")


def test_a_new_partner_file_is_picked_up(
    registry: ProfileRegistry, runtime: Runtime, folder: Path
) -> None:
    registry.refresh()
    text = (folder / "ridgeline-tl.yaml").read_text(encoding="utf-8")
    new = (
        text.replace("id: ridgeline-tl", "id: swift-tl")
        .replace("status: active", "status: testing")
        .replace("RIDGELINETL", "SWIFTTLEDI")
        .replace("username: ridgeline", "username: swifttl")
    )
    (folder / "swift-tl.yaml").write_text(new, encoding="utf-8")
    assert registry.refresh().versions == {"swift-tl": 1}
    assert registry.resolve("x12", "SWIFTTLEDI", "ZZ", "RIDGELINE").id == "swift-tl"


def test_watching_picks_up_edits_and_survives_a_broken_one(
    registry: ProfileRegistry, runtime: Runtime, folder: Path
) -> None:
    registry.refresh()
    registry.start_watching(interval=0.05)
    edit(folder, "ridgeline-tl", "status: active", "status: suspended")
    wait_for(lambda: registry.get("ridgeline-tl").status == "suspended")  # type: ignore[union-attr]
    assert [r.version for r in versions(runtime, "ridgeline-tl")] == [1, 2]
    # a broken edit while watching: the suspended version keeps serving
    edit(folder, "ridgeline-tl", "queue: finance", "queue: overnight")
    wait_for(lambda: registry.last_error("ridgeline-tl") is not None)
    (problem,) = registry.last_error("ridgeline-tl") or []
    assert problem.field == "sla.210.queue" and "'overnight' is not allowed" in problem.message
    assert registry.get("ridgeline-tl").status == "suspended"  # type: ignore[union-attr]
    registry.stop()
    assert [r.version for r in versions(runtime, "ridgeline-tl")] == [1, 2]


def test_default_folder_comes_from_settings(tmp_path: Path, folder: Path) -> None:
    settings = load_settings(var_dir=tmp_path / "var", profiles_dir=folder)
    rt = Runtime.from_settings(settings)
    try:
        registry = ProfileRegistry(rt)
        assert registry.folder == folder
        assert sorted(registry.refresh().versions) == EXAMPLE_IDS
    finally:
        rt.close()


def test_two_gateways_on_one_postgres_store_record_one_version(
    fresh_pg_url: str, tmp_path: Path, folder: Path
) -> None:
    runtimes = [
        Runtime.from_settings(
            load_settings(var_dir=tmp_path / f"var{i}", database_url=fresh_pg_url)
        )
        for i in range(2)
    ]
    try:
        first, second = (ProfileRegistry(rt, folder=folder) for rt in runtimes)
        first.refresh()
        second.refresh()
        edit(folder, "acme-ltl", 'percent: "5"', 'percent: "6"')
        assert first.refresh().versions == {"acme-ltl": 2}
        report = second.refresh()
        assert report.versions == {} and report.reloaded == ["acme-ltl"]
        assert second.served("acme-ltl").version == 2  # type: ignore[union-attr]
        assert [r.version for r in versions(runtimes[0], "acme-ltl")] == [1, 2]
    finally:
        for rt in runtimes:
            rt.close()


def test_a_restart_with_a_broken_file_serves_the_last_recorded_version(
    registry: ProfileRegistry, runtime: Runtime, folder: Path
) -> None:
    registry.refresh()
    edit(folder, "acme-ltl", 'absolute: "50.00"', 'absolute: "80.00"')
    registry.refresh()
    edit(folder, "acme-ltl", "status: active", "status: live")
    restarted = ProfileRegistry(runtime, folder=folder)
    report = restarted.refresh()
    assert "acme-ltl" in report.rejected and "acme-ltl" in report.reloaded
    served = restarted.served("acme-ltl")
    assert served is not None and served.version == 2 and served.loaded.path is None
    assert served.loaded.profile.invoices.tolerance.absolute == Decimal("80.00")
    assert restarted.last_error("acme-ltl") is not None
    assert restarted.resolve("x12", "ACMF", "02", "ACMF").id == "acme-ltl"
    # a partner that never had a valid version is simply not served
    (folder / "newbie.yaml").write_text("id: newbie\nname: [broken\n", encoding="utf-8")
    assert restarted.refresh().rejected.keys() == {"newbie"}
    assert restarted.get("newbie") is None


def test_partner_show_prints_the_served_profile_and_its_history(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from gateway.cli import main

    monkeypatch.setenv("EDIGW_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("EDIGW_PROFILES_DIR", str(folder))
    runner = CliRunner()
    first = runner.invoke(main, ["partner", "show", "acme-ltl"])
    assert first.exit_code == 0, first.output
    assert "# serving version 1 from" in first.output
    assert "sender ISA 02/ACMF, GS ACMF" in first.output
    assert "id: acme-ltl" in first.output
    edit(folder, "acme-ltl", 'percent: "5"', 'percent: "4"')
    second = runner.invoke(main, ["partner", "show", "acme-ltl"])
    assert "# serving version 2" in second.output and "(+1 -1 lines)" in second.output
    diff = runner.invoke(main, ["partner", "show", "acme-ltl", "--version", "2"])
    assert diff.exit_code == 0
    assert '-    percent: "5"' in diff.output and '+    percent: "4"' in diff.output
    edit(folder, "acme-ltl", "status: active", "status: live")
    broken = runner.invoke(main, ["partner", "show", "acme-ltl"])
    assert broken.exit_code == 0
    assert "serving version 2 from the store" in broken.output
    assert "the file on disk is NOT loaded" in broken.output
    assert "status: 'live' is not allowed" in broken.output
    missing = runner.invoke(main, ["partner", "show", "nobody"])
    assert missing.exit_code == 1 and "no partner profile 'nobody'" in missing.output


def test_on_cleared_is_told_what_loads_again_what_is_deleted_and_the_folder(
    registry: ProfileRegistry, folder: Path
) -> None:
    told: list[ProfileCleared] = []
    registry.on_cleared = told.append
    registry.refresh()
    assert [(e.reason, e.partner_id, e.version) for e in told] == [
        ("folder_readable", "", None),
        *[("loads", pid, 1) for pid in EXAMPLE_IDS],
    ]
    assert told[0].files == frozenset(EXAMPLE_IDS)
    told.clear()
    assert not registry.refresh().changed and told == []  # nothing changed, nothing told
    edit(folder, "acme-ltl", "status: active", "status: live")
    report = registry.refresh()
    assert told == [] and report.recovered == []
    edit(folder, "acme-ltl", "status: live", "status: active")
    report = registry.refresh()
    assert report.recovered == ["acme-ltl"]
    assert told == [ProfileCleared("loads", "acme-ltl", 1, str(folder / "acme-ltl.yaml"))]
    told.clear()
    (folder / "retail-co.yaml").unlink()
    registry.refresh()
    assert told == [ProfileCleared("removed", "retail-co", file=str(folder / "retail-co.yaml"))]
    told.clear()
    aside = folder.with_name("aside")
    folder.rename(aside)
    registry.refresh()
    assert told == [] and registry.last_error("") is not None
    aside.rename(folder)
    registry.refresh()
    assert [(e.reason, e.partner_id) for e in told] == [("folder_readable", "")]
    assert registry.last_error("") is None
