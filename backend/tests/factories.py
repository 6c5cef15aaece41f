"""Factories for rows later issues fill (positions, trades), written in the owning client's scope."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from backend.domain.instruments import Stock
from backend.kit.container import Container
from backend.kit.db import TenantScope, scoped_session
from backend.models import Order, Position, Trade, TradeLeg
from backend.models.base import utcnow


async def create_position(
    container: Container, client_id: uuid.UUID, *, symbol: str = "SPY", quantity: Decimal = Decimal(-1)
) -> uuid.UUID:
    """Add a short put position on `symbol` for the client."""
    expiry = date(2030, 1, 18)
    position = Position(
        client_id=client_id,
        instrument_key=f"{symbol} {expiry:%y%m%d}P00450000",
        sec_type="option",
        symbol=symbol,
        underlying=symbol,
        expiry=expiry,
        strike=Decimal("450"),
        option_right="P",
        multiplier=100,
        quantity=quantity,
        average_cost=Decimal("3.25"),
    )
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as session:
        session.add(position)
    return position.id


async def create_trade(
    container: Container, client_id: uuid.UUID, *, status: str = "pending_approval", symbol: str = "SPY"
) -> uuid.UUID:
    """Add a one-leg trade for the client."""
    trade = Trade(
        client_id=client_id,
        status=status,
        origin="agent",
        strategy="cash_secured_put",
        underlying=symbol,
        quantity=1,
        order_type="limit",
        time_in_force="DAY",
        limit_price=Decimal("-3.25"),
        rationale="test",
    )
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as session:
        session.add(trade)
        await session.flush()
        session.add(
            TradeLeg(
                client_id=client_id,
                trade_id=trade.id,
                leg_index=0,
                side="sell",
                ratio=1,
                sec_type="option",
                symbol=symbol,
                instrument_key=f"{symbol} 300118P00450000",
                expiry=date(2030, 1, 18),
                strike=Decimal("450"),
                option_right="P",
                multiplier=100,
            )
        )
    return trade.id


async def create_stock_order(
    container: Container,
    client_id: uuid.UUID,
    *,
    symbol: str,
    quantity: int,
    order_status: str,
    trade_status: str = "approved",
    limit_price: Decimal | None = None,
    written_at: datetime | None = None,
) -> str:
    """Add a one-leg stock buy and its order as the execution service books them; return its client order id."""
    client_order_id = f"gd-{uuid.uuid4().hex[:20]}"
    async with scoped_session(container.sessions, TenantScope.for_client(client_id)) as session:
        trade = Trade(
            client_id=client_id,
            status=trade_status,
            origin="user",
            underlying=symbol,
            quantity=quantity,
            order_type="market" if limit_price is None else "limit",
            time_in_force="DAY",
            limit_price=limit_price,
        )
        session.add(trade)
        await session.flush()
        session.add(
            TradeLeg(
                client_id=client_id,
                trade_id=trade.id,
                leg_index=0,
                side="buy",
                ratio=1,
                sec_type="stock",
                symbol=symbol,
                instrument_key=Stock(symbol).key,
            )
        )
        session.add(
            Order(
                client_id=client_id,
                trade_id=trade.id,
                client_order_id=client_order_id,
                status=order_status,
                quantity=Decimal(quantity),
                limit_price=limit_price,
                created_at=written_at or utcnow(),
            )
        )
    return client_order_id
