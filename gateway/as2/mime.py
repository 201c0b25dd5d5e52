"""MIME for AS2 over file-backed spans: headers, multipart parts, transfer encodings.

A 100 MB message is never read whole: an entity is a byte range of a spool file, parts are
found by scanning for the boundary chunk by chunk, and decoding streams into a new spool."""

from __future__ import annotations

import base64
import binascii
import email
import email.message
import email.policy
import email.utils
import quopri
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gateway.as2.errors import MalformedMessage

CHUNK = 1 << 20
SPOOL_IN_MEMORY = 1 << 20  # spools stay in memory up to 1 MB, then go to disk
MAX_HEADER_BYTES = 64 * 1024


def new_spool(workdir: Path | None = None) -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(  # the caller owns and closes it
        max_size=SPOOL_IN_MEMORY, dir=str(workdir) if workdir else None
    )


@dataclass(frozen=True)
class Span:
    """Bytes [start, end) of a seekable file."""

    fh: IO[bytes]
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def chunks(self, size: int | None = None) -> Iterator[bytes]:
        size = size or CHUNK
        pos = self.start
        while pos < self.end:
            self.fh.seek(pos)
            piece = self.fh.read(min(size, self.end - pos))
            if not piece:
                raise MalformedMessage("spooled message shorter than expected")
            pos += len(piece)
            yield piece

    def read(self, limit: int | None = None) -> bytes:
        n = len(self) if limit is None else min(limit, len(self))
        self.fh.seek(self.start)
        return self.fh.read(n)

    def sub(self, start: int, end: int | None = None) -> Span:
        """A span relative to this one."""
        return Span(self.fh, self.start + start, self.end if end is None else self.start + end)

    @classmethod
    def of_file(cls, fh: IO[bytes]) -> Span:
        fh.seek(0, 2)
        return cls(fh, 0, fh.tell())

    @classmethod
    def of_bytes(cls, data: bytes, workdir: Path | None = None) -> Span:
        spool = new_spool(workdir)
        spool.write(data)
        return cls(spool, 0, len(data))


def headers_from_mapping(
    items: Mapping[str, str] | Iterable[tuple[str, str]],
) -> email.message.Message:
    message = email.message.Message()
    pairs = items.items() if isinstance(items, Mapping) else items
    for name, value in pairs:
        message[name] = value
    return message


@dataclass(frozen=True)
class Entity:
    """One MIME entity: its headers, its body, and the whole (headers + body) as sent."""

    headers: email.message.Message
    body: Span
    whole: Span

    @property
    def content_type(self) -> str:
        return self.headers.get_content_type()

    def param(self, name: str) -> str | None:
        value = self.headers.get_param(name)
        if isinstance(value, tuple):  # RFC 2231 encoded
            value = email.utils.collapse_rfc2231_value(value)
        return None if value is None else str(value)

    @property
    def transfer_encoding(self) -> str:
        return str(self.headers.get("Content-Transfer-Encoding", "binary")).strip().lower()


_HEADER_END = re.compile(rb"\r?\n\r?\n")


def parse_entity(span: Span) -> Entity:
    """Split a MIME entity into headers and body (the body may be huge; headers are not)."""
    head = span.read(MAX_HEADER_BYTES)
    if head.startswith((b"\r\n", b"\n")):  # no headers at all
        skip = 2 if head.startswith(b"\r\n") else 1
        return Entity(email.message.Message(), span.sub(skip), span)
    match = _HEADER_END.search(head)
    if match is None:
        if len(span) <= MAX_HEADER_BYTES:
            raise MalformedMessage("MIME entity has no blank line after its headers")
        raise MalformedMessage("MIME headers longer than 64 KiB")
    header_bytes = head[: match.start()] + b"\r\n"
    headers = email.message_from_bytes(header_bytes, policy=email.policy.compat32)
    return Entity(headers, span.sub(match.end()), span)


