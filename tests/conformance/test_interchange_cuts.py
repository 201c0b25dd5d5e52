"""Cutting a file of several interchanges into one file each (`engine.interchange_cuts`,
what the pipeline does before judging each interchange on its own): on every corpus file
and on made-up files of both standards, the pieces are the input byte for byte and each
holds exactly one interchange, the same one, in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import support
from translators.engine import analyse, interchange_cuts

ROWS = support.manifest_rows("x12") + support.manifest_rows("edifact")


def pieces(data: bytes) -> list[bytes]:
    cuts = interchange_cuts(data, analyse(data))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def check(data: bytes) -> list[bytes]:
    numbers = [i.control_number for i in analyse(data).interchanges]
    parts = pieces(data)
    assert b"".join(parts) == data
    if len(parts) > 1:
        assert [[i.control_number for i in analyse(p).interchanges] for p in parts] == [
            [n] for n in numbers
        ]
    return parts


@pytest.mark.conformance
@pytest.mark.parametrize("row", ROWS, ids=[r["path"] for r in ROWS])
def test_corpus_files_cut_into_their_interchanges(corpus_dir: Path, row: dict[str, str]) -> None:
    parts = check((corpus_dir / row["path"]).read_bytes())
    assert len(parts) == max(1, int(row["interchanges"]))


ISA = (
    "ISA*00*          *00*          *02*ACMF           *01*061524983      *261128*1015*U*"
    "00401*{n:09d}*0*P*>~\nGS*QM*ACMF*061524983*20261128*1015*{n}*X*004010~\nST*214*0001~\n"
    "B10*1*2*ACMF~\nSE*3*0001~\nGE*1*{n}~\nIEA*1*{n:09d}~\n"
)
UNB = (
    "{una}UNB+UNOC:3+SENDER:ZZ+RECV:ZZ+261128:1015+{n}'UNH+1+IFTSTA:D:96A:UN'BGM+23+X{n}'"
    "UNT+3+1'UNZ+1+{n}'\n"
)


@pytest.mark.unit
def test_x12_interchanges_cut_at_each_isa() -> None:
    data = "".join(ISA.format(n=n) for n in (101, 102, 103)).encode()
    assert len(check(data)) == 3


@pytest.mark.unit
@pytest.mark.parametrize("una", ["UNA:+.? '", ""])
def test_edifact_cut_before_each_una_or_unb(una: str) -> None:
    data = b"\xef\xbb\xbf" + "".join(UNB.format(una=una, n=n) for n in (7, 8)).encode()
    first, second = check(data)
    assert first.startswith(b"\xef\xbb\xbf" + una.encode() + b"UNB")
    assert second.startswith(una.encode() + b"UNB")


@pytest.mark.unit
def test_one_interchange_or_a_bare_set_is_not_cut() -> None:
    one = ISA.format(n=5).encode()
    assert interchange_cuts(one, analyse(one)) == []
    bare = one + b"ST*214*0001~B10*1*2*ACMF~SE*3*0001~"
    assert interchange_cuts(bare, analyse(bare)) == []
