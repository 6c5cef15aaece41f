"""Keep a Phillip session's refreshed OAuth grant sealed on the client's broker account."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.brokers.phillip.config import PhillipCredentials, PhillipTokens
from backend.credentials.cipher import CredentialCipher
from backend.credentials.service import load_credentials, revealed, store_credentials
from backend.kit.db import TenantScope, scoped_session
from backend.models import BrokerAccount

logger = logging.getLogger("greekdesk.brokers")


class GrantKeeper:
    """The ``on_tokens`` hook of one session: re-seal each new grant in a short tenant-scoped transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: CredentialCipher,
        client_id: uuid.UUID,
        credentials: PhillipCredentials,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._client_id = client_id
        self._held = credentials

    async def __call__(self, tokens: PhillipTokens) -> None:
        """Store ``tokens`` if the account still holds this session's previous grant."""
        async with scoped_session(self._sessions, TenantScope.for_client(self._client_id)) as db:
            account = (
                await db.execute(
                    select(BrokerAccount)
                    .where(BrokerAccount.client_id == self._client_id, BrokerAccount.is_active)
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if account is None or account.kind != "phillip" or not self._holds_our_grant(account):
                # Re-onboarded or switched meanwhile: this session is being replaced, and its grant
                # must not overwrite the newer one.
                logger.warning("not storing a refreshed grant: the broker account has changed")
                return
            self._held = PhillipCredentials(app=self._held.app, tokens=tokens)
            store_credentials(self._cipher, account, revealed(self._held))

    def _holds_our_grant(self, account: BrokerAccount) -> bool:
        stored = PhillipCredentials.model_validate(load_credentials(self._cipher, account))
        # SecretStr compares its secret values.
        return stored.tokens.access_token == self._held.tokens.access_token