def _line_starts(span: Span, needle: bytes) -> Iterator[int]:
    """Offsets (relative to span) where `needle` begins a line, scanning chunk by chunk."""
    # Keep the last len(needle) bytes: a match crossing a chunk boundary is found in the
    # joined data, and the byte before any new match is still at hand for the line check.
    # A match wholly inside the carried tail was already seen; the caller de-duplicates.
    keep = len(needle)
    carry = b""
    base = 0  # offset of carry[0] within span
    for chunk in span.chunks():
        data = carry + chunk
        i = data.find(needle)
        while i != -1:
            at = base + i
            if at == 0 or (i > 0 and data[i - 1 : i] == b"\n"):
                yield at
            i = data.find(needle, i + 1)
        carry = data[-keep:]
        base += len(data) - len(carry)


def split_multipart(body: Span, boundary: str) -> list[Span]:
    """The parts (each a complete entity) of a multipart body, in order."""
    delimiter = b"--" + boundary.encode("latin-1")
    starts = sorted(set(_line_starts(body, delimiter)))
    parts: list[Span] = []
    closed = False
    previous_content_start: int | None = None
    for at in starts:
        after = body.sub(at + len(delimiter), min(len(body), at + len(delimiter) + 256)).read()
        closing = after.startswith(b"--")
        newline = after.find(b"\n")
        if not closing:
            if newline == -1:
                raise MalformedMessage("multipart boundary line is not terminated")
            if after[:newline].strip(b" \t\r"):
                continue  # a longer boundary that only starts with ours: not a delimiter
        if previous_content_start is not None:
            end = at
            before = body.sub(max(0, at - 2), at).read()
            if before.endswith(b"\r\n"):
                end -= 2
            elif before.endswith(b"\n"):
                end -= 1
            parts.append(body.sub(previous_content_start, max(previous_content_start, end)))
        if closing:
            closed = True
            break
        previous_content_start = at + len(delimiter) + newline + 1
    if not closed:
        raise MalformedMessage("multipart body has no closing boundary (truncated?)")
    return parts


class Canonicaliser:
    """Turns bare LF into CRLF across chunk boundaries (RFC 5751 canonical text)."""

    def __init__(self) -> None:
        self._held_cr = False

    def feed(self, chunk: bytes) -> bytes:
        if self._held_cr:
            chunk = b"\r" + chunk
            self._held_cr = False
        if chunk.endswith(b"\r"):
            chunk = chunk[:-1]
            self._held_cr = True
        return chunk.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")

    def flush(self) -> bytes:
        held, self._held_cr = self._held_cr, False
        return b"\r" if held else b""


def canonical_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    canon = Canonicaliser()
    for chunk in chunks:
        out = canon.feed(chunk)
        if out:
            yield out
    tail = canon.flush()
    if tail:
        yield tail


def decode_transfer(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """Undo a Content-Transfer-Encoding while streaming."""
    if encoding in ("binary", "8bit", "7bit", ""):
        yield from chunks
    elif encoding == "base64":
        pending = b""
        for chunk in chunks:
            data = pending + b"".join(chunk.split())
            usable = len(data) - len(data) % 4
            pending = data[usable:]
            if usable:
                try:
                    yield base64.b64decode(data[:usable], validate=True)
                except binascii.Error as exc:
                    raise MalformedMessage(f"bad base64 content: {exc}") from None
        if pending.strip(b"="):
            raise MalformedMessage("base64 content truncated")
    elif encoding == "quoted-printable":
        pending = b""
        for chunk in chunks:
            data = pending + chunk
            cut = data.rfind(b"\n") + 1
            pending = data[cut:]
            if cut:
                yield quopri.decodestring(data[:cut])
        if pending:
            yield quopri.decodestring(pending)
    else:
        raise MalformedMessage(f"unknown Content-Transfer-Encoding {encoding!r}")


def spool_chunks(chunks: Iterable[bytes], workdir: Path | None = None) -> Span:
    spool = new_spool(workdir)
    for chunk in chunks:
        spool.write(chunk)
    return Span.of_file(spool)


def render_headers(headers: Iterable[tuple[str, str]]) -> bytes:
    return b"".join(f"{name}: {value}\r\n".encode() for name, value in headers)
