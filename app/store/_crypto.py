"""Keys and sealing for the device store (cryptography 43 APIs only).

A random 256-bit data key is wrapped by a key derived from the PIN with
Scrypt. From the data key, HKDF derives one key that seals record bodies with
AES-256-GCM, one that turns record ids into opaque row keys (HMAC), so no
id, not even a member's, is stored readable, and one that tags the settings
kept readable (HMAC), so a change to them on disk is noticed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

NONCE_BYTES = 12
WRAP_AAD = b"ips-field-log data key v1"
# ~185 ms on the 2-core development machine, within the 100-500 ms aim; stored
# with each wrap so they can be raised later without breaking old stores.
SCRYPT_PARAMS = {"n": 2**16, "r": 8, "p": 1}


class WrongKeyError(Exception):
    """The PIN did not unwrap the data key."""


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _pin_key(pin: str, kdf: dict) -> bytes:
    return Scrypt(salt=_unb64(kdf["salt"]), length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(
        pin.encode("utf-8")
    )


def wrap_data_key(data_key: bytes, pin: str) -> dict:
    """The data key sealed under the PIN, with the Scrypt parameters used."""
    kdf = {"kdf": "scrypt", "salt": _b64(os.urandom(16)), **SCRYPT_PARAMS}
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_pin_key(pin, kdf)).encrypt(nonce, data_key, WRAP_AAD)
    return {**kdf, "wrapped": _b64(nonce + sealed)}


def unwrap_data_key(wrap: dict, pin: str) -> bytes:
    raw = _unb64(wrap["wrapped"])
    try:
        return AESGCM(_pin_key(pin, wrap)).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], WRAP_AAD)
    except InvalidTag:
        raise WrongKeyError from None


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _derive(data_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(data_key)


@dataclass
class Keys:
    """The unlocked keys. Dropping the object forgets them."""

    seal: AESGCM
    index: bytes
    settings: bytes

    @classmethod
    def from_data_key(cls, data_key: bytes) -> Keys:
        return cls(
            seal=AESGCM(_derive(data_key, b"ips-field-log seal v1")),
            index=_derive(data_key, b"ips-field-log index v1"),
            settings=_derive(data_key, b"ips-field-log settings v1"),
        )

    def row_key(self, record_id: str) -> str:
        return hmac.new(self.index, record_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def settings_tag(self, settings: bytes) -> str:
        return hmac.new(self.settings, settings, hashlib.sha256).hexdigest()

    def seal_bytes(self, plain: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self.seal.encrypt(nonce, plain, aad)

    def open_bytes(self, sealed: bytes, aad: bytes) -> bytes:
        """Raises cryptography's InvalidTag when the body or its row was altered."""
        return self.seal.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
