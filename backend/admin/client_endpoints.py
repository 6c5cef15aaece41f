"""Operator endpoints for one client: its detail, and resetting a user's password (audited cross-tenant)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from backend.admin.client_detail import client_detail, reset_password
from backend.admin.client_schemas import ClientDetailRead, PasswordReset, PasswordResetDone
from backend.auth.dependencies import OperatorDep
from backend.kit.deps import ContainerDep

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/clients/{client_id}", response_model=ClientDetailRead)
async def read_client(client_id: uuid.UUID, caller: OperatorDep, container: ContainerDep) -> ClientDetailRead:
    """Show a client: users, broker session, agent mode and effective mode, trading state, limits usage."""
    return await client_detail(caller.session, container, client_id)


@router.post("/users/{user_id}/reset-password", response_model=PasswordResetDone)
async def reset_user_password(
    user_id: uuid.UUID, caller: OperatorDep, container: ContainerDep, body: PasswordReset | None = None
) -> PasswordResetDone:
    """Set a client user's password, or generate one shown once; every session of the user ends."""
    password = body.password if body is not None else None
    return await reset_password(caller.session, container, user_id, password, actor=caller.actor)
