"""Trade tickets, approvals and rejections: every one through the execution service and its gate."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from backend.auth.dependencies import ClientDep
from backend.execution.service import TradeConflict
from backend.execution.tickets import TradeTicket
from backend.kit.deps import ContainerDep
from backend.trades.schemas import TradeDetailRead
from backend.trades.views import trade_detail

router = APIRouter(prefix="/clients/{client_id}", tags=["trades"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        description="Repeat-safe key: a repeat returns the first result",
    ),
]
# States an approval leads to: approving again is a harmless repeat, not a conflict.
_APPROVED = {"approved", "submitted", "partially_filled", "filled", "unknown"}


class RejectBody(BaseModel):
    """Why the trade is refused (optional)."""

    reason: str | None = Field(default=None, max_length=500)


@router.post("/trades", response_model=TradeDetailRead, status_code=201)
async def enter_trade(
    ticket: TradeTicket, caller: ClientDep, container: ContainerDep, idempotency_key: IdempotencyKey = None
) -> TradeDetailRead:
    """Enter a trade ticket; the user approves it by entering it, and it takes the same gate (twice)."""
    execution = container.execution
    trade = await execution.propose(
        caller.session,
        caller.client_id,
        ticket,
        origin="user",
        actor=caller.actor,
        idempotency_key=idempotency_key,
    )
    if trade.status == "pending_approval":
        await caller.session.commit()
        trade = await execution.approve(caller.session, caller.client_id, trade.id, caller.actor)
    return await trade_detail(caller.session, caller.client_id, trade)


@router.post("/trades/{trade_id}/cancel", response_model=TradeDetailRead)
async def cancel_trade(trade_id: uuid.UUID, caller: ClientDep, container: ContainerDep) -> TradeDetailRead:
    """Withdraw a pending trade or cancel its working order (409 when it is already final)."""
    trade = await container.execution.cancel(caller.session, caller.client_id, trade_id, caller.actor)
    return await trade_detail(caller.session, caller.client_id, trade)


@router.post("/positions/{position_id}/close", response_model=TradeDetailRead, status_code=201)
async def close_position(
    position_id: uuid.UUID, caller: ClientDep, container: ContainerDep
) -> TradeDetailRead:
    """Propose the trade that closes a position; it waits for approval like any other."""
    trade = await container.execution.propose_close(
        caller.session, caller.client_id, position_id, caller.actor
    )
    return await trade_detail(caller.session, caller.client_id, trade)


@router.get("/trades/{trade_id}", response_model=TradeDetailRead)
async def get_trade(trade_id: uuid.UUID, caller: ClientDep, container: ContainerDep) -> TradeDetailRead:
    """Show one trade with its legs, orders and fills."""
    trade = await container.execution.trade(caller.session, caller.client_id, trade_id)
    return await trade_detail(caller.session, caller.client_id, trade)


@router.post("/agent/approve/{trade_id}", response_model=TradeDetailRead)
async def approve_trade(trade_id: uuid.UUID, caller: ClientDep, container: ContainerDep) -> TradeDetailRead:
    """Approve a proposed trade: gated again on fresh quotes, then sent once (409 if already decided otherwise)."""
    try:
        trade = await container.execution.approve(caller.session, caller.client_id, trade_id, caller.actor)
    except TradeConflict as exc:
        if exc.details.get("status") not in _APPROVED:
            raise
        trade = await container.execution.trade(caller.session, caller.client_id, trade_id)
    return await trade_detail(caller.session, caller.client_id, trade)


@router.post("/agent/reject/{trade_id}", response_model=TradeDetailRead)
async def reject_trade(
    trade_id: uuid.UUID, caller: ClientDep, container: ContainerDep, body: RejectBody | None = None
) -> TradeDetailRead:
    """Refuse a proposed trade (409 if it was already decided another way)."""
    try:
        trade = await container.execution.reject(
            caller.session, caller.client_id, trade_id, caller.actor, body.reason if body else None
        )
    except TradeConflict as exc:
        if exc.details.get("status") != "rejected":
            raise
        trade = await container.execution.trade(caller.session, caller.client_id, trade_id)
    return await trade_detail(caller.session, caller.client_id, trade)
