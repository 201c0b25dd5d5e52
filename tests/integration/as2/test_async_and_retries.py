"""Async MDNs that cannot be delivered at first, async MDNs that never come (SLA), and a
sync MDN lost on the way back: the sender retries with the same Message-ID and the file is
taken in once."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway.as2.client import mark_overdue, result_of, send, wait_for_mdn
from gateway.as2.receive import resend_pending_mdns
from gateway.store import Interchange
from gateway.store.models import TransportReceipt
from tests.integration.as2.conftest import Pair
from tests.integration.as2.test_roundtrip import PAYLOAD

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def _interchange_count(pair: Pair) -> int:
    with pair.ours.runtime.db.session() as session:
        return len(session.scalars(select(Interchange)).all())


@pytest.mark.slow
def test_async_mdn_to_an_unreachable_url_is_retried_later(pair: Pair) -> None:
    # acme asks for its async MDN at a URL where nothing listens yet
    config = pair.configure(mdn_mode="async", async_mdn_url="http://127.0.0.1:9/as2")
    result = send(pair.partner.runtime, config, PAYLOAD, "a.edi")
    assert result.status == "awaiting_mdn"
    with pair.ours.runtime.db.session() as session:
        receipt = session.scalars(select(TransportReceipt)).one()
        receipt_id = receipt.id
    # the background delivery gives up after its quick retries (1 s, 2 s, 4 s backoff)
    row = None
    for _ in range(200):
        with pair.ours.runtime.db.session() as session:
            row = session.get(TransportReceipt, receipt_id)
            if row and row.detail.get("async_status") == "pending":
                break
        time.sleep(0.1)
    assert row is not None and row.detail["async_status"] == "pending"
    # acme's MDN URL comes up (it was its own gateway all along); the sweep delivers
    with pair.ours.runtime.db.session() as session:
        row = session.get(TransportReceipt, receipt_id)
        assert row is not None
        row.detail = {**row.detail, "async_url": f"{pair.partner.url}/as2"}
    assert resend_pending_mdns(pair.ours.runtime) == 1
    final = wait_for_mdn(pair.partner.runtime, result.message_id)
    assert final.status == "delivered", final.error
    assert _interchange_count(pair) == 1


def test_async_mdn_that_never_comes_is_overdue(pair: Pair) -> None:
    # we receive, but answer to a URL that is not acme's: acme never hears back
    config = pair.configure(
        mdn_mode="async", async_mdn_url="http://127.0.0.1:9/as2", mdn_timeout_seconds=0.5
    )
    result = send(pair.partner.runtime, config, PAYLOAD, "a.edi", wait_for_async_mdn=True)
    assert result.status == "mdn_overdue"
    assert "no MDN by" in (result.error or "")
    assert mark_overdue(pair.partner.runtime) == []  # already marked; idempotent


class LoseFirstResponse(httpx.HTTPTransport):
    """A real HTTP transport that delivers the request but loses the first response, as a
    dropped connection after the partner processed the message would."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        response = super().handle_request(request)
        if self.calls == 1:
            response.read()
            response.close()
            raise httpx.ReadError("connection reset after the request was processed")
        return response


def test_lost_sync_mdn_retry_is_not_processed_twice(pair: Pair) -> None:
    config = pair.configure()
    transport = LoseFirstResponse()
    with httpx.Client(transport=transport, timeout=30) as client:
        result = send(
            pair.partner.runtime,
            config,
            PAYLOAD,
            "a.edi",
            http_client=client,
            sleep=lambda s: None,
        )
    assert transport.calls == 2 and result.attempts == 2
    assert result.status == "delivered", result.error
    assert _interchange_count(pair) == 1
    current = result_of(pair.partner.runtime, result.message_id)
    assert current is not None and current.status == "delivered"


@pytest.mark.slow
def test_cli_send_and_inspect(pair: Pair, tmp_path: Path) -> None:
    """`edigw as2 send` as acme (a separate process), then `edigw as2 inspect` reads the
    message we stored, decrypting with our key."""
    payload = tmp_path / "status.edi"
    payload.write_bytes(PAYLOAD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")}
    env["EDIGW_VAR_DIR"] = str(tmp_path / "cli-var")
    edigw = str(Path(sys.executable).with_name("edigw"))
    done = subprocess.run(
        [
            edigw,
            "as2",
            "send",
            str(payload),
            "--partner",
            "edigw",
            "--url",
            f"{pair.ours.url}/as2",
            "--as2-from",
            "ACME",
            "--as2-to",
            "EDIGW",
            "--key",
            str(pair.partner_id.key_path),
            "--cert",
            str(pair.partner_id.cert_path),
            "--partner-cert",
            str(pair.our_id.cert_path),
            "--compress",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    sent = json.loads(done.stdout)
    assert sent["status"] == "delivered" and sent["mdn"]["signature_valid"] is True
    with pair.ours.runtime.db.session() as session:
        receipt = session.scalars(select(TransportReceipt)).one()
        raw = pair.ours.runtime.blobs.path(receipt.detail["request_blob"])
    done = subprocess.run(
        [
            edigw,
            "as2",
            "inspect",
            str(raw),
            "--key",
            str(pair.our_id.key_path),
            "--cert",
            str(pair.our_id.cert_path),
            "--partner-cert",
            str(pair.partner_id.cert_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    seen = json.loads(done.stdout)
    assert seen["kind"] == "message" and seen["layers"] == ["encrypted", "signed", "compressed"]
    assert seen["signature_valid"] is True and seen["mic"] == sent["mic"]
    assert seen["algorithms"]["encryption"] == "aes256-cbc"
    assert seen["payload"]["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()
    # without our key the message cannot be opened: a structured error, exit 1
    done = subprocess.run(
        [edigw, "as2", "inspect", str(raw)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["error"]["modifier"] == "decryption-failed"


@pytest.mark.slow
def test_cli_send_as_the_partner_of_a_profile(pair: Pair, tmp_path: Path) -> None:
    """`edigw as2 send FILE --partner acme-ltl --key ...` plays ACME from the shipped example
    profile: ids, certificates and algorithms come from the profile, the message goes to the
    gateway's own /as2."""
    example = ROOT / "partner_profiles" / "examples" / "acme-ltl.yaml"
    text = example.read_text()
    text = text.replace("file:var/demo-keys/as2-northwind.key", f"file:{pair.our_id.key_path}")
    text = text.replace("file:var/demo-keys/as2-northwind.pem", f"file:{pair.our_id.cert_path}")
    text = text.replace("file:var/demo-keys/acme-freight.pem", f"file:{pair.partner_id.cert_path}")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "acme-ltl.yaml").write_text(text)
    pair.receiving(partner_as2_id="ACMEFREIGHT", our_as2_id="NORTHWIND-EDI")
    payload = tmp_path / "status.edi"
    payload.write_bytes(PAYLOAD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")}
    env |= {
        "EDIGW_VAR_DIR": str(tmp_path / "cli-var"),
        "EDIGW_PROFILES_DIR": str(profiles),
        "EDIGW_HTTP_PORT": pair.ours.url.rsplit(":", 1)[1],
    }
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("edigw")),
            "as2",
            "send",
            str(payload),
            "--partner",
            "acme-ltl",
            "--key",
            str(pair.partner_id.key_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert json.loads(done.stdout)["status"] == "delivered"
    with pair.ours.runtime.db.session() as session:
        stored = session.scalars(select(Interchange)).one()
        assert stored.meta["as2"]["as2-from"] == "ACMEFREIGHT"
        assert stored.meta["security"]["signed"] and stored.meta["security"]["encrypted"]
