"""With no directory installed, /as2 finds partners through the partner profiles: the
shipped acme-ltl example, pointed at throwaway keys, receives a message from "ACME"."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.as2.client import send
from gateway.as2.config import PartnerAs2Config
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.store import Interchange
from gateway.web import create_app
from tests.integration.as2.conftest import serve
from tests.integration.as2.pki import Identity
from tests.integration.as2.test_roundtrip import PAYLOAD

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]


def test_profiles_are_the_default_directory(tmp_path: Path, keys: dict[str, Identity]) -> None:
    ours, acme = keys["edigw"], keys["acme"]
    text = (ROOT / "partner_profiles" / "examples" / "acme-ltl.yaml").read_text()
    for old, new in (
        ("file:var/demo-keys/as2-northwind.key", f"file:{ours.key_path}"),
        ("file:var/demo-keys/as2-northwind.pem", f"file:{ours.cert_path}"),
        ("file:var/demo-keys/acme-freight.pem", f"file:{acme.cert_path}"),
    ):
        assert old in text
        text = text.replace(old, new)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "acme-ltl.yaml").write_text(text)
    runtime = Runtime.from_settings(
        load_settings(var_dir=tmp_path / "gateway", profiles_dir=profiles)
    )
    url, server, thread = serve(create_app(runtime))
    sender = Runtime.from_settings(load_settings(var_dir=tmp_path / "acme"))
    try:
        config = PartnerAs2Config(
            partner_id="northwind",
            partner_as2_id="NORTHWIND-EDI",
            our_as2_id="ACMEFREIGHT",
            our_keys=[acme.pair],
            partner_certificates=[ours.pair.certificate],
            url=f"{url}/as2",
        )
        result = send(sender, config, PAYLOAD, "status.edi")
        assert result.status == "delivered", result.error
        with runtime.db.session() as session:
            stored = session.scalars(select(Interchange)).one()
            assert stored.partner_id == "acme-ltl"
            assert runtime.blobs.read(stored.blob_key) == PAYLOAD
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sender.close()
        runtime.close()
