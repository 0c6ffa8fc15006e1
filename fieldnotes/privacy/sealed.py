"""Sealed files: a file's bytes encrypted with a passphrase, for what an encrypted project writes out
of itself on purpose so that it can be read back by fieldnotes (team bundles).

The project file and its backups are SQLCipher databases (fieldnotes.privacy.encryption); a bundle is a
zip archive, so it is sealed whole instead, with the `cryptography` package (the encryption extra):

    header     "fieldnotes sealed\\n", format version (1 byte), scrypt's log2(N), r and p (1 byte each),
               salt (16 bytes), nonce (12 bytes)
    ciphertext AES-256-GCM of the content, with the whole header as associated data
    tag        GCM's 16-byte tag

The key is derived from the passphrase with scrypt (N = 2^17, r = 8, p = 1: about 128 MiB and a few
tenths of a second) and a random salt, so the same passphrase never gives the same key twice. The tag
covers the header and every byte, so a wrong passphrase and a damaged file are both refused before any
of the content is used. The clear header says only that the file is sealed, and how.
"""

from __future__ import annotations

import io
import os
import struct
from typing import BinaryIO

from fieldnotes.errors import FieldnotesError, InvalidInput
from fieldnotes.translations import _

MAGIC = b"fieldnotes sealed\n"
VERSION = 1
_FIXED = struct.Struct(">BBBB16s12s")  # version, log2(N), r, p, salt, nonce
HEADER_SIZE = len(MAGIC) + _FIXED.size
TAG_SIZE = 16
#: scrypt's cost when sealing; reading accepts what the header says, within these bounds
LOG2_N, R, P = 17, 8, 1
_BOUNDS = {"log2_n": (10, 20), "r": (1, 16), "p": (1, 4)}
#: the header is only authenticated after the key is derived, so a hostile one must not be able to make
#: scrypt take gigabytes: at most 256 MiB of scrypt memory (fieldnotes writes 128 MiB)
_MAX_SCRYPT_BYTES = 256 * 1024 * 1024
_CHUNK = 1 << 20


class WrongSealPassphrase(FieldnotesError):
    """A sealed file that the passphrase does not open (or that was damaged)."""


def available() -> bool:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return False
    return True


def check_available() -> None:
    if not available():
        raise FieldnotesError(_("encrypted bundles need the cryptography package, which is not installed"),
                              hint=_("install it with: pip install 'fieldnotes[encryption]'"))


def is_sealed(head: bytes) -> bool:
    """Whether a file starting with `head` is sealed."""
    return head.startswith(MAGIC)


def _key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal(content: bytes | memoryview, passphrase: str, out: BinaryIO) -> None:
    """Write `content` sealed with `passphrase` to `out`."""
    check_available()
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    salt, nonce = os.urandom(16), os.urandom(12)
    header = MAGIC + _FIXED.pack(VERSION, LOG2_N, R, P, salt, nonce)
    encryptor = Cipher(algorithms.AES(_key(passphrase, salt, LOG2_N, R, P)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header)
    out.write(header)
    view = memoryview(content)
    for start in range(0, len(view), _CHUNK):
        out.write(encryptor.update(view[start : start + _CHUNK]))
    out.write(encryptor.finalize())
    out.write(encryptor.tag)


def unseal(data: bytes, passphrase: str, *, name: str) -> bytes:
    """The content of the sealed file `data` (named `name` in messages).

    Raises WrongSealPassphrase when the passphrase does not open it, InvalidInput when it is cut short
    or from a newer fieldnotes.
    """
    check_available()
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if not is_sealed(data) or len(data) < HEADER_SIZE + TAG_SIZE:
        raise InvalidInput(_("{name} is damaged or incomplete (its encryption header is cut short)").format(name=name),
                           hint=_("copy it again, whole"))
    version, log2_n, r, p, salt, nonce = _FIXED.unpack_from(data, len(MAGIC))
    if version != VERSION:
        raise InvalidInput(_("{name} was encrypted by a newer fieldnotes (format {version})")
                           .format(name=name, version=version),
                           hint=_("upgrade fieldnotes to read it"))
    for label, value in (("log2_n", log2_n), ("r", r), ("p", p)):
        low, high = _BOUNDS[label]
        if not low <= value <= high:
            raise InvalidInput(_("{name} is damaged (its encryption header is not one fieldnotes writes)")
                               .format(name=name))
    if 128 * r * (1 << log2_n) * p > _MAX_SCRYPT_BYTES:
        raise InvalidInput(_("{name} is damaged (its encryption header is not one fieldnotes writes)")
                           .format(name=name))
    header, body, tag = data[:HEADER_SIZE], data[HEADER_SIZE:-TAG_SIZE], data[-TAG_SIZE:]
    decryptor = Cipher(algorithms.AES(_key(passphrase, salt, log2_n, r, p)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(header)
    out = io.BytesIO()
    view = memoryview(body)
    for start in range(0, len(view), _CHUNK):
        out.write(decryptor.update(view[start : start + _CHUNK]))
    try:
        out.write(decryptor.finalize())  # checks the tag: nothing decrypted is used before this
    except InvalidTag:
        raise WrongSealPassphrase(_("{name} is encrypted and the passphrase does not open it (or the file is damaged)")
                                  .format(name=name)) from None
    return out.getvalue()
