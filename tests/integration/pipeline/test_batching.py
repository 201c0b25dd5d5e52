"""Posting in batches through the real pipeline: one posting job per document type and
interchange, which takes its siblings along, and hands what is over a batch to a next job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inbound.post import BATCH_LIMIT
from tests.integration.pipeline import edi
from tests.integration.pipeline.harness import example_profile, gateway

pytestmark = pytest.mark.integration


def test_one_job_per_batch_and_the_rest_chained(tmp_path: Path, fresh_pg_url: str) -> None:
    count = BATCH_LIMIT + 7
    sets = [
        edi.status_214(f"{n + 1:04d}", "X6", time=f"{8 + n // 60:02d}{n % 60:02d}")
        for n in range(count)
    ]
    data = edi.acme_interchange(sets, control=501, functional_id="QM")
    with gateway(tmp_path, fresh_pg_url, [example_profile("acme-ltl")]) as gw:
        sent: list[tuple[str, tuple[Any, ...]]] = []
        dispatch = gw.runtime.enqueue

        def watch(name: str, *args: Any, **options: Any) -> None:
            sent.append((name, args))
            dispatch(name, *args, **options)

        gw.runtime.enqueue = watch
        received = gw.receive(data, "many.edi")
        docs = gw.documents(received.interchange_id)
        assert len(docs) == count and all(d.state == "posted" for d in docs)
        posting = [args for name, args in sent if name == "inbound.post_document"]
        # the first document's job takes the first batch; the first left over starts the next
        assert posting == [(docs[0].id,), (docs[BATCH_LIMIT].id,)]
        with gw.odoo() as odoo:
            notes = odoo.search_read("mail.message", [["model", "=", "stock.picking"]], ["body"])
        assert len([n for n in notes if "interchange 000000501" in str(n["body"])]) == count
