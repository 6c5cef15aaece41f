"""POST /auth/login, /auth/refresh, /auth/logout."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from backend.auth import service
from backend.auth.dependencies import ClientCaller, UserDep
from backend.auth.schemas import LoginRequest, MeRead, RefreshRequest, TokenResponse
from backend.auth.service import IssuedTokens
from backend.kit.deps import ContainerDep, SessionDep
from backend.kit.errors import AppError
from backend.models import Client

router = APIRouter(prefix="/auth", tags=["auth"])

_LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LoginRequest.model_json_schema()},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                }
            },
        },
    }
}


async def _login_request(request: Request) -> LoginRequest:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            return LoginRequest.model_validate({k: form.get(k) for k in ("username", "password")})
        return LoginRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_input=False)) from exc
    except ValueError as exc:
        raise AppError(
            "The body must be JSON or a form with username and password", code="malformed_body"
        ) from exc


def _token_response(issued: IssuedTokens) -> TokenResponse:
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        client_id=issued.user.client_id,
        role=issued.user.role,
    )


@router.post("/login", response_model=TokenResponse, openapi_extra=_LOGIN_BODY)
async def login(request: Request, session: SessionDep, container: ContainerDep) -> TokenResponse:
    """Sign in with a username and password (JSON or OAuth2 password form)."""
    body = await _login_request(request)
    issued = await service.login(
        session,
        username=body.username,
        password=body.password,
        address=request.client.host if request.client else "unknown",
        passwords=container.passwords,
        tokens=container.tokens,
        throttle=container.throttle,
    )
    return _token_response(issued)


@router.post("/refresh", response_model=TokenResponse)
async def refresh(body: RefreshRequest, session: SessionDep, container: ContainerDep) -> TokenResponse:
    """Exchange a refresh token for new tokens; the old refresh token stops working."""
    return _token_response(
        await service.refresh(session, refresh_token=body.refresh_token, tokens=container.tokens)
    )


@router.post("/logout", status_code=204, response_class=Response)
async def logout(body: RefreshRequest, session: SessionDep, container: ContainerDep) -> Response:
    """Revoke the session behind a refresh token."""
    await service.logout(session, refresh_token=body.refresh_token, tokens=container.tokens)
    return Response(status_code=204)


@router.get("/me", response_model=MeRead)
async def me(caller: UserDep) -> MeRead:
    """Show who is signed in, and their client's name."""
    client_name = None
    if isinstance(caller, ClientCaller):
        client = await caller.session.get(Client, caller.client_id)
        client_name = client.name if client else None
    return MeRead(
        user_id=caller.user.id,
        email=caller.user.email,
        role="operator" if caller.user.role == "operator" else "client",
        client_id=caller.user.client_id,
        client_name=client_name,
    )
