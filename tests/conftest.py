"""Shared fixtures: real PostgreSQL and Redis, the corpus, and a runtime on temp storage."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gateway.runtime import Runtime
from gateway.settings import load_settings
from tests import support


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of the shared PostgreSQL test database (skip/fail when unreachable)."""
    return support.postgres_url()


@pytest.fixture
def fresh_pg_url(pg_url: str) -> Iterator[str]:
    """A brand-new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"edigw_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return support.redis_url()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return support.corpus_dir()


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A migrated runtime on a temporary SQLite file and blob folder."""
    rt = Runtime.from_settings(load_settings(var_dir=tmp_path / "var"))
    yield rt
    rt.close()
