"""Events from the rows the order path changes: call these in the transaction that changed them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.models import Client, Fill, Order, PnlSnapshot, Position, Trade, TradingStateChange
from backend.realtime.bus import EventBus
from backend.realtime.publish import emit
from backend.realtime.schemas import (
    AccessEnded,
    AccessRevokedData,
    BrokerStatusData,
    FillData,
    OrderUpdatedData,
    PnlUpdatedData,
    PortfolioUpdatedData,
    PositionChange,
    TradeUpdatedData,
    TradingStateData,
)

if TYPE_CHECKING:
    from backend.runtime.broker_sessions import ManagedSession


def trade_updated(db: AsyncSession, trade: Trade) -> None:
    """Announce a trade's (new) status after the transaction commits."""
    emit(
        db,
        trade.client_id,
        TradeUpdatedData(
            trade_id=trade.id,
            status=trade.status,
            origin=trade.origin,
            strategy=trade.strategy,
            underlying=trade.underlying,
            quantity=trade.quantity,
            limit_price=trade.limit_price,
        ),
    )


def order_updated(db: AsyncSession, order: Order) -> None:
    """Announce an order's status and filled quantity after the transaction commits."""
    emit(
        db,
        order.client_id,
        OrderUpdatedData(
            order_id=order.id,
            trade_id=order.trade_id,
            client_order_id=order.client_order_id,
            status=order.status,
            quantity=order.quantity,
            filled_quantity=order.filled_quantity,
            average_fill_price=order.average_fill_price,
            last_error=order.last_error,
        ),
    )


def order_and_trade_updated(db: AsyncSession, order: Order, trade: Trade) -> None:
    """Announce an order and its trade, order first (the trade's status follows from it)."""
    order_updated(db, order)
    trade_updated(db, trade)


def fill_booked(db: AsyncSession, fill: Fill) -> None:
    """Announce one booked execution."""
    emit(
        db,
        fill.client_id,
        FillData(
            order_id=fill.order_id,
            execution_id=fill.execution_id,
            instrument_key=fill.instrument_key,
            side=fill.side,
            quantity=fill.quantity,
            price=fill.price,
            commission=fill.commission,
            filled_at=fill.filled_at,
        ),
    )


def portfolio_updated(db: AsyncSession, client_id: uuid.UUID, positions: Iterable[Position]) -> None:
    """Announce the positions that fills moved (nothing when none did)."""
    changes = [
        PositionChange(
            instrument_key=p.instrument_key,
            underlying=p.underlying,
            quantity=p.quantity,
            average_cost=p.average_cost,
            realized_pnl=p.realized_pnl,
        )
        for p in positions
    ]
    if changes:
        emit(db, client_id, PortfolioUpdatedData(positions=changes))


def pnl_recorded(db: AsyncSession, snapshot: PnlSnapshot) -> None:
    """Announce a new point of the client's P&L history with the account values it holds."""
    emit(
        db,
        snapshot.client_id,
        PnlUpdatedData(
            at=snapshot.at,
            net_liquidation=snapshot.net_liquidation,
            realized=snapshot.realized,
            unrealized=snapshot.unrealized,
            currency=snapshot.currency,
        ),
    )


def access_revoked(
    db: AsyncSession,
    client_id: uuid.UUID | None,
    user_id: uuid.UUID,
    reason: AccessEnded,
) -> None:
    """Tell the client's open streams, once the revocation commits, to re-check their sign-ins now."""
    if client_id is not None:  # an operator's sign-in opens no client stream
        emit(db, client_id, AccessRevokedData(user_id=user_id, reason=reason))


async def trading_state_changed(db: AsyncSession, change: TradingStateChange) -> None:
    """Announce a trading state change to its client, or to every client for the global scope."""
    data = TradingStateData(
        scope="client" if change.client_id else "global",
        state=change.to_state,
        reason=change.reason,
        allow_reduce_only=change.allow_reduce_only,
    )
    if change.client_id is not None:
        emit(db, change.client_id, data)
        return
    # A global change concerns every client's readers; halts are rare, so one event each is cheap.
    for client_id in (await db.execute(select(Client.id))).scalars():
        emit(db, client_id, data)


def broker_status_publisher(bus: EventBus) -> Callable[[ManagedSession], None]:
    """Return a session-state listener that announces each change (no transaction behind it)."""

    def announce(session: ManagedSession) -> None:
        status = session.status()
        bus.publish(
            session.client_id,
            BrokerStatusData(kind=status.kind, state=status.state, last_error=status.last_error),
        )

    return announce
