"""Measure how close a client is to each risk limit: daily loss, positions, greeks, order rate, capital at risk.

Limits come from the client's effective agent parameters; usage from our books (positions, orders,
the agent's open structures) and, for marks, greeks and balances, from the client's broker. Without
a connected broker, those broker-derived measures are unknown (null, with the reason), never a failure.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from backend.agent.scanner import capital_at_risk
from backend.agent.settings_service import effective_parameters, settings_of
from backend.brokers.base import AccountSummary, BrokerPort
from backend.brokers.errors import BrokerError
from backend.execution import gate_inputs
from backend.kit.container import Container
from backend.models import Position
from backend.positions.repository import positions_of
from backend.positions.valuation import Valuation, value_positions
from backend.risk.usage_schemas import LimitUsageRead, RiskUsageRead, UsageUnit

logger = logging.getLogger("greekdesk.risk")
BROKER_WAIT_SECONDS = 1.0
_GREEK_PLACES = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class _Broker:
    """The broker if it answered, or why not."""

    port: BrokerPort | None
    reason: str | None


def _usage(
    key: str,
    label: str,
    unit: UsageUnit,
    limit: Decimal | None,
    value: Decimal | None,
    used: Decimal | None,
    reason: str | None = None,
) -> LimitUsageRead:
    ratio = float(used / limit) if used is not None and limit is not None and limit > 0 else None
    if used is not None and limit is not None and limit == 0:
        # A zero limit allows nothing: any usage is over it, none is exactly at it.
        ratio = 1.0 if used == 0 else float("inf")
    return LimitUsageRead(
        key=key, label=label, unit=unit, limit=limit, value=value, used=used, ratio=ratio, reason=reason
    )


async def _broker(container: Container, client_id: uuid.UUID) -> _Broker:
    # Usage never waits long on a broker, and a missing or failed one is a reason, not an error.
    try:
        session = await container.brokers.session_for(client_id)
    except Exception as exc:  # any failure to build the session means "no broker" here
        logger.info("no broker session for limits usage", extra={"error": type(exc).__name__})
        return _Broker(None, "The broker is not configured or cannot be started")
    if not await session.wait_connected(BROKER_WAIT_SECONDS):
        return _Broker(None, f"The broker is not connected ({session.state})")
    return _Broker(session.broker, None)


async def _account(broker: _Broker) -> tuple[AccountSummary | None, str | None]:
    if broker.port is None:
        return None, broker.reason
    try:
        return await broker.port.account_summary(), None
    except BrokerError as exc:
        return None, f"The broker did not report the account ({exc.code})"


def _greek(valuations: list[Valuation], name: str) -> Decimal:
    total = sum(getattr(v, name) or 0.0 for v in valuations)
    return Decimal(str(total)).quantize(_GREEK_PLACES)


def _greek_usages(
    rows: list[Position], valuations: list[Valuation], limits: dict[str, Decimal], reason: str | None
) -> list[LimitUsageRead]:
    unvalued = sum(1 for v in valuations if v.delta is None)
    if reason is None and unvalued:
        reason = f"No greeks for {unvalued} of {len(rows)} positions"
    usages = []
    for name in ("delta", "gamma", "vega"):
        limit = limits[name]
        label = f"Portfolio {name}"
        if reason is not None:
            usages.append(_usage(f"portfolio_{name}", label, "greek", limit, None, None, reason))
            continue
        value = _greek(valuations, name)
        usages.append(_usage(f"portfolio_{name}", label, "greek", limit, value, abs(value)))
    return usages


async def limits_usage(db: AsyncSession, container: Container, client_id: uuid.UUID) -> RiskUsageRead:
    """Return each of the client's limits with its current usage (broker-derived ones null when it is down)."""
    now = container.execution.now()
    params = effective_parameters(await settings_of(db, client_id))
    risk, sizing = params.risk, params.sizing
    rows = list((await db.execute(positions_of(client_id))).scalars())
    orders = await gate_inputs.orders_in_last_minute(db, client_id, now)
    day = now.astimezone(gate_inputs.EXCHANGE_TZ).date()
    at_risk = await capital_at_risk(db, client_id, day)
    # End the read before waiting on the broker: a held connection would let slow brokers drain the pool.
    await db.commit()

    broker = await _broker(container, client_id)
    account, account_reason = await _account(broker)
    valuations = await value_positions(broker.port, rows)

    daily = _usage("daily_loss", "Daily loss", "money", risk.max_daily_loss, None, None, account_reason)
    budget = None
    if account is not None:
        net_liq = account.net_liquidation.amount
        venue_day = gate_inputs.trading_day(now, broker.port.capabilities if broker.port else None)
        opened = await gate_inputs.day_opening_value(db, client_id, venue_day, net_liq)
        pnl = net_liq - opened
        daily = _usage("daily_loss", "Daily loss", "money", risk.max_daily_loss, pnl, max(-pnl, Decimal(0)))
        budget = (sizing.max_risk_total_pct / 100 * net_liq).quantize(Decimal("0.01"))
    greek_limits = {
        "delta": risk.max_portfolio_delta,
        "gamma": risk.max_portfolio_gamma,
        "vega": risk.max_portfolio_vega,
    }
    open_count = Decimal(sum(1 for r in rows if r.quantity != 0))
    items = [
        daily,
        _usage("open_positions", "Open positions", "count", Decimal(risk.max_open_positions), open_count, open_count),
        *_greek_usages(rows, valuations, greek_limits, broker.reason),
        _usage("orders_per_minute", "Orders in the last minute", "count",
               Decimal(risk.max_orders_per_minute), Decimal(orders), Decimal(orders)),
        _usage("capital_at_risk", "Capital at risk (agent)", "money", budget, at_risk, at_risk,
               account_reason if budget is None else None),
    ]  # fmt: skip
    return RiskUsageRead(
        client_id=client_id,
        as_of=now,
        broker_connected=account is not None,
        currency=account.net_liquidation.currency if account is not None else None,
        net_liquidation=account.net_liquidation.amount if account is not None else None,
        items=items,
    )
