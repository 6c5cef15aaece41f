"""POST/GET /admin/trading-halt (operators) and GET /clients/{client_id}/trading-state."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.dependencies import ClientDep, OperatorDep
from backend.kit.deps import ContainerDep
from backend.kit.pagination import Page, PageDep
from backend.models import TradingState
from backend.models.trading_state import GLOBAL_SCOPE
from backend.risk.context import TradingMode
from backend.trading import service
from backend.trading.cache import ACTIVE, ScopeState, combine
from backend.trading.schemas import (
    ClientTradingState,
    ScopeStateRead,
    TradingHaltOverview,
    TradingHaltRequest,
    TradingHaltResult,
    TradingStateChangeRead,
    TradingStateRead,
)

router = APIRouter(tags=["trading"])


@router.post("/admin/trading-halt", response_model=TradingHaltResult)
async def change_trading_state(
    body: TradingHaltRequest, caller: OperatorDep, container: ContainerDep
) -> TradingHaltResult:
    """Halt, restrict or resume trading globally or for one client."""
    change = await container.trading.change(
        caller.session,
        scope_client_id=body.client_id,
        state=body.state,
        reason=body.reason,
        allow_reduce_only=body.allow_reduce_only,
        actor=caller.actor,
    )
    # Other processes and the order canceller must only ever see a committed state.
    await caller.session.commit()
    cancelled = await container.trading.publish(change)
    return TradingHaltResult.model_validate(
        {**TradingStateChangeRead.model_validate(change).model_dump(), "cancelled_orders": cancelled}
    )


@router.get("/admin/trading-halt", response_model=TradingHaltOverview)
async def read_trading_states(
    caller: OperatorDep,
    page: PageDep,
    client_id: Annotated[uuid.UUID | None, Query(description="History of this client only")] = None,
) -> TradingHaltOverview:
    """Show the global state, every client not ACTIVE, and the history of changes."""
    view = await service.overview(caller.session, page, client_id)
    global_row = (
        TradingStateRead.model_validate(view.global_state)
        if view.global_state is not None
        else TradingStateRead(
            scope=GLOBAL_SCOPE,
            client_id=None,
            state=TradingMode.ACTIVE,
            reason=None,
            allow_reduce_only=True,
            changed_by=None,
            changed_at=None,
        )
    )
    return TradingHaltOverview(
        global_=global_row,
        clients=[TradingStateRead.model_validate(r) for r in view.clients],
        history=Page(
            items=[TradingStateChangeRead.model_validate(r) for r in view.history],
            total=view.total,
            limit=page.limit,
            offset=page.offset,
        ),
    )


@router.get("/clients/{client_id}/trading-state", response_model=ClientTradingState)
async def read_client_trading_state(caller: ClientDep) -> ClientTradingState:
    """Show the trading state that governs this client now (the stricter of global and its own)."""
    global_row, client_row = await service.client_states(caller.session, caller.client_id)
    status = combine(_scope_state(global_row), _scope_state(client_row))
    return ClientTradingState(
        effective=status.effective,
        reduce_only_allowed=status.reduce_only_allowed,
        global_=_scope_read(global_row),
        client=_scope_read(client_row),
    )


def _scope_state(row: TradingState | None) -> ScopeState:
    return ScopeState(TradingMode(row.state), row.allow_reduce_only) if row is not None else ACTIVE


def _scope_read(row: TradingState | None) -> ScopeStateRead:
    if row is None:
        return ScopeStateRead(state=TradingMode.ACTIVE, reason=None, allow_reduce_only=True, changed_at=None)
    return ScopeStateRead.model_validate(row)
