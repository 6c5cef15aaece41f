"""The process-wide services the app and the CLI share, built once from settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.auth.passwords import Passwords
from backend.auth.throttle import LoginThrottle
from backend.auth.tokens import TokenIssuer
from backend.config import Settings
from backend.credentials.cipher import CredentialCipher
from backend.execution.escalation import Escalator
from backend.execution.events import OrderSync
from backend.execution.service import ExecutionService, cancel_working_orders
from backend.kit.db import create_engine, create_sessionmaker
from backend.kit.rate_limit import create_window_counter
from backend.kit.redis import create_redis
from backend.risk.context import TradingMode
from backend.risk.gate import RiskGate
from backend.risk.rules import default_rules
from backend.runtime.broker_runtime import BrokerRuntime
from backend.trading.service import TradingStateService


@dataclass
class Container:
    """Everything a request or a command needs beyond its own arguments."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis | None
    passwords: Passwords
    tokens: TokenIssuer
    throttle: LoginThrottle
    cipher: CredentialCipher
    brokers: BrokerRuntime
    execution: ExecutionService
    order_sync: OrderSync
    trading: TradingStateService

    @classmethod
    def build(cls, settings: Settings) -> Container:
        """Build every service; refuses to start on a missing or placeholder secret."""
        settings.check_secrets()
        engine = create_engine(settings.resolved_database_url)
        redis = create_redis(settings.redis_url)
        sessions = create_sessionmaker(engine)
        cipher = CredentialCipher(settings.credential_key_ring)
        brokers = BrokerRuntime(settings, sessions, cipher)
        trading = TradingStateService(sessions, redis)

        async def cancel_in_scope(client_id: uuid.UUID | None) -> int:
            return await cancel_working_orders(sessions, brokers, client_id)

        # A halt cancels the working orders in its scope once it is committed.
        trading.on_halt = cancel_in_scope
        escalator = Escalator(trading, TradingMode(settings.daily_loss_state))
        execution = ExecutionService(brokers, RiskGate(default_rules()), trading, escalator)
        order_sync = OrderSync(sessions, execution, brokers.registry, settings.reconcile_interval_seconds)
        brokers.add_connected_listener(order_sync.on_connected)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            redis=redis,
            passwords=Passwords(settings),
            tokens=TokenIssuer(settings),
            throttle=LoginThrottle(create_window_counter(redis), settings),
            cipher=cipher,
            brokers=brokers,
            execution=execution,
            order_sync=order_sync,
            trading=trading,
        )

    async def close(self) -> None:
        """Release connections."""
        # Sessions close first, which ends their event streams; then their consumers return.
        await self.brokers.close()
        await self.order_sync.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()
