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

EXAMPLES = Path(__file__).resolve().parents[3] / "partner_profiles" / "examples"


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


def test_profile_keys_are_shown_and_rotated_in_the_profile_file(tmp_path: Path) -> None:
    runner = CliRunner()
    shipped = runner.invoke(
        main, ["sftp", "keys", "ridgeline-tl", "--json"], env={"EDIGW_VAR_DIR": str(tmp_path)}
    )
    assert shipped.exit_code == 0, shipped.output
    assert json.loads(shipped.output)["source"].startswith("profile ")
    new_keys = tmp_path / "new.pub"
    new_keys.write_text(public_line("ridgeline-2026") + "\n")
    refused = runner.invoke(
        main, ["sftp", "keys", "ridgeline-tl", "--rotate", str(new_keys)],
        env={"EDIGW_VAR_DIR": str(tmp_path)},
    )  # fmt: skip
    assert refused.exit_code == 2 and "shipped examples" in refused.output

    profiles = tmp_path / "profiles"
    profiles.mkdir()
    original = (EXAMPLES / "ridgeline-tl.yaml").read_text()
    (profiles / "ridgeline-tl.yaml").write_text(original)
    env = {"EDIGW_VAR_DIR": str(tmp_path / "var"), "EDIGW_PROFILES_DIR": str(profiles)}
    rotated = runner.invoke(
        main, ["sftp", "keys", "ridgeline-tl", "--rotate", str(new_keys), "--json"], env=env
    )
    assert rotated.exit_code == 0, rotated.output
    assert [k["comment"] for k in json.loads(rotated.output)["keys"]] == ["ridgeline-2026"]
    text = (profiles / "ridgeline-tl.yaml").read_text()
    assert public_line_body(new_keys) in text
    # only the key list changed: every other line (comments included) is as it was
    changed = set(original.splitlines()) ^ set(text.splitlines())
    assert all("ssh-ed25519" in line for line in changed), changed
    shown = runner.invoke(main, ["sftp", "keys", "ridgeline-tl", "--json"], env=env)
    assert [k["comment"] for k in json.loads(shown.output)["keys"]] == ["ridgeline-2026"]


def public_line_body(path: Path) -> str:
    return path.read_text().split()[1]
