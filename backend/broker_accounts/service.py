"""Read, change, try and reconnect a client's broker account and session."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.service import Actor, record
from backend.broker_accounts.schemas import (
    AccountSummaryRead,
    BrokerAccountUpdate,
    BrokerStatusRead,
    BrokerTestResult,
    CapabilitiesRead,
    NoSettings,
    SimulatorSettings,
)
from backend.brokers.base import AccountSummary, BrokerPort, Capabilities
from backend.brokers.errors import BrokerError
from backend.brokers.ibkr.config import IbkrSettings
from backend.brokers.phillip.config import PhillipCredentials, PhillipSettings
from backend.credentials.cipher import CredentialCipher
from backend.credentials.service import revealed, store_credentials
from backend.kit.errors import AppError
from backend.models import BrokerAccount, SimulatorAccountState
from backend.runtime.broker_factory import BrokerKindUnavailable, BrokerSpec, dispose
from backend.runtime.broker_runtime import BrokerRuntime

# Per kind: the model of its non-secret settings and of its credentials (None: it has none).
# Adapters add their kinds here as they land.
KIND_MODELS: dict[str, tuple[type[BaseModel], type[BaseModel] | None]] = {
    "simulator": (SimulatorSettings, None),
    # Gateway address, client id and account code are stored encrypted like every credential.
    "ibkr": (NoSettings, IbkrSettings),
    # Onboarding runs the OAuth flow (phillip_oauth); a PUT is for operators already holding a grant.
    "phillip": (PhillipSettings, PhillipCredentials),
}
STATUS_WAIT_SECONDS = 2.0


class InvalidBrokerSettings(AppError):
    """Settings or credentials that do not fit the chosen broker kind."""

    status_code = 422
    code = "invalid_broker_settings"


class BrokerKindNotOffered(AppError):
    """A broker kind this build cannot connect to."""

    status_code = 422
    code = "broker_kind_unavailable"


def validated_spec(body: BrokerAccountUpdate, offered: tuple[str, ...]) -> BrokerSpec:
    """Validate the settings and credentials of the chosen kind; 422 naming the bad fields."""
    models = KIND_MODELS.get(body.kind)
    if models is None or body.kind not in offered:
        raise BrokerKindNotOffered(
            f"Broker kind {body.kind!r} is not available in this build", details={"available": list(offered)}
        )
    settings_model, secret_model = models
    try:
        settings = settings_model.model_validate(body.settings).model_dump(mode="json")
        if secret_model is None:
            if body.credentials:
                raise InvalidBrokerSettings(
                    f"{body.kind} takes no credentials", details={"field": "credentials"}
                )
            secret: dict[str, Any] = {}
        else:
            secret = revealed(secret_model.model_validate(body.credentials or {}))
    except ValidationError as exc:
        details = [
            {"loc": list(err["loc"]), "msg": err["msg"], "type": err["type"]}
            for err in exc.errors(include_input=False)
        ]
        raise InvalidBrokerSettings(f"The {body.kind} settings are not valid", details=details) from exc
    return BrokerSpec(body.kind, settings, secret)


async def active_account(session: AsyncSession, client_id: uuid.UUID) -> BrokerAccount | None:
    """Return the client's active broker account."""
    result = await session.execute(
        select(BrokerAccount).where(BrokerAccount.client_id == client_id, BrokerAccount.is_active)
    )
    return result.scalar_one_or_none()


_ACTIVE_ACCOUNT = (
    select(BrokerAccount.id)
    .where(BrokerAccount.client_id == bindparam("client_id"), BrokerAccount.is_active)
    .limit(1)
)


async def has_active_account(session: AsyncSession, client_id: uuid.UUID) -> bool:
    """Say whether the client has chosen a broker (one indexed read, no credentials loaded)."""
    connection = await session.connection()  # Core: one hot read, no ORM step
    found = await connection.execute(_ACTIVE_ACCOUNT, {"client_id": client_id})
    return found.first() is not None


