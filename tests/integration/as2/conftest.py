"""Two live gateways on loopback (ours and a partner's, each a real uvicorn server with its
own store) and keys for both, for AS2 round trips over real HTTP."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from gateway.as2.config import PartnerAs2Config, StaticDirectory
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.web import create_app
from tests.integration.as2.pki import Identity, make_identity


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveGateway:
    name: str
    runtime: Runtime
    directory: StaticDirectory
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.runtime.close()


def serve(app: object) -> tuple[str, uvicorn.Server, threading.Thread]:
    """Run an ASGI app on a free loopback port in a thread; returns its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")  # type: ignore[arg-type]
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def start_gateway(name: str, root: Path) -> LiveGateway:
    runtime = Runtime.from_settings(load_settings(var_dir=root / name))
    directory = StaticDirectory()
    app = create_app(runtime)
    app.state.as2_directory = directory
    url, server, thread = serve(app)
    return LiveGateway(name, runtime, directory, url, server, thread)


@dataclass
class Pair:
    """`ours` receives from partner "acme"; `partner` is acme's gateway, sending to us."""

    ours: LiveGateway
    partner: LiveGateway
    our_id: Identity
    partner_id: Identity
    # the partner's view of us (used to send), and our view of the partner (used to receive)
    partner_to_us: PartnerAs2Config
    us_from_partner: PartnerAs2Config

    def configure(self, **sending: object) -> PartnerAs2Config:
        """Set how acme sends to us (sign, encrypt, compress, mdn_mode...); returns the
        config acme's client uses."""
        self.partner_to_us = dataclasses.replace(self.partner_to_us, **sending)  # type: ignore[arg-type]
        self.partner.directory.add(self.partner_to_us)
        return self.partner_to_us

    def receiving(self, **receiving: object) -> PartnerAs2Config:
        self.us_from_partner = dataclasses.replace(self.us_from_partner, **receiving)  # type: ignore[arg-type]
        self.ours.directory.add(self.us_from_partner)
        return self.us_from_partner


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Identity]:
    folder = tmp_path_factory.mktemp("as2-keys")
    return {name: make_identity(name, folder) for name in ("edigw", "acme", "stranger")}


@pytest.fixture
def pair(tmp_path: Path, keys: dict[str, Identity]) -> Iterator[Pair]:
    ours = start_gateway("ours", tmp_path)
    partner = start_gateway("partner", tmp_path)
    us_from_partner = PartnerAs2Config(
        partner_id="acme",
        partner_as2_id="ACME",
        our_as2_id="EDIGW",
        our_keys=[keys["edigw"].pair],
        partner_certificates=[keys["acme"].pair.certificate],
        url=f"{partner.url}/as2",
        async_mdn_url=f"{ours.url}/as2",
    )
    partner_to_us = PartnerAs2Config(
        partner_id="edigw",
        partner_as2_id="EDIGW",
        our_as2_id="ACME",
        our_keys=[keys["acme"].pair],
        partner_certificates=[keys["edigw"].pair.certificate],
        url=f"{ours.url}/as2",
        async_mdn_url=f"{partner.url}/as2",
        send_attempts=2,
        retry_backoff_seconds=0.1,
        mdn_timeout_seconds=30,
    )
    ours.directory.add(us_from_partner)
    partner.directory.add(partner_to_us)
    try:
        yield Pair(ours, partner, keys["edigw"], keys["acme"], partner_to_us, us_from_partner)
    finally:
        ours.stop()
        partner.stop()
