"""Every EDIFACT file of the shared corpus gives the counts in MANIFEST.tsv, the envelope and
count problems it flags come out with the right CONTRL (0085) codes, its quirks are seen, and
every file's segments survive a write / re-read (release characters exactly)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from tests import support
from translators.core import AnalysisReport, Issue, Severity
from translators.edifact import Tokenizer, analyse, render_segments
from translators.edifact.acks import parse_acknowledgements
from translators.edifact.syntax import decode

pytestmark = pytest.mark.conformance

# findings that make the manifest's `envelope_ok` "no"
ENVELOPE_FINDINGS = {
    "missing_unt",
    "missing_une",
    "missing_unz",
    "une_count_mismatch",
    "une_reference_mismatch",
    "unz_count_mismatch",
    "unz_reference_mismatch",
    "segment_outside_message",
    "data_outside_interchange",
    "unterminated_segment",
    "no_envelope",
}
COUNT_FINDINGS = {"unt_count_mismatch", "unt_reference_mismatch", "missing_unt"}


ROWS = support.manifest_rows("edifact")
IDS = [r["path"] for r in ROWS]


def all_issues(report: AnalysisReport) -> list[Issue]:
    found = list(report.issues)
    for ic in report.interchanges:
        found += ic.issues
        for group in ic.groups:
            found += group.issues
            for tx in group.transactions:
                found += tx.issues
    return found


def contrl_codes(report: AnalysisReport, code: str) -> set[str]:
    return {i.standard_codes.get("contrl", "") for i in all_issues(report) if i.code == code}


def test_manifest_lists_edifact_files(corpus_dir: Path) -> None:
    assert len(ROWS) >= 10
    for row in ROWS:
        assert (corpus_dir / row["path"]).is_file(), row["path"]


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_counts_and_envelope(row: dict[str, str], corpus_dir: Path) -> None:
    data = (corpus_dir / row["path"]).read_bytes()
    report = analyse(data)
    enveloped = [ic for ic in report.interchanges if ic.enveloped]
    groups = [g for ic in report.interchanges for g in ic.groups if not g.implicit]
    transactions = [t for ic in report.interchanges for t in ic.transactions()]
    assert len(enveloped) == int(row["interchanges"])
    assert len(groups) == int(row["groups"])
    assert len(transactions) == int(row["transactions"])
    types = list(dict.fromkeys(t.type for t in transactions))
    assert ",".join(t or "" for t in types) == row["types"]
    versions = list(dict.fromkeys(t.version for t in transactions))
    assert ",".join(v or "" for v in versions) == row["version"]

    issues = all_issues(report)
    envelope_problems = [i for i in issues if i.code in ENVELOPE_FINDINGS]
    envelope_ok = bool(enveloped) and len(enveloped) == len(report.interchanges)
    envelope_ok = envelope_ok and not envelope_problems
    assert ("yes" if envelope_ok else "no") == row["envelope_ok"], [
        (i.code, i.message) for i in envelope_problems
    ]
    counts_ok = [t for t in transactions if not any(i.code in COUNT_FINDINGS for i in t.issues)]
    assert len(counts_ok) == int(row["transactions_ok"])
    # every envelope or count problem carries its 0085 code and is an error
    for issue in issues:
        if issue.code in (ENVELOPE_FINDINGS | COUNT_FINDINGS) - {
            "data_outside_interchange",
            "unterminated_segment",
        }:
            assert issue.standard_codes.get("contrl"), issue.code
            assert issue.severity is Severity.ERROR


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_quirks_are_seen(row: dict[str, str], corpus_dir: Path) -> None:
    data = (corpus_dir / row["path"]).read_bytes()
    quirks = set(row["quirks"].split(","))
    report = analyse(data)
    tokens = Tokenizer(decode(data).text)
    list(tokens)
    codes = {i.code for i in all_issues(report)}
    if "bad-unt-count" in quirks:
        assert contrl_codes(report, "unt_count_mismatch") == {"29"}
    if "bad-unz-ref" in quirks:
        assert contrl_codes(report, "unz_reference_mismatch") == {"28"}
    if "no-envelope" in quirks:
        assert not report.interchanges[0].enveloped
        assert "no_envelope" in codes
    if "newline-terminator" in quirks:
        assert tokens.newline_terminated
    assert tokens.una_present is ("no-una" not in quirks)
    for version in ("1", "2", "4"):
        if f"syntax-{version}" in quirks:
            assert (
                report.interchanges[0].version == f"{report.interchanges[0].version[:4]}:{version}"
            )
    if "decimal-comma" in quirks:
        assert tokens.delimiters.decimal == ","
    if "utf8-in-unoc" in quirks:
        assert "utf8_in_single_byte_repertoire" in codes
    if "utf8-in-unoa" in quirks or "lowercase-in-unoa" in quirks:
        assert contrl_codes(report, "character_outside_repertoire") == {"21"}
    if "unb-date-format-mismatch" in quirks:
        assert "unb_date_format" in codes
    if "empty-segment" in quirks:
        assert "empty_segment" in codes
    if "dtm-format-mismatch" in quirks:
        assert contrl_codes(report, "dtm_format_mismatch") == {"12"}
    if "invalid-values" in quirks:
        # guide checks: a 4-letter party qualifier, letters and '$' in numeric elements
        assert contrl_codes(report, "element_too_long") == {"39"}
        assert contrl_codes(report, "element_invalid_character") == {"37"}
    if "duplicate-segment" in quirks:
        assert contrl_codes(report, "segment_over_max") == {"35"}


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_write_and_reread_round_trip(row: dict[str, str], corpus_dir: Path) -> None:
    data = (corpus_dir / row["path"]).read_bytes()
    payload = decode(data)
    tokens = Tokenizer(payload.text)
    segments = [(tag, elements) for tag, elements, _ in tokens]
    delimiters = tokens.delimiters.with_repetition(None)
    line_break = not tokens.newline_terminated and "\n" in payload.text.strip()
    written = render_segments(segments, delimiters, una=tokens.una_present, line_break=line_break)
    again = Tokenizer(written)
    assert [(t, e) for t, e, _ in again] == segments
    lossy = {n.code for n in tokens.notes} & {"empty_segment", "released_ordinary_character"}
    if not lossy:
        # byte for byte, apart from where the file ends its last line
        assert written.rstrip("\n") == payload.text.rstrip("\n")


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_contrl_for_every_file_reads_back(row: dict[str, str], corpus_dir: Path) -> None:
    from translators.edifact import acknowledge

    data = (corpus_dir / row["path"]).read_bytes()
    report = analyse(data)
    contrl = acknowledge(report)
    acks = list(parse_acknowledgements(contrl))
    acknowledgeable = [ic for ic in report.interchanges if ic.enveloped]
    assert len(acks) == len(acknowledgeable)
    for ack, ic in zip(acks, acknowledgeable, strict=True):
        assert ack.interchange_control_number == ic.control_number
        rejected = {t.control_number for t in ic.transactions() if t.status.value == "rejected"}
        if any(i.severity is Severity.ERROR for i in ic.issues):
            assert ack.status.value == "rejected"
        else:
            assert {t.control_number for t in ack.transactions()} == rejected


def _segments(data: bytes) -> list[tuple[str, list[object]]]:
    return [(tag, elements) for tag, elements, _ in Tokenizer(decode(data).text)]


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_crlf_bom_and_latin1_variants_read_the_same(row: dict[str, str], corpus_dir: Path) -> None:
    """Variants built from the original bytes, as the corpus README suggests."""
    data = (corpus_dir / row["path"]).read_bytes()
    expected = _segments(data)
    crlf = data.replace(b"\n", b"\r\n")
    bom = b"\xef\xbb\xbf" + crlf
    variants = {"crlf": crlf, "bom+crlf": bom}
    text = data.decode("utf-8")
    with contextlib.suppress(UnicodeEncodeError):  # outside Latin-1: no such variant
        variants["latin-1"] = text.encode("latin-1")
    for name, variant in variants.items():
        assert _segments(variant) == expected, name
        report, original = analyse(variant), analyse(data)
        assert [t.segment_count for ic in report.interchanges for t in ic.transactions()] == [
            t.segment_count for ic in original.interchanges for t in ic.transactions()
        ], name
    if "latin-1" in variants and not text.isascii():
        # Latin-1 bytes in a Latin-1 declared file: decoded as such, no UTF-8 warning
        codes = {i.code for i in all_issues(analyse(variants["latin-1"]))}
        assert "utf8_in_single_byte_repertoire" not in codes
    # byte offsets of the BOM variant point at the segment tags in the original bytes
    bom_report = analyse(bom)
    for issue in all_issues(bom_report):
        offset, tag = issue.location.byte_offset, issue.location.segment_id
        if offset is not None and tag and issue.location.segment_position:
            assert bom[offset : offset + len(tag)] == tag.encode(), issue.code


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_cross_check_with_pydifact(row: dict[str, str], corpus_dir: Path) -> None:
    """Where pydifact can read a file at all, its segments equal ours."""
    import warnings

    from pydifact.exceptions import EDISyntaxError
    from pydifact.parser import Parser

    text = decode((corpus_dir / row["path"]).read_bytes()).text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            theirs = [(s.tag, s.elements) for s in Parser().parse(text) if s.tag != "UNA"]
        except EDISyntaxError:
            pytest.skip("pydifact cannot read this file (a known pydifact limit)")
    ours = [
        (t, [list(e) if isinstance(e, tuple) else e for e in els])
        for t, els in _segments(text.encode())
    ]
    assert ours == theirs
