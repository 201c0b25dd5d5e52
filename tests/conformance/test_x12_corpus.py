"""Every X12 file of the shared corpus gives the counts in MANIFEST.tsv, and the envelope and
count problems the manifest flags come out with the matching X12 codes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import support
from tests.unit.x12 import paths
from translators import x12
from translators.core import AnalysisReport, Issue, Segment, Severity
from translators.x12 import _codes as c

pytestmark = pytest.mark.conformance

# findings that make the manifest's `envelope_ok` "no"
ENVELOPE_FINDINGS = {
    c.IEA_MISSING,
    c.IEA_CONTROL_NUMBER_MISMATCH,
    c.IEA_GROUP_COUNT_MISMATCH,
    c.GE_MISSING,
    c.GE_CONTROL_NUMBER_MISMATCH,
    c.GE_COUNT_MISMATCH,
    c.SE_MISSING,
    c.INTERCHANGE_STRUCTURE_INVALID,
    c.TRAILING_DATA,
    c.SEGMENT_UNTERMINATED,
    c.TRANSACTION_UNENVELOPED,
}
COUNT_FINDINGS = {c.SE_COUNT_MISMATCH, c.SE_CONTROL_NUMBER_MISMATCH, c.SE_MISSING}


ROWS = support.manifest_rows("x12")


def all_issues(report: AnalysisReport) -> list[Issue]:
    found = list(report.issues)
    for ic in report.interchanges:
        found += ic.issues
        for group in ic.groups:
            found += group.issues
            for tx in group.transactions:
                found += tx.issues
    return found


def test_manifest_lists_x12_files(corpus_dir: Path) -> None:
    assert len(ROWS) >= 13
    for row in ROWS:
        assert (corpus_dir / row["path"]).is_file(), row["path"]


@pytest.mark.parametrize("row", ROWS, ids=[r["path"] for r in ROWS])
def test_counts_and_envelope(corpus_dir: Path, row: dict[str, str]) -> None:
    data = (corpus_dir / row["path"]).read_bytes()
    report = x12.analyse(data)
    interchanges = list(x12.parse(data))
    enveloped = [ic for ic in report.interchanges if ic.enveloped]
    groups = [g for ic in report.interchanges for g in ic.groups if not g.implicit]
    transactions = [t for ic in report.interchanges for t in ic.transactions()]
    assert len(enveloped) == int(row["interchanges"])
    assert len(groups) == int(row["groups"])
    assert len(transactions) == int(row["transactions"])

    types: list[str] = []
    for ic in interchanges:
        if ic.header.ta1 and "TA1" not in types:
            types.append("TA1")
        for tx in ic.transactions():
            if tx.set_id not in types:
                types.append(tx.set_id)
    assert ",".join(types) == row["types"]

    versions = sorted({g.version[:6] for g in groups if g.version})
    if not versions and enveloped:
        versions = sorted({f"{ic.version}0" for ic in enveloped})
    assert (",".join(versions) or "-") == row["version"]

    issues = all_issues(report)
    envelope = [i for i in issues if i.code in ENVELOPE_FINDINGS]
    assert (row["envelope_ok"] == "yes") == (not envelope), [i.to_dict() for i in envelope]

    counts_ok = [t for t in transactions if not {i.code for i in t.issues} & COUNT_FINDINGS]
    assert len(counts_ok) == int(row["transactions_ok"])


def _codes(issues: list[Issue], code: str, key: str) -> set[str]:
    return {i.standard_codes.get(key, "") for i in issues if i.code == code}


@pytest.mark.parametrize("row", ROWS, ids=[r["path"] for r in ROWS])
def test_flagged_quirks_have_matching_codes(corpus_dir: Path, row: dict[str, str]) -> None:
    data = (corpus_dir / row["path"]).read_bytes()
    report = x12.analyse(data)
    issues = all_issues(report)
    found = {i.code for i in issues}
    quirks = set(row["quirks"].split(","))
    if "bad-se-count" in quirks:
        assert _codes(issues, c.SE_COUNT_MISMATCH, "ak5") == {"4"}
        assert _codes(issues, c.SE_COUNT_MISMATCH, "ik5") == {"4"}
    if "bad-se-ref" in quirks:
        assert _codes(issues, c.SE_CONTROL_NUMBER_MISMATCH, "ak5") == {"3"}
    if "bad-ge-ref" in quirks:
        assert _codes(issues, c.GE_CONTROL_NUMBER_MISMATCH, "ak9") == {"4"}
        bad_groups = [g for ic in report.interchanges for g in ic.groups if g.issues]
        assert all(g.status.value == "rejected" for g in bad_groups)
    if "bad-isa13-format" in quirks:
        assert _codes(issues, c.ISA_CONTROL_NUMBER_INVALID, "ta1") == {"018"}
    if "isa11-not-u" in quirks or "isa11-u" in quirks:
        assert _codes(issues, c.ISA_STANDARDS_ID_INVALID, "ta1") == {"016"}
    if "isa-gs-version-mismatch" in quirks:
        assert c.GS_VERSION_MISMATCH in found
    if "nonfixed-isa" in quirks:
        assert c.ISA_NOT_FIXED_WIDTH in found
    if "invalid-dates" in quirks:
        assert found & {c.ISA_DATE_INVALID, c.GS_DATE_INVALID, "element_invalid_date"}
    if "mandatory-missing" in quirks:
        assert _codes(issues, "element_missing", "ak4") == {"1"}
    if "invalid-values" in quirks:
        assert found & {"element_too_long", "element_invalid_code", "element_invalid_character"}
    if "no-envelope" in quirks:
        assert _codes(issues, c.TRANSACTION_UNENVELOPED, "ak5") == {"6"}
        assert not any(ic.enveloped for ic in report.interchanges)
    if "trailing-whitespace" in quirks or "zero-padded-counts" in quirks:
        assert not found & {c.TRAILING_DATA, c.SE_COUNT_MISMATCH, c.GE_COUNT_MISMATCH}
    # a broken neighbour never takes an accepted transaction set down with it
    for ic in report.interchanges:
        for group in ic.groups:
            for tx in group.transactions:
                own = [i for i in tx.issues if i.severity is Severity.ERROR]
                assert (tx.status.value == "rejected") == bool(own)


def test_bare_transaction_is_accepted_when_the_partner_allows_it(corpus_dir: Path) -> None:
    from translators.core import Overlay

    data = (corpus_dir / "x12/204/x12types-bare-st-no-envelope.edi").read_bytes()
    report = x12.analyse(data, overlay=Overlay(allow_unenveloped=True))
    codes = {i.code for i in all_issues(report)}
    assert c.TRANSACTION_UNENVELOPED not in codes
    assert c.SE_COUNT_MISMATCH in codes  # still wrong: SE-01 says 37 for 29 segments


def test_ta1_file_reads_as_interchange_acknowledgements(corpus_dir: Path) -> None:
    data = (corpus_dir / "x12/ta1/oopfactory-ta1-two-acks.edi").read_bytes()
    (ack,) = x12.parse_acknowledgements(data)
    assert ack.kind == "TA1" and not ack.groups
    assert [(i.control_number, i.code, i.status.value) for i in ack.interchanges] == [
        ("0659", "A", "accepted"),
        ("0660", "A", "accepted"),
    ]
    # the manifest's bad-ta1-fields: TA1-01 is 4 digits, TA1-02 an 8-digit date
    found = {(i.code, i.location.element) for i in ack.issues}
    assert ("element_too_short", 1) in found
    assert ("element_invalid_date", 2) in found


@pytest.mark.parametrize("row", ROWS, ids=[r["path"] for r in ROWS])
def test_writer_output_reads_back(corpus_dir: Path, row: dict[str, str]) -> None:
    data = (corpus_dir / row["path"]).read_bytes()
    for interchange in x12.parse(data):
        again = list(x12.parse(x12.write_interchange(interchange)))
        before = [[_kept(s) for s in t.segments] for t in interchange.transactions()]
        after = [[_kept(s) for s in t.segments] for ic in again for t in ic.transactions()]
        # SE-01/SE-02 are recomputed by the writer; everything else is kept as read
        assert [t[:-1] for t in after] == [t[:-1] for t in before]


def _kept(segment: Segment) -> tuple[str, list[object]]:
    """What the writer keeps: trailing empty elements are not transmitted in X12."""
    values: list[object] = list(segment.elements)
    while values and values[-1] == "":
        values.pop()
    return segment.tag, values


def test_corpus_acknowledgements_read_back(corpus_dir: Path) -> None:
    for row in ROWS:
        data = (corpus_dir / row["path"]).read_bytes()
        out = x12.acknowledge(data)
        for ack in x12.parse_acknowledgements(out):
            assert ack.kind in ("997", "999", "TA1")
            # AK1-02/AK2-02 echo the partner's control numbers as they were (even too short)
            own = [i for i in ack.issues if i.location.segment_id not in ("AK1", "AK2")]
            assert not [i for i in own if i.severity is Severity.ERROR], row["path"]


@pytest.mark.skipif(
    bool(os.environ.get("EDIGW_NO_ACCEL")), reason="compares the compiled path with Python's"
)
@pytest.mark.parametrize("row", ROWS, ids=[r["path"] for r in ROWS])
def test_compiled_and_python_paths_agree(corpus_dir: Path, row: dict[str, str]) -> None:
    """Every corpus file, and every file cut short or with a segment dropped, gives the same
    reports, segments, findings and acknowledgements with and without the C speed-ups."""
    data = (corpus_dir / row["path"]).read_bytes()
    variants = [data, data[: len(data) // 2], data[: len(data) * 3 // 4]]
    first_terminator = data.find(b"~", 120)
    if first_terminator > 0:
        second = data.find(b"~", first_terminator + 1)
        if second > 0:
            variants.append(data[:first_terminator] + data[second:])
    for variant in variants:
        fast, slow = paths.both(variant)
        assert fast == slow, row["path"]
