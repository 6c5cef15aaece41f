"""Readiness checks of the components a request depends on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from backend.kit.container import Container

CHECK_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    """One component's readiness."""

    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)


async def _database(container: Container) -> ComponentStatus:
    async with container.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    return ComponentStatus(True, {"dialect": container.engine.dialect.name})


async def _redis(container: Container) -> ComponentStatus:
    assert container.redis is not None
    await container.redis.ping()
    return ComponentStatus(True)


async def _checked(name: str, check: Any, container: Container) -> tuple[str, ComponentStatus]:
    try:
        return name, await asyncio.wait_for(check(container), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return name, ComponentStatus(False, {"error": f"no answer within {CHECK_TIMEOUT_SECONDS:g}s"})
    except Exception as exc:
        # The exception text can carry a connection URL; its type is enough to act on.
        return name, ComponentStatus(False, {"error": type(exc).__name__})


async def readiness(container: Container) -> dict[str, ComponentStatus]:
    """Check the database, Redis when configured, and this process's broker sessions."""
    checks: list[tuple[str, Any]] = [("database", _database)]
    if container.redis is not None:
        checks.append(("redis", _redis))
    results = dict(await asyncio.gather(*(_checked(name, check, container) for name, check in checks)))
    sessions = container.brokers.registry.health()
    # One client's broken broker must not take the API out of rotation for everyone: the
    # sessions are reported here, and a client's own broker status shows its failure.
    results["broker_sessions"] = ComponentStatus(
        True, {"total": sessions.total, "by_state": sessions.by_state}
    )
    return results
