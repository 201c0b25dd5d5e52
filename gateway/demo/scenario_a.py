"""Scenario A (../shared/SCENARIOS.md) played as ACME Freight against a running gateway:
the 204 tender for WH/OUT/00042 arrives at ACME's AS2 endpoint; ACME answers with a 997 and
a 990, sends the 214s of the trip and a 210 above tolerance; finance approves the detention
and the bill is posted. Each step says what happened and where to look.

ACME's files are the shipped samples (partner_profiles/examples/samples/acme-ltl-*.edi),
put in a fresh envelope with ACME's next control numbers, the 997 pointed at the tender the
gateway actually sent. Everything else is the running gateway's own work, seen through its
store and the emulated Odoo."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Select, select

from gateway.demo.acme import AcmeSide, Received
from gateway.demo.keys import ensure_scenario_keys
from gateway.runtime import Runtime
from gateway.store import Document, ExceptionRecord, Interchange
from gateway.store.models import AckStatus, Direction, InterchangeStatus
from partner_profiles.schema import PartnerProfile
from translators.core import Segment
from translators.x12 import Delimiters, Envelope, iter_transactions, write

PARTNER = "acme-ltl"
PICKING = "WH/OUT/00042"
SAMPLES = Path(__file__).resolve().parents[2] / "partner_profiles" / "examples" / "samples"
TRIP = ("x3", "af", "x6", "ag", "x1", "d1")
ACTOR = "demo"
FINAL_DOC_STATES = {"posted", "rejected", "exception", "failed"}


class DemoError(Exception):
    """The demo cannot go on; the message says why and what to do."""


@dataclass
class Outcome:
    """What the run produced, for the summary and the tests."""

    tender_id: int | None = None
    inbound_ids: dict[str, int] = field(default_factory=dict)  # sample name -> interchange
    acks_to_acme: int = 0
    exception_id: int | None = None
    bill: dict[str, Any] | None = None


def sample(name: str) -> bytes:
    path = SAMPLES / f"acme-ltl-{name}.edi"
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DemoError(f"sample file {path} cannot be read: {exc.strerror}") from None


def prepare_acme(runtime: Runtime, echo: Callable[[str], None]) -> tuple[PartnerProfile, AcmeSide]:
    """The acme-ltl profile, its demo keys (made when absent) and ACME's side, not started."""
    profile = runtime.profiles.get(PARTNER)
    if profile is None or profile.transports.as2 is None:
        raise DemoError(
            f"partner profile {PARTNER} with AS2 is not loaded from "
            f"{runtime.settings.effective_profiles_dir}"
        )
    as2 = profile.transports.as2
    keys = ensure_scenario_keys(as2.our_key, as2.our_certificate, as2.their_certificates)
    for identity in (keys.ours, keys.acme):
        verb = "created" if identity.created else "using"
        echo(
            f"demo keys: {verb} {identity.name}: {identity.key_path.resolve()} "
            f"+ {identity.cert_path.name}"
        )
    s = runtime.settings
    acme = AcmeSide(
        profile, keys, f"http://{s.http_host}:{s.http_port}/as2", s.var_dir / "demo-acme"
    )
    return profile, acme


