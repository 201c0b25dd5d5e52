"""The onboarding dry-run: sample files through one partner's profile, nothing sent or posted.

Each file goes through what the gateway would do with it: standard and envelope checks,
partner identification from the envelope ids, validation with the partner's overlay, the
acknowledgement the profile asks for, translation to canonical records with the partner's
code tables, and what the profile says would happen in Odoo. Pure code over bytes; the CLI
(`edigw partner test`) reads the files and prints the result."""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from partner_profiles.errors import PartnerResolutionError
from partner_profiles.resolution import ProfileIndex
from partner_profiles.schema import PartnerProfile
from translators.canonical.models import (
    CanonicalRecord,
    FreightInvoice,
    FunctionalAck,
    LoadTender,
    ShipmentStatus,
    Source,
    TenderResponse,
)
from translators.canonical.vocab import Milestone
from translators.core.issues import NotEdiError, Severity
from translators.core.report import AnalysisReport, InterchangeReport, Status, TransactionReport
from translators.core.segment import Segment
from translators.engine import sniff
from translators.maps import to_canonical

ACK_TYPES = frozenset({"997", "999", "TA1", "CONTRL", "APERAK"})


class Outcome(enum.StrEnum):
    REJECT = "reject"  # the gateway would refuse this (exit status 1)
    WARNING = "warning"  # it would go through, but not as the profile intends
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    outcome: Outcome
    stage: str  # file, envelope, partner, validation, acknowledgement, translation, odoo
    message: str
    interchange: str | None = None  # an interchange-level finding: its control number

    def to_dict(self) -> dict[str, str | None]:
        return {
            "outcome": self.outcome.value,
            "stage": self.stage,
            "message": self.message,
            "interchange": self.interchange,
        }


@dataclass
class TransactionResult:
    interchange: str | None  # interchange control number
    group: str | None
    type: str | None
    version: str | None
    control_number: str | None
    status: Status
    report: TransactionReport
    findings: list[Finding] = field(default_factory=list)
    canonical: dict[str, Any] | None = None
    odoo: list[str] = field(default_factory=list)  # what would happen in Odoo, in words

    @property
    def rejected(self) -> bool:
        return self.status is Status.REJECTED or any(
            f.outcome is Outcome.REJECT for f in self.findings
        )

    def summary(self) -> str:
        """One line for the summary table."""
        reject = next((f for f in self.findings if f.outcome is Outcome.REJECT), None)
        if reject is not None:
            return reject.message
        if self.status is Status.REJECTED:
            error = next((i for i in self.report.issues if i.severity is Severity.ERROR), None)
            where = error.location.describe() if error else ""
            return (
                f"{error.message} ({where})"
                if error and where
                else (error.message if error else "")
            )
        if self.odoo:
            return self.odoo[0]
        return "translated" if self.canonical else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "interchange": self.interchange,
            "group": self.group,
            "type": self.type,
            "version": self.version,
            "control_number": self.control_number,
            "status": self.status.value,
            "rejected": self.rejected,
            "errors": [i.to_dict() for i in self.report.issues],
            "findings": [f.to_dict() for f in self.findings],
            "canonical": self.canonical,
            "odoo": list(self.odoo),
        }


@dataclass
class FileResult:
    name: str
    standard: str | None = None
    findings: list[Finding] = field(default_factory=list)
    interchanges: list[InterchangeReport] = field(default_factory=list)
    file_issues: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[TransactionResult] = field(default_factory=list)
    acknowledgement: bytes | None = None

    @property
    def rejected(self) -> bool:
        return any(f.outcome is Outcome.REJECT for f in self.findings) or any(
            t.rejected for t in self.transactions
        )

    def envelope_findings(self, tx: TransactionResult) -> list[Finding]:
        """File findings that apply to `tx`: file-wide ones and its interchange's."""
        return [f for f in self.findings if f.interchange in (None, tx.interchange)]

    def verdict(self, tx: TransactionResult) -> tuple[bool, list[Finding]]:
        """Whether the gateway would reject `tx` (its own findings or its interchange's),
        and every finding that concerns it, rejections first."""
        findings = [*self.envelope_findings(tx), *tx.findings]
        findings.sort(key=lambda f: f.outcome is not Outcome.REJECT)
        return tx.rejected or any(f.outcome is Outcome.REJECT for f in findings), findings

    @property
    def warnings(self) -> int:
        return sum(f.outcome is Outcome.WARNING for f in self.findings) + sum(
            f.outcome is Outcome.WARNING for t in self.transactions for f in t.findings
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "standard": self.standard,
            "rejected": self.rejected,
            "findings": [f.to_dict() for f in self.findings],
            "interchanges": [
                {k: v for k, v in ic.to_dict().items() if k != "groups"} for ic in self.interchanges
            ],
            "file_errors": self.file_issues,
            "transactions": [t.to_dict() for t in self.transactions],
            "acknowledgement": (
                self.acknowledgement.decode("latin-1") if self.acknowledgement is not None else None
            ),
        }


