"""GET /clients/{client_id}/pnl-history: the account's values over time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import AwareDatetime

from backend.auth.dependencies import ClientDep
from backend.kit.responses import validated_json
from backend.pnl.repository import history_of
from backend.pnl.schemas import PnlHistoryRead, PnlPointRead

router = APIRouter(prefix="/clients/{client_id}", tags=["positions"])
MAX_POINTS = 5000


@router.get("/pnl-history", response_model=PnlHistoryRead)
async def pnl_history(
    caller: ClientDep,
    since: Annotated[
        AwareDatetime | None, Query(description="Only points at or after this time (with its offset)")
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_POINTS, description="At most this many, the newest kept")
    ] = 1000,
) -> Response:
    """List the client's net liquidation and P&L over time, oldest first."""
    rows = await history_of(caller.session, caller.client_id, since=since, limit=limit)
    return validated_json(PnlHistoryRead(points=[PnlPointRead.model_validate(r) for r in rows]))
