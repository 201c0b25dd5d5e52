"""File-backed MIME: multipart splitting, canonical line ends and transfer decoding give the
same result however the bytes are chunked."""

from __future__ import annotations

import base64

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gateway.as2 import mime
from gateway.as2.errors import MalformedMessage
from gateway.as2.mime import Span, canonical_chunks, decode_transfer, parse_entity, split_multipart

pytestmark = pytest.mark.unit

part_body = st.binary(max_size=300).filter(lambda b: b"--bnd" not in b)


def _chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


@settings(max_examples=150, deadline=None)
@given(st.lists(part_body, min_size=1, max_size=4), st.integers(1, 64), st.booleans())
def test_split_multipart_any_chunking(parts: list[bytes], chunk: int, crlf: bool) -> None:
    # with LF line ends a part ending in CR is ambiguous in MIME itself
    assume(crlf or not any(p.endswith(b"\r") for p in parts))
    eol = b"\r\n" if crlf else b"\n"
    body = b"preamble" + eol
    for p in parts:
        body += b"--bnd" + eol + p + eol
    body += b"--bnd--" + eol + b"epilogue"
    with pytest.MonkeyPatch.context() as m:
        m.setattr(mime, "CHUNK", chunk)
        found = split_multipart(Span.of_bytes(body), "bnd")
    assert [s.read() for s in found] == parts


def test_boundary_prefix_of_a_longer_one_is_not_a_delimiter() -> None:
    body = b"--bnd\r\nA\r\n--bndX is text\r\n--bnd\r\nB\r\n--bnd--\r\n"
    assert [s.read() for s in split_multipart(Span.of_bytes(body), "bnd")] == [
        b"A\r\n--bndX is text",
        b"B",
    ]


def test_unclosed_multipart_is_malformed() -> None:
    with pytest.raises(MalformedMessage, match="closing boundary"):
        split_multipart(Span.of_bytes(b"--bnd\r\nA\r\n--bnd\r\nB"), "bnd")


@given(st.binary(max_size=400), st.integers(1, 17))
def test_canonical_chunks_match_whole_transform(data: bytes, chunk: int) -> None:
    whole = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert b"".join(canonical_chunks(_chunked(data, chunk))) == whole


@given(st.binary(max_size=400), st.integers(1, 23), st.booleans())
def test_base64_decoding_any_chunking(data: bytes, chunk: int, folded: bool) -> None:
    encoded = base64.encodebytes(data) if folded else base64.b64encode(data)
    encoded = encoded.replace(b"\n", b"\r\n")
    assert b"".join(decode_transfer(_chunked(encoded, chunk), "base64")) == data


def test_bad_base64_is_malformed() -> None:
    with pytest.raises(MalformedMessage):
        b"".join(decode_transfer([b"ab$d"], "base64"))


def test_parse_entity_headers_and_body() -> None:
    entity = parse_entity(
        Span.of_bytes(b'Content-Type: multipart/signed;\r\n boundary="x y"\r\n\r\nBODY')
    )
    assert entity.content_type == "multipart/signed"
    assert entity.param("boundary") == "x y"
    assert entity.body.read() == b"BODY"
    assert parse_entity(Span.of_bytes(b"\r\nonly body")).body.read() == b"only body"
    with pytest.raises(MalformedMessage):
        parse_entity(Span.of_bytes(b"Content-Type: text/plain"))


def test_quoted_printable_decoding_across_chunks() -> None:
    encoded = b"caf=C3=A9 =\r\nsoft break\r\nline two=3D\r\n"
    expected = "café soft break\r\nline two=\r\n".encode()
    for size in (1, 3, 7, 100):
        assert b"".join(decode_transfer(_chunked(encoded, size), "quoted-printable")) == expected
