"""Fixtures made by other AS2 products (read in place from the shared corpus) verify and
give the MIC their notes document: a signed MDN from a .NET service and a
compress-then-sign message from Mendelson AS2."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gateway.as2.config import load_certificates
from gateway.as2.errors import AuthenticationFailed, IntegrityCheckFailed
from gateway.as2.mdn import parse_mdn
from gateway.as2.mime import Span, parse_entity
from gateway.as2.unwrap import unwrap
from gateway.cli import main

pytestmark = pytest.mark.conformance

DOTNET_MIC = "bIwxkbRLLtHWlniKxMReISQ/GvEve0LV/hxdl9OD0E8="
MENDELSON_MIC = "14SZThwSYUH4aPdkglDwdRFnKUFmgjKsJFZWcSXBTww="


def crlf(data: bytes) -> bytes:
    # the corpus keeps this MDN with LF line ends (its source repository normalised them);
    # on the wire it had CRLF, which is what it was signed over
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_dotnet_signed_mdn(corpus_dir: Path) -> None:
    folder = corpus_dir / "as2" / "as2testing-dotnet"
    data = crlf((folder / "mdn.signed.txt").read_bytes())
    certs = load_certificates(str(folder / "as2testing.cer"))
    mdn = parse_mdn(parse_entity(Span.of_bytes(data)), certs, require_signature=True)
    assert mdn.signed and mdn.signature_valid
    assert mdn.disposition_type == "processed" and mdn.processed_ok
    assert mdn.original_message_id == "<51dac186-d7d2-8440-392e-d9153a830125@DESKTOP-BTP8V2E>"
    assert (mdn.mic, mdn.mic_algorithm) == (DOTNET_MIC, "sha-256")


def test_dotnet_mdn_with_a_changed_byte_fails(corpus_dir: Path) -> None:
    folder = corpus_dir / "as2" / "as2testing-dotnet"
    data = crlf((folder / "mdn.signed.txt").read_bytes()).replace(b"processed", b"processeD", 1)
    certs = load_certificates(str(folder / "as2testing.cer"))
    with pytest.raises(IntegrityCheckFailed):
        parse_mdn(parse_entity(Span.of_bytes(data)), certs)


def test_dotnet_mdn_needs_its_own_certificate(corpus_dir: Path) -> None:
    folder = corpus_dir / "as2" / "as2testing-dotnet"
    data = crlf((folder / "mdn.signed.txt").read_bytes())
    other = load_certificates(str(corpus_dir / "as2" / "mendelson" / "cert_mecas2_public.pem"))
    with pytest.raises(AuthenticationFailed):
        parse_mdn(parse_entity(Span.of_bytes(data)), other)


def test_mendelson_compress_then_sign(corpus_dir: Path) -> None:
    folder = corpus_dir / "as2" / "mendelson"
    data = (folder / "mecas2_compressed.as2").read_bytes()
    report = unwrap(
        parse_entity(Span.of_bytes(data)),
        our_keys=[],
        partner_certificates=load_certificates(str(folder / "cert_mecas2_public.pem")),
        mic_algorithms=["sha-256"],
    )
    assert report.layers == ["signed", "compressed"]
    assert report.signature_valid
    assert (report.mic, report.mic_algorithm) == (MENDELSON_MIC, "sha256")
    assert report.payload is not None
    assert report.payload.read() == (folder / "payload.txt").read_bytes()


def test_cli_inspect_reads_both_fixtures(corpus_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    mendelson = corpus_dir / "as2" / "mendelson"
    result = runner.invoke(
        main,
        [
            "as2",
            "inspect",
            str(mendelson / "mecas2_compressed.as2"),
            "--partner-cert",
            str(mendelson / "cert_mecas2_public.pem"),
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["kind"] == "message" and out["signed"] and out["compressed"]
    assert not out["encrypted"] and out["signature_valid"] is True
    assert (out["mic"], out["mic_algorithm"]) == (MENDELSON_MIC, "sha-256")
    payload = (mendelson / "payload.txt").read_bytes()
    assert out["payload"] == {"sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload)}

    dotnet = corpus_dir / "as2" / "as2testing-dotnet"
    saved = tmp_path / "mdn.txt"
    saved.write_bytes(crlf((dotnet / "mdn.signed.txt").read_bytes()))
    result = runner.invoke(
        main, ["as2", "inspect", str(saved), "--partner-cert", str(dotnet / "as2testing.cer")]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["kind"] == "mdn" and out["signed"] and out["signature_valid"] is True
    assert out["disposition"] == "automatic-action/MDN-sent-automatically; processed"
    assert (out["mic"], out["mic_algorithm"]) == (DOTNET_MIC, "sha-256")


def test_cli_inspect_reports_a_bad_signature(corpus_dir: Path) -> None:
    mendelson = corpus_dir / "as2" / "mendelson"
    result = CliRunner().invoke(
        main,
        [
            "as2",
            "inspect",
            str(mendelson / "mecas2_compressed.as2"),
            "--partner-cert",
            str(mendelson / "cert_test_public.pem"),
        ],
    )
    assert result.exit_code == 1
    out = json.loads(result.output)
    assert out["signature_valid"] is False
    assert out["error"]["modifier"] == "authentication-failed"


def test_cli_inspect_of_garbage_is_a_structured_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"no headers, no body, just bytes")
    result = CliRunner().invoke(main, ["as2", "inspect", str(garbage)])
    assert result.exit_code == 1
    assert json.loads(result.output)["error"]["modifier"] == "unexpected-processing-error"
