from pathlib import Path

import pytest

from gateway.settings import SettingsError, load_settings

pytestmark = pytest.mark.unit


def test_embedded_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EDIGW_DATABASE_URL", "EDIGW_BROKER_URL", "EDIGW_ODOO_URL", "EDIGW_VAR_DIR"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings()
    assert s.effective_database_url.startswith("sqlite:///")
    assert s.effective_database_url.endswith("var/edigw.sqlite3")
    assert s.effective_blob_dir == Path("var") / "blobs"
    assert s.broker_url is None
    assert s.uses_embedded_odoo
    assert (s.effective_profiles_dir / "..").resolve().name == "partner_profiles"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIGW_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("EDIGW_BROKER_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("EDIGW_ODOO_URL", "http://odoo.example:8069/")
    monkeypatch.setenv("EDIGW_HTTP_PORT", "9090")
    s = load_settings()
    assert s.effective_database_url == "postgresql+psycopg://u@h/db"
    assert s.broker_url == "redis://127.0.0.1:6379/3"
    assert s.odoo_url == "http://odoo.example:8069"
    assert s.http_port == 9090
    assert not s.uses_embedded_odoo


def test_toml_file_below_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "edigw.toml"
    cfg.write_text('http_port = 7000\nodoo_db = "prod"\n')
    monkeypatch.setenv("EDIGW_SETTINGS_FILE", str(cfg))
    monkeypatch.setenv("EDIGW_ODOO_DB", "from-env")
    s = load_settings()
    assert s.http_port == 7000
    assert s.odoo_db == "from-env"


def test_bad_values_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIGW_DATABASE_URL", "mysql://x/y")
    monkeypatch.setenv("EDIGW_HTTP_PORT", "99999")
    monkeypatch.setenv("EDIGW_BROKER_URL", "amqp://guest@localhost//")
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert "EDIGW_DATABASE_URL" in message and "mysql" in message
    assert "EDIGW_HTTP_PORT" in message
    assert "EDIGW_BROKER_URL" in message


def test_broken_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("http_port = = 1")
    monkeypatch.setenv("EDIGW_SETTINGS_FILE", str(cfg))
    with pytest.raises(SettingsError, match=r"bad\.toml"):
        load_settings()
