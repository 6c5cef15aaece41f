"""The agent's status for one client: mode and effective mode, state and why, scans, proposals, P&L."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.agent.autopilot import effective_mode
from backend.agent.schemas import AgentMode, AgentState, AgentStatusRead, PnlSummary
from backend.agent.settings_service import effective_parameters, settings_of
from backend.brokers.base import ConnectionState
from backend.brokers.errors import BrokerError
from backend.kit.container import Container
from backend.models import Position, Trade
from backend.risk.context import TradingMode


async def agent_status(db: AsyncSession, container: Container, client_id: uuid.UUID) -> AgentStatusRead:
    """Return the client's agent status as this process sees it."""
    settings = await settings_of(db, client_id)
    params = effective_parameters(settings)
    trading = (await container.trading.status(client_id)).effective
    effective = effective_mode(
        settings.mode,
        autonomous_enabled=container.settings.autonomous_enabled,
        trading=trading,
        paused=settings.paused,
    )
    session = container.brokers.registry.get(client_id)
    broker_state = session.state if session is not None else "not_started"
    connected = session is not None and session.broker.state is ConnectionState.CONNECTED
    state: AgentState = "running"
    why: str | None = None
    if not container.settings.agent_enabled:
        state, why = "stopped", "The agent's loop is switched off in this deployment (AGENT_ENABLED=false)"
    elif trading is TradingMode.HALTED:
        state, why = "halted", "Trading is halted: the agent makes no decisions"
    elif settings.paused:
        state, why = "paused", settings.paused_reason or "Paused by the client"
    elif not connected:
        state, why = "broker_disconnected", "The broker is not connected: decisions wait for it to reconnect"
    pnl = None
    if connected and session is not None:
        try:
            account = await session.broker.account_summary()
            pnl = PnlSummary(
                net_liquidation=account.net_liquidation.amount,
                realized=account.realized_pnl.amount,
                unrealized=account.unrealized_pnl.amount,
                currency=account.net_liquidation.currency,
            )
        except BrokerError:
            pnl = None
    proposals = await db.scalar(
        select(func.count()).where(Trade.client_id == client_id, Trade.status == "pending_approval")
    )
    positions = await db.scalar(
        select(func.count()).where(Position.client_id == client_id, Position.quantity != 0)
    )
    next_scan = (
        settings.last_scan_at + timedelta(seconds=params.scan_interval_seconds)
        if settings.last_scan_at
        else None
    )
    return AgentStatusRead(
        mode=cast(AgentMode, settings.mode),
        effective_mode=cast(AgentMode, effective.mode),
        effective_reasons=effective.reasons,
        autonomous_enabled=container.settings.autonomous_enabled,
        state=state,
        state_reason=why,
        paused=settings.paused,
        trading_state=trading.value,
        broker_state=str(broker_state),
        last_scan_at=settings.last_scan_at,
        next_scan_at=next_scan,
        last_scan=settings.last_scan_summary,
        open_proposals=int(proposals or 0),
        open_positions=int(positions or 0),
        pnl=pnl,
        parameters_version=settings.version,
    )
