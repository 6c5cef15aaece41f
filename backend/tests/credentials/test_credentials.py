"""Broker credentials at rest: AES-GCM bound to the client and key version, with rotation."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from backend.audit.service import Actor
from backend.config import parse_key_ring
from backend.credentials.cipher import CredentialCipher, CredentialDecryptError, Sealed
from backend.credentials.service import load_credentials, rotate_all, store_credentials
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, TenantScope, scoped_session
from backend.models import BrokerAccount
from backend.tests.conftest import AppFactory, MigratedDatabase, create_client_user, key_ring

SECRET = {"api_key": "k-123", "password": "broker-password-xyz"}


def _cipher(*versions: int) -> CredentialCipher:
    return CredentialCipher(parse_key_ring(key_ring(*versions)))


def test_sealed_credentials_open_for_their_client() -> None:
    cipher, client = _cipher(1), uuid.uuid4()
    sealed = cipher.seal(client, SECRET)
    assert b"broker-password-xyz" not in sealed.ciphertext
    assert cipher.open(client, sealed) == SECRET


def test_each_seal_uses_a_fresh_nonce() -> None:
    cipher, client = _cipher(1), uuid.uuid4()
    assert cipher.seal(client, SECRET).ciphertext != cipher.seal(client, SECRET).ciphertext


def test_ciphertext_swapped_onto_another_client_fails_to_decrypt() -> None:
    cipher, alice, bob = _cipher(1), uuid.uuid4(), uuid.uuid4()
    sealed_for_alice = cipher.seal(alice, SECRET)
    with pytest.raises(CredentialDecryptError):
        cipher.open(bob, sealed_for_alice)


def test_relabelled_key_version_fails_to_decrypt() -> None:
    ring = parse_key_ring(key_ring(1, 2))
    cipher, client = CredentialCipher(ring), uuid.uuid4()
    sealed = cipher.seal(client, SECRET)
    # Even when both keys are present, a version label that was not the sealing one fails.
    with pytest.raises(CredentialDecryptError):
        CredentialCipher({1: ring[2], 2: ring[2]}).open(client, Sealed(sealed.ciphertext, 1))


def test_tampered_ciphertext_fails_to_decrypt() -> None:
    cipher, client = _cipher(1), uuid.uuid4()
    sealed = cipher.seal(client, SECRET)
    flipped = bytearray(sealed.ciphertext)
    flipped[-1] ^= 1
    with pytest.raises(CredentialDecryptError):
        cipher.open(client, Sealed(bytes(flipped), sealed.key_version))


def test_newest_key_seals() -> None:
    assert _cipher(1, 3, 2).seal(uuid.uuid4(), SECRET).key_version == 3


async def _account(container: Container, client_id: uuid.UUID) -> BrokerAccount:
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as session:
        account = (
            await session.execute(select(BrokerAccount).where(BrokerAccount.client_id == client_id))
        ).scalar_one()
        store_credentials(container.cipher, account, SECRET)
        return account


async def test_rotation_reseals_every_row_and_all_still_decrypt(
    app_factory: AppFactory, fresh_database: MigratedDatabase
) -> None:
    # Rotation touches every row of the database, so it gets one of its own.
    own = {
        "database_url": fresh_database.app_url,
        "migration_database_url": fresh_database.owner_url,
        "db_app_role": fresh_database.app_role,
    }
    old_ring = key_ring(1)
    before = app_factory(credential_keys=old_ring, **own)
    container_v1: Container = before.state.container
    users = [await create_client_user(container_v1) for _ in range(3)]
    for user in users:
        await _account(container_v1, user.client_id)

    new_ring = key_ring(2)
    after = app_factory(credential_keys=f"{old_ring},{new_ring}", **own)
    container_v2: Container = after.state.container
    async with scoped_session(container_v2.sessions, NO_TENANT) as session:
        report = await rotate_all(session, container_v2.cipher, Actor.system("tests"))
    assert report.rotated >= 3
    assert report.key_version == 2

    # The retired key can now be removed: every row decrypts with the new key alone.
    new_only_cipher = CredentialCipher(parse_key_ring(new_ring))
    for user in users:
        async with scoped_session(container_v2.sessions, TenantScope.for_client(user.client_id)) as session:
            account = (
                await session.execute(select(BrokerAccount).where(BrokerAccount.client_id == user.client_id))
            ).scalar_one()
            assert account.key_version == 2
            assert load_credentials(new_only_cipher, account) == SECRET
