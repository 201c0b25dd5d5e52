"""`edigw demo scenario-a` end to end against a real `edigw serve` subprocess on a fresh var
dir and spare ports: the outcomes are checked in the gateway's store, in ACME's store and in
the emulated Odoo, not only in the exit code. Also: the demo creates keys only in a
demo-keys folder, so a real profile's missing key still fails loudly."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway.demo.keys import DemoKeyError, ensure_identity, ensure_scenario_keys
from gateway.odoo.client import OdooClient
from gateway.store import (
    BlobStore,
    Database,
    Document,
    Event,
    ExceptionRecord,
    Interchange,
    TransportReceipt,
)

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "partner_profiles" / "examples"
ACME_URL = "http://127.0.0.1:8091/as2"  # what the shipped acme-ltl profile says
EDIGW = Path(sys.executable).with_name("edigw")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Gateway:
    cwd: Path
    var: Path
    env: dict[str, str]
    emulator_port: int

    def demo(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(EDIGW), "demo", "scenario-a", "--timeout", "90"],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    def store(self) -> Database:
        return Database(f"sqlite:///{self.var / 'edigw.sqlite3'}")


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    """`edigw serve` as `make run` starts it, in a fresh directory, with the shipped example
    profiles; only ACME's endpoint port is moved to a spare one."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    acme_port = _free_port()
    for example in EXAMPLES.glob("*.yaml"):
        text = example.read_text()
        if example.stem == "acme-ltl":
            assert ACME_URL in text
            text = text.replace(ACME_URL, f"http://127.0.0.1:{acme_port}/as2")
        (profiles / example.name).write_text(text)
    http_port, emulator_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDIGW_")}
    env |= {
        "EDIGW_VAR_DIR": "var",  # relative, like the default: the demo keys live under it
        "EDIGW_PROFILES_DIR": str(profiles),
        "EDIGW_HTTP_PORT": str(http_port),
        "EDIGW_EMULATOR_PORT": str(emulator_port),
        "EDIGW_SFTP_PORT": str(_free_port()),
    }
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(EDIGW), "serve"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not come up:\n{(tmp_path / 'serve.log').read_text()}")
            time.sleep(0.2)
        yield Gateway(tmp_path, tmp_path / "var", env, emulator_port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.mark.slow
def test_demo_plays_scenario_a_against_a_running_gateway(gateway: Gateway) -> None:
    run = gateway.demo()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "scenario A played" in run.stdout
    # the keys it made: under var/demo-keys, private keys for their owner only
    keys = gateway.var / "demo-keys"
    for name in ("as2-northwind.key", "acme-freight.key"):
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600
    assert (keys / "as2-northwind.pem").exists() and (keys / "acme-freight.pem").exists()

    db = gateway.store()
    try:
        with db.session() as s:
            (tender,) = s.scalars(
                select(Interchange).where(
                    Interchange.direction == "out",
                    Interchange.partner_id == "acme-ltl",
                    Interchange.transport_ref.like("odoo:stock.picking,%"),
                )
            ).all()
            assert (tender.partner_id, tender.transport) == ("acme-ltl", "as2")
            assert (tender.status, tender.ack_status) == ("sent", "accepted")
            assert [(d.doc_type, d.state) for d in tender.documents] == [("204", "accepted")]
            # the 204 went out with a signed MDN that verified
            (sent,) = s.scalars(
                select(Event).where(
                    Event.interchange_id == tender.id,
                    Event.document_id.is_(None),
                    Event.kind == "sent",
                )
            ).all()
            assert sent.detail["status"] == "delivered"
            (mdn,) = s.scalars(
                select(TransportReceipt).where(
                    TransportReceipt.message_id == sent.detail["message_id"],
                    TransportReceipt.kind == "mdn",
                )
            ).all()
            assert mdn.signed and "processed" in (mdn.disposition or "")

            inbound = s.scalars(
                select(Interchange)
                .where(Interchange.direction == "in", Interchange.partner_id == "acme-ltl")
                .order_by(Interchange.id)
            ).all()
            assert all(ic.transport == "as2" for ic in inbound)
            docs = [d for ic in inbound for d in ic.documents]
            assert [d.doc_type for d in docs] == ["997", "990", *["214"] * 6, "210"]
            business = [d for d in docs if d.doc_type != "997"]
            assert all(d.state == "posted" for d in business), [
                (d.doc_type, d.state) for d in business
            ]
            # one 997 back for every interchange but ACME's own 997, each delivered
            acks = s.scalars(
                select(Interchange).where(
                    Interchange.direction == "out",
                    Interchange.partner_id == "acme-ltl",
                    Interchange.id != tender.id,
                )
            ).all()
            acknowledged = sorted(int(ic.meta["acknowledges"]) for ic in acks)
            assert acknowledged == sorted(ic.id for ic in inbound[1:])
            assert all(ic.status == "sent" for ic in acks)

            (mismatch,) = s.scalars(
                select(ExceptionRecord).where(ExceptionRecord.kind == "invoice_mismatch")
            ).all()
            invoice = s.get(Document, int(mismatch.subject_id))
            assert invoice is not None and invoice.doc_type == "210"
            assert mismatch.status == "resolved"
            assert (mismatch.resolved_by, mismatch.resolution_note) == (
                "finance",
                "detention approved",
            )
            assert "accessorial_detention" in mismatch.message
            # the held invoice went out through `edigw messages release`, once
            (closed,) = s.scalars(select(Event).where(Event.kind == "batch_window_closed")).all()
            assert (closed.document_id, closed.actor) == (invoice.id, "demo")
            assert closed.detail["queue"] == "finance" and closed.detail["held_until"]
            # a tender the gateway could not deliver before ACME was up went out again
            # through `edigw messages resend`, and no send_failed stays open
            resends = s.scalars(
                select(Event).where(
                    Event.interchange_id == tender.id, Event.kind == "resend_requested"
                )
            ).all()
            assert all(e.actor == "demo" for e in resends)
            assert not s.scalars(
                select(ExceptionRecord).where(
                    ExceptionRecord.kind == "send_failed", ExceptionRecord.status == "open"
                )
            ).all()
    finally:
        db.dispose()
    assert "messages release --partner acme-ltl --type 210" in run.stdout
    assert ("messages resend" in run.stdout) == bool(resends)

    # ACME's own store holds what the gateway delivered to it: the 204 and eight 997s
    acme = Database(f"sqlite:///{gateway.var / 'demo-acme' / 'acme.sqlite3'}")
    try:
        with acme.session() as s:
            received = s.scalars(select(Interchange).where(Interchange.direction == "in")).all()
            assert len(received) == 9
            assert all(r.transport == "as2" for r in received)
            keys_at_acme = [r.blob_key for r in received]
    finally:
        acme.dispose()
    blobs = BlobStore(gateway.var / "demo-acme" / "blobs")
    payloads = [blobs.read(key) for key in keys_at_acme]
    assert sum(b"ST*204*" in p for p in payloads) == 1
    assert sum(b"ST*997*" in p for p in payloads) == 8

    # the emulated Odoo: notes on the delivery, the PRO as tracking reference, one bill posted
    odoo = OdooClient(
        f"http://127.0.0.1:{gateway.emulator_port}", "edigw", "edigw-integration", "edigw"
    )
    try:
        (picking,) = odoo.search_read(
            "stock.picking",
            [["name", "=", "WH/OUT/00042"]],
            ["id", "carrier_tracking_ref", "carrier_price"],
        )
        assert picking["carrier_tracking_ref"] == "ACM778812"
        assert picking["carrier_price"] == pytest.approx(1200.0)
        bodies = [
            str(m["body"])
            for m in odoo.search_read(
                "mail.message",
                [["model", "=", "stock.picking"], ["res_id", "=", picking["id"]]],
                ["body"],
            )
        ]
        assert sum("via X12 214" in b for b in bodies) == 6
        # D1 with K1*SIGNED BY J MARTINEZ: the note names the signer
        assert any("Delivered" in b and "signed by J MARTINEZ" in b for b in bodies), bodies
        assert any("Load tender accepted" in b for b in bodies)
        bills = odoo.search_read(
            "account.move", [["ref", "=", "INV-7781"]], ["state", "amount_total"]
        )
        assert [(b["state"], b["amount_total"]) for b in bills] == [("posted", 1330.0)]
    finally:
        odoo.close()

    # played once per store: a second run says so and changes nothing
    again = gateway.demo()
    assert again.returncode == 1
    assert "already played" in again.stderr
    db = gateway.store()
    try:
        with db.session() as s:
            after = s.scalars(select(Interchange).where(Interchange.partner_id == "acme-ltl"))
            assert len(after.all()) == len(inbound) + len(acks) + 1
    finally:
        db.dispose()


def test_demo_never_creates_a_key_outside_a_demo_keys_folder(tmp_path: Path) -> None:
    real = tmp_path / "etc" / "edigw" / "keys"
    with pytest.raises(DemoKeyError, match="not a demo key"):
        ensure_identity("northwind", real / "as2-northwind.key", real / "as2-northwind.pem")
    assert not real.exists()
    with pytest.raises(DemoKeyError, match="not a file: reference"):
        ensure_scenario_keys("env:NORTHWIND_KEY", "file:x.pem", ["file:y.pem"])


def test_demo_keys_are_made_once_and_reused(tmp_path: Path) -> None:
    folder = tmp_path / "demo-keys"
    first = ensure_identity("acme", folder / "acme.key", folder / "acme.pem")
    again = ensure_identity("acme", folder / "acme.key", folder / "acme.pem")
    assert first.created and not again.created
    assert again.pair.certificate == first.pair.certificate
    # a certificate that no longer matches its key is made again, both files together
    other = ensure_identity("other", folder / "other.key", folder / "other.pem")
    shutil.copy(other.cert_path, folder / "acme.pem")
    remade = ensure_identity("acme", folder / "acme.key", folder / "acme.pem")
    assert remade.created and remade.pair.certificate != other.pair.certificate


@pytest.mark.slow
def test_demo_resends_a_tender_the_gateway_could_not_deliver(gateway: Gateway) -> None:
    """The gateway tenders before ACME's endpoint is up, so its delivery fails; the demo then
    sends it with `edigw messages resend` (not by waiting for the retry) and plays on."""
    db = gateway.store()
    deadline = time.monotonic() + 120
    try:
        while True:
            with db.session() as s:
                tender = s.scalars(
                    select(Interchange).where(
                        Interchange.direction == "out",
                        Interchange.transport_ref.like("odoo:stock.picking,%"),
                    )
                ).first()
                if tender is not None and tender.status in ("send_failed", "failed"):
                    tender_id = tender.id
                    break
            assert time.monotonic() < deadline, "the gateway never tried to deliver the tender"
            time.sleep(0.5)
    finally:
        db.dispose()
    run = gateway.demo()
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"messages resend {tender_id}` sends the stored 204 again" in run.stdout
    db = gateway.store()
    try:
        with db.session() as s:
            tender = s.get(Interchange, tender_id)
            assert tender is not None
            assert (tender.status, tender.ack_status) == ("sent", "accepted")
            kinds = [
                (e.kind, e.actor)
                for e in s.scalars(
                    select(Event).where(Event.interchange_id == tender_id).order_by(Event.id)
                )
            ]
            assert ("resend_requested", "demo") in kinds
            assert kinds.index(("resend_requested", "demo")) < kinds.index(("sent", "outbound"))
    finally:
        db.dispose()
    acme = Database(f"sqlite:///{gateway.var / 'demo-acme' / 'acme.sqlite3'}")
    try:
        with acme.session() as s:
            keys = [r.blob_key for r in s.scalars(select(Interchange))]
    finally:
        acme.dispose()
    blobs = BlobStore(gateway.var / "demo-acme" / "blobs")
    assert sum(b"ST*204*" in blobs.read(key) for key in keys) == 1
