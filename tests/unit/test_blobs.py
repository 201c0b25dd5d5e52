import hashlib
import io
from pathlib import Path

import pytest

from gateway.store import BlobStore

pytestmark = pytest.mark.unit


def test_content_addressed_and_idempotent(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    data = b"ISA*00*...~" * 1000
    ref = store.put_bytes(data)
    assert ref.key == hashlib.sha256(data).hexdigest()
    assert ref.size == len(data)
    assert store.read(ref.key) == data
    again = store.put_file(io.BytesIO(data))
    assert again == ref
    assert list((tmp_path / "tmp").iterdir()) == []


def test_streamed_chunks(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    chunks = [bytes([i]) * 100_000 for i in range(20)]
    ref = store.put_chunks(iter(chunks))
    assert ref.size == 2_000_000
    with store.open(ref.key) as fh:
        assert fh.read() == b"".join(chunks)


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)

    def broken():
        yield b"partial"
        raise OSError("connection dropped")

    with pytest.raises(OSError):
        store.put_chunks(broken())
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not store.exists(hashlib.sha256(b"partial").hexdigest())


def test_rejects_non_keys(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path("../../etc/passwd")
