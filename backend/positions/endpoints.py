"""GET /clients/{client_id}/positions."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.dependencies import ClientDep
from backend.kit.pagination import Page, PageDep, paginate
from backend.positions.repository import positions_of
from backend.positions.schemas import PositionRead

router = APIRouter(prefix="/clients/{client_id}", tags=["positions"])


@router.get("/positions", response_model=Page[PositionRead])
async def list_positions(caller: ClientDep, page: PageDep) -> Page[PositionRead]:
    """List the client's open positions."""
    rows, total = await paginate(caller.session, positions_of(caller.client_id), page)
    return Page(
        items=[PositionRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
