"""The gate's fast read of the trading state: cached, shared through Redis, fail-closed."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from fastapi import FastAPI

from backend.audit.service import Actor
from backend.kit.container import Container
from backend.kit.db import TenantScope, create_engine, create_sessionmaker, scoped_session
from backend.kit.errors import Forbidden
from backend.kit.redis import create_redis
from backend.risk.context import TradingMode
from backend.tests.conftest import AppFactory, api_client, create_client_user
from backend.tests.trading.conftest import operator_headers
from backend.trading.cache import ScopeState, combine, mirror_key
from backend.trading.service import InvalidReason, TradingStateService

UNREACHABLE_DATABASE = "postgresql+asyncpg://nobody@127.0.0.1:1/greekdesk"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


async def _change(
    container: Container, client_id: uuid.UUID, state: TradingMode, actor: Actor | None = None
) -> None:
    async with scoped_session(container.sessions, TenantScope(cross_tenant=True)) as session:
        change = await container.trading.change(
            session,
            scope_client_id=client_id,
            state=state,
            reason="service test",
            allow_reduce_only=True,
            actor=actor or Actor("operator", "tests"),
        )
    await container.trading.publish(change)


def test_reduce_only_exits_need_every_halting_scope_to_allow_them() -> None:
    halted_exits, halted_no_exits = (
        ScopeState(TradingMode.HALTED, True),
        ScopeState(TradingMode.HALTED, False),
    )
    reducing_no_exits = ScopeState(TradingMode.REDUCING, False)
    assert combine(halted_exits, halted_no_exits).reduce_only_allowed is False
    assert combine(halted_exits, reducing_no_exits).reduce_only_allowed is True
    assert combine(halted_exits, reducing_no_exits).effective is TradingMode.HALTED


async def test_status_follows_a_published_change_at_once_in_the_same_process(container: Container) -> None:
    user = await create_client_user(container)
    assert (await container.trading.status(user.client_id)).effective is TradingMode.ACTIVE
    await _change(container, user.client_id, TradingMode.HALTED)
    status = await container.trading.status(user.client_id)
    assert (status.client_state, status.effective) == (TradingMode.HALTED, TradingMode.HALTED)


async def test_without_redis_another_process_reads_the_database_once_its_cache_is_old(
    container: Container,
) -> None:
    user = await create_client_user(container)
    now = [100.0]
    reader = TradingStateService(container.sessions, None, clock=lambda: now[0])
    assert (await reader.status(user.client_id)).effective is TradingMode.ACTIVE
    await _change(container, user.client_id, TradingMode.HALTED)
    # Still inside its refresh interval, the other process answers from memory ...
    assert (await reader.status(user.client_id)).effective is TradingMode.ACTIVE
    now[0] += 0.5
    # ... and half a second later from the database.
    assert (await reader.status(user.client_id)).effective is TradingMode.HALTED


async def test_with_redis_down_status_reads_the_database(container: Container) -> None:
    user = await create_client_user(container)
    redis = create_redis(UNREACHABLE_REDIS)
    assert redis is not None
    reader = TradingStateService(container.sessions, redis)
    try:
        assert (await reader.status(user.client_id)).effective is TradingMode.ACTIVE
        await _change(container, user.client_id, TradingMode.REDUCING)
        reader.forget()
        assert (await reader.status(user.client_id)).effective is TradingMode.REDUCING
    finally:
        await redis.aclose()


async def test_status_fails_closed_when_redis_and_the_database_are_unreachable() -> None:
    engine = create_engine(UNREACHABLE_DATABASE)
    redis = create_redis(UNREACHABLE_REDIS)
    assert redis is not None
    service = TradingStateService(create_sessionmaker(engine), redis)
    try:
        status = await service.status(uuid.uuid4())
    finally:
        await redis.aclose()
        await engine.dispose()
    assert (status.effective, status.reduce_only_allowed) == (TradingMode.HALTED, False)


async def test_status_fails_closed_without_redis_when_the_database_is_unreachable() -> None:
    engine = create_engine(UNREACHABLE_DATABASE)
    service = TradingStateService(create_sessionmaker(engine), None)
    try:
        assert (await service.status(uuid.uuid4())).effective is TradingMode.HALTED
    finally:
        await engine.dispose()


async def test_only_an_operator_may_ease_trading(container: Container) -> None:
    user = await create_client_user(container)
    monitor = Actor.system("daily-loss-monitor")
    await _change(container, user.client_id, TradingMode.HALTED, monitor)
    with pytest.raises(Forbidden, match="Only an operator"):
        await _change(container, user.client_id, TradingMode.REDUCING, monitor)
    await _change(container, user.client_id, TradingMode.ACTIVE)
    assert (await container.trading.status(user.client_id)).effective is TradingMode.ACTIVE


async def test_the_service_refuses_a_blank_reason(container: Container) -> None:
    user = await create_client_user(container)
    async with scoped_session(container.sessions, TenantScope(cross_tenant=True)) as session:
        with pytest.raises(InvalidReason):
            await container.trading.change(
                session,
                scope_client_id=user.client_id,
                state=TradingMode.HALTED,
                reason="   ",
                allow_reduce_only=True,
                actor=Actor("operator", "tests"),
            )


@pytest.mark.redis
async def test_a_halt_through_one_process_reaches_another_within_one_second(app_factory: AppFactory) -> None:
    app_a, app_b = app_factory(), app_factory()
    a, b = _container(app_a), _container(app_b)
    user = await create_client_user(a)
    # B holds ACTIVE in memory: the worst case, it must notice the change by itself.
    assert (await b.trading.status(user.client_id)).effective is TradingMode.ACTIVE
    async with api_client(app_a) as api:
        headers = await operator_headers(api, a)
        halt = {"scope": "client", "client_id": str(user.client_id), "state": "HALTED", "reason": "incident"}
        started = time.monotonic()
        response = await api.post("/admin/trading-halt", json=halt, headers=headers)
        assert response.status_code == 200, response.text
    elapsed = await _until_effective(b, user.client_id, TradingMode.HALTED, started)
    assert elapsed < 1.0


@pytest.mark.redis
async def test_a_missing_or_garbled_mirror_entry_is_answered_from_the_database(container: Container) -> None:
    assert container.redis is not None
    user = await create_client_user(container)
    await _change(container, user.client_id, TradingMode.REDUCING)
    await container.redis.set(mirror_key(str(user.client_id)), "{not json")
    container.trading.forget()
    assert (await container.trading.status(user.client_id)).effective is TradingMode.REDUCING
    await container.redis.delete(mirror_key(str(user.client_id)))
    container.trading.forget()
    assert (await container.trading.status(user.client_id)).effective is TradingMode.REDUCING
    # The miss was refilled from the database for every other process.
    assert '"REDUCING"' in str(await container.redis.get(mirror_key(str(user.client_id))))


def _container(app: FastAPI) -> Container:
    container: Container = app.state.container
    return container


async def _until_effective(
    container: Container, client_id: uuid.UUID, state: TradingMode, started: float, deadline: float = 2.0
) -> float:
    while True:
        seen = (await container.trading.status(client_id)).effective
        elapsed = time.monotonic() - started
        if seen is state:
            return elapsed
        assert elapsed < deadline, f"still not {state} after {elapsed:.2f}s"
        await asyncio.sleep(0.01)
