"""The process-wide services the app and the CLI share, built once from settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.agent.runtime import AgentRuntime
from backend.auth.passwords import Passwords
from backend.auth.throttle import LoginThrottle
from backend.auth.tokens import TokenIssuer
from backend.brokers.simulator.clock import Clock
from backend.config import Settings
from backend.credentials.cipher import CredentialCipher
from backend.execution.escalation import Escalator
from backend.execution.events import OrderSync
from backend.execution.halt_cancels import cancel_working_orders
from backend.execution.service import ExecutionService
from backend.kit.db import create_engine, create_sessionmaker
from backend.kit.rate_limit import create_window_counter
from backend.kit.redis import create_redis
from backend.models.base import utcnow
from backend.realtime.bus import EventBus
from backend.realtime.publish import attach_bus
from backend.realtime.publishers import broker_status_publisher
from backend.realtime.quotes import QuotePublisher
from backend.realtime.redis_bus import create_bus
from backend.realtime.tickets import StreamTickets
from backend.risk.context import TradingMode
from backend.risk.gate import RiskGate
from backend.risk.rules import default_rules
from backend.runtime.broker_runtime import BrokerRuntime
from backend.trading.service import TradingStateService
from backend.worker.roles import ProcessRole, install_role


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
    agent: AgentRuntime
    events: EventBus
    stream_tickets: StreamTickets
    quotes: QuotePublisher
    role: ProcessRole | None = None

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> Container:
        """Build every service (on `clock`, the venue's time, when given); refuses a missing or placeholder secret."""
        settings.check_secrets()
        engine = create_engine(settings.resolved_database_url)
        redis = create_redis(settings.redis_url)
        sessions = create_sessionmaker(engine)
        events = create_bus(
            settings.redis_url,
            redis,
            replay_capacity=settings.stream_replay_capacity,
            queue_size=settings.stream_queue_size,
        )
        # Events emitted in a transaction reach the bus when (and only if) it commits.
        attach_bus(sessions, events)
        cipher = CredentialCipher(settings.credential_key_ring)
        brokers = BrokerRuntime(settings, sessions, cipher, clock)
        now = clock.now if clock is not None else utcnow
        trading = TradingStateService(sessions, redis)

        async def cancel_in_scope(client_id: uuid.UUID | None) -> int:
            return await cancel_working_orders(sessions, brokers, client_id)

        # A halt cancels the working orders in its scope once it is committed.
        trading.on_halt = cancel_in_scope
        escalator = Escalator(trading, TradingMode(settings.daily_loss_state))
        execution = ExecutionService(brokers, RiskGate(default_rules()), trading, escalator, now)
        order_sync = OrderSync(
            sessions,
            execution,
            brokers.registry,
            settings.reconcile_interval_seconds,
            settings.remote_call_timeout_seconds,
        )
        agent = AgentRuntime(settings, sessions, brokers, execution, trading, now, events)
        if settings.process_role != "api":
            # An API process holds no real session: its workers reconcile, run agents and report.
            brokers.add_connected_listener(order_sync.on_connected)
            # After the order sync: the agent decides only on a reconciled book.
            brokers.add_connected_listener(agent.on_connected)
            brokers.add_state_listener(broker_status_publisher(events))
        role = install_role(settings, sessions, brokers, agent, execution)
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
            agent=agent,
            events=events,
            stream_tickets=StreamTickets(redis, settings.stream_ticket_seconds),
            quotes=QuotePublisher(sessions, brokers.registry, events, settings.quote_interval_seconds),
            role=role,
        )

    async def close(self) -> None:
        """Release connections."""
        if self.role is not None:
            # First: a worker saves and releases its clients while its sessions still run.
            await self.role.close()
        await self.agent.close()
        # Sessions close first, which ends their event streams; then their consumers return.
        await self.quotes.close()
        await self.brokers.close()
        await self.order_sync.close()
        await self.events.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()
