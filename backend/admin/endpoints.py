"""Operator endpoints under /admin (every request is an audited cross-tenant access)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from backend.auth.dependencies import OperatorDep
from backend.clients import service
from backend.clients.schemas import ClientCreate, ClientRead
from backend.kit.deps import ContainerDep
from backend.kit.pagination import Page, PageDep

router = APIRouter(prefix="/admin", tags=["admin"])


class ClientCreated(BaseModel):
    """The new client and its first user's id."""

    client: ClientRead
    user_id: uuid.UUID


@router.get("/clients", response_model=Page[ClientRead])
async def list_clients(caller: OperatorDep, page: PageDep) -> Page[ClientRead]:
    """List every client."""
    rows, total = await service.list_clients(caller.session, page.limit, page.offset)
    return Page(
        items=[ClientRead.model_validate(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post("/clients", response_model=ClientCreated, status_code=201)
async def create_client(body: ClientCreate, caller: OperatorDep, container: ContainerDep) -> ClientCreated:
    """Create a client and its first user."""
    created = await service.create_client(
        caller.session,
        name=body.name,
        email=body.email,
        password=body.password,
        passwords=container.passwords,
        actor=caller.actor,
    )
    return ClientCreated(client=ClientRead.model_validate(created.client), user_id=created.user.id)
