"""Every malformed or misused token gets 401."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest

from backend.auth.tokens import ALGORITHM
from backend.kit.container import Container
from backend.models.base import utcnow
from backend.tests.conftest import ClientUser, bearer, create_client_user, login


def _claims(container: Container, user: ClientUser, **changes: Any) -> dict[str, Any]:
    now = utcnow()
    claims: dict[str, Any] = {
        "iss": container.settings.jwt_issuer,
        "aud": container.settings.jwt_audience,
        "sub": str(user.user_id),
        "role": "client",
        "cid": str(user.client_id),
        "typ": "access",
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=5),
        "jti": uuid.uuid4().hex,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(container: Container, claims: dict[str, Any], algorithm: str = ALGORITHM) -> str:
    return jwt.encode(claims, container.settings.jwt_signing_key, algorithm=algorithm)


def _unsigned(claims: dict[str, Any]) -> str:
    def part(obj: dict[str, Any]) -> str:
        raw = json.dumps(obj, default=lambda d: int(d.timestamp())).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def _status(api: httpx.AsyncClient, user: ClientUser, token: str) -> int:
    return (await api.get(f"/clients/{user.client_id}/positions", headers=bearer(token))).status_code


async def test_a_well_formed_token_is_accepted(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    assert await _status(api, user, _sign(container, _claims(container, user))) == 200


@pytest.mark.parametrize(
    ("case", "changes"),
    [
        ("expired", {"exp": utcnow() - timedelta(minutes=1), "iat": utcnow() - timedelta(minutes=10)}),
        ("not yet valid", {"nbf": utcnow() + timedelta(minutes=10)}),
        ("wrong audience", {"aud": "someone-else"}),
        ("wrong issuer", {"iss": "someone-else"}),
        ("not an access token", {"typ": "refresh"}),
        ("no expiry", {"exp": None}),
        ("no type", {"typ": None}),
        ("no audience", {"aud": None}),
    ],
)
async def test_bad_claims_get_401(
    api: httpx.AsyncClient, container: Container, case: str, changes: dict[str, Any]
) -> None:
    user = await create_client_user(container)
    assert await _status(api, user, _sign(container, _claims(container, user, **changes))) == 401, case


async def test_alg_none_gets_401(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    assert await _status(api, user, _unsigned(_claims(container, user))) == 401


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
async def test_another_algorithm_gets_401_even_with_the_right_key(
    api: httpx.AsyncClient, container: Container, algorithm: str
) -> None:
    user = await create_client_user(container)
    assert await _status(api, user, _sign(container, _claims(container, user), algorithm)) == 401


async def test_token_signed_with_another_key_gets_401(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    forged = jwt.encode(_claims(container, user), "another-secret-of-sufficient-length-0123456789", ALGORITHM)
    assert await _status(api, user, forged) == 401


async def test_refresh_token_used_as_access_token_gets_401(
    api: httpx.AsyncClient, container: Container
) -> None:
    user = await create_client_user(container)
    tokens = await login(api, user.email)
    response = await api.get(f"/clients/{user.client_id}/positions", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_missing_token_gets_401(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    response = await api.get(f"/clients/{user.client_id}/positions")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


async def test_token_of_a_deleted_user_gets_401(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    ghost = _claims(container, user, sub=str(uuid.uuid4()))
    assert await _status(api, user, _sign(container, ghost)) == 401
