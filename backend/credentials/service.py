"""Store, read and rotate a client's encrypted broker credentials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.service import Actor, open_cross_tenant, record
from backend.credentials.cipher import CredentialCipher, Sealed
from backend.models import BrokerAccount


def revealed(model: BaseModel) -> dict[str, Any]:
    """Dump a validated secret model for sealing, with its ``SecretStr`` values in the clear."""
    # A JSON dump masks SecretStr as asterisks: sealing that would store the mask, not the secret.
    out = model.model_dump(mode="json")
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            out[name] = value.get_secret_value()
        elif isinstance(value, BaseModel):
            out[name] = revealed(value)
    return out


def store_credentials(cipher: CredentialCipher, account: BrokerAccount, secret: dict[str, Any]) -> None:
    """Seal `secret` onto the account under the newest key."""
    sealed = cipher.seal(account.client_id, secret)
    account.credentials_ciphertext = sealed.ciphertext
    account.key_version = sealed.key_version


def load_credentials(cipher: CredentialCipher, account: BrokerAccount) -> dict[str, Any]:
    """Decrypt the account's credentials; only a broker session being built should call this."""
    if account.credentials_ciphertext is None or account.key_version is None:
        return {}
    return cipher.open(account.client_id, Sealed(account.credentials_ciphertext, account.key_version))


@dataclass(frozen=True, slots=True)
class RotationReport:
    """What a key rotation did."""

    examined: int
    rotated: int
    key_version: int


async def rotate_all(session: AsyncSession, cipher: CredentialCipher, actor: Actor) -> RotationReport:
    """Re-encrypt every stored credential under the newest key, auditing each client touched."""
    await open_cross_tenant(session, actor=actor, reason="credential key rotation")
    accounts = (
        (
            await session.execute(
                select(BrokerAccount)
                .where(BrokerAccount.credentials_ciphertext.is_not(None))
                .order_by(BrokerAccount.id)
            )
        )
        .scalars()
        .all()
    )
    rotated = 0
    for account in accounts:
        assert account.credentials_ciphertext is not None
        assert account.key_version is not None
        old_version = account.key_version
        if old_version == cipher.current_version:
            continue
        sealed = cipher.reseal(account.client_id, Sealed(account.credentials_ciphertext, old_version))
        account.credentials_ciphertext, account.key_version = sealed.ciphertext, sealed.key_version
        rotated += 1
        await record(
            session,
            actor=actor,
            action="credentials.rotated",
            client_id=account.client_id,
            subject=f"broker_account:{account.id}",
            data={"from_version": old_version, "to_version": sealed.key_version},
        )
    await session.flush()
    return RotationReport(examined=len(accounts), rotated=rotated, key_version=cipher.current_version)
