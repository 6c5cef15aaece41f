"""Request and response bodies of the auth endpoints."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from backend.models.user import Role


class LoginRequest(BaseModel):
    """Credentials for a password login."""

    username: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    """Tokens returned by login and refresh."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str
    client_id: uuid.UUID | None = Field(
        description="The client (tenant) of a client user; null for operators"
    )
    role: Role


class RefreshRequest(BaseModel):
    """A refresh token to exchange (it is rotated: use the new one next time)."""

    refresh_token: str = Field(min_length=16, max_length=256)


class MeRead(BaseModel):
    """Who is signed in: the user, their role, and their client (tenant) if they have one."""

    user_id: uuid.UUID
    email: str
    role: Role
    client_id: uuid.UUID | None
    client_name: str | None