async def save_account(
    session: AsyncSession,
    client_id: uuid.UUID,
    spec: BrokerSpec,
    *,
    reset_simulator: bool,
    cipher: CredentialCipher,
    actor: Actor,
) -> BrokerAccount:
    """Store the chosen broker (credentials sealed) and audit the change without its secrets."""
    account = await active_account(session, client_id)
    if account is None:
        account = BrokerAccount(client_id=client_id, kind=spec.kind, settings={})
        session.add(account)
    previous_kind = account.kind
    account.kind, account.settings = spec.kind, spec.settings
    if spec.secret:
        store_credentials(cipher, account, spec.secret)
    else:
        account.credentials_ciphertext, account.key_version = None, None
    if reset_simulator:
        await session.execute(
            delete(SimulatorAccountState).where(SimulatorAccountState.client_id == client_id)
        )
    await session.flush()
    await record(
        session,
        actor=actor,
        action="broker.updated",
        client_id=client_id,
        subject=f"broker_account:{account.id}",
        data={
            "kind": spec.kind,
            "previous_kind": previous_kind,
            "settings": spec.settings,
            "credentials_changed": bool(spec.secret),
            "simulator_reset": reset_simulator,
        },
    )
    return account


def capabilities_read(capabilities: Capabilities) -> CapabilitiesRead:
    """Render capability flags."""
    return CapabilitiesRead.model_validate(capabilities, from_attributes=True)


def account_read(summary: AccountSummary) -> AccountSummaryRead:
    """Render an account summary."""
    return AccountSummaryRead(
        account_id=summary.account_id,
        currency=summary.cash.currency,
        cash=summary.cash.amount,
        net_liquidation=summary.net_liquidation.amount,
        buying_power=summary.buying_power.amount,
        margin_requirement=summary.margin_requirement.amount,
        realized_pnl=summary.realized_pnl.amount,
        unrealized_pnl=summary.unrealized_pnl.amount,
        ts=summary.ts,
    )


async def status(session: AsyncSession, client_id: uuid.UUID, runtime: BrokerRuntime) -> BrokerStatusRead:
    """Describe the client's broker and its session, starting the session if needed."""
    account = await active_account(session, client_id)
    offered = list(runtime.factory.kinds)
    if account is None:
        return BrokerStatusRead(
            kind=None,
            state="not_configured",
            last_error=None,
            connected_at=None,
            reconnects=0,
            capabilities=None,
            settings={},
            has_credentials=False,
            account=None,
            available_kinds=offered,
        )
    try:
        managed = await runtime.session_for(client_id)
    except BrokerKindUnavailable as exc:
        return BrokerStatusRead(
            kind=account.kind,
            state="unavailable",
            last_error=str(exc),
            connected_at=None,
            reconnects=0,
            capabilities=None,
            settings=account.settings,
            has_credentials=account.credentials_ciphertext is not None,
            account=None,
            available_kinds=offered,
        )
    summary = None
    if await managed.wait_connected(STATUS_WAIT_SECONDS):
        try:
            summary = account_read(await managed.broker.account_summary())
        except BrokerError as exc:
            managed.last_error = f"{exc.code}: {exc.message}"
    info = managed.status()
    return BrokerStatusRead(
        kind=account.kind,
        state=info.state,
        last_error=info.last_error,
        connected_at=info.connected_at,
        reconnects=info.reconnects,
        capabilities=capabilities_read(managed.broker.capabilities),
        settings=account.settings,
        has_credentials=account.credentials_ciphertext is not None,
        account=summary,
        available_kinds=offered,
    )


async def try_connection(
    client_id: uuid.UUID, spec: BrokerSpec, runtime: BrokerRuntime, within: float
) -> BrokerTestResult:
    """Connect once with unsaved settings, read the account, and disconnect; nothing is stored."""
    broker: BrokerPort = await runtime.factory.build(client_id, spec)
    try:
        await _connect(broker, within)
        summary = account_read(await broker.account_summary())
    except (BrokerError, TimeoutError, OSError) as exc:
        error = f"{exc.code}: {exc.message}" if isinstance(exc, BrokerError) else type(exc).__name__
        return BrokerTestResult(
            ok=False,
            state=broker.state.value,
            error=error,
            capabilities=capabilities_read(broker.capabilities),
            account=None,
        )
    finally:
        await dispose(broker)
    return BrokerTestResult(
        ok=True,
        state="connected",
        error=None,
        capabilities=capabilities_read(broker.capabilities),
        account=summary,
    )


async def _connect(broker: BrokerPort, within: float) -> None:
    await asyncio.wait_for(broker.connect(), within)
