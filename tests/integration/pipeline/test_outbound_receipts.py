"""The AS2 receipts of a file we send are part of that file's story. Our gateway (PostgreSQL,
the in-process pipeline) sends a 214 to Retail Co over AS2; Retail Co's side is a second live
gateway on loopback with its own store. The message receipt and the partner's MDN (signed,
sync, or async: posted back to our own HTTP endpoint later) carry the outbound interchange's
id, and `edigw messages show ID` lists the MDN with its disposition, signature and MIC. An
MDN that refuses the file is in the story too, beside the MDN of the resend that follows.
`send` without an interchange (`edigw as2 send`) still works and links nothing."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from gateway.as2.client import send, wait_for_mdn
from gateway.as2.config import PartnerAs2Config
from gateway.cli import main as cli
from gateway.partners import as2_config
from gateway.store import Interchange
from gateway.store.models import TransportReceipt
from gateway.web import create_app
from outbound.deliver import submit
from outbound.resend import resend
from tests.integration.as2.conftest import LiveGateway, serve, start_gateway
from tests.integration.as2.pki import Identity, make_identity
from tests.integration.pipeline.harness import Gateway, example_profile, gateway
from translators.canonical.models import ShipmentStatus

pytestmark = pytest.mark.integration

STATUS = {
    "record_type": "shipment_status",
    "shipment_id": "RC-7701",
    "carrier_scac": "NWDL",
    "references": {"po": ["PO-91"]},
    "events": [
        {"milestone": "delivered", "time": "2026-11-28T15:45:00+00:00", "pod_name": "J SMITH"}
    ],
}


def _as2_profile(ours: Identity, theirs: Identity, url: str, mdn: dict[str, Any]) -> dict[str, Any]:
    profile = example_profile("retail-co")
    profile["transports"] = {
        "as2": {
            "our_as2_id": "NORTHWIND-EDI",
            "their_as2_id": "RETAILCO",
            "url": url,
            "our_key": f"file:{ours.key_path}",
            "our_certificate": f"file:{ours.cert_path}",
            "their_certificates": [f"file:{theirs.cert_path}"],
            "sign": True,
            "encrypt": True,
            "mdn": mdn,
        }
    }
    return profile


@contextmanager
def _peers(
    tmp_path: Path, pg_url: str, mdn: dict[str, Any], trusted: Identity | None = None
) -> Iterator[tuple[Gateway, LiveGateway, Identity]]:
    """Our gateway (with its HTTP face, for async MDNs) and Retail Co's, which trusts
    `trusted`'s certificate as ours (ours by default)."""
    ours = make_identity("northwind", tmp_path)
    theirs = make_identity("retailco", tmp_path)
    partner = start_gateway("retailco", tmp_path)
    try:
        profile = _as2_profile(ours, theirs, f"{partner.url}/as2", mdn)
        with gateway(tmp_path, pg_url, [profile]) as gw:
            url, server, thread = serve(create_app(gw.runtime))
            try:
                if mdn.get("mode") == "async":
                    profile["transports"]["as2"]["mdn"]["async_url"] = f"{url}/as2/mdn"
                    gw.write_profile(profile)
                partner.directory.add(
                    PartnerAs2Config(
                        partner_id="northwind",
                        partner_as2_id="NORTHWIND-EDI",
                        our_as2_id="RETAILCO",
                        our_keys=[theirs.pair],
                        partner_certificates=[(trusted or ours).pair.certificate],
                        url=f"{url}/as2",
                        require_signed=True,
                        require_encrypted=True,
                    )
                )
                yield gw, partner, ours
            finally:
                server.should_exit = True
                thread.join(timeout=10)
    finally:
        partner.stop()


def _send_status(gw: Gateway) -> int:
    profile = gw.runtime.profiles.get("retail-co")
    assert profile is not None
    interchange_id = submit(
        gw.runtime, profile, [ShipmentStatus.model_validate(STATUS)], source="test"
    )
    gw.settle()
    return interchange_id


def _receipts(gw: Gateway) -> list[TransportReceipt]:
    with gw.runtime.db.session() as s:
        return list(s.scalars(select(TransportReceipt).order_by(TransportReceipt.id)))


