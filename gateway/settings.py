"""Runtime settings from `EDIGW_*` environment variables or an optional TOML file.

Precedence: explicit keyword arguments, then environment variables, then the TOML file
named by `EDIGW_SETTINGS_FILE`, then the embedded defaults (SQLite and blobs under ./var,
in-process worker, bundled Odoo emulator). Bad values fail at start-up with one line per
problem, naming the variable."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "EDIGW_"


class SettingsError(Exception):
    """Settings could not be loaded; the message lists every bad value."""


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the file named by EDIGW_SETTINGS_FILE (keys without the prefix, lower case)."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        path = os.environ.get(f"{ENV_PREFIX}SETTINGS_FILE")
        self._data: dict[str, Any] = {}
        if path:
            try:
                with open(path, "rb") as fh:
                    self._data = tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"{ENV_PREFIX}SETTINGS_FILE={path}: {exc}") from exc

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    var_dir: Path = Field(default=Path("var"), description="root for the embedded defaults")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite file under var_dir"
    )
    blob_dir: Path | None = Field(default=None, description="raw payloads; default var_dir/blobs")
    broker_url: str | None = Field(
        default=None, description="Celery broker (redis://...); default: in-process worker"
    )
    profiles_dir: Path | None = Field(
        default=None, description="partner profile YAML files; default: the shipped examples"
    )
    odoo_url: str | None = Field(default=None, description="default: the bundled emulator")
    odoo_db: str = "edigw"
    odoo_user: str = "edigw-integration"
    odoo_password: str = "edigw"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    emulator_port: int = Field(default=8069, ge=0, le=65535)
    sftp_host: str = "127.0.0.1"
    sftp_port: int = Field(default=2222, ge=0, le=65535)
    log_level: str = "INFO"
    # work left in `received` / `queued` longer than this is handed out again by the sweep
    # (a lost broker message, a killed worker); keep it above the slowest normal stage
    stuck_after_seconds: float = Field(default=60.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        scheme = urlsplit(value).scheme
        if not scheme.startswith(("sqlite", "postgresql")):
            raise ValueError(
                "must be a sqlite:/// or postgresql+psycopg:// URL, got scheme "
                f"{scheme or '(none)'!r}"
            )
        return value

    @field_validator("broker_url")
    @classmethod
    def _broker_url(cls, value: str | None) -> str | None:
        if value in (None, "", "memory://"):
            return None
        assert value is not None
        if urlsplit(value).scheme not in ("redis", "rediss"):
            raise ValueError(f"must be a redis:// URL (or unset for in-process), got {value!r}")
        return value

    @field_validator("odoo_url")
    @classmethod
    def _odoo_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError(f"must be an http:// or https:// URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls))

    # Derived values: one place decides every embedded default.
    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.var_dir / 'edigw.sqlite3').resolve()}"

    @property
    def effective_blob_dir(self) -> Path:
        return self.blob_dir or self.var_dir / "blobs"

    @property
    def effective_profiles_dir(self) -> Path:
        return self.profiles_dir or Path(__file__).resolve().parent.parent / (
            "partner_profiles/examples"
        )

    @property
    def uses_embedded_odoo(self) -> bool:
        return self.odoo_url is None


def load_settings(**overrides: Any) -> Settings:
    """Load and validate settings, turning pydantic's report into one readable message."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ENV_PREFIX + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"{name}: {err['msg']}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
