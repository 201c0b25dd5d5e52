"""A streaming BER/DER reader: walks CMS structures whose content is too big to hold.

asn1crypto parses the small parts (recipient infos, algorithm identifiers); this reader
finds them in a stream and yields the large OCTET STRING content (encrypted or compressed
data, possibly split into constructed chunks of indefinite length) chunk by chunk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gateway.as2.errors import MalformedMessage

CHUNK = 1 << 16


class ByteStream:
    """Exact reads over an iterator of byte chunks, counting the position."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = bytearray()
        self.position = 0

    def _fill(self, n: int) -> bool:
        while len(self._buffer) < n:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return False
            self._buffer += chunk
        return True

    def read(self, n: int) -> bytes:
        if not self._fill(n):
            raise MalformedMessage(
                f"CMS structure truncated at byte {self.position + len(self._buffer)}"
            )
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        self.position += n
        return data

    def peek(self, n: int) -> bytes:
        self._fill(n)
        return bytes(self._buffer[:n])

    def read_chunks(self, n: int) -> Iterator[bytes]:
        """Exactly n bytes, yielded in pieces of at most CHUNK."""
        while n > 0:
            piece = self.read(min(n, CHUNK))
            n -= len(piece)
            yield piece

    def at_end(self) -> bool:
        return not self._fill(1)


@dataclass(frozen=True)
class Header:
    tag_bytes: bytes  # identifier octets as read
    tag_class: int  # 0 universal, 1 application, 2 context, 3 private
    constructed: bool
    number: int
    length: int | None  # None: indefinite
    header_bytes: bytes  # identifier + length octets as read

    @property
    def is_eoc(self) -> bool:
        return self.tag_class == 0 and self.number == 0 and not self.constructed


def read_header(stream: ByteStream) -> Header:
    first = stream.read(1)
    raw = bytearray(first)
    tag_class = first[0] >> 6
    constructed = bool(first[0] & 0x20)
    number = first[0] & 0x1F
    if number == 0x1F:
        number = 0
        while True:
            b = stream.read(1)
            raw += b
            number = (number << 7) | (b[0] & 0x7F)
            if not b[0] & 0x80:
                break
    tag_bytes = bytes(raw)
    lb = stream.read(1)
    raw += lb
    if lb[0] < 0x80:
        length: int | None = lb[0]
    elif lb[0] == 0x80:
        if not constructed:
            raise MalformedMessage("indefinite length on a primitive BER element")
        length = None
    else:
        count = lb[0] & 0x7F
        if count > 8:
            raise MalformedMessage("BER length too long")
        octets = stream.read(count)
        raw += octets
        length = int.from_bytes(octets, "big")
    return Header(tag_bytes, tag_class, constructed, number, length, bytes(raw))


def read_element(stream: ByteStream, header: Header | None = None, limit: int = 1 << 24) -> bytes:
    """The complete encoding of one (small) element, indefinite lengths included."""
    header = header or read_header(stream)
    if header.length is not None:
        if header.length > limit:
            raise MalformedMessage(f"CMS element of {header.length} bytes where a small one is due")
        return header.header_bytes + stream.read(header.length)
    parts = [header.header_bytes]
    while True:
        child = read_header(stream)
        if child.is_eoc:
            stream.read(child.length or 0)
            parts.append(child.header_bytes)
            return b"".join(parts)
        parts.append(read_element(stream, child, limit))


def end_of(stream: ByteStream, header: Header) -> None:
    """Consume the end-of-contents octets closing an indefinite-length element."""
    if header.length is None:
        eoc = read_header(stream)
        if not eoc.is_eoc:
            raise MalformedMessage("expected end-of-contents in BER structure")


def octet_string_chunks(stream: ByteStream, header: Header) -> Iterator[bytes]:
    """Content of an OCTET STRING (or an implicitly tagged one), primitive or constructed."""
    if not header.constructed:
        assert header.length is not None
        yield from stream.read_chunks(header.length)
        return
    if header.length is None:
        while True:
            child = read_header(stream)
            if child.is_eoc:
                return
            yield from octet_string_chunks(stream, child)
    else:
        end = stream.position + header.length
        while stream.position < end:
            child = read_header(stream)
            yield from octet_string_chunks(stream, child)


def expect(header: Header, tag_class: int, number: int, what: str) -> None:
    if header.tag_class != tag_class or header.number != number:
        raise MalformedMessage(f"unexpected BER element where {what} is due")
