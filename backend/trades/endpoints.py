"""GET /clients/{client_id}/trades."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import bindparam

from backend.auth.dependencies import ClientReadDep
from backend.kit.pagination import Page, PageDep, PagedQuery
from backend.kit.responses import validated_json
from backend.models.trade import TradeStatus
from backend.trades.repository import trades_of
from backend.trades.schemas import TradeRead
from backend.trades.views import TRADE_COLUMNS, trade_row_reads

router = APIRouter(prefix="/clients/{client_id}", tags=["trades"])
_ALL = PagedQuery(trades_of(bindparam("client_id")).with_only_columns(*TRADE_COLUMNS))
_OF_STATUS = PagedQuery(
    trades_of(bindparam("client_id"), bindparam("status")).with_only_columns(*TRADE_COLUMNS)
)


@router.get("/trades", response_model=Page[TradeRead])
async def list_trades(
    caller: ClientReadDep,
    page: PageDep,
    status: Annotated[TradeStatus | None, Query(description="Only trades in this state")] = None,
) -> Response:
    """List the client's trades, newest first."""
    if status is None:
        rows, total = await _ALL.run(caller.session, page, client_id=caller.client_id)
    else:
        rows, total = await _OF_STATUS.run(caller.session, page, client_id=caller.client_id, status=status)
    items = await trade_row_reads(caller.session, caller.client_id, rows)
    return validated_json(Page(items=items, total=total, limit=page.limit, offset=page.offset))