def _show(gw: Gateway, interchange_id: int, *extra: str) -> str:
    s = gw.runtime.settings
    env = {
        "EDIGW_DATABASE_URL": s.effective_database_url,
        "EDIGW_VAR_DIR": str(s.var_dir),
        "EDIGW_PROFILES_DIR": str(s.profiles_dir),
    }
    shown = CliRunner(env=env).invoke(cli, ["messages", "show", str(interchange_id), *extra])
    assert shown.exit_code == 0, shown.output
    return shown.output


def test_sync_signed_mdn_is_in_the_story_of_the_sent_interchange(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    with _peers(tmp_path, fresh_pg_url, {"mode": "sync", "signed": True}) as (gw, partner, _):
        ic_id = _send_status(gw)
        assert gw.interchange(ic_id).status == "sent"
        message, mdn = _receipts(gw)
        assert (message.kind, mdn.kind) == ("message", "mdn")
        assert message.interchange_id == ic_id and mdn.interchange_id == ic_id
        assert mdn.message_id == message.message_id
        assert mdn.signed and mdn.detail["signature_valid"] is True
        assert mdn.detail["mic_ok"] is True and mdn.detail["verdict"] == "delivered"
        with partner.runtime.db.session() as s:
            (at_partner,) = s.scalars(select(Interchange)).all()
        assert at_partner.transport_ref == message.message_id

        text = _show(gw, ic_id)
        (line,) = [x for x in text.splitlines() if x.strip().startswith("MDN for")]
        assert message.message_id in line  # type: ignore[operator]
        assert "processed" in line and "signed, signature ok" in line
        assert "MIC ok -> delivered" in line
        story = json.loads(_show(gw, ic_id, "--json"))
        receipts = [e for e in story["timeline"] if e["what"].startswith("receipt:")]
        assert [e["what"] for e in receipts] == ["receipt:message", "receipt:mdn"]
        assert receipts[0]["detail"]["status"] == "delivered"
        assert receipts[1]["detail"]["disposition"] == mdn.disposition
        assert receipts[1]["detail"]["mic_ok"] is True
        # the receipts come before the interchange is marked sent
        whats = [e["what"] for e in story["timeline"]]
        assert whats.index("receipt:mdn") < whats.index("sent")

        # `edigw as2 send` has no interchange: its receipts stand alone
        config = as2_config(gw.runtime.profiles.get("retail-co"))  # type: ignore[arg-type]
        assert config is not None
        alone = send(gw.runtime, config, b"ISA*loose*file~", "loose.edi")
        assert alone.ok, alone.as_dict()
        loose = [r for r in _receipts(gw) if r.message_id == alone.message_id]
        assert [r.kind for r in loose] == ["message", "mdn"]
        assert all(r.interchange_id is None for r in loose)
        assert _show(gw, ic_id).count("MDN for") == 1


def test_async_mdn_arriving_later_is_linked_to_the_interchange(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    with _peers(tmp_path, fresh_pg_url, {"mode": "async", "signed": True}) as (gw, _, _):
        ic_id = _send_status(gw)
        assert gw.interchange(ic_id).status == "sent"
        (message,) = [r for r in _receipts(gw) if r.kind == "message"]
        assert message.interchange_id == ic_id
        assert message.message_id is not None
        final = wait_for_mdn(gw.runtime, message.message_id)
        assert final.status == "delivered", final.error
        (mdn,) = [r for r in _receipts(gw) if r.kind == "mdn"]
        assert mdn.interchange_id == ic_id and mdn.detail["async"] is True
        assert mdn.signed and mdn.detail["mic_ok"] is True

        text = _show(gw, ic_id)
        (line,) = [x for x in text.splitlines() if x.strip().startswith("async MDN for")]
        assert message.message_id in line
        assert "signed, signature ok; MIC ok -> delivered" in line


def test_an_mdn_refusing_the_file_is_in_its_story(tmp_path: Path, fresh_pg_url: str) -> None:
    """Retail Co holds another certificate for us: it cannot verify our signature and says
    so in a signed MDN; delivery fails and will be retried, and the story shows why."""
    stranger = make_identity("stranger", tmp_path)
    with _peers(tmp_path, fresh_pg_url, {"mode": "sync", "signed": True}, stranger) as peers:
        gw, partner, ours = peers
        ic_id = _send_status(gw)
        assert gw.interchange(ic_id).status == "send_failed"
        message, mdn = _receipts(gw)
        assert message.interchange_id == ic_id and mdn.interchange_id == ic_id
        assert mdn.detail["verdict"] == "failed"
        assert "error" in (mdn.disposition or "")
        with partner.runtime.db.session() as s:
            assert s.scalars(select(Interchange)).all() == []
        text = _show(gw, ic_id)
        (line,) = [x for x in text.splitlines() if x.strip().startswith("MDN for")]
        assert "-> failed (partner reports:" in line

        # Retail Co fixes its side; the operator sends the stored file again now: a new
        # message, its MDN in the same story beside the refusal
        (config,) = partner.directory.all()
        partner.directory.add(
            dataclasses.replace(config, partner_certificates=[ours.pair.certificate])
        )
        assert resend(gw.runtime, ic_id, by="ops").delivered
        lines = [x.strip() for x in _show(gw, ic_id).splitlines() if "MDN for" in x]
        assert len(lines) == 2
        assert "-> failed" in lines[0] and lines[1].endswith("MIC ok -> delivered")
        second = [r for r in _receipts(gw) if r.kind == "message"][-1]
        assert second.message_id != message.message_id and second.interchange_id == ic_id
        assert second.message_id in lines[1]


def _open_send_failed(gw: Gateway, ic_id: int) -> list[str]:
    return [
        e.message
        for e in gw.exceptions("send_failed")
        if e.subject_id == str(ic_id) and e.status == "open"
    ]


def test_an_async_mdn_refusing_the_file_fails_its_interchange(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    """Sent with an async MDN request, the file counts as sent at first; Retail Co, which
    cannot verify our signature, posts back a refusal: the interchange turns failed with a
    send_failed exception (resolving it sends the file again)."""
    stranger = make_identity("stranger", tmp_path)
    with _peers(tmp_path, fresh_pg_url, {"mode": "async", "signed": True}, stranger) as peers:
        gw = peers[0]
        ic_id = _send_status(gw)
        (message,) = [r for r in _receipts(gw) if r.kind == "message"]
        assert message.message_id is not None
        assert wait_for_mdn(gw.runtime, message.message_id).status == "failed"
        # the MDN is recorded first, then handed to the outbound pipeline
        deadline = time.monotonic() + 10
        while gw.interchange(ic_id).status != "failed" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gw.interchange(ic_id).status == "failed"
        (why,) = _open_send_failed(gw, ic_id)
        assert why.startswith("the partner did not confirm delivery: partner reports:")


def test_an_async_mdn_that_never_comes_fails_its_interchange_at_the_sweep(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    with _peers(tmp_path, fresh_pg_url, {"mode": "async", "signed": True}) as (gw, _, _):
        # we ask for the MDN at an address where nobody listens: it never arrives
        profile = yaml.safe_load((gw.profiles_dir / "retail-co.yaml").read_text())
        profile["transports"]["as2"]["mdn"]["async_url"] = "http://127.0.0.1:9/as2/mdn"
        gw.write_profile(profile)
        ic_id = _send_status(gw)
        assert gw.interchange(ic_id).status == "sent"
        assert _open_send_failed(gw, ic_id) == []
        with gw.runtime.db.session() as s:  # the MDN's due time passes
            (message,) = s.scalars(
                select(TransportReceipt).where(TransportReceipt.kind == "message")
            ).all()
            message.detail = {**message.detail, "mdn_due_at": "2026-01-01T00:00:00+00:00"}
        assert gw.sweep()["mdns_overdue"] == 1
        assert gw.interchange(ic_id).status == "failed"
        (why,) = _open_send_failed(gw, ic_id)
        assert "no MDN by its due time" in why
        assert gw.sweep()["mdns_overdue"] == 0  # once
