"""GET /clients/{client_id}/audit (the client's own chain) and GET /admin/audit (every chain)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from backend.audit import repository
from backend.audit.schemas import AdminAuditPage, AuditRecordRead, ChainBreakRead, ChainVerification
from backend.audit.service import verify_chains
from backend.auth.dependencies import ClientDep, OperatorDep
from backend.kit.pagination import Page, PageDep, paginate

router = APIRouter(tags=["audit"])

ActionFilter = Annotated[
    str | None, Query(max_length=64, description="Only actions starting with this, e.g. 'trading.'")
]


@router.get("/clients/{client_id}/audit", response_model=Page[AuditRecordRead])
async def list_client_audit(
    caller: ClientDep, page: PageDep, action: ActionFilter = None
) -> Page[AuditRecordRead]:
    """List the client's audit chain, newest first."""
    rows, total = await paginate(caller.session, repository.chain_of(caller.client_id, action), page)
    return Page(
        items=[AuditRecordRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/admin/audit", response_model=AdminAuditPage)
async def list_audit(
    caller: OperatorDep,
    page: PageDep,
    client_id: Annotated[uuid.UUID | None, Query(description="Only this client's records")] = None,
    action: ActionFilter = None,
    verify: Annotated[bool, Query(description="Recompute every hash chain (reads the whole log)")] = True,
) -> AdminAuditPage:
    """List every chain's records, newest first, with the verification of all chains."""
    rows, total = await paginate(caller.session, repository.all_records(client_id, action), page)
    verification = None
    if verify:
        breaks = await verify_chains(caller.session)
        verification = ChainVerification(
            ok=not breaks, breaks=[ChainBreakRead.model_validate(b) for b in breaks]
        )
    return AdminAuditPage(
        items=[AuditRecordRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
        verification=verification,
    )