# --- the engines, by standard ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Parsed:
    type: str
    control_number: str
    segments: list[Segment]


def _segments(standard: str, data: bytes, profile: PartnerProfile) -> Iterator[_Parsed]:
    """Each transaction / message with its segments, in file order (as the reports list them)."""
    overlay = profile.overlay()
    if standard == "x12":
        from translators.x12 import iter_transactions

        for t in iter_transactions(data, overlay=overlay):
            yield _Parsed(t.set_id, t.control_number, t.segments)
    else:
        from translators.edifact import iter_messages

        for m in iter_messages(data, overlay=overlay):
            yield _Parsed(m.type, m.reference, m.segments())


def _acknowledger(standard: str) -> Callable[..., bytes] | None:
    """The engine's `acknowledge(data, overlay=...)`, if this build of the engine has one."""
    module = importlib.import_module(f"translators.{standard}")
    found = getattr(module, "acknowledge", None)
    return found if callable(found) else None


# --- the stages --------------------------------------------------------------------------------


def _describe_sender(ic: InterchangeReport, group_senders: Sequence[str | None]) -> str:
    if ic.standard == "x12":
        groups = ", ".join(sorted({g for g in group_senders if g}))
        return f"{ic.sender_qualifier}/{ic.sender_id}" + (f" (GS {groups})" if groups else "")
    return f"{ic.sender_qualifier + ':' if ic.sender_qualifier else ''}{ic.sender_id}"


def _ic_finding(ic: InterchangeReport, outcome: Outcome, stage: str, message: str) -> Finding:
    return Finding(outcome, stage, message, ic.control_number)


