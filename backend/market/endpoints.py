"""GET /clients/{client_id}/market/quote and /market/chain through the client's own broker."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.dependencies import ClientDep
from backend.brokers.base import BrokerPort
from backend.kit.container import Container
from backend.kit.deps import ContainerDep
from backend.kit.errors import AppError, ServiceUnavailable
from backend.market import chain_service
from backend.market.schemas import ChainRead, ExpiriesRead, QuotesRead

router = APIRouter(prefix="/clients/{client_id}/market", tags=["market"])

_SYMBOL = re.compile(r"^[A-Z][A-Z0-9.\-]{0,11}$")
MAX_SYMBOLS = 50
CONNECT_WAIT_SECONDS = 5.0


def _symbols(raw: str) -> list[str]:
    symbols = [s.strip().upper() for s in raw.split(",") if s.strip()]
    bad = [s for s in symbols if not _SYMBOL.match(s)]
    if not symbols or bad or len(symbols) > MAX_SYMBOLS:
        raise AppError(
            f"symbols must be 1 to {MAX_SYMBOLS} comma-separated tickers",
            code="invalid_symbols",
            details={"invalid": bad},
        )
    return list(dict.fromkeys(symbols))


async def _broker(caller: ClientDep, container: Container) -> BrokerPort:
    session = await container.brokers.session_for(caller.client_id)
    if not await session.wait_connected(CONNECT_WAIT_SECONDS):
        status = session.status()
        raise ServiceUnavailable(
            "The broker is not connected",
            code="broker_unavailable",
            details={"state": status.state, "last_error": status.last_error},
        )
    return session.broker


@router.get("/quote", response_model=QuotesRead)
async def get_quotes(
    caller: ClientDep,
    container: ContainerDep,
    symbols: Annotated[str, Query(description="Comma-separated tickers, e.g. SPY,AAPL")],
) -> QuotesRead:
    """Quote stocks and ETFs through the client's broker."""
    wanted = _symbols(symbols)
    return QuotesRead(quotes=await chain_service.stock_quotes(await _broker(caller, container), wanted))


@router.get("/chain", response_model=ChainRead | ExpiriesRead)
async def get_chain(
    caller: ClientDep,
    container: ContainerDep,
    underlying: Annotated[str, Query(description="The underlying ticker, e.g. SPY")],
    expiry: Annotated[date | None, Query(description="YYYY-MM-DD; omit to list the expiries")] = None,
) -> ChainRead | ExpiriesRead:
    """List an underlying's expiries, or quote one expiry's whole chain with IV and greeks."""
    (symbol,) = _symbols(underlying)
    broker = await _broker(caller, container)
    if expiry is None:
        return await chain_service.expiries(broker, symbol)
    return await chain_service.chain(broker, symbol, expiry, container.settings.risk_free_rate)
