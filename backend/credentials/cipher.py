"""AES-256-GCM encryption of broker credentials, bound to their client and key version."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class CredentialDecryptError(Exception):
    """The ciphertext does not decrypt for this client and key version (tampered, swapped, or key gone)."""


@dataclass(frozen=True, slots=True)
class Sealed:
    """Ciphertext (nonce first) and the key version that sealed it."""

    ciphertext: bytes
    key_version: int


def _associated_data(client_id: uuid.UUID, key_version: int) -> bytes:
    # Binding the client and version means a row copied onto another client, or relabelled
    # with another version, fails authentication instead of decrypting.
    return f"greekdesk/broker-credentials/v1/{client_id}/{key_version}".encode()


class CredentialCipher:
    """Seal and open credential dictionaries with a versioned key ring."""

    def __init__(self, key_ring: dict[int, bytes]) -> None:
        if not key_ring:
            raise ValueError("the key ring is empty")
        self._keys = dict(key_ring)
        self.current_version = max(key_ring)

    def seal(self, client_id: uuid.UUID, secret: dict[str, Any]) -> Sealed:
        """Encrypt `secret` for `client_id` under the newest key."""
        version = self.current_version
        nonce = os.urandom(NONCE_BYTES)
        plaintext = json.dumps(secret, separators=(",", ":")).encode()
        ciphertext = AESGCM(self._keys[version]).encrypt(
            nonce, plaintext, _associated_data(client_id, version)
        )
        return Sealed(nonce + ciphertext, version)

    def open(self, client_id: uuid.UUID, sealed: Sealed) -> dict[str, Any]:
        """Decrypt a sealed secret of `client_id`; raise CredentialDecryptError if it does not authenticate."""
        key = self._keys.get(sealed.key_version)
        if key is None:
            raise CredentialDecryptError(f"key version {sealed.key_version} is not in the key ring")
        nonce, body = sealed.ciphertext[:NONCE_BYTES], sealed.ciphertext[NONCE_BYTES:]
        try:
            plaintext = AESGCM(key).decrypt(nonce, body, _associated_data(client_id, sealed.key_version))
        except InvalidTag as exc:
            raise CredentialDecryptError("credentials do not authenticate for this client") from exc
        opened: dict[str, Any] = json.loads(plaintext)
        return opened

    def reseal(self, client_id: uuid.UUID, sealed: Sealed) -> Sealed:
        """Re-encrypt under the newest key (a no-op when already there)."""
        if sealed.key_version == self.current_version:
            return sealed
        return self.seal(client_id, self.open(client_id, sealed))