def _check_envelope(profile: PartnerProfile, ic: InterchangeReport, result: FileResult) -> None:
    n = ic.control_number or "?"
    if not ic.enveloped:
        if not profile.validation.allow_unenveloped:
            result.findings.append(
                _ic_finding(
                    ic,
                    Outcome.REJECT,
                    "envelope",
                    "a transaction without an envelope: the profile does not allow it"
                    " (validation.allow_unenveloped)",
                )
            )
        return
    if ic.status is Status.REJECTED:
        first = next((i for i in ic.issues if i.severity is Severity.ERROR), None)
        result.findings.append(
            _ic_finding(
                ic,
                Outcome.REJECT,
                "envelope",
                f"interchange {n} would be rejected as a whole"
                + (f": {first.message}" if first else ""),
            )
        )
    index = ProfileIndex([profile])
    group_senders = [g.sender_id for g in ic.groups]
    try:
        if ic.standard == "x12":
            for gs in group_senders or [None]:
                index.resolve_x12(ic.sender_qualifier, ic.sender_id, gs)
        else:
            index.resolve_edifact(ic.sender_id, ic.sender_qualifier)
    except PartnerResolutionError:
        result.findings.append(
            _ic_finding(
                ic,
                Outcome.REJECT,
                "partner",
                f"interchange {n} is from {_describe_sender(ic, group_senders)}, but"
                f" {profile.id} is {profile.describe_envelope()}: the gateway would not know"
                " the sender (fix envelope.theirs or the sample)",
            )
        )
    ours = profile.envelope.ours
    if ic.standard == "x12":
        expected = (ours.isa_qualifier or "", (ours.isa_id or "").upper())
        got = ((ic.receiver_qualifier or "").strip(), (ic.receiver_id or "").strip().upper())
        receivers = {(g.receiver_id or "").strip() for g in ic.groups if g.receiver_id}
        bad_gs = sorted(r for r in receivers if r.upper() != (ours.gs_id or "").upper())
        shown = f"{ours.isa_qualifier}/{ours.isa_id}, GS {ours.gs_id}"
    else:
        expected = (ours.unb_qualifier or "", (ours.unb_id or "").upper())
        got = ((ic.receiver_qualifier or "").strip(), (ic.receiver_id or "").strip().upper())
        if not got[0] or not expected[0]:
            expected, got = ("", expected[1]), ("", got[1])  # qualifiers are often left out
        bad_gs = []
        shown = f"{ours.unb_qualifier + ':' if ours.unb_qualifier else ''}{ours.unb_id}"
    if got != expected or bad_gs:
        addressed = f"{got[0]}/{got[1]}" if got[0] else got[1]
        if bad_gs:
            addressed += f" (GS {', '.join(bad_gs)})"
        result.findings.append(
            _ic_finding(
                ic,
                Outcome.REJECT,
                "envelope",
                f"interchange {n} is addressed to {addressed}, but we are {shown} for"
                f" {profile.id} (envelope.ours)",
            )
        )
    indicator = (ic.test_indicator or "").strip().upper()
    is_test = indicator in ("T", "1") if ic.standard == "edifact" else indicator == "T"
    if ic.standard == "x12" and indicator == "I":
        is_test = True
    if is_test and profile.outbound.usage == "production":
        result.findings.append(
            _ic_finding(
                ic,
                Outcome.WARNING,
                "envelope",
                f"interchange {n} is marked as a test ("
                + ("ISA-15 " if ic.standard == "x12" else "UNB 0035 ")
                + f"{indicator}) while the profile expects production (outbound.usage): the"
                " gateway would not post it to Odoo",
            )
        )
    elif not is_test and profile.outbound.usage == "test":
        result.findings.append(
            _ic_finding(
                ic,
                Outcome.WARNING,
                "envelope",
                f"interchange {n} is marked production while the profile is set to test"
                " (outbound.usage)",
            )
        )


def _check_type(profile: PartnerProfile, tx: TransactionResult) -> None:
    doc_type = tx.type or ""
    if doc_type in ACK_TYPES:
        if doc_type != profile.acknowledgements.expect:
            tx.findings.append(
                Finding(
                    Outcome.WARNING,
                    "partner",
                    f"a {doc_type} acknowledgement, but the profile expects"
                    f" {profile.acknowledgements.expect} (acknowledgements.expect)",
                )
            )
        return
    if doc_type not in profile.inbound_types:
        allowed = ", ".join(profile.messages.inbound) or "nothing"
        tx.findings.append(
            Finding(
                Outcome.REJECT,
                "partner",
                f"{profile.id} is not set up to send us {doc_type or 'this message'}"
                f" (messages.inbound: {allowed})",
            )
        )


def _picking_lookup(profile: PartnerProfile, references: dict[str, list[str]]) -> str | None:
    for rule in profile.reference_rules:
        values = references.get(rule.reference)
        if values:
            return (
                f"stock.picking with {rule.odoo_field} = {values[0]!r}"
                f" (reference rule {rule.reference})"
            )
    return None


def _references(record: CanonicalRecord) -> dict[str, list[str]]:
    refs: dict[str, list[str]] = {k: list(v) for k, v in record.references.items()}
    shipment_id = getattr(record, "shipment_id", None)
    if shipment_id:
        refs.setdefault("shipment_id", []).insert(0, shipment_id)
    if isinstance(record, ShipmentStatus):
        for event in record.events:
            for kind, values in event.references.items():
                refs.setdefault(kind, []).extend(values)
        if record.carrier_reference:
            refs.setdefault("pro", []).append(record.carrier_reference)
    return refs


