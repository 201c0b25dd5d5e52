"""A urllib opener for odoorpc that keeps one HTTP/1.1 connection per host open between
calls (odoorpc's default opener opens a new TCP connection for every call)."""

from __future__ import annotations

import http.client
import io
import threading
import urllib.error
import urllib.request
import urllib.response
from http.cookiejar import CookieJar
from typing import Any

_STALE = (
    http.client.RemoteDisconnected,
    http.client.CannotSendRequest,
    http.client.BadStatusLine,
    BrokenPipeError,
    ConnectionResetError,
    ConnectionAbortedError,
)


class _PersistentMixin:
    """Reuses a connection while the server keeps it alive; a connection the server closed
    while idle is replaced once (the request never reached a live server then)."""

    def _setup(self) -> None:
        self._connections: dict[str, http.client.HTTPConnection] = {}
        self._lock = threading.Lock()

    def _open_persistent(
        self, request: urllib.request.Request, factory: type[http.client.HTTPConnection]
    ) -> Any:
        host = request.host
        timeout = request.timeout
        headers = dict(request.unredirected_hdrs)
        headers.update(request.headers)
        headers["Connection"] = "keep-alive"
        headers = {name.title(): value for name, value in headers.items()}
        with self._lock:
            for attempt in (1, 2):
                connection = self._connections.get(host)
                reused = connection is not None
                if connection is None:
                    connection = factory(host, timeout=timeout)
                    self._connections[host] = connection
                connection.timeout = timeout
                if connection.sock is not None:
                    connection.sock.settimeout(timeout)
                try:
                    connection.request(
                        request.get_method(), request.selector, request.data, headers
                    )
                    reply = connection.getresponse()
                    body = reply.read()
                except _STALE as exc:
                    connection.close()
                    self._connections.pop(host, None)
                    if reused and attempt == 1:
                        continue
                    raise urllib.error.URLError(exc) from exc
                except OSError as exc:
                    connection.close()
                    self._connections.pop(host, None)
                    raise urllib.error.URLError(exc) from exc
                if reply.will_close:
                    connection.close()
                    self._connections.pop(host, None)
                response = urllib.response.addinfourl(
                    io.BytesIO(body), reply.msg, request.full_url, reply.status
                )
                response.msg = reply.reason  # type: ignore[attr-defined]
                return response
        raise AssertionError("unreachable")

    def close_all(self) -> None:
        with self._lock:
            for connection in self._connections.values():
                connection.close()
            self._connections.clear()


class PersistentHTTPHandler(_PersistentMixin, urllib.request.HTTPHandler):
    def __init__(self) -> None:
        super().__init__()
        self._setup()

    def http_open(self, req: urllib.request.Request) -> Any:
        return self._open_persistent(req, http.client.HTTPConnection)


class PersistentHTTPSHandler(_PersistentMixin, urllib.request.HTTPSHandler):
    def __init__(self) -> None:
        super().__init__()
        self._setup()

    def https_open(self, req: urllib.request.Request) -> Any:
        return self._open_persistent(req, http.client.HTTPSConnection)


def build_opener() -> tuple[urllib.request.OpenerDirector, list[_PersistentMixin]]:
    """An opener with cookies (as odoorpc's own) and persistent connections."""
    plain, secure = PersistentHTTPHandler(), PersistentHTTPSHandler()
    cookies = urllib.request.HTTPCookieProcessor(CookieJar())
    opener = urllib.request.build_opener(cookies, plain, secure)
    return opener, [plain, secure]
