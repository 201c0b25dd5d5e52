"""A file holding several interchanges: cut into one interchange row each, so every one is
judged on its own (partner, duplicate control number, acknowledgement)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.pipeline import edi
from tests.integration.pipeline.harness import example_profile, gateway

pytestmark = pytest.mark.integration


def test_a_resent_interchange_does_not_hide_a_new_one_behind_it(
    tmp_path: Path, fresh_pg_url: str
) -> None:
    seen = edi.acme_interchange([edi.status_214("0001", "X1")], control=101, functional_id="QM")
    new = edi.acme_interchange(
        [edi.status_214("0001", "X6", time="1000"), edi.status_214("0002", "AG", time="1100")],
        control=102,
        functional_id="QM",
    )
    with gateway(tmp_path, fresh_pg_url, [example_profile("acme-ltl")]) as gw:
        gw.receive(seen, "first.edi")
        both = gw.receive(seen + new, "again-and-new.edi")
        parent = gw.interchange(both.interchange_id)
        assert parent.status == "split"
        assert parent.meta["control_numbers"] == ["000000101", "000000102"]
        first, second = (gw.interchange(i) for i in parent.meta["split_into"])
        assert (first.control_number, first.status) == ("000000101", "duplicate")
        assert (second.control_number, second.status) == ("000000102", "processed")
        assert [d.state for d in gw.documents(second.id)] == ["posted", "posted"]
        assert (
            gw.runtime.blobs.read(first.blob_key) + gw.runtime.blobs.read(second.blob_key)
            == seen + new
        )
        acks = [p.read_text() for p in gw.mailbox_outbound("acme-ltl")]
        # one 997 for the first file and one for the new interchange; none for the repeat
        assert len(acks) == 2
        assert sum("AK1*QM*102" in a for a in acks) == 1
        with gw.odoo() as odoo:
            notes = odoo.search_read("mail.message", [["model", "=", "stock.picking"]], ["body"])
        assert len([n for n in notes if "interchange 000000102" in str(n["body"])]) == 2
        assert len([n for n in notes if "interchange 000000101" in str(n["body"])]) == 1