def _odoo_plan(profile: PartnerProfile, record: CanonicalRecord, tx: TransactionResult) -> None:
    """What the profile says would happen in Odoo (not checked against a live Odoo)."""
    odoo = profile.odoo
    if isinstance(record, FunctionalAck):
        acked = record.group_control_number or record.interchange_control_number or "?"
        tx.odoo.append(
            f"{record.ack_type} {record.status.value} for our group/interchange {acked}:"
            " matched to what we sent; nothing posted to Odoo"
        )
        return
    if isinstance(record, LoadTender):
        tx.odoo.append(f"load tender {record.shipment_id}: {len(record.stops)} stop(s)")
        return
    lookup = _picking_lookup(profile, _references(record))
    if isinstance(record, (ShipmentStatus, TenderResponse)) and lookup is None:
        kinds = ", ".join(sorted(_references(record))) or "none"
        tx.findings.append(
            Finding(
                Outcome.WARNING,
                "odoo",
                f"no reference rule finds the Odoo delivery (references sent: {kinds}); it"
                " would become an exception (add a reference_rules entry)",
            )
        )
    if isinstance(record, ShipmentStatus):
        milestones = [e.milestone.value for e in record.events]
        summary = ", ".join(milestones) or "no events"
        tx.odoo.append(f"status {summary} -> {odoo.status_message} on {lookup or 'the delivery'}")
        for event in record.events:
            if event.milestone is Milestone.UNKNOWN:
                code = event.original.status if event.original else None
                tx.findings.append(
                    Finding(
                        Outcome.WARNING,
                        "translation",
                        f"status code {code!r} is not a known milestone: map it in"
                        " code_tables.status",
                    )
                )
            if event.milestone is Milestone.DELIVERED:
                tx.odoo.append(
                    "delivered: record the delivery time"
                    + (" and validate the picking" if odoo.validate_picking_on_delivery else "")
                )
    elif isinstance(record, TenderResponse):
        tx.odoo.append(
            f"tender {record.shipment_id} {record.action.value} -> chatter message on"
            f" {lookup or 'the delivery'}"
            + (" and an activity" if record.action.value == "declined" else "")
        )
    elif isinstance(record, FreightInvoice):
        tol = profile.invoices.tolerance
        posting = "posted if within" if profile.invoices.auto_post else "left draft; tolerance"
        tx.odoo.append(
            f"vendor bill {record.invoice_number} from {odoo.vendor_ref or '(no vendor mapped)'}"
            f", {record.total.amount} {record.total.currency}, {len(record.lines)} line(s);"
            f" {posting} {tol.percent} % / {tol.absolute} of the expected charge"
        )
        for line in record.lines:
            product = odoo.charge_products.get(line.charge_class.value) or odoo.fallback_product
            if product is None:
                tx.findings.append(
                    Finding(
                        Outcome.WARNING,
                        "odoo",
                        f"no Odoo product for charge class {line.charge_class.value}"
                        f" (code {line.code or '-'}): add it to odoo.charge_products",
                    )
                )
            tx.odoo.append(
                f"  line {line.charge_class.value} {line.amount.amount} -> product {product or '?'}"
            )


def _translate(
    profile: PartnerProfile, standard: str, ic: InterchangeReport, parsed: _Parsed,
    tx: TransactionResult,
) -> None:  # fmt: skip
    source = Source(
        partner=profile.id,
        standard=profile.standard,
        version=tx.version,
        message_type=tx.type,
        interchange_control_number=ic.control_number,
        group_control_number=tx.group,
        transaction_control_number=tx.control_number,
        sender_id=ic.sender_id,
        receiver_id=ic.receiver_id,
    )
    try:
        record = to_canonical(standard, parsed.type, parsed.segments, source, profile.map_context())
    except Exception as exc:  # a map failing on unforeseen input must not lose the file
        tx.findings.append(
            Finding(
                Outcome.REJECT,
                "translation",
                f"could not be translated: {type(exc).__name__}: {exc}",
            )
        )
        return
    if record is None:
        tx.findings.append(
            Finding(Outcome.WARNING, "translation", f"no canonical map for {parsed.type}")
        )
        return
    tx.canonical = record.model_dump(mode="json")
    for warning in record.warnings:
        tx.findings.append(
            Finding(Outcome.WARNING, "translation", f"{warning.message} [{warning.code}]")
        )
    _odoo_plan(profile, record, tx)


