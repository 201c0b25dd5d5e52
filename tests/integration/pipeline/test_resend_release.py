"""The operator's two levers, run as `edigw` commands against a live store:

- `edigw messages resend ID`: an outbound interchange whose transport refused it (here the
  partner's hosted mailbox cannot take files) runs out of retries and opens a `send_failed`
  exception; resending while the cause is still there fails and says why, resending after the
  fix delivers the stored file, records the request and resolves the exception; inbound,
  unknown and acknowledged interchanges are refused.
- `edigw messages release --partner ID [--type 210]`: invoices held for the profile's
  batch window (PostgreSQL, the in-process pipeline, the Odoo emulator over HTTP) are made
  due and posted at once, with an event each; documents waiting for a retry, of another
  type or another partner stay where they are."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from gateway.cli import main as cli
from gateway.intake import take_in
from gateway.runtime import Runtime
from gateway.store import Document, Event, ExceptionRecord, Interchange
from outbound.deliver import MAX_ATTEMPTS, deliver
from tests.integration.pipeline import edi
from tests.integration.pipeline.harness import cli_runtime, example_profile, gateway

pytestmark = pytest.mark.integration

STATUS = {
    "record_type": "shipment_status",
    "shipment_id": "RC-5501",
    "carrier_scac": "NWDL",
    "references": {"po": ["PO-88"]},
    "events": [
        {"milestone": "delivered", "time": "2026-11-28T15:45:00+00:00", "pod_name": "J SMITH"}
    ],
}


# --- resend ------------------------------------------------------------------------------------


def _events(runtime: Runtime, interchange_id: int) -> list[Event]:
    with runtime.db.session() as s:
        return list(
            s.scalars(
                select(Event).where(Event.interchange_id == interchange_id).order_by(Event.id)
            )
        )


def _block_mailbox(env: dict[str, str]) -> Path:
    """The partner's hosted outbound folder cannot be made: a plain file holds its name, so
    every delivery into it fails in the transport."""
    mailbox = Path(env["EDIGW_VAR_DIR"]) / "sftp" / "retail-co"
    mailbox.mkdir(parents=True, exist_ok=True)
    blocker = mailbox / "outbound"
    blocker.write_text("not a folder")
    return blocker


def _run_out_of_retries(runtime: Runtime, interchange_id: int) -> None:
    """Let every retry come due and fail, as the sweep would over the next half hour."""
    for _ in range(MAX_ATTEMPTS):
        with runtime.db.session() as s:
            ic = s.get(Interchange, interchange_id)
            assert ic is not None
            if ic.status == "failed":
                return
            ic.meta = {**ic.meta, "next_attempt_at": datetime.now(UTC).isoformat()}
        deliver(runtime, interchange_id)


def test_resend_after_the_fix_delivers_and_resolves_send_failed(
    tmp_path: Path, env: dict[str, str]
) -> None:
    runner = CliRunner(env=env)
    blocker = _block_mailbox(env)
    record = tmp_path / "status.json"
    record.write_text(json.dumps(STATUS))
    sent = runner.invoke(cli, ["send", str(record), "--partner", "retail-co"])
    assert sent.exit_code == 0, sent.output
    assert sent.output.rstrip().endswith("send_failed")
    listed = runner.invoke(cli, ["messages", "list", "--partner", "retail-co", "--json"])
    (row,) = [json.loads(line) for line in listed.output.splitlines()]
    ic_id = int(row["id"])

    runtime = cli_runtime(env)
    try:
        _run_out_of_retries(runtime, ic_id)
        with runtime.db.session() as s:
            ic = s.get(Interchange, ic_id)
            assert ic is not None and ic.status == "failed"
            (exc,) = s.scalars(select(ExceptionRecord)).all()
            assert (exc.kind, exc.status) == ("send_failed", "open")
            assert exc.next_action is not None
            assert f"edigw messages resend {ic_id}" in exc.next_action

        # the cause is still there: the resend fails, says why, and the retries resume
        still = runner.invoke(cli, ["messages", "resend", str(ic_id), "--by", "ops"])
        assert still.exit_code == 1
        assert "was not delivered over sftp_mailbox" in still.output
        assert "the gateway retries it" in still.output
        with runtime.db.session() as s:
            ic = s.get(Interchange, ic_id)
            assert ic is not None and ic.status == "send_failed"
            assert ic.meta["attempts"] == 1 and ic.meta["next_attempt_at"]
            assert s.get(ExceptionRecord, exc.id).status == "open"  # type: ignore[union-attr]

        # the partner's mailbox is fixed: the stored file goes out as it was rendered
        blocker.unlink()
        fixed = runner.invoke(cli, ["messages", "resend", str(ic_id), "--by", "ops"])
        assert fixed.exit_code == 0, fixed.output
        assert f"interchange {ic_id} delivered again over sftp_mailbox: sent" in fixed.output
        assert f"exception #{exc.id} send_failed resolved" in fixed.output
        (placed,) = (Path(env["EDIGW_VAR_DIR"]) / "sftp" / "retail-co" / "outbound").iterdir()
        with runtime.db.session() as s:
            ic = s.get(Interchange, ic_id)
            assert ic is not None and ic.status == "sent" and ic.ack_status == "pending"
            assert placed.read_bytes() == runtime.blobs.read(ic.blob_key)
            closed = s.get(ExceptionRecord, exc.id)
            assert closed is not None and closed.status == "resolved"
            assert closed.resolved_by == "ops" and "resend" in (closed.resolution_note or "")
            (doc,) = s.scalars(select(Document).where(Document.interchange_id == ic_id))
            assert doc.state == "sent"
        kinds = [(e.kind, e.actor, e.from_state, e.to_state) for e in _events(runtime, ic_id)]
        requests = [k for k in kinds if k[0] == "resend_requested"]
        assert requests == [
            ("resend_requested", "ops", "failed", "send_failed"),
            ("resend_requested", "ops", None, None),  # it was send_failed already
        ]
        assert kinds[-1][0] == "sent"
        assert kinds.index(requests[-1]) < len(kinds) - 1
    finally:
        runtime.close()

    # delivered already: only on request, and the same bytes land on the same name
    again = runner.invoke(cli, ["messages", "resend", str(ic_id)])
    assert again.exit_code == 1 and "add --again" in again.output
    forced = runner.invoke(cli, ["messages", "resend", str(ic_id), "--again"])
    assert forced.exit_code == 0, forced.output
    shown = runner.invoke(cli, ["messages", "show", str(ic_id)])
    assert shown.output.count("resend_requested") == 3


def test_resend_refuses_what_it_cannot_send(tmp_path: Path, env: dict[str, str]) -> None:
    runner = CliRunner(env=env)
    record = tmp_path / "status.json"
    record.write_text(json.dumps(STATUS))
    assert runner.invoke(cli, ["send", str(record), "--partner", "retail-co"]).exit_code == 0
    runtime = cli_runtime(env)
    try:
        with runtime.db.session() as s:
            (out,) = s.scalars(select(Interchange)).all()
            out.ack_status = "accepted"  # retail-co's 999 accepted it
            out_id = out.id
        inbound = take_in(
            runtime, b"ISA*00*...", transport="sftp", transport_ref="/inbound/x.edi",
            delivery_key="x.edi:10",
        ).interchange_id  # fmt: skip
    finally:
        runtime.close()
    acknowledged = runner.invoke(cli, ["messages", "resend", str(out_id), "--again"])
    assert acknowledged.exit_code == 1
    assert "the partner acknowledged it (accepted): nothing to send again" in acknowledged.output
    received = runner.invoke(cli, ["messages", "resend", str(inbound)])
    assert received.exit_code == 1
    assert "is inbound: a received file is interpreted again with `edigw messages replay " in (
        received.output
    )
    missing = runner.invoke(cli, ["messages", "resend", "999"])
    assert missing.exit_code == 1 and "no interchange 999" in missing.output


# --- release -----------------------------------------------------------------------------------


def _held(gw_runtime: Runtime) -> list[Document]:
    with gw_runtime.db.session() as s:
        return list(
            s.scalars(
                select(Document).where(
                    Document.state == "queued", Document.next_attempt_at > datetime.now(UTC)
                )
            )
        )


def test_release_posts_held_invoices_now_and_leaves_the_rest(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    profile = example_profile("acme-ltl")
    assert profile["sla"]["210"]["batch_window"] == "1h"
    invoices = edi.acme_interchange(
        [
            edi.invoice_210("0001", "INV-1", [("400", "100000")]),
            edi.invoice_210("0002", "INV-2", [("400", "110000")]),
        ],
        control=610,
        functional_id="IM",
    )
    status = edi.acme_interchange([edi.status_214("0001", "X6")], control=611, functional_id="QM")
    with gateway(tmp_path, fresh_pg_url, [profile]) as gw:
        ic_invoices = gw.receive(invoices, "inv.edi").interchange_id
        assert [d.state for d in gw.documents(ic_invoices)] == ["queued", "queued"]
        gw.odoo_down()  # this 214 fails and waits for its retry: not a batch hold
        ic_status = gw.receive(status, "st.edi").interchange_id
        gw.odoo_up()
        (waiting,) = gw.documents(ic_status)
        assert waiting.state == "retrying" and waiting.next_attempt_at is not None
        assert len(_held(gw.runtime)) == 2

        runner = CliRunner(
            env={
                "EDIGW_VAR_DIR": str(tmp_path / "var"),  # the same blobs
                "EDIGW_PROFILES_DIR": str(gw.profiles_dir),
                "EDIGW_DATABASE_URL": fresh_pg_url,
                "EDIGW_ODOO_URL": gw.odoo_handle.url,
            }
        )
        release = ["messages", "release", "--partner", "acme-ltl"]
        other = runner.invoke(cli, [*release, "--type", "214"])
        assert other.exit_code == 0, other.output
        assert "no 214 documents of acme-ltl are held for a batch window" in other.output
        nobody = runner.invoke(cli, ["messages", "release", "--partner", "nobody"])
        assert nobody.exit_code == 1 and "partner profile 'nobody' is not loaded" in nobody.output

        released = runner.invoke(cli, [*release, "--type", "210", "--by", "finance"])
        assert released.exit_code == 0, released.output
        lines = [line for line in released.output.splitlines() if line.startswith("document")]
        assert len(lines) == 2
        assert all("210" in line and "released: posted" in line for line in lines)
        gw.settle()
        docs = gw.documents(ic_invoices)
        assert [d.state for d in docs] == ["posted", "posted"]
        assert all(d.odoo_model == "account.move" for d in docs)
        with gw.runtime.db.session() as s:
            closed = list(
                s.scalars(
                    select(Event)
                    .where(Event.kind == "batch_window_closed")
                    .order_by(Event.document_id)
                )
            )
        assert [e.document_id for e in closed] == [d.id for d in docs]
        assert all(e.actor == "finance" and e.interchange_id == ic_invoices for e in closed)
        for event in closed:
            held_until = datetime.fromisoformat(event.detail["held_until"])
            assert held_until - datetime.now(UTC) > timedelta(minutes=50)
            assert event.detail["queue"] == "finance"
        (still,) = gw.documents(ic_status)
        assert still.state == "retrying"  # its backoff is its own
        with gw.odoo() as odoo:
            bills = odoo.search_read("account.move", [["ref", "in", ["INV-1", "INV-2"]]], ["ref"])
        assert sorted(b["ref"] for b in bills) == ["INV-1", "INV-2"]

        again = runner.invoke(cli, release)
        assert again.exit_code == 0 and "no documents of acme-ltl are held" in again.output


def test_release_without_a_running_worker_leaves_them_due_for_the_sweep(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    """A release whose hand-over reaches no worker (a lost broker message) still made the
    documents due: the next sweep posts them."""
    from inbound.release import release_held

    profile = example_profile("acme-ltl")
    invoices = edi.acme_interchange(
        [edi.invoice_210("0001", "INV-3", [("400", "100000")])], control=620, functional_id="IM"
    )
    with gateway(tmp_path, fresh_pg_url, [profile]) as gw:
        ic = gw.receive(invoices, "inv.edi").interchange_id
        lost: list[tuple[object, ...]] = []
        gw.runtime.enqueue = lambda name, *args, **options: lost.append((name, *args))
        (item,) = release_held(gw.runtime, "acme-ltl", doc_type="210", by="ops")
        assert lost == [("inbound.post_document", item.document_id)]
        (doc,) = gw.documents(ic)
        assert doc.state == "queued" and doc.next_attempt_at is not None
        assert doc.next_attempt_at <= datetime.now(UTC)
        gw.runtime.enqueue = gw.dispatcher.enqueue
        assert gw.sweep()["documents"] == 1
        (doc,) = gw.documents(ic)
        assert doc.state == "posted"
