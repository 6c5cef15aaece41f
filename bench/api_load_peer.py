"""The peer of bench/api_load.py: a minimal best-practice FastAPI app serving the same rows, same JSON.

FastAPI with typed response models and an asyncpg pool (no ORM). Per request it does the work
Greekdesk's endpoints do: verify the JWT (same library, key, algorithm and claims), then, in one
transaction scoped to the caller's client for row-level security, check the user is active, count the
rows and read the page (and, for trades, all their legs in one query). Marks and greeks are null
here as in Greekdesk's response when no broker is attached to the client.

Run by the benchmark as `uvicorn bench.api_load_peer:app` with BENCH_PEER_DSN, JWT_SECRET,
JWT_ISSUER and JWT_AUDIENCE in the environment.
"""

from __future__ import annotations

import json
import os
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import asyncpg
import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from pydantic import BaseModel

POOL_MIN, POOL_MAX = 10, 30  # Greekdesk's engine: pool_size=10, max_overflow=20


class PositionOut(BaseModel):
    id: uuid.UUID
    instrument_key: str
    sec_type: Literal["stock", "option"]
    symbol: str
    underlying: str
    expiry: date | None
    strike: Decimal | None
    option_right: Literal["C", "P"] | None
    multiplier: int
    quantity: Decimal
    average_cost: Decimal
    realized_pnl: Decimal
    opened_at: datetime
    updated_at: datetime
    mark: Decimal | None = None
    market_value: Decimal | None = None
    unrealized_pnl: Decimal | None = None
    delta: float | None = None
    gamma: float | None = None
    vega: float | None = None
    theta: float | None = None
    valued_at: datetime | None = None


class LegOut(BaseModel):
    leg_index: int
    side: Literal["buy", "sell"]
    ratio: int
    sec_type: Literal["stock", "option"]
    symbol: str
    instrument_key: str
    expiry: date | None
    strike: Decimal | None
    option_right: Literal["C", "P"] | None
    multiplier: int


class PayoffPointOut(BaseModel):
    price: Decimal
    pnl: Decimal | None


class GreeksOut(BaseModel):
    delta: Decimal
    gamma: Decimal
    vega: Decimal
    theta: Decimal


class MetricsOut(BaseModel):
    expiry: date | None = None
    max_profit: Decimal | None = None
    max_loss: Decimal | None = None
    breakevens: list[Decimal] = []
    probability_of_profit: float | None = None
    expected_value: Decimal | None = None
    return_on_risk: Decimal | None = None
    capital_at_risk: Decimal | None = None
    greeks: GreeksOut | None = None
    score: float | None = None
    payoff: list[PayoffPointOut] = []
    exit: str | None = None
    detail: str | None = None
    opened_by: uuid.UUID | None = None


class TradeOut(BaseModel):
    id: uuid.UUID
    status: str
    origin: str
    strategy: str | None
    underlying: str
    quantity: int
    order_type: str
    time_in_force: str
    limit_price: Decimal | None
    rationale: str | None
    denial_reasons: list[dict[str, Any]]
    legs: list[LegOut]
    expires_at: datetime | None
    metrics: MetricsOut
    parent_trade_id: uuid.UUID | None
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


class PositionPage(BaseModel):
    items: list[PositionOut]
    total: int
    limit: int
    offset: int


class TradePage(BaseModel):
    items: list[TradeOut]
    total: int
    limit: int
    offset: int


async def _init(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["BENCH_PEER_DSN"], min_size=POOL_MIN, max_size=POOL_MAX, init=_init
    )
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(lifespan=lifespan)
_KEY = os.environ.get("JWT_SECRET", "")
_ISSUER = os.environ.get("JWT_ISSUER", "greekdesk")
_AUDIENCE = os.environ.get("JWT_AUDIENCE", "greekdesk-api")
_REQUIRED = ["exp", "iat", "nbf", "iss", "aud", "sub", "typ", "jti"]


async def caller(client_id: uuid.UUID, authorization: Annotated[str, Header()] = "") -> uuid.UUID:
    """Verify the bearer token and return the user id; another client's id is 404."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        raise HTTPException(401, "Sign in first")
    try:
        claims = jwt.decode(
            token,
            _KEY,
            algorithms=["HS256"],
            audience=_AUDIENCE,
            issuer=_ISSUER,
            options={"require": _REQUIRED},
            leeway=5,
        )
    except jwt.PyJWTError as exc:
        raise HTTPException(401, "Invalid token") from exc
    if claims.get("typ") != "access" or claims.get("role") != "client":
        raise HTTPException(403, "Clients only")
    if claims.get("cid") != str(client_id):
        raise HTTPException(404, "No such client")
    return uuid.UUID(claims["sub"])


CallerDep = Annotated[uuid.UUID, Depends(caller)]


async def _scoped(conn: asyncpg.Connection, client_id: uuid.UUID, user_id: uuid.UUID) -> None:
    await conn.execute("SELECT set_config('app.client_id', $1, true)", str(client_id))
    active = await conn.fetchval(
        "SELECT is_active FROM user_account WHERE id = $1 AND client_id = $2", user_id, client_id
    )
    if not active:
        raise HTTPException(401, "The account is not active")


_POSITIONS = """
    SELECT id, instrument_key, sec_type, symbol, underlying, expiry, strike, option_right, multiplier,
           quantity, average_cost, realized_pnl, opened_at, updated_at
    FROM position WHERE client_id = $1 AND quantity <> 0
    ORDER BY opened_at DESC, id LIMIT $2 OFFSET $3
"""
_TRADES = """
    SELECT id, status, origin, strategy, underlying, quantity, order_type, time_in_force, limit_price,
           rationale, denial_reasons, expires_at, metrics, parent_trade_id, decided_by, decided_at,
           created_at, updated_at
    FROM trade WHERE client_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3
"""
_LEGS = """
    SELECT trade_id, leg_index, side, ratio, sec_type, symbol, instrument_key, expiry, strike,
           option_right, multiplier
    FROM trade_leg WHERE client_id = $1 AND trade_id = ANY($2::uuid[]) ORDER BY trade_id, leg_index
"""


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/clients/{client_id}/positions")
async def positions(
    request: Request,
    client_id: uuid.UUID,
    user_id: CallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PositionPage:
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        await _scoped(conn, client_id, user_id)
        total = await conn.fetchval(
            "SELECT count(*) FROM position WHERE client_id = $1 AND quantity <> 0", client_id
        )
        rows = await conn.fetch(_POSITIONS, client_id, limit, offset)
    return PositionPage(items=[PositionOut(**dict(r)) for r in rows], total=total, limit=limit, offset=offset)


@app.get("/clients/{client_id}/trades")
async def trades(
    request: Request,
    client_id: uuid.UUID,
    user_id: CallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TradePage:
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        await _scoped(conn, client_id, user_id)
        total = await conn.fetchval("SELECT count(*) FROM trade WHERE client_id = $1", client_id)
        rows = await conn.fetch(_TRADES, client_id, limit, offset)
        legs: defaultdict[uuid.UUID, list[LegOut]] = defaultdict(list)
        for leg in await conn.fetch(_LEGS, client_id, [r["id"] for r in rows]):
            fields = dict(leg)
            legs[fields.pop("trade_id")].append(LegOut(**fields))
    return TradePage(
        items=[TradeOut(**dict(r), legs=legs.get(r["id"], [])) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
