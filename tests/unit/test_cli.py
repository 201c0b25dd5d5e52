import pytest
from click.testing import CliRunner

from gateway.cli import main

pytestmark = pytest.mark.unit


def _all_commands(group, prefix=()):
    for name, command in group.commands.items():
        path = (*prefix, name)
        yield path
        if hasattr(command, "commands"):
            yield from _all_commands(command, path)


def test_every_command_has_help() -> None:
    runner = CliRunner()
    paths = list(_all_commands(main))
    names = {" ".join(p) for p in paths}
    for expected in (
        "serve", "worker", "translate", "render", "send", "partner validate", "partner list",
        "partner show", "partner test", "messages list", "messages show", "messages replay",
        "exceptions list", "exceptions resolve", "odoo ping", "as2 inspect", "sftp poll",
    ):  # fmt: skip
        assert expected in names
    for path in paths:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "edigw" in result.output