class ScenarioA:
    def __init__(
        self,
        runtime: Runtime,
        *,
        echo: Callable[[str], None] = print,
        timeout: float = 90.0,
        cli: str = "edigw",
    ) -> None:
        self.runtime = runtime
        self.echo = echo
        self.timeout = timeout
        self.cli = cli
        s = runtime.settings
        self.gateway_url = f"http://{s.http_host}:{s.http_port}"
        self.outcome = Outcome()
        self.acme: AcmeSide | None = None

    # --- the story ------------------------------------------------------------------------

    def run(self) -> Outcome:
        self._check_gateway()
        profile, self.acme = prepare_acme(self.runtime, self.echo)
        try:
            self.acme.start()
            self.echo(f"ACME Freight's AS2 endpoint listens on {self.acme.url}")
            self._play(profile)
        finally:
            self.acme.stop()
        return self.outcome

    def _play(self, profile: PartnerProfile) -> None:
        assert self.acme is not None
        tender = self._tender()
        tender_data = self._tender_at_acme(tender)
        self._answer_tender(profile, tender, tender_data)
        self._step(
            "3b. ACME accepts the load with a 990",
            "the gateway posts it as a message on the delivery's chatter and sends a 997 back",
        )
        self._send_and_follow(profile, "990")
        self._show_notes(last=1)
        self._step(
            "4. ACME sends the trip's 214s, one interchange per milestone",
            "each is a note on the delivery; AF sets the PRO as tracking reference; D1's note "
            "names who signed for the goods; a 997 goes back to ACME for each",
        )
        for number, milestone in enumerate(TRIP, start=1):
            self._send_and_follow(profile, f"214-{number}-{milestone}")
        self._show_picking()
        self._show_notes(last=len(TRIP))
        self._invoice(profile)
        self._resolve()
        self._summary()

    def _check_gateway(self) -> None:
        try:
            answer = httpx.get(f"{self.gateway_url}/healthz", timeout=5)
        except httpx.HTTPError as exc:
            raise DemoError(
                f"no gateway answers on {self.gateway_url} ({exc.__class__.__name__}): start it "
                "with `make run` in another terminal, with the same EDIGW_* settings"
            ) from None
        if answer.status_code != 200:
            raise DemoError(f"the gateway on {self.gateway_url} is not healthy: {answer.text}")
        self.echo(f"gateway: {self.gateway_url} is up (store {self.runtime.db.url})")

    # --- 1-2: the tender ------------------------------------------------------------------

    def _tender(self) -> Interchange:
        self._step(
            f"1-2. Odoo's ready delivery {PICKING} is tendered to ACME (204 over AS2)",
            "the gateway's Odoo poll (every minute) turns it into a load tender",
        )
        pickings = self.runtime.odoo.client.search_read(
            "stock.picking", [["name", "=", PICKING]], ["id"]
        )
        if not pickings:
            raise DemoError(f"the emulated Odoo has no delivery {PICKING}")
        reference = f"odoo:stock.picking,{pickings[0]['id']}"
        tender: Interchange = self._wait(
            f"the gateway's Odoo poll to tender {PICKING}",
            lambda: self._one(
                select(Interchange).where(
                    Interchange.direction == Direction.OUTBOUND,
                    Interchange.transport_ref == reference,
                )
            ),
        )
        if tender.ack_status != AckStatus.PENDING and tender.status == InterchangeStatus.SENT:
            raise DemoError(
                f"scenario A was already played against this store: tender interchange "
                f"{tender.id} is {tender.status}, acknowledgement {tender.ack_status}. Look at it "
                f"with `{self.cli} messages list --partner {PARTNER}`; to play again, stop the "
                "gateway, remove its var directory (rm -rf var) and start `make run` again"
            )
        self.outcome.tender_id = tender.id
        return tender

    def _tender_at_acme(self, tender: Interchange) -> bytes:
        assert self.acme is not None
        if tender.status in (InterchangeStatus.SEND_FAILED, InterchangeStatus.FAILED):
            error = tender.meta.get("last_error", "not tried yet")
            self.echo(
                f"   the gateway could not deliver it before ACME's endpoint was up "
                f"(status {tender.status}: {error})"
            )
            self._resend_now(tender.id)
        received: Received = self._wait(
            "the 204 to reach ACME",
            lambda: (
                next((r for r in self.acme.received() if b"ST*204*" in r.data), None)
                if self.acme
                else None
            ),
        )
        sent: Interchange = self._wait(
            "the gateway to record the delivery",
            lambda: self._sent(tender.id),
        )
        self.echo(
            f"   204 interchange {sent.control_number} delivered to ACME over AS2 (signed, "
            f"encrypted; signed sync MDN verified), {len(received.data)} bytes; "
            f"acknowledgement due by {sent.ack_due_at:%H:%M} UTC"
        )
        self._look(f"messages show {tender.id}", "the tender's story: rendered, sent, acknowledged")
        return received.data

    def _sent(self, interchange_id: int) -> Interchange | None:
        ic = self._one(select(Interchange).where(Interchange.id == interchange_id))
        return ic if ic is not None and ic.status == InterchangeStatus.SENT else None

    def _resend_now(self, interchange_id: int) -> None:
        """The operator's "send it again now": `edigw messages resend ID`, which delivers the
        stored 204 at once and resolves a send_failed exception the retries left open."""
        from outbound.resend import ResendError, resend

        self.echo(
            f"   ACME's endpoint is up now: `{self.cli} messages resend {interchange_id}` "
            "sends the stored 204 again"
        )
        try:
            result = resend(self.runtime, interchange_id, by=ACTOR)
        except ResendError as exc:
            if self._sent(interchange_id) is not None:
                return  # the gateway's own retry got there first
            raise DemoError(f"resending the tender was refused: {exc}") from None
        if not result.delivered:
            raise DemoError(
                f"resending the tender over {result.transport} failed: {result.error}; "
                f"see `{self.cli} messages show {interchange_id}`"
            )
        self.echo(f"   delivered again over {result.transport}")
        for exception_id in result.resolved:
            self.echo(f"   exception #{exception_id} send_failed resolved: delivered now")

    # --- 3: ACME's answers ------------------------------------------------------------------

    def _answer_tender(self, profile: PartnerProfile, tender: Interchange, data: bytes) -> None:
        (tx,) = list(iter_transactions(data))
        group = tx.group.control_number
        number = tx.segments[0].get(2)
        self._step(
            "3. ACME acknowledges the 204 with a 997",
            f"AK1 names our group {group}, AK2 our 204 {number}: the tender turns `accepted`",
        )

        def point_at_tender(segments: list[Segment]) -> list[Segment]:
            out = []
            for s in segments:
                if s.tag == "AK1":
                    s = Segment("AK1", [s.get(1), group])
                elif s.tag == "AK2":
                    s = Segment("AK2", [s.get(1), number])
                out.append(s)
            return out

        self._send(profile, "997", edit=point_at_tender)
        accepted: Interchange = self._wait(
            "the gateway to match the 997 to its tender",
            lambda: self._one(
                select(Interchange).where(
                    Interchange.id == tender.id,
                    Interchange.ack_status != AckStatus.PENDING,
                )
            ),
        )
        self.echo(f"   tender interchange {accepted.id}: acknowledgement {accepted.ack_status}")
        if accepted.ack_status != AckStatus.ACCEPTED:
            raise DemoError(f"the 997 left the tender {accepted.ack_status}")

    def _send(
        self,
        profile: PartnerProfile,
        name: str,
        *,
        edit: Callable[[list[Segment]], list[Segment]] | None = None,
    ) -> Interchange:
        """ACME sends a sample in a fresh envelope; returns the gateway's inbound interchange."""
        assert self.acme is not None
        data, control = self._envelope(profile, sample(name), edit)
        result = self.acme.send(data, f"acme-{name}.edi")
        if not result.ok:
            raise DemoError(
                f"sending {name} over AS2 failed: {result.status}: {result.error}. If the "
                "gateway ran before the demo keys existed and was asked for ACME meanwhile, "
                "restart `make run` so that it reads them"
            )
        bare = result.message_id.strip("<>")
        ids = {result.message_id, bare, f"<{bare}>"}
        ic: Interchange = self._wait(
            f"the gateway to take in {name}",
            lambda: self._one(
                select(Interchange).where(
                    Interchange.direction == Direction.INBOUND,
                    Interchange.transport == "as2",
                    Interchange.transport_ref.in_(ids),
                )
            ),
        )
        self.outcome.inbound_ids[name] = ic.id
        self.echo(
            f"   ACME -> gateway: {name} as interchange {control:09d} over AS2, signed "
            f"MDN verified (MIC {result.mic[:12]}…); stored as interchange {ic.id}"
        )
        return ic

    def _send_and_follow(self, profile: PartnerProfile, name: str) -> list[Document]:
        """Send a sample, wait until its documents are settled and the 997 reached ACME."""
        ic = self._send(profile, name)
        docs: list[Document] = self._wait(
            f"the gateway to post {name}",
            lambda: self._settled(ic.id),
        )
        for doc in docs:
            target = f" (Odoo {doc.odoo_model},{doc.odoo_id})" if doc.odoo_model else ""
            self.echo(f"   document {doc.id}: {doc.doc_type} {doc.state}{target}")
            if doc.state != "posted":
                raise DemoError(
                    f"{name}: document {doc.id} ended {doc.state}; see `{self.cli} messages "
                    f"show {ic.id}` and `{self.cli} exceptions list`"
                )
        self._ack_reached_acme(ic.id)
        return docs

    def _settled(self, interchange_id: int) -> list[Document] | None:
        with self.runtime.db.session() as session:
            docs = list(
                session.scalars(
                    select(Document)
                    .where(Document.interchange_id == interchange_id)
                    .order_by(Document.position)
                )
            )
            session.expunge_all()
        if docs and all(d.state in FINAL_DOC_STATES for d in docs):
            return docs
        return None

    def _ack_reached_acme(self, interchange_id: int) -> None:
        assert self.acme is not None
        ack: Interchange = self._wait(
            "the gateway's 997 to reach ACME",
            lambda: self._one(
                select(Interchange).where(
                    Interchange.direction == Direction.OUTBOUND,
                    Interchange.status == InterchangeStatus.SENT,
                    Interchange.meta["acknowledges"].as_integer() == interchange_id,
                )
            ),
        )
        at_acme = [r for r in self.acme.received() if b"ST*997*" in r.data]
        self.outcome.acks_to_acme = len(at_acme)
        self.echo(
            f"   gateway -> ACME: 997 (interchange {ack.control_number}) delivered over AS2; "
            f"ACME has {len(at_acme)} 997(s) so far"
        )

    # --- 5-6: the invoice ---------------------------------------------------------------------

    def _invoice(self, profile: PartnerProfile) -> None:
        self._step(
            "5. ACME invoices: 210 for 1,330.00 (line haul 1,000.00 + fuel 180.00 + "
            "detention 150.00)",
            "tendered 1,200.00, tolerance 5 % / 50.00: the bill stays a draft and finance "
            "gets an invoice_mismatch exception",
        )
        ic = self._send(profile, "210")
        doc: Document = self._wait(
            "the gateway to route the invoice",
            lambda: (
                self._one(
                    select(Document).where(
                        Document.interchange_id == ic.id, Document.state == "queued"
                    )
                )
                or self._one(
                    select(Document).where(
                        Document.interchange_id == ic.id, Document.state.in_(FINAL_DOC_STATES)
                    )
                )
            ),
        )
        if (
            doc.state == "queued"
            and doc.next_attempt_at
            and doc.next_attempt_at > datetime.now(UTC)
        ):
            self.echo(
                f"   the invoice waits for the finance batch window (profile sla.210."
                f"batch_window), until {doc.next_attempt_at:%H:%M} UTC; finance closes the "
                f"window now with `{self.cli} messages release --partner {PARTNER} --type 210`"
            )
            self._close_batch_window()
        self._ack_reached_acme(ic.id)
        record: ExceptionRecord = self._wait(
            "the gateway to post the draft bill and open the exception",
            lambda: self._one(
                select(ExceptionRecord).where(
                    ExceptionRecord.kind == "invoice_mismatch",
                    ExceptionRecord.subject_type == "document",
                    ExceptionRecord.subject_id == str(doc.id),
                )
            ),
        )
        self.outcome.exception_id = record.id
        bill = self._bill()
        self.echo(
            f"   vendor bill {bill['name'] or '(draft)'}: {bill['amount_total']:.2f}, state "
            f"{bill['state']}"
        )
        self.echo(f"   exception #{record.id} {record.kind}: {record.message}")
        self._look(f"exceptions list --partner {PARTNER}", "what needs a person (open ones)")
        self._look(f"exceptions show {record.id}", "the charges compared, line by line")

    def _close_batch_window(self) -> None:
        """Finance's batch run, now: `edigw messages release`. The held invoice becomes due
        at once; the gateway posts it (its sweep, every 15 s, when the hand-over from this
        process reaches no worker)."""
        from inbound.release import ReleaseError, release_held

        try:
            released = release_held(self.runtime, PARTNER, doc_type="210", by=ACTOR)
        except ReleaseError as exc:
            raise DemoError(f"closing the batch window was refused: {exc}") from None
        for item in released:
            self.echo(
                f"   document {item.document_id} (210 {item.control_number}) released, "
                f"held until {item.held_until:%H:%M} UTC"
            )

    def _resolve(self) -> None:
        from inbound.followups import resolve

        assert self.outcome.exception_id is not None
        self._step(
            "6. Finance approves the detention and resolves the exception",
            f"the same as `{self.cli} exceptions resolve {self.outcome.exception_id} --note "
            "'detention approved'`: the draft bill is posted, no second bill",
        )
        resolve(
            self.runtime,
            self.outcome.exception_id,
            by="finance",
            note_text="detention approved",
        )
        bill = self._bill()
        self.outcome.bill = bill
        self.echo(
            f"   exception #{self.outcome.exception_id} resolved; bill {bill['name']} "
            f"{bill['amount_total']:.2f} is {bill['state']}"
        )
        self._look(f"exceptions show {self.outcome.exception_id}", "who resolved it, and the note")

    def _bill(self) -> dict[str, Any]:
        bills = self.runtime.odoo.client.search_read(
            "account.move", [["ref", "=", "INV-7781"]], ["name", "state", "amount_total"]
        )
        if len(bills) != 1:
            raise DemoError(f"expected one bill INV-7781 in Odoo, found {len(bills)}")
        return bills[0]

    # --- what to look at ----------------------------------------------------------------------

    def _show_picking(self) -> None:
        (picking,) = self.runtime.odoo.client.search_read(
            "stock.picking",
            [["name", "=", PICKING]],
            ["carrier_tracking_ref", "carrier_price", "date_done"],
        )
        self.echo(
            f"   Odoo {PICKING}: tracking reference {picking['carrier_tracking_ref']}, "
            f"tendered {picking['carrier_price']:.2f}"
        )

    def _show_notes(self, last: int) -> None:
        odoo = self.runtime.odoo.client
        (picking,) = odoo.search_read("stock.picking", [["name", "=", PICKING]], ["id"])
        notes = odoo.search_read(
            "mail.message",
            [["model", "=", "stock.picking"], ["res_id", "=", picking["id"]]],
            ["body"],
            order="id asc",
        )
        for entry in notes[-last:]:
            text = str(entry["body"]).replace("<p>", "").replace("</p>", " ").strip()
            self.echo(f"   note on {PICKING}: {text}")

    def _summary(self) -> None:
        self._step("7. The whole story, in the gateway", "every interchange, in order")
        ids = self.outcome.inbound_ids
        self._look(f"messages list --partner {PARTNER}", "the tender, ACME's files, our 997s")
        self._look(f"messages show {ids['214-6-d1']}", "one 214's story: received to posted")
        self._look(f"messages show {ids['210']}", "the invoice: held, posted as draft, released")
        self._look(f"exceptions list --all --partner {PARTNER}", "the invoice_mismatch, resolved")
        s = self.runtime.settings
        odoo = s.odoo_url or f"http://127.0.0.1:{s.emulator_port}"
        self.echo(
            f"   the notes and the bill are in the emulated Odoo at {odoo} (database "
            f"{s.odoo_db}), read over JSON-RPC as from a real Odoo"
        )
        self.echo("scenario A played: tender accepted, trip delivered, invoice approved")

    # --- helpers ------------------------------------------------------------------------------

    def _step(self, title: str, what: str) -> None:
        self.echo("")
        self.echo(f"== {title}")
        self.echo(f"   {what}")

    def _look(self, command: str, what: str) -> None:
        self.echo(f"   look: {self.cli} {command:40} # {what}")

    def _one(self, query: Select[Any]) -> Any:
        with self.runtime.db.session() as session:
            row = session.scalars(query.limit(1)).first()
            if row is not None:
                session.expunge(row)
            return row

    def _wait(self, what: str, probe: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + self.timeout
        while True:
            found = probe()
            if found:
                return found
            if time.monotonic() > deadline:
                raise DemoError(
                    f"gave up after {self.timeout:.0f} s waiting for {what}; the gateway's log "
                    f"and `{self.cli} messages list` / `{self.cli} exceptions list` say more"
                )
            time.sleep(0.2)

    def _envelope(
        self,
        profile: PartnerProfile,
        data: bytes,
        edit: Callable[[list[Segment]], list[Segment]] | None,
    ) -> tuple[bytes, int]:
        """The sample's transaction sets in a new interchange from ACME, with its next
        control number (a file sent twice with one number is a duplicate, by design)."""
        assert self.acme is not None
        sets = [[Segment(s.tag, list(s.elements)) for s in tx.segments] for tx in
                iter_transactions(data)]  # fmt: skip
        if not sets:
            raise DemoError("a sample file holds no transaction set")
        first = next(iter(iter_transactions(data)))
        if edit is not None:
            sets = [edit(s) for s in sets]
        theirs, ours = profile.envelope.theirs, profile.envelope.ours
        number = self.acme.next_control_number()
        envelope = Envelope(
            sender_id=theirs.isa_id or "",
            sender_qualifier=theirs.isa_qualifier or "ZZ",
            receiver_id=ours.isa_id or "",
            receiver_qualifier=ours.isa_qualifier or "ZZ",
            application_sender=theirs.gs_id,
            application_receiver=ours.gs_id,
            control_number=number,
            group_control_number=number,
            functional_id=first.group.functional_id,
            version=first.group.version,
            test_indicator=first.interchange.test_indicator or "P",
        )
        return write(sets, envelope, Delimiters(suffix="\n")), number
