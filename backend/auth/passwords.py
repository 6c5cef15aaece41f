"""Argon2id password hashing with parameters at or above OWASP's minimum."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from backend.config import Settings


class Passwords:
    """Hash, verify and tell when a stored hash needs upgrading."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.password_hash_time_cost,
            memory_cost=settings.password_hash_memory_kib,
            parallelism=settings.password_hash_parallelism,
            type=Type.ID,
        )
        # Verifying against this when the user does not exist keeps the timing the same.
        self._decoy = self._hasher.hash("decoy-password-for-unknown-users")

    def hash(self, password: str) -> str:
        """Return an argon2id hash of `password`."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Tell whether `password` matches; spends the same effort when there is no hash."""
        try:
            return self._hasher.verify(stored_hash or self._decoy, password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """Tell whether `stored_hash` was made with weaker parameters than today's."""
        return self._hasher.check_needs_rehash(stored_hash)
