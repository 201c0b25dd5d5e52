"""The Odoo client: one logged-in odoorpc session over a persistent HTTP connection, with
timeouts, retry of transient failures only, Odoo's errors turned into `gateway.odoo.errors`,
idempotent creation through `load()` with external ids, and the Odoo 16/17/18 differences."""

from __future__ import annotations

import html
import logging
import random
import re
import socket
import threading
import time
import urllib.error
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import odoorpc
import odoorpc.error

from gateway.odoo import _http
from gateway.odoo.errors import (
    OdooCallError,
    OdooError,
    OdooLoginFailed,
    OdooTimeout,
    OdooUnavailable,
    from_rpc_error,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

XMLID_MODULE = "edigw"
_XMLID_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def xmlid_name(*parts: object) -> str:
    """A deterministic external-id name from parts: lower case, `_` for anything else (no
    spaces or dots, which Odoo refuses or reads as a module separator)."""
    text = "_".join(str(p) for p in parts if p not in (None, ""))
    return _XMLID_UNSAFE.sub("_", text).strip("_").lower()[:200]


def odoo_datetime(value: Any) -> str:
    """An aware datetime as Odoo wants it: UTC, 'YYYY-MM-DD HH:MM:SS' (no T, no zone)."""
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime sent to Odoo; the canonical models are aware")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry transient failures of one call."""

    attempts: int = 4
    first_delay: float = 0.5
    max_delay: float = 8.0

    def delays(self) -> Iterable[float]:
        delay = self.first_delay
        for _ in range(self.attempts - 1):
            yield min(delay, self.max_delay) * (0.75 + random.random() / 2)
            delay *= 2


class OdooClient:
    """A session with one Odoo database. Thread-safe; connect once, call many times."""

    def __init__(
        self,
        url: str,
        db: str,
        login: str,
        password: str,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"Odoo URL must be http(s)://host[:port], got {url!r}")
        if parts.path not in ("", "/"):
            raise ValueError(f"odoorpc cannot use a URL path prefix ({parts.path!r})")
        self.url = url.rstrip("/")
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.protocol = "jsonrpc+ssl" if parts.scheme == "https" else "jsonrpc"
        self.db = db
        self.login = login
        self._password = password
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._lock = threading.RLock()
        self._odoo: Any = None
        self._handlers: list[Any] = []
        self.uid: int | None = None
        self.version: str | None = None
        self.major: int = 0
        self.context: dict[str, Any] = {}
        self.calls = 0  # RPC calls sent (for batching checks and metrics)

    # ----------------------------------------------------------------- session
    def connect(self) -> OdooClient:
        """Detect the version and log in (once; later calls reuse the session)."""
        with self._lock:
            if self._odoo is not None:
                return self
            opener, handlers = _http.build_opener()

            def open_session() -> Any:
                return odoorpc.ODOO(
                    self.host,
                    protocol=self.protocol,
                    port=self.port,
                    timeout=self.timeout,
                    opener=opener,
                )

            odoo = self._with_retry(open_session, "version_info", "", [])
            self.version = str(odoo.version)
            digits = re.sub(r"[^0-9.]", "", self.version)
            self.major = int(digits.split(".")[0]) if digits else 0
            if self.major and self.major < 16:
                raise OdooError(f"Odoo {self.version} is not supported (16, 17 or 18)")

            def login() -> None:
                odoo.login(self.db, self.login, self._password)

            try:
                self._with_retry(login, "login", "", [])
            except OdooCallError as exc:
                raise OdooLoginFailed(
                    f"cannot log in to {self.url} db {self.db!r}: {exc.odoo_message}"
                ) from None
            except OdooError:
                raise
            self._odoo = odoo
            self._handlers = handlers
            self.uid = int(odoo.env.uid)
            self.context = dict(odoo.env.context)
            return self

    def close(self) -> None:
        with self._lock:
            for handler in self._handlers:
                handler.close_all()
            self._odoo = None

    def __enter__(self) -> OdooClient:
        return self.connect()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------- calls
    def call(
        self,
        model: str,
        method: str,
        *args: Any,
        ids: list[int] | None = None,
        context: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """`execute_kw(model, method, [ids?, *args], kwargs)` with our context merged in."""
        self.connect()
        positional = ([list(ids)] if ids is not None else []) + list(args)
        kw = dict(kwargs)
        kw["context"] = {**self.context, **(context or {})}

        def send() -> Any:
            self.calls += 1
            return self._odoo.execute_kw(model, method, positional, kw)

        return self._with_retry(send, model, method, list(ids or []))

    def _with_retry(self, fn: Callable[[], T], model: str, method: str, ids: list[int]) -> T:
        delays = iter(self.retry.delays())
        while True:
            try:
                return self._translate(fn, model, method, ids)
            except OdooError as exc:
                if not exc.retryable:
                    raise
                delay = next(delays, None)
                if delay is None:
                    raise
                log.warning("odoo %s.%s: %s; retrying in %.1fs", model, method, exc, delay)
                self._sleep(delay)

    def _translate(self, fn: Callable[[], T], model: str, method: str, ids: list[int]) -> T:
        where = f"{model}.{method}" if model else method
        try:
            return fn()
        except odoorpc.error.RPCError as exc:
            info = exc.info if isinstance(exc.info, dict) else {}
            if not info and "Wrong login" in str(exc):
                raise OdooLoginFailed(
                    f"Odoo at {self.url} refused login {self.login!r} on db {self.db!r}"
                ) from None
            error = from_rpc_error(info, str(exc), model=model, method=method, record_ids=ids)
            if error.odoo_name == "odoo.exceptions.AccessDenied" and method in ("", "login"):
                raise OdooLoginFailed(str(error)) from None
            if error.odoo_name == "psycopg2.OperationalError" and "does not exist" in (
                error.odoo_message
            ):
                raise OdooLoginFailed(f"Odoo at {self.url} has no database {self.db!r}") from None
            raise error from None
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise OdooUnavailable(f"{where}: Odoo answered HTTP {exc.code}") from None
            raise OdooError(f"{where}: Odoo answered HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise OdooTimeout(
                    f"{where}: no answer from {self.url} in {self.timeout}s"
                ) from None
            raise OdooUnavailable(f"{where}: cannot reach {self.url}: {reason}") from None
        except TimeoutError:
            raise OdooTimeout(f"{where}: no answer from {self.url} in {self.timeout}s") from None
        except (ConnectionError, OSError) as exc:
            raise OdooUnavailable(f"{where}: cannot reach {self.url}: {exc}") from None
        except ValueError as exc:  # a non-JSON body (a proxy's error page)
            raise OdooUnavailable(f"{where}: unreadable answer from {self.url}: {exc}") from None

    # ------------------------------------------------------------ ORM helpers
    def search(
        self, model: str, domain: list[Any], *, limit: int | None = None, order: str | None = None
    ) -> list[int]:
        kwargs: dict[str, Any] = {}
        if limit:
            kwargs["limit"] = limit
        if order:
            kwargs["order"] = order
        return list(self.call(model, "search", domain, **kwargs))

    def search_count(self, model: str, domain: list[Any]) -> int:
        # `search(count=True)` is gone since 17: always the dedicated method
        return int(self.call(model, "search_count", domain))

    def search_read(
        self,
        model: str,
        domain: list[Any],
        fields: list[str],
        *,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"fields": fields}
        if limit:
            kwargs["limit"] = limit
        if order:
            kwargs["order"] = order
        return list(self.call(model, "search_read", domain, **kwargs))

    def read(self, model: str, ids: list[int], fields: list[str]) -> list[dict[str, Any]]:
        if not ids:
            return []
        return list(self.call(model, "read", fields, ids=ids))

    def create(self, model: str, values: dict[str, Any] | list[dict[str, Any]]) -> Any:
        """One dict -> one id; a list -> a list of ids in one call (batching)."""
        return self.call(model, "create", values)

    def write(self, model: str, ids: list[int], values: dict[str, Any]) -> bool:
        if not ids:
            return True
        return bool(self.call(model, "write", values, ids=ids))

    def display_names(self, model: str, ids: list[int]) -> dict[int, str]:
        # name_get is gone in 18: read display_name, which every version has
        return {row["id"]: row["display_name"] for row in self.read(model, ids, ["display_name"])}

    def text_to_html(self, text: str) -> tuple[str, dict[str, Any]]:
        """A plain-text chatter body and the message_post kwargs for this version: 17+ escape
        plain text themselves; 16 takes the body as HTML, so we escape it."""
        if self.major and self.major <= 16:
            return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>", {}
        return text, {}

    # ------------------------------------------------------------ external ids
    def xmlid_lookup(self, name: str, module: str = XMLID_MODULE) -> tuple[str, int] | None:
        """The (model, id) an external id points at; None when it does not exist or its record
        is gone. Works for non-admin users (reference §7.6)."""
        try:
            model, rid = self.call("ir.model.data", "check_object_reference", module, name, True)
        except OdooCallError as exc:
            if "External ID not found" in exc.odoo_message:
                return None
            raise
        return (str(model), int(rid)) if rid else None

    def load_one(
        self, model: str, name: str, values: dict[str, Any], module: str = XMLID_MODULE
    ) -> int:
        """Create or update one record under external id `module.name` with `load()` (the
        import path a non-admin may use). Many2one values go as database ids (`field/.id`)."""
        return self.load_many(model, [(name, values)], module)[0]

    def load_many(
        self, model: str, rows: list[tuple[str, dict[str, Any]]], module: str = XMLID_MODULE
    ) -> list[int]:
        """Several records of one model in one `load()` call; rows must share their keys."""
        if not rows:
            return []
        keys = list(rows[0][1])
        columns = ["id"]
        relational = self._many2one_fields(model)
        for key in keys:
            columns.append(f"{key}/.id" if key in relational else key)
        data = []
        for name, values in rows:
            if list(values) != keys:
                raise ValueError("load_many rows must have the same keys in the same order")
            data.append([f"{module}.{name}", *(_load_cell(values[k]) for k in keys)])
        result = self.call(model, "load", columns, data)
        messages = [m for m in result.get("messages") or [] if m.get("type") == "error"]
        if messages or not result.get("ids"):
            text = "; ".join(str(m.get("message")) for m in messages) or "no ids returned"
            raise OdooCallError(text, odoo_name="load", model=model, method="load", record_ids=[])
        return [int(i) for i in result["ids"]]

    _m2o_cache: dict[str, set[str]]

    def _many2one_fields(self, model: str) -> set[str]:
        cache = self.__dict__.setdefault("_m2o_cache", {})
        if model not in cache:
            fields = self.call(model, "fields_get", attributes=["type"])
            cache[model] = {name for name, f in fields.items() if f.get("type") == "many2one"}
        return set(cache[model])

    # ------------------------------------------------------------------ health
    def ping(self, models: Iterable[str] = ()) -> dict[str, Any]:
        """Version, login, and which of `models` are installed (checked through fields_get,
        which a non-admin may call, unlike a search on ir.model)."""
        self.connect()
        installed: dict[str, bool] = {}
        for model in models:
            try:
                self.call(model, "fields_get", attributes=["type"])
                installed[model] = True
            except OdooCallError as exc:
                if "doesn't exist" in exc.odoo_message:
                    installed[model] = False
                else:
                    raise
        user = self.read("res.users", [int(self.uid or 0)], ["login", "name"])
        return {
            "url": self.url,
            "db": self.db,
            "server_version": self.version,
            "uid": self.uid,
            "login": user[0]["login"] if user else self.login,
            "user_name": user[0]["name"] if user else None,
            "models": installed,
            "missing_models": sorted(m for m, ok in installed.items() if not ok),
        }


def _load_cell(value: Any) -> str:
    """load() takes every cell as text, as a CSV import would."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    return str(value)
