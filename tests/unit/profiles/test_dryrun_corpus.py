"""The dry-run over the shared corpus with the example profiles.

As shipped, no example claims a corpus sender, so every transaction must be rejected for an
unknown sender. With the example's envelope ids set (at run time, from the file's own
envelope, never copied into the repository) to the file's sender and receiver, the summary
must agree with the engines and the manifest: one row per transaction, rejected exactly
where the engine rejects, and every accepted transaction translated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from partner_profiles import PartnerProfile, load_file
from partner_profiles.dryrun import dry_run
from tests import support
from tests.unit.profiles.support import EXAMPLES
from translators.core.report import Status
from translators.engine import analyse

pytestmark = pytest.mark.conformance

TYPES = {"204", "210", "214", "990", "IFTMIN", "IFTSTA", "INVOIC"}


def _rows(corpus_dir: Path) -> list[dict[str, str]]:
    rows = support.manifest_rows()
    return [
        r
        for r in rows
        if r["standard"] in ("x12", "edifact")
        and set(r["types"].split(",")) <= TYPES
        and r["interchanges"] not in ("-", "0")
    ]


def _example_for(standard: str) -> PartnerProfile:
    name = "acme-ltl" if standard == "x12" else "nordlink-fwd"
    return load_file(EXAMPLES / f"{name}.yaml").profile


def _fitted(profile: PartnerProfile, data: bytes, types: set[str]) -> PartnerProfile:
    """The example with the file's own envelope ids, types and usage."""
    report = analyse(data)
    ic = report.interchanges[0]
    group = ic.groups[0] if ic.groups else None
    raw: dict[str, Any] = profile.model_dump(mode="json")
    if profile.standard == "x12":
        raw["envelope"]["theirs"] = {
            "isa_qualifier": ic.sender_qualifier,
            "isa_id": ic.sender_id,
            "gs_id": group.sender_id if group else "X",
        }
        raw["envelope"]["ours"] = {
            "isa_qualifier": ic.receiver_qualifier,
            "isa_id": ic.receiver_id,
            "gs_id": group.receiver_id if group else "X",
        }
        test = (ic.test_indicator or "").strip() in ("T", "I")
    else:
        raw["envelope"]["theirs"] = {"unb_id": ic.sender_id, "unb_qualifier": ic.sender_qualifier}
        raw["envelope"]["ours"] = {"unb_id": ic.receiver_id, "unb_qualifier": ic.receiver_qualifier}
        test = (ic.test_indicator or "").strip() == "1"
    raw["messages"]["inbound"] = sorted(types)
    raw["outbound"]["usage"] = "test" if test else "production"
    raw["sla"] = {}
    return PartnerProfile.model_validate(raw)


def _expected_rejections(data: bytes, profile: PartnerProfile) -> list[bool]:
    report = analyse(data, overlay=profile.overlay())
    return [
        t.status is Status.REJECTED or ic.status is Status.REJECTED
        for ic in report.interchanges
        for g in ic.groups
        for t in g.transactions
    ]


def test_corpus_has_files_for_the_dry_run(corpus_dir: Path) -> None:
    assert len(_rows(corpus_dir)) >= 10


def test_as_shipped_no_example_claims_a_corpus_sender(corpus_dir: Path) -> None:
    for row in _rows(corpus_dir):
        data = (corpus_dir / row["path"]).read_bytes()
        result = dry_run(_example_for(row["standard"]), data, name=row["path"])
        assert len(result.transactions) == int(row["transactions"]), row["path"]
        for tx in result.transactions:
            rejected, findings = result.verdict(tx)
            assert rejected, row["path"]
            assert any(
                f.stage == "partner" and "the gateway would not know the sender" in f.message
                for f in findings
            ), (row["path"], [f.message for f in findings])


def test_with_the_senders_ids_the_summary_agrees_with_the_engines(corpus_dir: Path) -> None:
    checked = 0
    for row in _rows(corpus_dir):
        data = (corpus_dir / row["path"]).read_bytes()
        profile = _fitted(_example_for(row["standard"]), data, set(row["types"].split(",")))
        result = dry_run(profile, data, name=row["path"])
        assert len(result.transactions) == int(row["transactions"]), row["path"]
        assert not [f for f in result.findings if f.stage == "partner"], row["path"]
        expected = _expected_rejections(data, profile)
        for tx, engine_rejects in zip(result.transactions, expected, strict=True):
            rejected, findings = result.verdict(tx)
            assert rejected == engine_rejects, (
                row["path"],
                tx.control_number,
                [f.message for f in findings],
            )
            if not rejected:
                assert tx.canonical is not None, (row["path"], tx.control_number)
                assert tx.odoo, (row["path"], tx.control_number)
            checked += 1
        if profile.acknowledgements.send != "none":
            assert result.acknowledgement, row["path"]
    assert checked >= 30
