"""The stand-in's HTTP face: the POEMS gateway paths, its headers and its failure modes.

Gateway checks run in the order a real gateway would: the ``x-api-key`` (403), the rate limit
(429 with ``Retry-After``), the bearer token (401), then the API itself, which answers HTTP 200
with ``{"code": 1, "msg": "success", ...}`` or ``code != 1`` and a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from backend.brokers.phillip.config import API_PREFIX, AUTHORIZE_PATH, TOKEN_PATH
from backend.brokers.phillip.error_codes import PoemsCode
from backend.brokers.phillip.fake_poems.oauth import OAuthError
from backend.brokers.phillip.fake_poems.state import FakePoems, FakePoemsConfig
from backend.brokers.phillip.fake_poems.venue import FakeAccount, PoemsFailure

ROOT = "/api-gateway/pspl/"
Handler = Callable[[FakePoems, FakeAccount, Request], Awaitable[dict[str, Any]]]


def _ok(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body | {"code": PoemsCode.SUCCESS, "msg": "success"})


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _gate(fake: FakePoems, request: Request) -> Response | None:
    key = request.headers.get("x-api-key", "")
    if not hmac.compare_digest(key.encode(), fake.config.api_key.encode()):
        return JSONResponse({"code": PoemsCode.FAILED, "msg": "Invalid API key"}, status_code=403)
    wait = fake.limiter.allow(key)
    if wait is not None:
        return JSONResponse(
            {"code": PoemsCode.SYSTEM_BUSY, "msg": "Too many requests"},
            status_code=429,
            headers={"Retry-After": f"{max(wait, 0.05):.2f}"},
        )
    return None


def _api(fake: FakePoems, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        refused = _gate(fake, request)
        if refused is not None:
            return refused
        username = fake.auth.user_for(request.headers.get("authorization"))
        if username is None:
            return JSONResponse(
                {"code": PoemsCode.SESSION_EXPIRED, "msg": "Access token invalid or expired"}, status_code=401
            )
        try:
            return _ok(await handler(fake, fake.account(username), request))
        except PoemsFailure as failure:
            return JSONResponse({"code": failure.code, "msg": failure.msg})

    return endpoint


# -- API handlers (one line each over FakePoems / FakeAccount) -------------------------------------


async def _search(fake: FakePoems, _: FakeAccount, request: Request) -> dict[str, Any]:
    return fake.search(request.query_params.get("keyword", ""), int(request.query_params.get("count", "20")))


async def _counter_id(fake: FakePoems, _: FakeAccount, request: Request) -> dict[str, Any]:
    return fake.counter_id(request.path_params["exchange"], request.path_params["code"])


async def _info(fake: FakePoems, _: FakeAccount, request: Request) -> dict[str, Any]:
    return fake.counter_info(request.query_params.get("counterID", ""))


async def _prices(fake: FakePoems, _: FakeAccount, request: Request) -> dict[str, Any]:
    ids = [c for c in request.query_params.get("counterIDs", "").split(",") if c]
    return fake.price_list(ids)


async def _depth(fake: FakePoems, _: FakeAccount, request: Request) -> dict[str, Any]:
    return fake.market_depth((await _form(request)).get("counterID", ""))


async def _details(_: FakePoems, account: FakeAccount, __: Request) -> dict[str, Any]:
    return await account.account_details()


async def _holdings(_: FakePoems, account: FakeAccount, __: Request) -> dict[str, Any]:
    return await account.holdings()


async def _today(_: FakePoems, account: FakeAccount, __: Request) -> dict[str, Any]:
    return await account.today()


async def _validate(_: FakePoems, account: FakeAccount, request: Request) -> dict[str, Any]:
    return account.validate(await _form(request))


async def _submit(fake: FakePoems, account: FakeAccount, request: Request) -> dict[str, Any]:
    form = await _form(request)
    if fake.submits_lost:  # lost on the way in: nothing is placed, and the client hears nothing
        await asyncio.sleep(fake.submit_answer_delay)
        raise PoemsFailure(PoemsCode.SYSTEM_BUSY, "the request was lost")
    answer = await account.submit(form, request.headers.get("authToken"))
    await asyncio.sleep(fake.submit_answer_delay)  # placed, but the answer may come too late
    return answer


async def _amend(_: FakePoems, account: FakeAccount, request: Request) -> dict[str, Any]:
    return await account.amend(request.path_params["order_no"], await _form(request))


async def _withdraw(_: FakePoems, account: FakeAccount, request: Request) -> dict[str, Any]:
    return await account.withdraw(request.path_params["order_no"], await _form(request))


_API: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "global/counter/search", _search),
    ("GET", "st/counter/counterID/{exchange}/{code}", _counter_id),
    ("GET", "st/counter/info", _info),
    ("GET", "global/counter/pricelist", _prices),
    ("POST", "st/counter/marketdepth", _depth),
    ("GET", "st/portfolio/accountdetails", _details),
    ("GET", "st/portfolio/holdings", _holdings),
    ("GET", "global/order/today", _today),
    ("POST", "st/trade/validate", _validate),
    ("POST", "st/trade/submit", _submit),
    ("POST", "st/order/{order_no}/amend", _amend),
    ("POST", "st/order/{order_no}/withdraw", _withdraw),
)

# -- OAuth --------------------------------------------------------------------------------------


def _authorize(fake: FakePoems) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        params = dict(request.query_params)
        # A real gateway shows the POEMS login page here; the stand-in signs in a configured user.
        username = params.get("username") or fake.config.users[0]
        if username not in fake.accounts:
            return JSONResponse(
                {"error": "access_denied", "error_description": "unknown user"}, status_code=400
            )
        try:
            code = fake.auth.authorize(params, username)
        except OAuthError as error:
            return JSONResponse(error.body(), status_code=error.status)
        query = {"code": code} | ({"state": params["state"]} if "state" in params else {})
        return RedirectResponse(f"{params['redirect_uri']}?{urlencode(query)}", status_code=302)

    return endpoint


def _token(fake: FakePoems) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        refused = _gate(fake, request)
        if refused is not None:
            return refused
        try:
            return JSONResponse(fake.auth.token(await _form(request)))
        except OAuthError as error:
            return JSONResponse(error.body(), status_code=error.status)

    return endpoint


def create_app(
    fake: FakePoems | None = None,
    config: FakePoemsConfig | None = None,
    *,
    tick_interval: float | None = None,
) -> Starlette:
    """Build the stand-in ASGI app over ``fake`` (or a new one); ``tick_interval`` moves a wall-clock market."""
    venue = fake or FakePoems(config)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await venue.open()
        ticker = asyncio.create_task(venue.market.run(tick_interval)) if tick_interval else None
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker

    routes = [Route(ROOT + AUTHORIZE_PATH, _authorize(venue), methods=["GET"])]
    routes.append(Route(ROOT + TOKEN_PATH, _token(venue), methods=["POST"]))
    routes += [
        Route(ROOT + API_PREFIX + path, _api(venue, handler), methods=[method])
        for method, path, handler in _API
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.fake = venue
    return app
