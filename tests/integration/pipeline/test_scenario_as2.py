"""Scenario A end to end over AS2 (signed, encrypted, signed sync MDNs) between our gateway
and ACME's, both real HTTP servers on loopback: the Odoo poll tenders WH/OUT/00042 with a
204; ACME answers with a 997, a 990, the 214s of the whole trip and a 210 above tolerance;
each comes back acknowledged with a 997; finance approves the detention and the bill posts;
`edigw messages show` tells each interchange's story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from gateway.as2.client import send
from gateway.as2.config import PartnerAs2Config
from gateway.cli import main as cli
from gateway.store import Interchange
from gateway.web import create_app
from inbound.followups import resolve
from outbound.tenders import poll_odoo_tenders
from tests.integration.as2.conftest import serve, start_gateway
from tests.integration.as2.pki import make_identity
from tests.integration.pipeline import edi
from tests.integration.pipeline.harness import example_profile, gateway

pytestmark = pytest.mark.integration


def test_scenario_a_over_as2(tmp_path: Path, fresh_pg_url: str) -> None:
    ours = make_identity("northwind", tmp_path)
    theirs = make_identity("acme", tmp_path)
    acme_gw = start_gateway("acme", tmp_path)  # ACME's own AS2 server and store
    profile = example_profile("acme-ltl")
    profile["sla"]["210"].pop("batch_window")
    profile["transports"] = {
        "as2": {
            "our_as2_id": "NORTHWIND-EDI",
            "their_as2_id": "ACMEFREIGHT",
            "url": f"{acme_gw.url}/as2",
            "our_key": f"file:{ours.key_path}",
            "our_certificate": f"file:{ours.cert_path}",
            "their_certificates": [f"file:{theirs.cert_path}"],
            "sign": True,
            "encrypt": True,
            "encryption_algorithm": "aes256_gcm",  # with OAEP: what current products offer
            "key_transport": "rsa_oaep_sha256",
            "mdn": {"mode": "sync", "signed": True},
        }
    }
    try:
        with gateway(tmp_path, fresh_pg_url, [profile]) as gw:
            url, server, thread = serve(create_app(gw.runtime))
            # ACME's side of the agreement: us as its partner
            to_us = PartnerAs2Config(
                partner_id="northwind",
                partner_as2_id="NORTHWIND-EDI",
                our_as2_id="ACMEFREIGHT",
                our_keys=[theirs.pair],
                partner_certificates=[ours.pair.certificate],
                url=f"{url}/as2",
                require_signed=True,
                require_encrypted=True,
            )
            acme_gw.directory.add(to_us)
            try:
                _run_scenario(gw, acme_gw, to_us)
            finally:
                server.should_exit = True
                thread.join(timeout=10)
    finally:
        acme_gw.stop()


def _acme_sends(acme_gw, to_us, gw, data: bytes, name: str) -> int:
    result = send(acme_gw.runtime, to_us, data, name)
    assert result.ok, result.as_dict()  # our signed MDN verified, MIC matched
    gw.settle()
    with gw.runtime.db.session() as s:
        ic = s.scalars(
            select(Interchange)
            .where(Interchange.direction == "in", Interchange.transport == "as2")
            .order_by(Interchange.id.desc())
        ).first()
        assert ic is not None
        return ic.id


def _run_scenario(gw, acme_gw, to_us: PartnerAs2Config) -> None:
    # 1-2: the Odoo poll tenders the ready delivery; the 204 reaches ACME over AS2
    assert poll_odoo_tenders(gw.runtime) == {"acme-ltl": 1}
    gw.settle()
    with gw.runtime.db.session() as s:
        (tender,) = s.scalars(select(Interchange).where(Interchange.direction == "out")).all()
    assert tender.status == "sent" and tender.ack_status == "pending"
    with acme_gw.runtime.db.session() as s:
        (at_acme,) = s.scalars(select(Interchange)).all()
    assert b"ST*204*" in acme_gw.runtime.blobs.read(at_acme.blob_key)
    (tender_doc,) = gw.documents(tender.id)

    # 3: ACME's 997 accepts it, its 990 accepts the load
    ack = edi.acme_interchange(
        [
            edi.ack_997(
                "0001", tender.meta["group_control_number"], [("204", tender_doc.control_number)]
            )
        ],
        control=700,
        functional_id="FA",
    )
    _acme_sends(acme_gw, to_us, gw, ack, "997.edi")
    assert gw.interchange(tender.id).ack_status == "accepted"
    accept = edi.transaction(
        "0001", ["ST*990*0001", "B1*ACMF*WH/OUT/00042*20261128*A", "N9*CN*ACM778812"]
    )
    response = edi.acme_interchange([accept], control=701, functional_id="GF")
    accepted_id = _acme_sends(acme_gw, to_us, gw, response, "990.edi")
    assert [(d.doc_type, d.state) for d in gw.documents(accepted_id)] == [("990", "posted")]

    # 4: the trip, one 214 interchange per milestone, each acknowledged with a 997 to ACME
    trip = [
        ("X3", "0800", ()),
        ("AF", "0930", ()),
        ("X6", "1200", ()),
        ("AG", "1300", ()),
        ("X1", "1530", ()),
        ("D1", "1545", ()),
    ]
    status_ids = []
    for n, (code, time, extra) in enumerate(trip):
        data = edi.acme_interchange(
            [edi.status_214("0001", code, time=time, extra=extra)],
            control=710 + n,
            functional_id="QM",
        )
        status_ids.append(_acme_sends(acme_gw, to_us, gw, data, f"214-{code}.edi"))
    for interchange_id in status_ids:
        assert [d.state for d in gw.documents(interchange_id)] == ["posted"]
    with gw.odoo() as odoo:
        (picking,) = odoo.search_read(
            "stock.picking",
            [["name", "=", "WH/OUT/00042"]],
            ["carrier_tracking_ref", "carrier_price"],
        )
        notes = odoo.search_read("mail.message", [["model", "=", "stock.picking"]], ["body"])
    assert picking["carrier_tracking_ref"] == "ACM778812"
    milestones = [str(n["body"]) for n in notes if "X12 214" in str(n["body"])]
    assert len(milestones) == 6 and any(m.startswith("<p>Delivered") for m in milestones)
    acks_at_acme = _acks_received_by(acme_gw)
    # one 997 for the 990 and one per 214 interchange; ACME's own 997 is not acknowledged
    assert len(acks_at_acme) == 7
    # 5: the 210 above tolerance stays a draft with an invoice_mismatch exception
    charges = [("400", "100000"), ("FUE", "18000"), ("DTN", "15000")]
    invoice = edi.acme_interchange(
        [edi.invoice_210("0001", "INV-7781", charges)], control=720, functional_id="IM"
    )
    _acme_sends(acme_gw, to_us, gw, invoice, "210.edi")
    (mismatch,) = gw.exceptions("invoice_mismatch")
    # 6: finance approves the detention; the same bill is posted, no second one
    resolve(gw.runtime, mismatch.id, by="finance", note_text="detention approved")
    with gw.odoo() as odoo:
        bills = odoo.search_read("account.move", [["ref", "=", "INV-7781"]], ["state"])
    assert [b["state"] for b in bills] == ["posted"]
    # 7: the story of an interchange, in order
    shown = CliRunner(env=_cli_env(gw)).invoke(
        cli, ["messages", "show", str(status_ids[-1]), "--json"]
    )
    assert shown.exit_code == 0, shown.output
    story = json.loads(shown.output)
    kinds = [entry["what"] for entry in story["timeline"]]
    assert kinds.index("received") < kinds.index("enveloped") < kinds.index("posted")
    assert "acknowledgement_rendered" in kinds


def _acks_received_by(acme_gw) -> list[bytes]:
    with acme_gw.runtime.db.session() as s:
        rows = s.scalars(select(Interchange).order_by(Interchange.id)).all()
    return [data for r in rows if b"ST*997*" in (data := acme_gw.runtime.blobs.read(r.blob_key))]


def _cli_env(gw) -> dict[str, str]:
    s = gw.runtime.settings
    return {
        "EDIGW_DATABASE_URL": s.effective_database_url,
        "EDIGW_VAR_DIR": str(s.var_dir),
        "EDIGW_PROFILES_DIR": str(s.profiles_dir),
    }
