"""Fixtures for profile tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.profiles.support import EXAMPLES


@pytest.fixture
def profiles_dir(tmp_path: Path) -> Path:
    """A writable copy of the examples folder."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    for path in EXAMPLES.glob("*.yaml"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder
