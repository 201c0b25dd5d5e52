"""SSH keys for the SFTP transport: authorised partner keys, host keys, pins, our client key.

Public keys are OpenSSH one-liners (`ssh-ed25519 AAAA... comment`); a pinned host key is the
same or its `SHA256:` fingerprint. The key store keeps each hosted partner's authorised keys
in a file under the var dir, replaced atomically when rotated."""

from __future__ import annotations

import base64
import binascii
import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from gateway.sftp.errors import SftpConfigError

if TYPE_CHECKING:
    from gateway.sftp.config import MailboxConfig, MailboxLimits


@dataclass(frozen=True)
class AuthorizedKey:
    key_type: str
    blob: bytes  # the SSH wire form of the public key
    comment: str = ""

    @property
    def fingerprint(self) -> str:
        return sha256_fingerprint(self.blob)

    def openssh_line(self) -> str:
        text = f"{self.key_type} {base64.b64encode(self.blob).decode()}"
        return f"{text} {self.comment}" if self.comment else text

    def matches(self, key: paramiko.PKey) -> bool:
        return bool(key.asbytes() == self.blob)


def sha256_fingerprint(blob: bytes) -> str:
    import hashlib

    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def _public_key(key_type: str, b64: str, what: str) -> tuple[paramiko.PKey, bytes]:
    try:
        blob = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise SftpConfigError(f"{what}: the key is not valid base64") from None
    try:
        key = paramiko.PKey.from_type_string(key_type, blob)
    except Exception as exc:  # paramiko raises several types for bad key material
        raise SftpConfigError(f"{what}: not a usable {key_type} key ({exc})") from None
    if key.asbytes() != blob:
        raise SftpConfigError(f"{what}: the key's inner type is not {key_type}")
    return key, blob


def parse_authorized_key(line: str) -> AuthorizedKey:
    """One OpenSSH public key line (`type base64 [comment]`); options are not supported."""
    parts = (line or "").strip().split(None, 2)
    if len(parts) < 2:
        raise SftpConfigError(f"public key line {line[:40]!r} must be 'type base64 [comment]'")
    key_type, b64 = parts[0], parts[1]
    _public_key(key_type, b64, f"public key {key_type}")
    comment = parts[2].strip() if len(parts) > 2 else ""
    return AuthorizedKey(key_type, base64.b64decode(b64), comment)


def parse_authorized_keys(text: str) -> list[AuthorizedKey]:
    """An authorized_keys file: one key a line, blank lines and `#` comments ignored."""
    keys = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            keys.append(parse_authorized_key(line))
        except SftpConfigError as exc:
            raise SftpConfigError(f"line {number}: {exc}") from None
    return keys


@dataclass(frozen=True)
class HostKeyPin:
    """A pinned server host key: the full key, or only its SHA256 fingerprint."""

    fingerprint: str
    key_type: str | None = None

    def matches(self, key: paramiko.PKey) -> bool:
        if self.key_type is not None and key.get_name() != self.key_type:
            return False
        return sha256_fingerprint(key.asbytes()) == self.fingerprint


def parse_host_key_pin(pin: str) -> HostKeyPin:
    text = (pin or "").strip()
    if text.startswith("SHA256:"):
        if len(text) != 50:  # "SHA256:" and 43 unpadded base64 characters
            raise SftpConfigError(f"host key fingerprint {text!r} is not a SHA256 fingerprint")
        return HostKeyPin(text)
    parts = text.split()
    if len(parts) < 2:
        raise SftpConfigError("host key must be 'type base64' or a 'SHA256:...' fingerprint")
    _key, blob = _public_key(parts[0], parts[1], "pinned host key")
    return HostKeyPin(sha256_fingerprint(blob), parts[0])


def host_key_line(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.get_base64()}"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".hostkey-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_or_create_host_key(path: Path | str) -> paramiko.PKey:
    """The hosted server's host key; an Ed25519 key is generated (mode 0600) when missing."""
    path = Path(path)
    if not path.exists():
        private = ed25519.Ed25519PrivateKey.generate()
        _write_private(
            path,
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.OpenSSH,
                serialization.NoEncryption(),
            ),
        )
    return load_private_key(path.read_bytes(), None, what=f"host key {path}")


