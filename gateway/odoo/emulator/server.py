"""The emulator's JSON-RPC front: Odoo's routes (/web/webclient/version_info, /jsonrpc with
the common/object/db services, /web/session/authenticate, /web/dataset/call_kw), Odoo's
envelopes and error objects, and a threaded HTTP server with keep-alive."""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from gateway.odoo.emulator import models_account, models_stock  # noqa: F401  (registers)
from gateway.odoo.emulator.errors import (
    AccessDenied,
    AccessError,
    DatabaseMissing,
    EmulatedError,
    OdooAttributeError,
    OdooTypeError,
    SessionExpired,
    UserError,
)
from gateway.odoo.emulator.models_base import registry
from gateway.odoo.emulator.orm import AttributeError_, Env, _as_ids, _LoadFailed
from gateway.odoo.emulator.seed import ACL, seed_bare, seed_demo
from gateway.odoo.emulator.store import Store

log = logging.getLogger(__name__)

SESSION_MAX_AGE = 604800


def version_info(version: str) -> dict[str, Any]:
    major, _, minor = version.partition(".")
    return {
        "server_version": version,
        "server_version_info": [int(major), int(minor or 0), 0, "final", 0, ""],
        "server_serie": version,
        "protocol_version": 1,
    }


@dataclass
class Reply:
    """One HTTP answer: status, extra headers and a JSON (or text) body."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    text: bool = False


class Emulator:
    """One emulated Odoo database, stored in a SQLite file."""

    def __init__(
        self,
        db_path: str | Path,
        *,
        db_name: str = "edigw",
        version: str = "18.0",
        seed: str = "demo",
        passwords: dict[str, str] | None = None,
    ) -> None:
        if version not in ("16.0", "17.0", "18.0"):
            raise ValueError(f"unsupported Odoo version {version!r} (16.0, 17.0 or 18.0)")
        if seed not in ("bare", "demo"):
            raise ValueError(f"unknown seed {seed!r} (bare or demo)")
        self.db_name = db_name
        self.version = version
        self.major = int(version.split(".")[0])
        self.store = Store(db_path, indexes=registry.index_specs())
        self.sessions: dict[str, int] = {}
        # test control (never part of Odoo): counters and injected faults, see inject_fault
        self.connections = 0
        self.object_calls = 0
        self._faults: list[dict[str, Any]] = []
        self._faults_lock = threading.Lock()
        pw = {"admin": "admin", "edigw-integration": "edigw", "clerk": "clerk"}
        pw.update(passwords or {})
        with self.store.transaction() as tx:
            if self.store.meta("seeded") is None:
                seed_bare(tx, self.major, pw)
                if seed == "demo":
                    seed_demo(tx, self.major)
                self.store.set_meta("seeded", seed)
                tx.commit()

    def close(self) -> None:
        self.store.close()

    def inject_fault(
        self,
        *,
        count: int = 1,
        http_status: int | None = None,
        name: str = "psycopg2.errors.SerializationFailure",
        message: str = "could not serialize access due to concurrent update",
    ) -> None:
        """Make the next `count` object-service calls fail without running: with an HTTP
        status (a proxy's 502/503) or with an Odoo error object of the given name."""
        with self._faults_lock:
            for _ in range(count):
                self._faults.append({"http_status": http_status, "name": name, "message": message})

    def _next_fault(self) -> dict[str, Any] | None:
        with self._faults_lock:
            return self._faults.pop(0) if self._faults else None

    # --------------------------------------------------------------------- routing
    def handle(self, path: str, content_type: str, raw: bytes, cookies: dict[str, str]) -> Reply:
        route = path.split("?", 1)[0]
        if content_type.split(";")[0].strip() not in ("application/json", "application/json-rpc"):
            return Reply(
                400,
                f"Request inferred type is compatible with ['http'] but '{route}' is type='json'",
                text=True,
            )
        try:
            request = json.loads(raw or b"null")
        except ValueError:
            return Reply(400, "Invalid JSON data", text=True)
        if not isinstance(request, dict):
            return Reply(400, "Invalid JSON-RPC data", text=True)
        rpc_id = request.get("id")
        params = request.get("params") or {}
        headers: dict[str, str] = {}
        try:
            if not isinstance(params, dict):
                raise OdooTypeError("params must be an object (by-name parameters only)")
            if route == "/web/webclient/version_info":
                headers.update(self._cookie(cookies.get("session_id")))
                result = version_info(self.version)
            elif route == "/jsonrpc":
                if params.get("service") == "object":
                    self.object_calls += 1
                    fault = self._next_fault()
                    if fault and fault["http_status"]:
                        return Reply(fault["http_status"], "Service Unavailable", text=True)
                    if fault:
                        raise _InjectedError(fault["name"], fault["message"])
                result = self._jsonrpc(params)
            elif route == "/_emulator/faults":
                self.inject_fault(**params)
                result = {"queued": len(self._faults)}
            elif route == "/_emulator/stats":
                result = {
                    "connections": self.connections,
                    "object_calls": self.object_calls,
                    "store": self.store.stats.snapshot(),  # rows copied / looked at so far
                }
            elif route == "/web/session/authenticate":
                sid, result = self._authenticate(params)
                headers.update(self._cookie(sid))
            elif route == "/web/session/get_session_info":
                uid = self._session_uid(cookies)
                result = self._session_info(uid)
                headers.update(self._cookie(cookies.get("session_id")))
            elif route == "/web/session/destroy":
                self.sessions.pop(cookies.get("session_id", ""), None)
                result = None
            elif route == "/web/dataset/call_kw" or route.startswith("/web/dataset/call_kw/"):
                uid = self._session_uid(cookies)
                headers.update(self._cookie(cookies.get("session_id")))
                for key in ("model", "method", "args", "kwargs"):
                    if key not in params:
                        raise OdooTypeError(
                            f"call_kw() missing 1 required positional argument: '{key}'"
                        )
                result = self._call(
                    uid,
                    params["model"],
                    params["method"],
                    list(params["args"]),
                    dict(params["kwargs"]),
                )
            else:
                return Reply(200, self._error_envelope(rpc_id, 404, "404: Not Found", None))
        except SessionExpired as exc:
            return Reply(200, self._error_envelope(rpc_id, 100, "Odoo Session Expired", exc))
        except EmulatedError as exc:
            return Reply(200, self._error_envelope(rpc_id, 200, "Odoo Server Error", exc), headers)
        except Exception as exc:  # a Python error inside "Odoo": reported, never a crash
            return Reply(200, self._error_envelope(rpc_id, 200, "Odoo Server Error", exc), headers)
        body: dict[str, Any] = {"jsonrpc": "2.0", "id": rpc_id}
        if result is not None:  # Odoo omits `result` when the method returned None
            body["result"] = result
        return Reply(200, body, headers)

    def _cookie(self, sid: str | None) -> dict[str, str]:
        sid = sid or secrets.token_urlsafe(30)
        expires = (datetime.now(UTC) + timedelta(seconds=SESSION_MAX_AGE)).strftime(
            "%a, %d %b %Y %H:%M:%S GMT"
        )
        return {
            "Set-Cookie": f"session_id={sid}; Expires={expires}; Max-Age={SESSION_MAX_AGE}; "
            "HttpOnly; Path=/"
        }

    def _error_envelope(
        self, rpc_id: Any, code: int, message: str, exc: BaseException | None
    ) -> dict[str, Any]:
        if exc is None:
            data = {
                "name": "werkzeug.exceptions.NotFound",
                "debug": "",
                "message": "404 Not Found",
                "arguments": [],
                "context": {},
            }
        else:
            if isinstance(exc, EmulatedError):
                name, text = exc.name, exc.message
            else:
                name = (
                    f"builtins.{type(exc).__name__}"
                    if type(exc).__module__ == "builtins"
                    else f"{type(exc).__module__}.{type(exc).__name__}"
                )
                text = str(exc)
            debug = (
                "Traceback (most recent call last):\n"
                + "".join(traceback.format_tb(exc.__traceback__))
                + f"{name}: {text}\n"
            )
            data = {
                "name": name,
                "debug": debug,
                "message": text,
                "arguments": [text],
                "context": {},
            }
        return {
            "jsonrpc": "2.0",
            "id": rpc_id,
            "error": {"code": code, "message": message, "data": data},
        }

    # -------------------------------------------------------------------- services
    def _jsonrpc(self, params: dict[str, Any]) -> Any:
        service = params.get("service")
        method = params.get("method")
        args = list(params.get("args") or [])
        if service == "common":
            return self._common(str(method), args)
        if service == "object":
            return self._object(str(method), args)
        if service == "db":
            return self._db(str(method), args)
        raise Exception(f"No such service: {service!r}")

    def _check_db(self, db: Any) -> None:
        if db != self.db_name:
            raise DatabaseMissing(str(db))

    def _common(self, method: str, args: list[Any]) -> Any:
        if method == "version":
            return version_info(self.version)
        if method == "about":
            text = "See http://openerp.com"
            return [text, self.version] if args and args[0] else text
        if method in ("login", "authenticate"):
            if len(args) < 3:
                raise TypeError(f"exp_{method}() missing required positional arguments")
            db, login, password = args[0], args[1], args[2]
            self._check_db(db)
            return self._uid_for(login, password) or False
        raise OdooAttributeError(f"module 'odoo.service.common' has no attribute 'exp_{method}'")

    def _db(self, method: str, args: list[Any]) -> Any:
        if method == "server_version":
            return self.version
        if method == "list":
            raise AccessDenied()
        if method == "db_exist":
            return bool(args) and args[0] == self.db_name
        if method == "list_lang":
            return [["en_US", "English (US)"]]
        if method in (
            "create_database",
            "duplicate_database",
            "drop",
            "dump",
            "restore",
            "change_admin_password",
            "rename",
            "migrate_databases",
        ):
            raise AccessDenied()
        raise OdooAttributeError(f"module 'odoo.service.db' has no attribute 'exp_{method}'")

    def _uid_for(self, login: Any, password: Any) -> int | None:
        with self.store.transaction() as tx:
            for uid, row in tx.table("res.users").items():
                if (
                    row.get("login") == login
                    and row.get("active", True)
                    and secrets.compare_digest(str(row.get("password", "")), str(password))
                ):
                    return uid
            return None

    def _object(self, method: str, args: list[Any]) -> Any:
        if method not in ("execute", "execute_kw"):
            raise OdooAttributeError(f"module 'odoo.service.model' has no attribute 'exp_{method}'")
        if len(args) < 5:
            raise TypeError(f"{method}() missing required positional arguments")
        db, uid, password, model, name = args[:5]
        self._check_db(db)
        self._check_credentials(uid, password)
        if method == "execute":
            return self._call(int(uid), model, name, list(args[5:]), {})
        positional = list(args[5]) if len(args) > 5 and args[5] is not None else []
        keywords = dict(args[6]) if len(args) > 6 and args[6] else {}
        return self._call(int(uid), model, name, positional, keywords)

    def _check_credentials(self, uid: Any, password: Any) -> None:
        with self.store.transaction() as tx:
            row = tx.peek("res.users", uid)
        if (
            not row
            or not row.get("active", True)
            or not secrets.compare_digest(str(row.get("password", "")), str(password))
        ):
            raise AccessDenied()

    def _authenticate(self, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._check_db(params.get("db"))
        uid = self._uid_for(params.get("login"), params.get("password"))
        if not uid:
            raise AccessDenied()
        sid = secrets.token_urlsafe(30)
        self.sessions[sid] = uid
        return sid, self._session_info(uid)

    def _session_uid(self, cookies: dict[str, str]) -> int:
        uid = self.sessions.get(cookies.get("session_id", ""))
        if not uid:
            raise SessionExpired()
        return uid

    def _session_info(self, uid: int) -> dict[str, Any]:
        with self.store.transaction() as tx:
            env = Env(registry, tx, uid, {}, version=self.major, acl=ACL)
            user = tx.peek("res.users", uid) or {}
            partner = tx.peek("res.partner", user.get("partner_id")) or {}
            groups = env.user_groups()
        info = version_info(self.version)
        return {
            "uid": uid,
            "is_system": "base.group_system" in groups,
            "is_admin": "base.group_erp_manager" in groups,
            "user_context": {"lang": "en_US", "tz": False, "uid": uid},
            "db": self.db_name,
            "server_version": info["server_version"],
            "server_version_info": info["server_version_info"],
            "name": partner.get("name"),
            "username": user.get("login"),
            "partner_id": user.get("partner_id"),
        }

    def _call(
        self, uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        if model not in registry.models or registry.models[model]._last_version < self.major:
            raise UserError(f"Object {model} doesn't exist")
        if not isinstance(method, str) or method.startswith("_") or method == "init":
            raise AccessError(
                f"Private methods (such as '{model}.{method}') cannot be called remotely."
            )
        cls = registry.models[model]
        fn = getattr(cls, method, None)
        if fn is None or not callable(fn) or getattr(fn, "_private", False) or method in _NOT_RPC:
            raise AttributeError_(method, model, self.major)
        context = kwargs.pop("context", None) or {}
        with self.store.transaction() as tx:
            env = Env(registry, tx, uid, context, version=self.major, acl=ACL)
            instance = env[model]
            bound = getattr(instance, method)
            try:
                if getattr(fn, "_api_model", False):
                    result = bound(*args, **kwargs)
                else:
                    ids = _as_ids(args[0]) if args else []
                    result = bound(ids, *args[1:], **kwargs)
            except _LoadFailed as failed:
                return {"ids": False, "messages": failed.messages, "nextrow": 0}
            except models_stock.AttributeErrorText as exc:
                raise OdooAttributeError(str(exc)) from None
            except TypeError as exc:
                raise OdooTypeError(str(exc)) from None
            except ValueError as exc:
                from gateway.odoo.emulator.errors import OdooValueError

                raise OdooValueError(str(exc)) from None
            tx.commit()
        return _jsonable(result)


class _InjectedError(EmulatedError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


# Python-level helpers of BaseModel that are not Odoo RPC methods.
_NOT_RPC = {"sudo_model", "env"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without this, Nagle's algorithm and the
    # client's delayed ACK hold every kept-alive answer back ~40 ms
    disable_nagle_algorithm = True
    server_version = "Werkzeug/3.0.1"
    sys_version = "Python/3.12"
    emulator: Emulator

    def setup(self) -> None:
        super().setup()
        self.emulator.connections += 1
        self.server.open_sockets.add(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.open_sockets.discard(self.connection)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("odoo-emulator: " + format, *args)

    def _cookies(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        for part in (self.headers.get("Cookie") or "").split(";"):
            key, _, value = part.strip().partition("=")
            if key:
                jar[key] = value
        return jar

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        reply = self.emulator.handle(
            self.path, self.headers.get("Content-Type", ""), raw, self._cookies()
        )
        self._send(reply)

    def do_GET(self) -> None:
        route = self.path.split("?", 1)[0]
        if route == "/web/health":
            self._send(Reply(200, {"status": "pass"}))
            return
        self._send(
            Reply(
                400,
                f"Request inferred type is compatible with ['http'] but '{route}' is type='json'",
                text=True,
            )
        )

    def _send(self, reply: Reply) -> None:
        if reply.text:
            payload = str(reply.body).encode("utf-8")
            ctype = "text/html; charset=utf-8"
        else:
            payload = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
            ctype = "application/json; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_sockets: set[Any] = set()

    def close_connections(self) -> None:
        """Drop kept-alive client connections, so their threads end with the server."""
        for sock in list(self.open_sockets):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@dataclass
class EmulatorHandle:
    """A running emulator: its base URL, database name, and how to stop it."""

    url: str
    host: str
    port: int
    db_name: str
    db_path: str
    emulator: Emulator
    _server: _Server
    _thread: threading.Thread
    _tempdir: tempfile.TemporaryDirectory[str] | None = None

    def stop(self) -> None:
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.emulator.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve(
    host: str = "127.0.0.1",
    port: int = 8069,
    db_path: str | Path | None = None,
    *,
    db_name: str = "edigw",
    version: str = "18.0",
    seed: str = "demo",
    passwords: dict[str, str] | None = None,
) -> EmulatorHandle:
    """Start the emulator in a background thread; port 0 picks a free port. Without a
    `db_path` the database lives in a temporary folder removed by `stop()`."""
    tempdir = None
    if db_path is None:
        tempdir = tempfile.TemporaryDirectory(prefix="edigw-odoo-")
        db_path = Path(tempdir.name) / "odoo.sqlite3"
    emulator = Emulator(db_path, db_name=db_name, version=version, seed=seed, passwords=passwords)
    handler = type("Handler", (_Handler,), {"emulator": emulator})
    server = _Server((host, port), handler)
    actual_port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, name="odoo-emulator", daemon=True)
    thread.start()
    return EmulatorHandle(
        url=f"http://{host}:{actual_port}",
        host=host,
        port=actual_port,
        db_name=db_name,
        db_path=str(db_path),
        emulator=emulator,
        _server=server,
        _thread=thread,
        _tempdir=tempdir,
    )
