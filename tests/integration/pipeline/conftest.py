"""Fixtures of the pipeline tests that drive `edigw` commands against a store of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.integration.pipeline.harness import example_profile


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The `edigw` environment: SQLite store and blobs under tmp_path, retail-co's profile
    with its hosted mailbox as the outbound transport."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    profile = example_profile("retail-co")
    (profiles / "retail-co.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    return {
        "EDIGW_VAR_DIR": str(tmp_path / "var"),
        "EDIGW_PROFILES_DIR": str(profiles),
        "EDIGW_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'edigw.sqlite3'}",
    }
