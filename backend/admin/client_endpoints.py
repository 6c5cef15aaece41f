"""Operator endpoints for one client: its detail, a user's password reset and access (audited cross-tenant)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from backend.admin.client_detail import client_detail, reset_password
from backend.admin.client_schemas import (
    ClientDetailRead,
    PasswordReset,
    PasswordResetDone,
    UserAccessChange,
    UserAccessRead,
)
from backend.admin.user_access import set_access
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


@router.post("/users/{user_id}/deactivate", response_model=UserAccessRead)
async def deactivate_user(user_id: uuid.UUID, body: UserAccessChange, caller: OperatorDep) -> UserAccessRead:
    """Switch a client user's access off: every sign-in ends, tokens already issued stop working, streams close."""
    return await set_access(caller.session, user_id, active=False, reason=body.reason, actor=caller.actor)


@router.post("/users/{user_id}/activate", response_model=UserAccessRead)
async def activate_user(user_id: uuid.UUID, body: UserAccessChange, caller: OperatorDep) -> UserAccessRead:
    """Switch a client user's access back on: they sign in again with their password."""
    return await set_access(caller.session, user_id, active=True, reason=body.reason, actor=caller.actor)
