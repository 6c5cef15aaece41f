"""Create clients (with their first user, agent settings and trading state) and operators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit.service import Actor, record
from backend.auth.passwords import Passwords
from backend.clients.schemas import MIN_PASSWORD_LENGTH, normalise_email
from backend.kit.db import TenantScope, set_scope
from backend.kit.errors import AppError, Conflict
from backend.kit.pagination import PageParams, paginate
from backend.models import AgentSettings, BrokerAccount, Client, TradingState, User
from backend.models.trading_state import GLOBAL_SCOPE
from backend.models.user import ROLE_CLIENT, ROLE_OPERATOR


@dataclass(frozen=True, slots=True)
class NewClient:
    """The client created and its first user."""

    client: Client
    user: User


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AppError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters", code="weak_password"
        )


async def _email_taken(session: AsyncSession, email: str) -> bool:
    return (await session.execute(select(User.id).where(User.email == email))).first() is not None


async def create_client(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    password: str,
    passwords: Passwords,
    actor: Actor,
    with_simulator: bool = True,
) -> NewClient:
    """Create a client, its first user, default agent settings and an ACTIVE trading state.

    The session must be on the cross-tenant path (operators, the CLI): the email must be unique
    across every client.
    """
    email = normalise_email(email)
    _check_password(password)
    if await _email_taken(session, email):
        raise Conflict("A user with this email already exists", code="email_taken")
    client = Client(name=name.strip())
    session.add(client)
    await session.flush()
    user = User(client_id=client.id, email=email, password_hash=passwords.hash(password), role=ROLE_CLIENT)
    session.add_all(
        [
            user,
            AgentSettings(client_id=client.id),
            TradingState(scope=str(client.id), client_id=client.id, state="ACTIVE", changed_by="system"),
        ]
    )
    if with_simulator:
        # Every client can paper-trade from the start; onboarding may switch the broker later.
        session.add(BrokerAccount(client_id=client.id, kind="simulator", settings={}))
    await session.flush()
    await record(
        session,
        actor=actor,
        action="client.created",
        client_id=client.id,
        subject=f"client:{client.id}",
        data={"name": client.name, "first_user": str(user.id)},
    )
    return NewClient(client=client, user=user)


async def create_operator(
    session: AsyncSession, *, email: str, password: str, passwords: Passwords, actor: Actor
) -> User:
    """Create an operator user (cross-tenant session required)."""
    email = normalise_email(email)
    _check_password(password)
    if await _email_taken(session, email):
        raise Conflict("A user with this email already exists", code="email_taken")
    user = User(client_id=None, email=email, password_hash=passwords.hash(password), role=ROLE_OPERATOR)
    session.add(user)
    await session.flush()
    await record(
        session, actor=actor, action="operator.created", subject=f"user:{user.id}", data={"email": email}
    )
    return user


async def ensure_global_trading_state(session: AsyncSession) -> None:
    """Create the global ACTIVE trading state row if it is missing."""
    await set_scope(session, TenantScope(cross_tenant=True))
    exists = (
        await session.execute(select(TradingState.id).where(TradingState.scope == GLOBAL_SCOPE))
    ).first()
    if exists is None:
        session.add(TradingState(scope=GLOBAL_SCOPE, client_id=None, state="ACTIVE", changed_by="system"))
        await session.flush()


async def list_clients(session: AsyncSession, limit: int, offset: int) -> tuple[list[Client], int]:
    """List every client (cross-tenant session required)."""
    statement = select(Client).order_by(Client.created_at, Client.id)
    return await paginate(session, statement, PageParams(limit, offset))
