"""GET /clients/{client_id}/positions and /portfolio: the book at the broker's current marks."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import APIRouter, Response
from pydantic import TypeAdapter
from sqlalchemy import bindparam, select

from backend.auth.dependencies import ClientDep, ClientReadDep
from backend.broker_accounts.service import has_active_account
from backend.brokers.base import BrokerPort
from backend.kit.container import Container
from backend.kit.deps import ContainerDep
from backend.kit.pagination import Page, PageDep, PagedQuery, response_columns
from backend.kit.responses import validated_json
from backend.models import Position
from backend.positions.repository import positions_of
from backend.positions.schemas import PortfolioRead, PositionRead
from backend.positions.valuation import Valuation, value_positions

router = APIRouter(prefix="/clients/{client_id}", tags=["positions"])
MARK_WAIT_SECONDS = 1.0
# A list reads only the columns its response shows, as plain rows validated in one call.
_ROWS = TypeAdapter(list[PositionRead])
_LIST = PagedQuery(
    positions_of(bindparam("client_id")).with_only_columns(*response_columns(Position, PositionRead))
)


async def _broker_if_up(client_id: uuid.UUID, container: Container) -> BrokerPort | None:
    # Positions come from our books and never wait long on a broker: without one, marks are null.
    try:
        session = await container.brokers.session_for(client_id)
    except Exception:
        return None
    return session.broker if await session.wait_connected(MARK_WAIT_SECONDS) else None


def _valued(position: PositionRead, valuation: Valuation) -> PositionRead:
    return position.model_copy(
        update={
            "mark": valuation.mark,
            "market_value": valuation.market_value,
            "unrealized_pnl": valuation.unrealized_pnl,
            "delta": valuation.delta,
            "gamma": valuation.gamma,
            "vega": valuation.vega,
            "theta": valuation.theta,
            "valued_at": valuation.as_of,
        }
    )


@router.get("/positions", response_model=Page[PositionRead])
async def list_positions(caller: ClientReadDep, page: PageDep, container: ContainerDep) -> Response:
    """List the client's open positions with marks, unrealised P&L and greeks."""
    rows, total = await _LIST.run(caller.session, page, client_id=caller.client_id)
    priced = bool(rows) and (
        container.brokers.attached(caller.client_id)
        or await has_active_account(caller.session, caller.client_id)
    )
    # End the read before the broker lookup, which takes a pooled connection of its own: awaiting it
    # while this transaction holds one lets concurrent requests exhaust the pool and wait on each other.
    await caller.session.commit()
    items = _ROWS.validate_python(rows)
    if priced:
        valuations = await value_positions(await _broker_if_up(caller.client_id, container), items)
        items = [_valued(item, valuation) for item, valuation in zip(items, valuations, strict=True)]
    return validated_json(Page(items=items, total=total, limit=page.limit, offset=page.offset))


@router.get("/portfolio", response_model=PortfolioRead)
async def portfolio(caller: ClientDep, container: ContainerDep) -> PortfolioRead:
    """Sum the book: market value, P&L and portfolio greeks at current marks."""
    rows = list((await caller.session.execute(positions_of(caller.client_id))).scalars())
    realized = (
        await caller.session.execute(
            select(Position.realized_pnl).where(Position.client_id == caller.client_id)
        )
    ).scalars()
    realized_total = sum(realized, Decimal(0))
    await caller.session.commit()  # as in list_positions: no connection held across the broker lookup
    valuations = await value_positions(await _broker_if_up(caller.client_id, container), rows)
    valued = [v for v in valuations if v.market_value is not None and v.delta is not None]
    return PortfolioRead(
        positions=len(rows),
        valued=len(valued),
        market_value=sum((v.market_value for v in valued if v.market_value is not None), Decimal(0)),
        unrealized_pnl=sum((v.unrealized_pnl for v in valued if v.unrealized_pnl is not None), Decimal(0)),
        realized_pnl=realized_total,
        delta=sum(v.delta or 0.0 for v in valued),
        gamma=sum(v.gamma or 0.0 for v in valued),
        vega=sum(v.vega or 0.0 for v in valued),
        theta=sum(v.theta or 0.0 for v in valued),
    )
