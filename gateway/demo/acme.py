"""ACME Freight's side of scenario A: its own AS2 endpoint (where the gateway POSTs the 204
and the 997s), its own store of what it received, and the sending of its files to the
gateway with the signed MDN checked. It uses the gateway's AS2 transport, configured the
other way round, as a partner's AS2 product would be."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from fastapi import FastAPI
from sqlalchemy import select

from gateway.as2 import http as as2_http
from gateway.as2.client import SendResult, send
from gateway.as2.config import StaticDirectory
from gateway.demo.keys import ScenarioKeys
from gateway.partners import as2_config_of_partner
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.store import Interchange
from gateway.store.counters import next_control_number
from partner_profiles.schema import PartnerProfile
from translators.x12 import iter_transactions

ACME_PARTNER_ID = "northwind"  # how ACME's store names us


class AcmeError(Exception):
    """ACME's endpoint cannot run (port taken, bad URL in the profile)."""


@dataclass(frozen=True)
class Received:
    """A file the gateway delivered to ACME."""

    interchange_id: int
    message_id: str | None
    data: bytes

    def transaction_types(self) -> list[str]:
        """ST-01 of each transaction set, e.g. ["997"]; empty when the file does not read."""
        try:
            return [tx.segments[0].get(1) for tx in iter_transactions(self.data)]
        except Exception:  # shown to a person only: an unreadable file is just "a file"
            return []


class AcmeSide:
    """ACME's AS2 endpoint and sender. `start()` serves `/as2` on the host and port of the
    profile's URL; `send()` posts a file to the gateway and returns the checked result."""

    def __init__(
        self, profile: PartnerProfile, keys: ScenarioKeys, gateway_url: str, var_dir: Path
    ) -> None:
        as2 = profile.transports.as2
        if as2 is None or not as2.url:
            raise AcmeError(f"partner {profile.id} has no AS2 URL to play its endpoint on")
        where = urlsplit(as2.url)
        if (
            where.scheme != "http"
            or not where.hostname
            or not where.port
            or not where.path.endswith("/as2")
        ):
            raise AcmeError(
                "the demo serves ACME's endpoint as http://HOST:PORT/.../as2 on this machine; "
                f"the profile's URL is {as2.url}"
            )
        self.url = as2.url
        self.host, self.port, self.path = where.hostname, where.port, where.path
        # ACME's own store: separate database and blobs, never the gateway's
        self.runtime = Runtime.from_settings(
            load_settings(
                var_dir=var_dir,
                database_url=f"sqlite:///{(var_dir / 'acme.sqlite3').resolve()}",
                blob_dir=var_dir / "blobs",
                broker_url=None,
                odoo_url=None,
            )
        )
        # ACME's agreement with us: the profile read from the other side
        self.to_gateway = replace(
            as2_config_of_partner(profile, [keys.acme.pair], gateway_url),
            partner_id=ACME_PARTNER_ID,
            send_attempts=2,
            retry_backoff_seconds=0.5,
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        app = FastAPI(title="ACME Freight AS2 (edigw demo)")
        app.state.runtime = self.runtime
        router = as2_http.router(StaticDirectory([self.to_gateway]))
        app.include_router(router, prefix=self.path.removesuffix("/as2"))
        config = uvicorn.Config(
            app, host=self.host, port=self.port, log_level="error", lifespan="off"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="acme-as2", daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise AcmeError(
                    f"ACME's AS2 endpoint could not listen on {self.host}:{self.port} "
                    "(is the port taken, or another demo still running?)"
                )
            time.sleep(0.05)
        self._server, self._thread = server, thread

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.runtime.close()

    def received(self) -> list[Received]:
        """Everything the gateway delivered to ACME, oldest first."""
        with self.runtime.db.session() as session:
            rows = session.scalars(
                select(Interchange).where(Interchange.direction == "in").order_by(Interchange.id)
            ).all()
            found = [(r.id, r.transport_ref, r.blob_key) for r in rows]
        return [Received(i, ref, self.runtime.blobs.read(key)) for i, ref, key in found]

    def next_control_number(self) -> int:
        """ACME's next interchange control number (its own counter, kept in its store)."""
        with self.runtime.db.session() as session:
            return next_control_number(session, ACME_PARTNER_ID, "isa")

    def send(self, data: bytes, name: str) -> SendResult:
        return send(self.runtime, self.to_gateway, data, name)
