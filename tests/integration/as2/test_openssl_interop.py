"""Interop with an independent CMS implementation: Debian's `openssl cms` signs, encrypts,
verifies and decrypts what we receive and send, in both directions (this openssl build has
no CMS compression, so compressed nestings are covered by the gateway-to-gateway tests)."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway.as2.build import build_message
from gateway.as2.mdn import parse_mdn_bytes
from gateway.store import Interchange
from tests import support
from tests.integration.as2.conftest import Pair
from tests.integration.as2.test_roundtrip import PAYLOAD

pytestmark = pytest.mark.integration

PAYLOAD_ENTITY = (
    b"Content-Type: application/edi-x12\r\nContent-Transfer-Encoding: binary\r\n"
    b'Content-Disposition: attachment; filename="from-openssl.edi"\r\n\r\n' + PAYLOAD
)


@pytest.fixture(scope="module")
def openssl() -> str:
    path = shutil.which("openssl") or "/usr/bin/openssl"
    if not Path(path).exists():
        support.unavailable("openssl is not installed", required_by="EDIGW_REQUIRE_SERVICES")
    return path


def run(openssl: str, *args: str | Path) -> bytes:
    done = subprocess.run([openssl, *map(str, args)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def split_mime(data: bytes) -> tuple[list[tuple[str, str]], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    headers = []
    for line in head.decode().split("\r\n"):
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return headers, body


def as2_headers(message_id: str) -> list[tuple[str, str]]:
    return [
        ("AS2-Version", "1.2"),
        ("AS2-From", "ACME"),
        ("AS2-To", "EDIGW"),
        ("Message-ID", message_id),
        ("Disposition-Notification-To", "mailto:as2@acme.example"),
        (
            "Disposition-Notification-Options",
            "signed-receipt-protocol=optional, pkcs7-signature; "
            "signed-receipt-micalg=optional, sha-256",
        ),
    ]


def mic_of(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def canonical(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# name -> (openssl cms steps, what the MIC covers, the payload as delivered). In text mode
# openssl canonicalises the content it signs and sends, so CRLF is what arrives.
CASES = {
    "signed-binary": ("sign-binary", PAYLOAD_ENTITY, PAYLOAD),
    "signed-text": ("sign-text", canonical(PAYLOAD_ENTITY), canonical(PAYLOAD)),
    "signed-rsa-pss": ("sign-pss", PAYLOAD_ENTITY, PAYLOAD),
    "encrypted-aes256": ("enc:-aes256", PAYLOAD_ENTITY, PAYLOAD),
    "encrypted-aes128-oaep": ("enc:-aes128:oaep", PAYLOAD_ENTITY, PAYLOAD),
    "encrypted-aes192-oaep-sha256": ("enc:-aes192:oaep256", PAYLOAD_ENTITY, PAYLOAD),
    "encrypted-3des": ("enc:-des3", PAYLOAD_ENTITY, PAYLOAD),
    "encrypted-aes256-gcm": ("enc:-aes-256-gcm", PAYLOAD_ENTITY, PAYLOAD),
    "signed-then-encrypted": ("sign-binary,enc:-aes256", PAYLOAD_ENTITY, PAYLOAD),
    "signed-then-encrypted-gcm": ("sign-binary,enc:-aes-128-gcm:oaep", PAYLOAD_ENTITY, PAYLOAD),
}


def _openssl_make(openssl: str, steps: str, pair: Pair, folder: Path) -> bytes:
    current = folder / "step0.mime"
    current.write_bytes(PAYLOAD_ENTITY)
    for index, step in enumerate(steps.split(",")):
        out = folder / f"step{index + 1}.mime"
        if step.startswith("sign"):
            binary = ["-binary"] if step in ("sign-binary", "sign-pss") else []
            if step == "sign-pss":
                binary += ["-keyopt", "rsa_padding_mode:pss"]
            run(
                openssl,
                "cms",
                "-sign",
                "-in",
                current,
                "-signer",
                pair.partner_id.cert_path,
                "-inkey",
                pair.partner_id.key_path,
                "-md",
                "sha256",
                *binary,
                "-crlfeol",
                "-out",
                out,
            )
        else:
            _, cipher, *opts = step.split(":")
            keyopts: list[str] = []
            if opts and opts[0].startswith("oaep"):
                keyopts = ["-keyopt", "rsa_padding_mode:oaep"]
                if opts[0] == "oaep256":
                    keyopts += ["-keyopt", "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha256"]
            run(
                openssl,
                "cms",
                "-encrypt",
                "-in",
                current,
                cipher,
                "-binary",
                "-crlfeol",
                "-out",
                out,
                "-recip",
                pair.our_id.cert_path,
                *keyopts,
            )
        current = out
    return current.read_bytes()


@pytest.mark.parametrize("case", list(CASES))
def test_openssl_to_gateway(openssl: str, pair: Pair, tmp_path: Path, case: str) -> None:
    steps, mic_over, delivered = CASES[case]
    headers, body = split_mime(_openssl_make(openssl, steps, pair, tmp_path))
    message_id = f"<{case}@openssl>"
    response = httpx.post(
        f"{pair.ours.url}/as2", headers=as2_headers(message_id) + headers, content=body
    )
    assert response.status_code == 200
    mdn = parse_mdn_bytes(
        list(response.headers.multi_items()),
        response.content,
        [pair.our_id.pair.certificate],
        require_signature=True,
    )
    assert mdn.processed_ok, f"{mdn.disposition}: {mdn.text}"
    assert mdn.original_message_id == message_id
    assert mdn.mic == mic_of(mic_over) and mdn.mic_algorithm == "sha-256"
    with pair.ours.runtime.db.session() as session:
        stored = session.scalars(select(Interchange)).one()
        assert pair.ours.runtime.blobs.read(stored.blob_key) == delivered
        assert stored.meta["filename"] == "from-openssl.edi"
    # openssl checks the signature of our MDN
    content_type = response.headers["content-type"]
    mdn_file = tmp_path / "mdn.eml"
    mdn_file.write_bytes(f"Content-Type: {content_type}\r\n\r\n".encode() + response.content)
    signer = tmp_path / "mdn-signer.pem"
    report = run(openssl, "cms", "-verify", "-noverify", "-in", mdn_file, "-signer", signer)
    assert b"disposition-notification" in report
    assert signer.read_bytes() == pair.our_id.cert_path.read_bytes()


SEND_CASES = {
    "signed": dict(encrypt=False),
    "encrypted-aes256": dict(sign=False),
    "encrypted-aes128-oaep": dict(
        sign=False, encryption_algorithm="aes128-cbc", key_transport="rsa-oaep-sha1"
    ),
    "encrypted-aes192-oaep-sha256": dict(
        sign=False, encryption_algorithm="aes192-cbc", key_transport="rsa-oaep-sha256"
    ),
    "encrypted-3des": dict(sign=False, encryption_algorithm="3des"),
    "encrypted-aes256-gcm": dict(sign=False, encryption_algorithm="aes256-gcm"),
    "signed+encrypted": dict(),
    "signed-sha512+encrypted-gcm": dict(sign_algorithm="sha512", encryption_algorithm="aes128-gcm"),
}


@pytest.mark.parametrize("case", list(SEND_CASES))
def test_gateway_to_openssl(openssl: str, pair: Pair, tmp_path: Path, case: str) -> None:
    # acme's gateway config towards us, but the receiving end is openssl with our key
    config = pair.configure(**SEND_CASES[case])  # type: ignore[arg-type]
    message = build_message(config, PAYLOAD, "to-openssl.edi")
    headers = dict(message.headers)
    current = tmp_path / "received"
    if config.encrypt:
        current.write_bytes(message.body)  # binary CMS, as sent over HTTP
        decrypted = tmp_path / "decrypted.mime"
        run(
            openssl,
            "cms",
            "-decrypt",
            "-inform",
            "DER",
            "-in",
            current,
            "-recip",
            pair.our_id.cert_path,
            "-inkey",
            pair.our_id.key_path,
            "-out",
            decrypted,
        )
        current = decrypted
    else:
        current.write_bytes(
            f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + message.body
        )
    if config.sign:
        # openssl's own S/MIME reader cannot take binary content between CRLF delimiters (it
        # fails on its own `-binary -crlfeol` output), so the multipart is split here with
        # plain byte operations and openssl checks the detached signature over the content
        signed = current.read_bytes()
        boundary = re.search(rb'boundary="([^"]+)"', signed)
        assert boundary is not None
        delimiter = b"--" + boundary.group(1)
        parts = signed.split(delimiter)
        content = tmp_path / "content.mime"
        content.write_bytes(parts[1][2:-2])  # between "--b\r\n" and "\r\n--b"
        signature = tmp_path / "signature.der"
        signature.write_bytes(base64.b64decode(parts[2].partition(b"\r\n\r\n")[2]))
        signer = tmp_path / "signer.pem"
        run(
            openssl,
            "cms",
            "-verify",
            "-noverify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            signature,
            "-content",
            content,
            "-signer",
            signer,
            "-out",
            tmp_path / "out",
        )
        assert signer.read_bytes() == pair.partner_id.cert_path.read_bytes()
        current = content
        # the MIC our client expects is over exactly what openssl verified
        assert (
            message.mic
            == base64.b64encode(
                hashlib.new(config.sign_algorithm, content.read_bytes()).digest()
            ).decode()
        )
    entity = current.read_bytes()
    assert entity.endswith(b"\r\n\r\n" + PAYLOAD)
    assert b'filename="to-openssl.edi"' in entity
