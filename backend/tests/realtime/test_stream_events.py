"""The stream end to end over real sockets: the order path's events arrive live, in seq order, replayable."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI

from backend.kit.container import Container
from backend.tests.conftest import ClientUser, bearer
from backend.tests.execution.helpers import agent_proposal
from backend.tests.realtime.helpers import events_until, next_message, open_stream, serving, signed_in


async def _spy_ask(api: httpx.AsyncClient, user: ClientUser, token: str) -> Decimal:
    response = await api.get(f"/clients/{user.client_id}/market/quote?symbols=SPY", headers=bearer(token))
    return Decimal(response.json()["quotes"][0]["ask"])


def _buy_spy(quantity: int, limit: Decimal) -> dict[str, Any]:
    return {
        "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
        "quantity": quantity,
        "order_type": "limit",
        "limit_price": str(limit),
    }


def _order_path(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] in ("trade.updated", "order.updated", "fill", "portfolio.updated")]


async def test_an_approved_trade_streams_its_trade_order_fill_and_portfolio_events_in_seq_order(
    app: FastAPI, api: httpx.AsyncClient, container: Container
) -> None:
    user, token = await signed_in(api, container)
    ask = await _spy_ask(api, user, token)
    async with (
        serving(app) as address,
        open_stream(address, user.client_id, query=f"token={token}") as socket,
    ):
        hello = await next_message(socket)
        assert hello["type"] == "hello"
        trade = await agent_proposal(container, user.client_id, _buy_spy(3, ask + 1))
        response = await api.post(
            f"/clients/{user.client_id}/agent/approve/{trade.id}", headers=bearer(token)
        )
        assert response.json()["status"] == "filled", response.text
        events = await events_until(socket, lambda got: any(e["type"] == "portfolio.updated" for e in got))

    seqs = [e["seq"] for e in events]
    assert seqs == list(range(hello["seq"] + 1, hello["seq"] + 1 + len(events)))
    path = _order_path(events)
    trades = [e["data"]["status"] for e in path if e["type"] == "trade.updated"]
    assert trades == ["pending_approval", "approved", "filled"]
    assert {e["data"]["trade_id"] for e in path if e["type"] == "trade.updated"} == {str(trade.id)}
    orders = [e["data"]["status"] for e in path if e["type"] == "order.updated"]
    assert orders == ["pending_submit", "filled"]
    fills = [e["data"] for e in path if e["type"] == "fill"]
    assert sum(Decimal(f["quantity"]) for f in fills) == 3
    (portfolio,) = [e["data"] for e in path if e["type"] == "portfolio.updated"]
    assert [(p["instrument_key"], Decimal(p["quantity"])) for p in portfolio["positions"]] == [
        ("SPY", Decimal(3))
    ]
    assert {e["client_id"] for e in events} == {str(user.client_id)}
