"""CMS for AS2 on `cryptography` and `asn1crypto`: detached signatures, enveloped and
auth-enveloped (GCM) data, and zlib compressed data (RFC 5652, 5083/5084, 3274).

Decryption and decompression stream: the encrypted or compressed content is never held
whole. Signatures are made and checked over a digest that the caller computes while
streaming the signed MIME part."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import Encoding

from gateway.as2 import der
from gateway.as2.config import KeyPair
from gateway.as2.errors import (
    AuthenticationFailed,
    DecompressionFailed,
    DecryptionFailed,
    IntegrityCheckFailed,
    MalformedMessage,
    MessageTooLarge,
)

_DER = Encoding.DER

# -- digests -----------------------------------------------------------------------------------

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "md5": hashes.MD5,
}


def normalise_digest_name(name: str) -> str:
    """'SHA-256', 'sha256', 'sha-256' -> 'sha256' (AS2 products spell micalg every way)."""
    value = name.strip().strip('"').lower().replace("-", "").replace("_", "")
    if value not in _HASHES:
        raise MalformedMessage(f"unsupported digest algorithm {name!r}")
    return value


def micalg_name(name: str) -> str:
    """The RFC 5751 spelling used in micalg and Received-Content-MIC ('sha-256')."""
    return {"sha1": "sha-1"}.get(name, name.replace("sha", "sha-", 1))


def new_hash(name: str) -> Any:
    return hashlib.new(normalise_digest_name(name))


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    return _HASHES[normalise_digest_name(name)]()


# -- signatures --------------------------------------------------------------------------------


def _signed_attrs_for_verify(attrs: cms.CMSAttributes) -> bytes:
    encoded = attrs.dump()
    return b"\x31" + bytes(encoded[1:])  # signed over the SET OF, not the [0] IMPLICIT tag


@dataclass(frozen=True)
class SignatureInfo:
    digest_algorithm: str  # 'sha256'
    message_digest: bytes | None  # from signed attributes, when present
    signer: x509.Certificate | None = None


def signature_digest_algorithm(signature_der: bytes) -> str:
    signer = _signer_info(signature_der)
    return normalise_digest_name(signer["digest_algorithm"]["algorithm"].native)


def _signer_info(signature_der: bytes) -> cms.SignerInfo:
    try:
        info = cms.ContentInfo.load(signature_der)
        if info["content_type"].native != "signed_data":
            raise AuthenticationFailed("the signature part is not CMS signed-data")
        signers = info["content"]["signer_infos"]
        if len(signers) == 0:
            raise AuthenticationFailed("the signature has no signer")
        signer: cms.SignerInfo = signers[0]
        signer["digest_algorithm"]["algorithm"].native  # noqa: B018 - force parsing now
        return signer
    except (ValueError, TypeError, KeyError) as exc:
        raise AuthenticationFailed(f"unreadable signature: {exc}") from None


def _verify_with(
    public_key: Any,
    signature: bytes,
    data: bytes,
    digest_name: str,
    sig_alg: cms.SignedDigestAlgorithm,
    prehashed: bool,
) -> None:
    algorithm: Any = hash_algorithm(digest_name)
    if prehashed:
        algorithm = Prehashed(algorithm)
    name = sig_alg["algorithm"].native
    if isinstance(public_key, rsa.RSAPublicKey):
        if name == "rsassa_pss":
            params = sig_alg["parameters"]
            pss_hash = hash_algorithm(params["hash_algorithm"]["algorithm"].native)
            pad: padding.AsymmetricPadding = padding.PSS(
                padding.MGF1(pss_hash), int(params["salt_length"].native)
            )
        else:
            pad = padding.PKCS1v15()
        public_key.verify(signature, data, pad, algorithm)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(algorithm))
    else:
        raise InvalidSignature("unsupported key type")


def verify_detached(
    signature_der: bytes,
    content_digests: Sequence[bytes],
    certificates: Sequence[x509.Certificate],
) -> tuple[int, x509.Certificate]:
    """Check a detached signature against candidate digests of the signed content (e.g. over
    canonical and over raw line ends). Returns (index of the digest that verified, signer).

    Raises IntegrityCheckFailed when the signature is good but covers other content, and
    AuthenticationFailed when no trusted certificate verifies it."""
    signer = _signer_info(signature_der)
    digest_name = normalise_digest_name(signer["digest_algorithm"]["algorithm"].native)
    signature = signer["signature"].native
    sig_alg = signer["signature_algorithm"]
    attrs = signer["signed_attrs"]
    if not certificates:
        raise AuthenticationFailed("no certificate of the partner to verify its signature")
    candidates = _order_by_sid(signer, certificates)
    if attrs.native is not None and len(attrs) > 0:
        claimed = None
        for attr in attrs:
            if attr["type"].native == "message_digest":
                claimed = attr["values"][0].native
        if claimed is None:
            raise AuthenticationFailed("signed attributes carry no message digest")
        signed_bytes = _signed_attrs_for_verify(attrs)
        cert = _first_verifying(candidates, signature, signed_bytes, digest_name, sig_alg, False)
        if cert is None:
            raise AuthenticationFailed(
                "signature does not verify with the partner's certificate(s)"
            )
        for index, digest in enumerate(content_digests):
            if digest == claimed:
                return index, cert
        raise IntegrityCheckFailed("content digest does not match the signed message digest")
    # no signed attributes: the signature is over the content digest itself
    for index, digest in enumerate(content_digests):
        cert = _first_verifying(candidates, signature, digest, digest_name, sig_alg, True)
        if cert is not None:
            return index, cert
    raise AuthenticationFailed("signature does not verify with the partner's certificate(s)")


def _order_by_sid(
    signer: cms.SignerInfo, certificates: Sequence[x509.Certificate]
) -> list[x509.Certificate]:
    """Certificates the signer identifier names first; the rest after (some products send
    a wrong issuer/serial, and during a rollover either certificate may be the one)."""
    sid = signer["sid"]
    matching: list[x509.Certificate] = []
    try:
        if sid.name == "issuer_and_serial_number":
            serial = sid.chosen["serial_number"].native
            matching = [c for c in certificates if c.serial_number == serial]
        elif sid.name == "subject_key_identifier":
            ski = sid.chosen.native
            for cert in certificates:
                try:
                    ext = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
                    if ext.value.digest == ski:
                        matching.append(cert)
                except x509.ExtensionNotFound:
                    pass
    except (ValueError, KeyError):
        matching = []
    return matching + [c for c in certificates if c not in matching]


def _first_verifying(
    certificates: Sequence[x509.Certificate],
    signature: bytes,
    data: bytes,
    digest_name: str,
    sig_alg: Any,
    prehashed: bool,
) -> x509.Certificate | None:
    for cert in certificates:
        try:
            _verify_with(cert.public_key(), signature, data, digest_name, sig_alg, prehashed)
            return cert
        except (InvalidSignature, ValueError, TypeError):
            continue
    return None


def sign_detached(content_digest: bytes, digest_name: str, signer: KeyPair) -> bytes:
    """A CMS SignedData (DER) with no content, signing `content_digest` through signed
    attributes (content type, signing time, message digest), certificate included."""
    digest_name = normalise_digest_name(digest_name)
    attr_list = [
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute(
            {"type": "signing_time", "values": [cms.Time({"utc_time": datetime.now(UTC)})]}
        ),
        cms.CMSAttribute({"type": "message_digest", "values": [content_digest]}),
    ]
    # DER orders a SET OF by encoding; verifiers that re-encode (OpenSSL) rely on it
    attr_list.sort(key=lambda a: a.dump())
    attrs = cms.CMSAttributes(attr_list)
    to_sign = attrs.dump()
    key = signer.key
    if isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(to_sign, padding.PKCS1v15(), hash_algorithm(digest_name))
        sig_alg = {"algorithm": "rsassa_pkcs1v15"}
    else:
        signature = key.sign(to_sign, ec.ECDSA(hash_algorithm(digest_name)))
        sig_alg = {"algorithm": f"{digest_name}_ecdsa"}
    cert = cms.Certificate.load(signer.certificate.public_bytes(_DER))
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": cert.issuer, "serial_number": cert.serial_number}
                    )
                }
            ),
            "digest_algorithm": {"algorithm": digest_name},
            "signed_attrs": attrs,
            "signature_algorithm": sig_alg,
            "signature": signature,
        }
    )
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [{"algorithm": digest_name}],
            "encap_content_info": {"content_type": "data"},
            "certificates": [cert],
            "signer_infos": [signer_info],
        }
    )
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump())


# -- encryption --------------------------------------------------------------------------------


class _AlgorithmIdentifier(core.Sequence):  # type: ignore[misc]
    _fields = [
        ("algorithm", core.ObjectIdentifier),
        ("parameters", core.Any, {"optional": True}),
    ]


class GcmParameters(core.Sequence):  # type: ignore[misc]
    _fields = [
        ("nonce", core.OctetString),
        ("icv_len", core.Integer, {"default": 12}),
    ]


# our name -> (OID, key bytes, block cipher, mode)
_CONTENT_CIPHERS: dict[str, tuple[str, int, str]] = {
    "aes128-cbc": ("2.16.840.1.101.3.4.1.2", 16, "cbc"),
    "aes192-cbc": ("2.16.840.1.101.3.4.1.22", 24, "cbc"),
    "aes256-cbc": ("2.16.840.1.101.3.4.1.42", 32, "cbc"),
    "aes128-gcm": ("2.16.840.1.101.3.4.1.6", 16, "gcm"),
    "aes192-gcm": ("2.16.840.1.101.3.4.1.26", 24, "gcm"),
    "aes256-gcm": ("2.16.840.1.101.3.4.1.46", 32, "gcm"),
    "3des": ("1.2.840.113549.3.7", 24, "cbc"),
}
_CIPHER_BY_OID = {oid: name for name, (oid, _, _) in _CONTENT_CIPHERS.items()}


def _block_cipher(name: str, key: bytes) -> Any:
    return TripleDES(key) if name == "3des" else algorithms.AES(key)


def _key_transport_padding(name: str) -> padding.AsymmetricPadding:
    """'rsa-pkcs1v15' or 'rsa-oaep-<hash>' (MGF1 with the same hash unless
    'rsa-oaep-<hash>-mgf1-<hash>')."""
    if name == "rsa-pkcs1v15":
        return padding.PKCS1v15()
    _, _, spec = name.partition("rsa-oaep-")
    digest_name, _, mgf_name = spec.partition("-mgf1-")
    return padding.OAEP(
        mgf=padding.MGF1(hash_algorithm(mgf_name or digest_name)),
        algorithm=hash_algorithm(digest_name),
        label=None,
    )


def _key_encryption_algorithm(name: str) -> dict[str, Any]:
    if name == "rsa-pkcs1v15":
        return {"algorithm": "rsaes_pkcs1v15"}
    _, _, spec = name.partition("rsa-oaep-")
    digest_name, _, mgf_name = spec.partition("-mgf1-")
    digest = normalise_digest_name(digest_name)
    mgf = normalise_digest_name(mgf_name or digest_name)
    return {
        "algorithm": "rsaes_oaep",
        "parameters": algos.RSAESOAEPParams(
            {
                "hash_algorithm": {"algorithm": digest},
                "mask_gen_algorithm": {
                    "algorithm": "mgf1",
                    "parameters": {"algorithm": mgf},
                },
            }
        ),
    }


def encrypt(
    content: bytes, recipient: x509.Certificate, algorithm: str, key_transport: str
) -> bytes:
    """EnvelopedData (CBC) or AuthEnvelopedData (GCM) for one recipient, DER."""
    out: list[bytes] = []
    encrypt_stream([content], len(content), recipient, algorithm, key_transport, out.append)
    return b"".join(out)


def encrypt_stream(
    chunks: Iterable[bytes],
    length: int,
    recipient: x509.Certificate,
    algorithm: str,
    key_transport: str,
    write: Callable[[bytes], Any],
) -> None:
    """Write DER (Auth)EnvelopedData of `length` bytes of content read from `chunks`.

    The ciphertext's size is known in advance (CBC pads to the next block, GCM adds
    nothing), so every length is definite and the content is encrypted as it streams."""
    oid, key_size, mode = _CONTENT_CIPHERS[algorithm]
    cek = os.urandom(key_size)
    public_key = recipient.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ValueError("AS2 encryption needs an RSA certificate of the partner")
    encrypted_key = public_key.encrypt(cek, _key_transport_padding(key_transport))
    cert = cms.Certificate.load(recipient.public_bytes(_DER))
    recipient_info = cms.RecipientInfo(
        name="ktri",
        value=cms.KeyTransRecipientInfo(
            {
                "version": "v0",
                "rid": cms.RecipientIdentifier(
                    name="issuer_and_serial_number",
                    value=cms.IssuerAndSerialNumber(
                        {"issuer": cert.issuer, "serial_number": cert.serial_number}
                    ),
                ),
                "key_encryption_algorithm": _key_encryption_algorithm(key_transport),
                "encrypted_key": encrypted_key,
            }
        ),
    )
    padder: Any = None
    if mode == "cbc":
        block = 8 if algorithm == "3des" else 16
        iv = os.urandom(block)
        padder = sym_padding.PKCS7(block * 8).padder()
        encryptor: Any = Cipher(_block_cipher(algorithm, cek), modes.CBC(iv)).encryptor()
        params: core.Asn1Value = core.OctetString(iv)
        outer_type = "1.2.840.113549.1.7.3"
        cipher_length = (length // block + 1) * block
        mac_length = 0
    else:
        nonce = os.urandom(12)
        encryptor = Cipher(algorithms.AES(cek), modes.GCM(nonce)).encryptor()
        params = GcmParameters({"nonce": nonce, "icv_len": 16})
        outer_type = "1.2.840.113549.1.9.16.1.23"
        cipher_length = length
        mac_length = 18  # OCTET STRING of the 16-byte tag
    # the structure around the ciphertext is DER assembled by hand: headers first, then the
    # ciphertext as it is produced, then (GCM) the tag
    content_type = core.ObjectIdentifier("1.2.840.113549.1.7.1").dump()
    algorithm_id = _AlgorithmIdentifier({"algorithm": oid, "parameters": params}).dump()
    encrypted_header = bytes([0x80]) + _length(cipher_length)  # [0] IMPLICIT OCTET STRING
    eci_length = len(content_type) + len(algorithm_id) + len(encrypted_header) + cipher_length
    eci_header = b"\x30" + _length(eci_length)
    version = core.Integer(0).dump()
    recipients = cms.RecipientInfos([recipient_info]).dump()
    body_length = len(version) + len(recipients) + len(eci_header) + eci_length + mac_length
    body_header = b"\x30" + _length(body_length)
    explicit_header = b"\xa0" + _length(len(body_header) + body_length)
    outer_oid = core.ObjectIdentifier(outer_type).dump()
    outer_length = len(outer_oid) + len(explicit_header) + len(body_header) + body_length
    write(
        b"\x30"
        + _length(outer_length)
        + outer_oid
        + explicit_header
        + body_header
        + version
        + recipients
        + eci_header
        + content_type
        + algorithm_id
        + encrypted_header
    )
    written = 0
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        data = padder.update(chunk) if padder is not None else chunk
        out = encryptor.update(data)
        written += len(out)
        write(out)
    if seen != length:
        raise ValueError(f"content was {seen} bytes, {length} announced")
    tail = encryptor.update(padder.finalize()) if padder is not None else b""
    tail += encryptor.finalize()
    written += len(tail)
    write(tail)
    assert written == cipher_length, (written, cipher_length)
    if mode == "gcm":
        write(core.OctetString(encryptor.tag).dump())


def _tlv(tag: int, *parts: bytes) -> bytes:
    length = sum(len(p) for p in parts)
    return b"".join([bytes([tag]), _length(length), *parts])


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


@dataclass(frozen=True)
class DecryptionInfo:
    algorithm: str  # our name, e.g. 'aes256-cbc'
    key_transport: str  # 'rsa-pkcs1v15' | 'rsa-oaep-sha1' | 'rsa-oaep-sha256'
    recipient: x509.Certificate


def _oaep_name(params: Any) -> str:
    """Our name for the OAEP parameters a sender used (RFC 4055 defaults: SHA-1, MGF1-SHA-1)."""
    try:
        digest_name = params["hash_algorithm"]["algorithm"].native or "sha1"
        mgf_name = params["mask_gen_algorithm"]["parameters"]["algorithm"].native or "sha1"
    except (KeyError, TypeError, ValueError):
        digest_name, mgf_name = "sha1", "sha1"
    name = f"rsa-oaep-{normalise_digest_name(digest_name)}"
    if normalise_digest_name(mgf_name) != normalise_digest_name(digest_name):
        name += f"-mgf1-{normalise_digest_name(mgf_name)}"
    return name


def _unwrap_cek(
    recipient_infos: cms.RecipientInfos, keys: Sequence[KeyPair]
) -> tuple[bytes, str, x509.Certificate]:
    """Decrypt the content-encryption key with whichever of our keys it was made for."""
    attempts: list[tuple[cms.KeyTransRecipientInfo, KeyPair]] = []
    fallback: list[tuple[cms.KeyTransRecipientInfo, KeyPair]] = []
    for info in recipient_infos:
        if info.name != "ktri":
            continue
        ktri = info.chosen
        rid = ktri["rid"]
        for pair in keys:
            named = False
            if rid.name == "issuer_and_serial_number":
                ias = rid.chosen
                named = (
                    ias["serial_number"].native == pair.certificate.serial_number
                    and ias["issuer"].dump()
                    == cms.Certificate.load(pair.certificate.public_bytes(_DER)).issuer.dump()
                )
            (attempts if named else fallback).append((ktri, pair))
    if not attempts and not fallback:
        raise DecryptionFailed("no key-transport recipient in the message")
    # PKCS#1 v1.5 decryption does not fail on a wrong key (implicit rejection gives a random
    # key), so a recipient naming someone else is only tried when none names us
    for ktri, pair in attempts or fallback:
        algorithm = ktri["key_encryption_algorithm"]
        name = algorithm["algorithm"].native
        if name == "rsaes_pkcs1v15":
            transport = "rsa-pkcs1v15"
        elif name == "rsaes_oaep":
            transport = _oaep_name(algorithm["parameters"])
        else:
            continue
        if not isinstance(pair.key, rsa.RSAPrivateKey):
            continue
        try:
            cek = pair.key.decrypt(ktri["encrypted_key"].native, _key_transport_padding(transport))
            return cek, transport, pair.certificate
        except ValueError:
            continue
    raise DecryptionFailed("the message was not encrypted for any of our certificates")


def decrypt_stream(
    chunks: Iterable[bytes],
    keys: Sequence[KeyPair],
    write: Callable[[bytes], Any],
    max_bytes: int | None = None,
) -> DecryptionInfo:
    """Decrypt CMS (Auth)EnvelopedData read from `chunks`, writing plaintext to `write`."""
    stream = der.ByteStream(chunks)
    try:
        outer = der.read_header(stream)
        der.expect(outer, 0, 16, "ContentInfo")
        content_type = core.ObjectIdentifier.load(der.read_element(stream)).dotted
        if content_type not in ("1.2.840.113549.1.7.3", "1.2.840.113549.1.9.16.1.23"):
            raise DecryptionFailed(f"encrypted part holds {content_type}, not enveloped data")
        explicit = der.read_header(stream)
        der.expect(explicit, 2, 0, "[0] content")
        body = der.read_header(stream)
        der.expect(body, 0, 16, "EnvelopedData")
        der.read_element(stream)  # version
        item = der.read_header(stream)
        if item.tag_class == 2 and item.number == 0:  # originatorInfo: not used by AS2
            der.read_element(stream, item)
            item = der.read_header(stream)
        recipient_infos = cms.RecipientInfos.load(der.read_element(stream, item))
        eci = der.read_header(stream)
        der.expect(eci, 0, 16, "EncryptedContentInfo")
        der.read_element(stream)  # content type of the plaintext
        algorithm = _AlgorithmIdentifier.load(der.read_element(stream))
        oid = algorithm["algorithm"].dotted
        if oid not in _CIPHER_BY_OID:
            raise DecryptionFailed(f"unsupported content encryption algorithm {oid}")
        cipher_name = _CIPHER_BY_OID[oid]
        _, key_size, mode = _CONTENT_CIPHERS[cipher_name]
        cek, transport, recipient = _unwrap_cek(recipient_infos, keys)
        if len(cek) != key_size:
            raise DecryptionFailed("content key has the wrong size for its algorithm (wrong key?)")
        params_raw = algorithm["parameters"].dump()
        content = der.read_header(stream)
        der.expect(content, 2, 0, "encrypted content")
        written = 0
        if mode == "cbc":
            iv = core.OctetString.load(params_raw).native
            block = 8 if cipher_name == "3des" else 16
            decryptor = Cipher(_block_cipher(cipher_name, cek), modes.CBC(iv)).decryptor()
            unpadder = sym_padding.PKCS7(block * 8).unpadder()
            for piece in der.octet_string_chunks(stream, content):
                out = unpadder.update(decryptor.update(piece))
                written += len(out)
                if max_bytes is not None and written > max_bytes:
                    raise MessageTooLarge(f"decrypted content exceeds {max_bytes} bytes")
                write(out)
            try:
                write(unpadder.update(decryptor.finalize()) + unpadder.finalize())
            except ValueError:
                raise DecryptionFailed("bad padding after decryption (wrong key?)") from None
        else:
            gcm = GcmParameters.load(params_raw)
            nonce = gcm["nonce"].native
            icv_len = int(gcm["icv_len"].native)
            gcm_mode = modes.GCM(nonce, min_tag_length=icv_len)
            gcm_decryptor = Cipher(algorithms.AES(cek), gcm_mode).decryptor()
            # plaintext goes to a spool the caller discards unless the tag checks out
            for piece in der.octet_string_chunks(stream, content):
                out = gcm_decryptor.update(piece)
                written += len(out)
                if max_bytes is not None and written > max_bytes:
                    raise MessageTooLarge(f"decrypted content exceeds {max_bytes} bytes")
                write(out)
            der.end_of(stream, eci)
            item = der.read_header(stream)
            if item.tag_class == 2 and item.number == 1:
                raise DecryptionFailed("authenticated attributes in AuthEnvelopedData: unsupported")
            mac = core.OctetString.load(der.read_element(stream, item)).native
            try:
                write(gcm_decryptor.finalize_with_tag(mac))
            except InvalidTag:
                raise DecryptionFailed("GCM authentication tag does not match") from None
        return DecryptionInfo(cipher_name, transport, recipient)
    except (ValueError, TypeError, KeyError) as exc:
        raise DecryptionFailed(f"unreadable encrypted data: {exc}") from None
    except MalformedMessage as exc:
        raise DecryptionFailed(str(exc)) from None


# -- compression -------------------------------------------------------------------------------


def compress(content: bytes) -> bytes:
    out: list[bytes] = []
    compress_stream([content], out.append)
    return b"".join(out)


def compress_stream(
    chunks: Iterable[bytes], write: Callable[[bytes], Any], spool: Any | None = None
) -> None:
    """Write DER CompressedData (zlib) of the content read from `chunks`. The deflated data
    goes to `spool` (a writable, seekable file; a temporary one by default) first, so that
    its length is known for the definite-length DER around it."""
    holder = spool if spool is not None else tempfile.TemporaryFile()  # noqa: SIM115
    try:
        deflater = zlib.compressobj()
        size = 0
        for chunk in chunks:
            out = deflater.compress(chunk)
            size += len(out)
            holder.write(out)
        out = deflater.flush()
        size += len(out)
        holder.write(out)
        octets = b"\x04" + _length(size)
        econtent = b"\xa0" + _length(len(octets) + size)  # [0] EXPLICIT OCTET STRING
        data_oid = core.ObjectIdentifier("1.2.840.113549.1.7.1").dump()
        encap_length = len(data_oid) + len(econtent) + len(octets) + size
        encap = b"\x30" + _length(encap_length)
        version = core.Integer(0).dump()
        zlib_id = _AlgorithmIdentifier({"algorithm": "1.2.840.113549.1.9.16.3.8"}).dump()
        body_length = len(version) + len(zlib_id) + len(encap) + encap_length
        body = b"\x30" + _length(body_length)
        explicit = b"\xa0" + _length(len(body) + body_length)
        outer_oid = core.ObjectIdentifier("1.2.840.113549.1.9.16.1.9").dump()
        outer_length = len(outer_oid) + len(explicit) + len(body) + body_length
        write(
            b"\x30"
            + _length(outer_length)
            + outer_oid
            + explicit
            + body
            + version
            + zlib_id
            + encap
            + data_oid
            + econtent
            + octets
        )
        holder.seek(0)
        while piece := holder.read(1 << 20):
            write(piece)
    finally:
        if spool is None:
            holder.close()


def decompress_stream(
    chunks: Iterable[bytes], write: Callable[[bytes], Any], max_bytes: int | None = None
) -> None:
    """Inflate CMS CompressedData (zlib) read from `chunks`, writing to `write`."""
    stream = der.ByteStream(chunks)
    try:
        outer = der.read_header(stream)
        der.expect(outer, 0, 16, "ContentInfo")
        content_type = core.ObjectIdentifier.load(der.read_element(stream)).dotted
        if content_type != "1.2.840.113549.1.9.16.1.9":
            raise DecompressionFailed(f"compressed part holds {content_type}")
        der.expect(der.read_header(stream), 2, 0, "[0] content")
        der.expect(der.read_header(stream), 0, 16, "CompressedData")
        der.read_element(stream)  # version
        algorithm = _AlgorithmIdentifier.load(der.read_element(stream))
        if algorithm["algorithm"].dotted != "1.2.840.113549.1.9.16.3.8":
            raise DecompressionFailed("compression algorithm is not zlib")
        der.expect(der.read_header(stream), 0, 16, "EncapsulatedContentInfo")
        der.read_element(stream)  # eContentType
        der.expect(der.read_header(stream), 2, 0, "[0] eContent")
        octets = der.read_header(stream)
        inflater = zlib.decompressobj()
        written = 0
        for piece in der.octet_string_chunks(stream, octets):
            data = piece
            while data:
                out = inflater.decompress(data, 1 << 20)
                written += len(out)
                if max_bytes is not None and written > max_bytes:
                    raise MessageTooLarge(f"decompressed content exceeds {max_bytes} bytes")
                write(out)
                data = inflater.unconsumed_tail
        tail = inflater.flush()
        write(tail)
        if not inflater.eof:
            raise DecompressionFailed("compressed data is truncated")
    except zlib.error as exc:
        raise DecompressionFailed(f"cannot inflate: {exc}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise DecompressionFailed(f"unreadable compressed data: {exc}") from None
    except MalformedMessage as exc:
        raise DecompressionFailed(str(exc)) from None