def load_private_key(data: bytes, passphrase: bytes | None, *, what: str) -> paramiko.PKey:
    """An OpenSSH or PEM private key (Ed25519, ECDSA or RSA) as a paramiko key."""
    loaded: Any
    try:
        try:
            loaded = serialization.load_ssh_private_key(data, password=passphrase)
        except ValueError:
            loaded = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError) as exc:
        raise SftpConfigError(f"{what}: not a usable private key ({exc})") from None
    key_class: type[paramiko.PKey]
    if isinstance(loaded, ed25519.Ed25519PrivateKey):
        key_class = paramiko.Ed25519Key
    elif isinstance(loaded, ec.EllipticCurvePrivateKey):
        key_class = paramiko.ECDSAKey
    elif isinstance(loaded, rsa.RSAPrivateKey):
        key_class = paramiko.RSAKey
    else:
        raise SftpConfigError(f"{what}: unsupported key type {type(loaded).__name__}")
    password = passphrase.decode() if passphrase else None
    try:
        return key_class.from_private_key(io.StringIO(data.decode("ascii")), password=password)
    except Exception as exc:  # paramiko's own parse errors
        raise SftpConfigError(f"{what}: paramiko cannot load it ({exc})") from None


class AuthorizedKeysStore:
    """Each hosted partner's authorised keys in `<root>/<partner>.pub` (authorized_keys form).

    Rotation replaces the whole set atomically; the server reads the file on every login,
    so a rotation takes effect for the next connection without a restart."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, partner_id: str) -> Path:
        from gateway.sftp.config import check_partner_id

        return self.root / f"{check_partner_id(partner_id)}.pub"

    def partners(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.stem for p in self.root.glob("*.pub") if not p.name.startswith("."))

    def get(self, partner_id: str) -> list[AuthorizedKey]:
        path = self._path(partner_id)
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            return []
        try:
            return parse_authorized_keys(text)
        except SftpConfigError as exc:
            raise SftpConfigError(f"{path}: {exc}") from None

    def clear(self, partner_id: str) -> bool:
        """Drop the partner's key file; True when there was one."""
        try:
            self._path(partner_id).unlink()
            return True
        except FileNotFoundError:
            return False

    def replace(self, partner_id: str, keys: Iterable[AuthorizedKey]) -> list[AuthorizedKey]:
        keys = list(keys)
        if not keys:
            raise SftpConfigError("refusing an empty key set: it would lock the partner out")
        path = self._path(partner_id)
        self.root.mkdir(parents=True, exist_ok=True)
        body = "".join(k.openssh_line() + "\n" for k in keys).encode()
        _write_private(path, body)
        return keys


class KeyStoreMailboxDirectory:
    """Mailboxes named by the key store: username = partner id, keys = its file.

    Serves `edigw serve` and `edigw sftp keys` until partner profiles stand behind the
    `MailboxDirectory` protocol."""

    def __init__(self, store: AuthorizedKeysStore, limits: MailboxLimits | None = None) -> None:
        self.store = store
        self.limits = limits

    def _build(self, partner_id: str) -> MailboxConfig | None:
        from gateway.sftp.config import MailboxConfig, MailboxLimits, check_partner_id

        try:
            check_partner_id(partner_id)
        except SftpConfigError:
            return None
        keys = self.store.get(partner_id)
        if not keys:
            return None
        return MailboxConfig(
            partner_id,
            partner_id,
            tuple(k.openssh_line() for k in keys),
            self.limits or MailboxLimits(),
        )

    def mailbox_for_user(self, username: str) -> MailboxConfig | None:
        return self._build(username)

    def mailbox(self, partner_id: str) -> MailboxConfig | None:
        return self._build(partner_id)

    def mailboxes(self) -> list[MailboxConfig]:
        return [box for p in self.store.partners() if (box := self._build(p)) is not None]
