"""The mailbox path jail and atomic outbound placement, on a real temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.sftp import MailboxError, MailboxLayout, place_outbound
from gateway.sftp.mailbox import PathDenied, PathMissing

pytestmark = pytest.mark.unit


@pytest.fixture
def layout(tmp_path: Path) -> MailboxLayout:
    return MailboxLayout(tmp_path / "sftp", "acme").ensure()


@pytest.mark.parametrize(
    "client_path, virtual",
    [
        ("/", "/"),
        ("", "/"),
        ("inbound", "/inbound"),
        ("/inbound/x.edi", "/inbound/x.edi"),
        ("/inbound/./x.edi", "/inbound/x.edi"),
        ("/outbound/../inbound/x.edi", "/inbound/x.edi"),
        ("//inbound///x.edi", "/inbound/x.edi"),
    ],
)
def test_paths_inside_resolve(layout: MailboxLayout, client_path: str, virtual: str) -> None:
    resolved = layout.resolve(client_path)
    assert resolved.virtual == virtual
    assert resolved.real == layout.root.joinpath(*[p for p in virtual.split("/") if p])


@pytest.mark.parametrize("client_path", ["/..", "..", "/../globex/inbound", "/inbound/../../x",
                                         "inbound/\x00x"])  # fmt: skip
def test_escapes_are_denied(layout: MailboxLayout, client_path: str) -> None:
    with pytest.raises(PathDenied):
        layout.resolve(client_path)


def test_relative_paths_follow_the_working_folder(layout: MailboxLayout) -> None:
    assert layout.resolve("x.edi", cwd="/inbound").virtual == "/inbound/x.edi"
    with pytest.raises(PathDenied):
        layout.resolve("../../x", cwd="/inbound")


def test_unknown_top_folders_do_not_exist(layout: MailboxLayout) -> None:
    with pytest.raises(PathMissing):
        layout.resolve("/etc/passwd")


def test_symlinks_anywhere_on_the_way_are_denied(layout: MailboxLayout, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("no")
    (layout.outbound / "link").symlink_to(outside / "secret")
    (layout.outbound / "dirlink").symlink_to(outside)
    for path in ("/outbound/link", "/outbound/dirlink/secret"):
        with pytest.raises(PathDenied):
            layout.resolve(path)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["..", ".", "inbound", "outbound", "archive", "x", "", "acme"]),
                max_size=8), st.booleans())  # fmt: skip
def test_no_path_resolves_outside_the_mailbox(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str], absolute: bool
) -> None:
    root = tmp_path_factory.mktemp("jail")
    layout = MailboxLayout(root, "acme").ensure()
    path = ("/" if absolute else "") + "/".join(parts)
    try:
        resolved = layout.resolve(path)
    except (PathDenied, PathMissing):
        return
    real = os.path.realpath(resolved.real)
    assert real == os.path.realpath(layout.root) or real.startswith(
        os.path.realpath(layout.root) + os.sep
    )


def test_place_outbound_is_atomic_idempotent_and_never_overwrites(tmp_path: Path) -> None:
    root = tmp_path / "sftp"
    target = place_outbound(root, "acme", "tender.edi", [b"ISA*", b"rest~"])
    assert target == root / "acme" / "outbound" / "tender.edi"
    assert target.read_bytes() == b"ISA*rest~"
    assert place_outbound(root, "acme", "tender.edi", b"ISA*rest~") == target  # retried task
    with pytest.raises(MailboxError, match="not overwriting"):
        place_outbound(root, "acme", "tender.edi", b"something else")
    assert target.read_bytes() == b"ISA*rest~"
    assert list((root / ".staging" / "acme").iterdir()) == []  # no leftovers


@pytest.mark.parametrize("name", ["", ".hidden", "a/b", "..", "x\x00y"])
def test_place_outbound_refuses_bad_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(MailboxError):
        place_outbound(tmp_path, "acme", name, b"x")


def test_place_outbound_failure_leaves_nothing(tmp_path: Path) -> None:
    def broken_source() -> Iterator[bytes]:
        yield b"first part"
        raise ConnectionError("renderer died")

    with pytest.raises(ConnectionError):
        place_outbound(tmp_path, "acme", "half.edi", broken_source())
    assert not (tmp_path / "acme" / "outbound" / "half.edi").exists()
    assert list((tmp_path / ".staging" / "acme").iterdir()) == []
