"""GET /clients/{client_id}/trades."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend.auth.dependencies import ClientDep
from backend.kit.pagination import Page, PageDep, paginate
from backend.kit.responses import validated_json
from backend.models.trade import TradeStatus
from backend.trades.repository import trades_of
from backend.trades.schemas import TradeRead
from backend.trades.views import trade_reads

router = APIRouter(prefix="/clients/{client_id}", tags=["trades"])


@router.get("/trades", response_model=Page[TradeRead])
async def list_trades(
    caller: ClientDep,
    page: PageDep,
    status: Annotated[TradeStatus | None, Query(description="Only trades in this state")] = None,
) -> Response:
    """List the client's trades, newest first."""
    rows, total = await paginate(caller.session, trades_of(caller.client_id, status), page)
    items = await trade_reads(caller.session, caller.client_id, rows)
    return validated_json(Page(items=items, total=total, limit=page.limit, offset=page.offset))
