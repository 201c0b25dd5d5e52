"""`edigw sftp keys`: show and rotate a hosted partner's keys in the key store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from gateway.cli import main

pytestmark = pytest.mark.unit


def public_line(comment: str) -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return f"{raw.decode()} {comment}"


def test_show_and_rotate(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"EDIGW_VAR_DIR": str(tmp_path / "var")}
    empty = runner.invoke(main, ["sftp", "keys", "acme"], env=env)
    assert empty.exit_code == 0 and "no authorised keys" in empty.output

    new_keys = tmp_path / "acme.pub"
    new_keys.write_text(f"# rotated 2026-11\n{public_line('ops@acme')}\n{public_line('ci')}\n")
    rotated = runner.invoke(main, ["sftp", "keys", "acme", "--rotate", str(new_keys)], env=env)
    assert rotated.exit_code == 0, rotated.output
    shown = runner.invoke(main, ["sftp", "keys", "acme", "--json"], env=env)
    listing = json.loads(shown.output)["keys"]
    assert [k["comment"] for k in listing] == ["ops@acme", "ci"]
    assert all(k["fingerprint"].startswith("SHA256:") for k in listing)
    assert (tmp_path / "var" / "sftp-keys" / "acme.pub").exists()


@pytest.mark.parametrize("content", ["not a key\n", "", "# only a comment\n"])
def test_rotation_to_bad_or_empty_keys_is_refused(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.pub"
    bad.write_text(content)
    result = CliRunner().invoke(
        main, ["sftp", "keys", "acme", "--rotate", str(bad), "--keys-dir", str(tmp_path / "k")]
    )
    assert result.exit_code == 2
    assert result.output.startswith("edigw: sftp keys acme:")
    assert "Traceback" not in result.output
    assert not (tmp_path / "k" / "acme.pub").exists()


def test_bad_partner_id_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sftp", "keys", "../x", "--keys-dir", str(tmp_path)])
    assert result.exit_code == 2 and "partner id" in result.output


def test_poll_with_bad_options_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["sftp", "poll", "fwd", "--host", "127.0.0.1", "--user", "u", "--key", "/plain/path"],
        env={"EDIGW_VAR_DIR": str(tmp_path)},
    )
    assert result.exit_code == 2 and "secret reference" in result.output


def test_rotated_keys_take_the_place_of_the_profiles_until_cleared(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"EDIGW_VAR_DIR": str(tmp_path / "var")}  # profiles: the shipped examples
    shown = runner.invoke(main, ["sftp", "keys", "ridgeline-tl", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    from_profile = json.loads(shown.output)
    assert from_profile["source"] == "profile ridgeline-tl" and len(from_profile["keys"]) == 1

    new_keys = tmp_path / "new.pub"
    new_keys.write_text(public_line("ridgeline-2026") + "\n")
    rotated = runner.invoke(
        main, ["sftp", "keys", "ridgeline-tl", "--rotate", str(new_keys), "--json"], env=env
    )
    assert rotated.exit_code == 0, rotated.output
    now = json.loads(rotated.output)
    assert now["source"].startswith("key store ")
    assert [k["comment"] for k in now["keys"]] == ["ridgeline-2026"]
    assert (tmp_path / "var" / "sftp-keys" / "ridgeline-tl.pub").exists()

    cleared = runner.invoke(main, ["sftp", "keys", "ridgeline-tl", "--clear", "--json"], env=env)
    assert cleared.exit_code == 0, cleared.output
    assert json.loads(cleared.output)["keys"] == from_profile["keys"]
