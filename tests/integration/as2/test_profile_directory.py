"""With no directory installed, /as2 finds partners through the partner profiles: the
shipped acme-ltl example, pointed at throwaway keys, receives a message from "ACME". A key
or certificate that is missing when the profile is first served is picked up once it is
there, without a profile edit or a restart; one that loads is not read again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.as2.client import send
from gateway.as2.config import PartnerAs2Config
from gateway.as2.identity import write_pem
from gateway.partners import ProfileAs2Directory
from gateway.profiles import ProfileRegistry
from gateway.runtime import Runtime
from gateway.settings import load_settings
from gateway.store import Interchange
from gateway.store.models import TransportReceipt
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


def acme_profile(our_key: str, our_cert: str, their_cert: str, *, copy: str = "") -> str:
    """The acme-ltl example naming the given key and certificate references; `copy` makes
    it another partner (its own ids) with the same AS2 set-up."""
    text = (ROOT / "partner_profiles" / "examples" / "acme-ltl.yaml").read_text()
    for old, new in (
        ("file:var/demo-keys/as2-northwind.key", our_key),
        ("file:var/demo-keys/as2-northwind.pem", our_cert),
        ("file:var/demo-keys/acme-freight.pem", their_cert),
    ):
        assert old in text
        text = text.replace(old, new)
    if copy:
        text = (
            text.replace("id: acme-ltl", f"id: {copy}")
            .replace("ACMEFREIGHT", copy.upper())
            .replace("ACMF", copy.upper()[:4])
        )
    return text


def absent_keys(folder: Path) -> dict[str, Path]:
    return {name: folder / f"{name}.pem" for name in ("our-key", "our-cert", "their-cert")}


def profile_naming(paths: dict[str, Path], **kwargs: str) -> str:
    return acme_profile(
        f"file:{paths['our-key']}",
        f"file:{paths['our-cert']}",
        f"file:{paths['their-cert']}",
        **kwargs,
    )


def copy_keys_in(paths: dict[str, Path], ours: Identity, theirs: Identity) -> None:
    write_pem(ours.pair, paths["our-key"], paths["our-cert"])
    paths["their-cert"].write_bytes(theirs.cert_path.read_bytes())


def test_keys_copied_in_after_start_are_picked_up_without_a_restart(
    tmp_path: Path, keys: dict[str, Identity], caplog: pytest.LogCaptureFixture
) -> None:
    ours, acme = keys["edigw"], keys["acme"]
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    paths = absent_keys(key_dir)  # named by the profile, not there yet
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "acme-ltl.yaml").write_text(profile_naming(paths))
    runtime = Runtime.from_settings(
        load_settings(var_dir=tmp_path / "gateway", profiles_dir=profiles)
    )
    app = create_app(runtime)
    url, server, thread = serve(app)
    sender = Runtime.from_settings(load_settings(var_dir=tmp_path / "acme"))
    config = PartnerAs2Config(
        partner_id="northwind",
        partner_as2_id="NORTHWIND-EDI",
        our_as2_id="ACMEFREIGHT",
        our_keys=[acme.pair],
        partner_certificates=[ours.pair.certificate],
        url=f"{url}/as2",
    )
    try:
        with caplog.at_level(logging.WARNING, logger="gateway.partners"):
            refused = send(sender, config, PAYLOAD, "status.edi")
            assert refused.status == "failed", refused
            again = send(sender, config, PAYLOAD, "status.edi")
            assert again.status == "failed", again
        with runtime.db.session() as session:
            answers = session.scalars(
                select(TransportReceipt.detail).order_by(TransportReceipt.id)
            ).all()
            assert [a["modifier"] for a in answers] == ["unknown-trading-partner"] * 2
            assert session.scalars(select(Interchange)).all() == []
        directory: ProfileAs2Directory = app.state.as2_directory
        # loud: the reason is kept and logged, once for the same reason
        assert str(paths["their-cert"]) in directory.problems["acme-ltl"]
        warnings = [r for r in caplog.records if "acme-ltl" in r.getMessage()]
        assert len(warnings) == 1 and str(paths["their-cert"]) in warnings[0].getMessage()

        copy_keys_in(paths, ours, acme)  # the operator copies the files in
        result = send(sender, config, PAYLOAD, "status.edi")
        assert result.status == "delivered", result.error
        assert directory.problems == {}
        with runtime.db.session() as session:
            stored = session.scalars(select(Interchange)).one()
            assert stored.partner_id == "acme-ltl"
        # the profile itself never changed: still version 1
        assert runtime.profiles.served("acme-ltl").version == 1  # type: ignore[union-attr]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sender.close()
        runtime.close()


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    return folder


def test_a_partner_with_a_missing_key_does_not_hide_the_others(
    runtime: Runtime, tmp_path: Path, profiles: Path, keys: dict[str, Identity]
) -> None:
    ours, acme = keys["edigw"], keys["acme"]
    (profiles / "acme-ltl.yaml").write_text(
        acme_profile(f"file:{ours.key_path}", f"file:{ours.cert_path}", f"file:{acme.cert_path}")
    )
    missing = absent_keys(tmp_path)
    (profiles / "bolt-tl.yaml").write_text(profile_naming(missing, copy="bolt-tl"))
    registry = ProfileRegistry(runtime, folder=profiles)
    assert registry.refresh().versions == {"acme-ltl": 1, "bolt-tl": 1}
    directory = ProfileAs2Directory(registry)
    found = directory.lookup("ACMEFREIGHT", "NORTHWIND-EDI")
    assert found is not None and found.partner_id == "acme-ltl"
    assert [c.partner_id for c in directory.all()] == ["acme-ltl"]
    assert directory.get("bolt-tl") is None
    assert directory.lookup("BOLT-TL", "NORTHWIND-EDI") is None
    assert list(directory.problems) == ["bolt-tl"]
    assert "No such file or directory" in directory.problems["bolt-tl"]


def test_a_configuration_that_loads_is_not_read_again(
    runtime: Runtime, tmp_path: Path, profiles: Path, keys: dict[str, Identity]
) -> None:
    paths = absent_keys(tmp_path)
    copy_keys_in(paths, keys["edigw"], keys["acme"])
    (profiles / "acme-ltl.yaml").write_text(profile_naming(paths))
    registry = ProfileRegistry(runtime, folder=profiles)
    registry.refresh()
    directory = ProfileAs2Directory(registry, retry_after=0.0)
    first = directory.get("acme-ltl")
    assert first is not None
    for path in paths.values():
        path.unlink()  # would fail if anything read them again
    assert directory.get("acme-ltl") is first
    assert directory.lookup("ACMEFREIGHT", "NORTHWIND-EDI") is first
    assert directory.problems == {}


def test_a_half_written_key_is_read_again_once_complete(
    runtime: Runtime, tmp_path: Path, profiles: Path, keys: dict[str, Identity]
) -> None:
    ours, acme = keys["edigw"], keys["acme"]
    paths = absent_keys(tmp_path)
    copy_keys_in(paths, ours, acme)
    whole = paths["our-key"].read_bytes()
    paths["our-key"].write_bytes(whole[: len(whole) // 2])  # caught mid-copy
    (profiles / "acme-ltl.yaml").write_text(profile_naming(paths))
    registry = ProfileRegistry(runtime, folder=profiles)
    registry.refresh()
    now = [1000.0]
    directory = ProfileAs2Directory(registry, clock=lambda: now[0])
    assert directory.get("acme-ltl") is None
    assert "cannot load private key" in directory.problems["acme-ltl"]
    assert directory.get("acme-ltl") is None  # nothing changed, no time passed
    paths["our-key"].write_bytes(whole)  # the copy completes
    config = directory.get("acme-ltl")
    assert config is not None and directory.problems == {}
    assert config.our_keys[0].certificate == ours.pair.certificate


def test_a_secret_from_the_environment_is_tried_again_after_the_delay(
    runtime: Runtime,
    profiles: Path,
    keys: dict[str, Identity],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours, acme = keys["edigw"], keys["acme"]
    monkeypatch.delenv("EDIGW_TEST_AS2_KEY", raising=False)
    (profiles / "acme-ltl.yaml").write_text(
        acme_profile("env:EDIGW_TEST_AS2_KEY", f"file:{ours.cert_path}", f"file:{acme.cert_path}")
    )
    registry = ProfileRegistry(runtime, folder=profiles)
    registry.refresh()
    now = [1000.0]
    directory = ProfileAs2Directory(registry, retry_after=30.0, clock=lambda: now[0])
    assert directory.get("acme-ltl") is None
    assert "EDIGW_TEST_AS2_KEY is not set" in directory.problems["acme-ltl"]
    monkeypatch.setenv("EDIGW_TEST_AS2_KEY", ours.key_path.read_text())
    now[0] += 29.0
    assert directory.get("acme-ltl") is None  # no file to watch: waits for the delay
    now[0] += 1.0
    config = directory.get("acme-ltl")
    assert config is not None and directory.problems == {}