def _acknowledge(
    profile: PartnerProfile,
    standard: str,
    data: bytes,
    result: FileResult,
    control_number: int | None = None,
) -> None:
    wanted = profile.acknowledgements.send
    if wanted == "none":
        return
    build = _acknowledger(standard)
    if build is None:
        result.findings.append(
            Finding(
                Outcome.INFO,
                "acknowledgement",
                f"the {standard.upper()} engine in this build cannot build acknowledgements"
                f" yet; the gateway would send a {wanted}",
            )
        )
        return
    options: dict[str, Any] = {"overlay": profile.overlay()}
    if standard == "x12":
        # the engine answers 004010 groups with 997 and 005010 with 999 unless told
        options["kind"] = wanted
        options["ta1"] = "never" if profile.acknowledgements.send_ta1 == "never" else "auto"
        if control_number is not None:
            options["control_number"] = control_number
    elif control_number is not None:
        options["control_reference"] = str(control_number)
    try:
        result.acknowledgement = build(data, **options)
    except Exception as exc:  # keep the rest of the dry-run
        result.findings.append(
            Finding(
                Outcome.WARNING,
                "acknowledgement",
                f"the {wanted} could not be built: {type(exc).__name__}: {exc}",
            )
        )


def dry_run(
    profile: PartnerProfile,
    data: bytes,
    *,
    name: str = "<data>",
    ack_control_number: int | None = None,
) -> FileResult:
    """Everything the gateway would do with `data` from this partner, without doing it.
    Never raises for bad input: an engine failing on it is a `reject` finding. The live
    pipeline runs the same interpretation, passing the acknowledgement's control number
    drawn from the partner's counter (the dry-run numbers it 1)."""
    result = FileResult(name)
    try:
        _run(profile, data, result, ack_control_number)
    except Exception as exc:  # an engine bug on unforeseen input: report it, keep the others
        result.findings.append(
            Finding(
                Outcome.REJECT,
                "file",
                f"the gateway failed on this file: {type(exc).__name__}: {exc}",
            )
        )
    return result


def _run(
    profile: PartnerProfile, data: bytes, result: FileResult, ack_control_number: int | None
) -> None:
    try:
        standard = sniff(data)
    except NotEdiError as exc:
        result.findings.append(Finding(Outcome.REJECT, "file", f"not X12 or EDIFACT: {exc}"))
        return
    result.standard = standard
    if standard != profile.standard:
        result.findings.append(
            Finding(
                Outcome.REJECT,
                "file",
                f"the file is {standard.upper()}, but {profile.id} exchanges"
                f" {profile.standard.upper()}",
            )
        )
        return
    engine = importlib.import_module(f"translators.{standard}")
    overlay = profile.overlay()
    try:
        report: AnalysisReport = engine.analyse(data, overlay=overlay)
    except NotEdiError as exc:
        result.findings.append(Finding(Outcome.REJECT, "file", f"cannot be read: {exc}"))
        return
    result.interchanges = list(report.interchanges)
    result.file_issues = [i.to_dict() for i in report.issues]
    for ic in report.interchanges:
        _check_envelope(profile, ic, result)
    parsed_iter = _segments(standard, data, profile)
    for ic in report.interchanges:
        for group in ic.groups:
            for t in group.transactions:
                parsed = next(parsed_iter, None)
                tx = TransactionResult(
                    interchange=ic.control_number,
                    group=group.control_number,
                    type=t.type,
                    version=t.version or group.version or profile.version,
                    control_number=t.control_number,
                    status=t.status,
                    report=t,
                )
                result.transactions.append(tx)
                _check_type(profile, tx)
                if tx.status is Status.REJECTED or ic.status is Status.REJECTED:
                    continue
                if parsed is None or parsed.control_number != (t.control_number or ""):
                    tx.findings.append(
                        Finding(
                            Outcome.WARNING,
                            "translation",
                            "could not line the message up with its segments; not translated",
                        )
                    )
                    continue
                _translate(profile, standard, ic, parsed, tx)
    _acknowledge(profile, standard, data, result, ack_control_number)
