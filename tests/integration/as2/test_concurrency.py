"""The AS2 endpoint on PostgreSQL: a round trip, and the same message delivered four times at
the same moment is taken in once, the other deliveries answered with the stored MDN."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway.as2.build import build_message
from gateway.as2.client import send
from gateway.as2.mdn import parse_mdn_bytes
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.store import Interchange
from gateway.store.models import InterchangeStatus, TransportReceipt
from tests.integration.as2 import conftest
from tests.integration.as2.conftest import Pair
from tests.integration.as2.test_roundtrip import PAYLOAD

pytestmark = pytest.mark.integration


@pytest.fixture
def pg_pair(pair: Pair, fresh_pg_url: str, tmp_path: Path) -> Iterator[Pair]:
    """`pair`, with our side moved onto a fresh PostgreSQL database."""
    runtime = Runtime.from_settings(
        load_settings(var_dir=tmp_path / "pg", database_url=fresh_pg_url)
    )
    app = conftest.create_app(runtime)
    app.state.as2_directory = pair.ours.directory
    url, server, thread = conftest.serve(app)
    sqlite_side = pair.ours
    pair.ours = conftest.LiveGateway("ours-pg", runtime, pair.ours.directory, url, server, thread)
    pair.configure(url=f"{url}/as2", async_mdn_url=f"{pair.partner.url}/as2")
    try:
        yield pair
    finally:
        pair.ours.stop()
        pair.ours = sqlite_side


@pytest.mark.parametrize("mdn_mode", ["sync", "async"])
def test_round_trip_on_postgres(pg_pair: Pair, mdn_mode: str) -> None:
    config = pg_pair.configure(compress=True, mdn_mode=mdn_mode)
    result = send(pg_pair.partner.runtime, config, PAYLOAD, "a.edi", wait_for_async_mdn=True)
    assert result.status == "delivered", result.error
    with pg_pair.ours.runtime.db.session() as session:
        stored = session.scalars(select(Interchange)).one()
        assert pg_pair.ours.runtime.blobs.read(stored.blob_key) == PAYLOAD


def _deliver_four_at_once(pair: Pair) -> None:
    message = build_message(pair.configure(), PAYLOAD, "a.edi", message_id="<twice@ACME>")
    responses: list[httpx.Response] = []
    start = threading.Barrier(4)

    def deliver() -> None:
        start.wait()
        responses.append(
            httpx.post(
                f"{pair.ours.url}/as2", headers=message.headers, content=message.body, timeout=60
            )
        )

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(responses) == 4
    for response in responses:
        mdn = parse_mdn_bytes(
            list(response.headers.multi_items()),
            response.content,
            [pair.our_id.pair.certificate],
        )
        assert mdn.processed_ok and mdn.mic == message.mic
    with pair.ours.runtime.db.session() as session:
        rows = session.scalars(select(Interchange)).all()
        assert [r.status for r in rows] == [InterchangeStatus.RECEIVED]  # taken in once
        receipt = session.scalars(select(TransportReceipt)).one()
        assert len(receipt.detail["repeats"]) == 3  # the others got the stored MDN


def test_simultaneous_repeats_are_taken_in_once_on_postgres(pg_pair: Pair) -> None:
    _deliver_four_at_once(pg_pair)


def test_simultaneous_repeats_are_taken_in_once_on_sqlite(pair: Pair) -> None:
    _deliver_four_at_once(pair)
