"""A client switched to IBKR and pointed at the fake gateway trades data through our API (issue 4's done-when)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from backend.brokers.ibkr.fake_gateway import FakeGateway
from backend.brokers.simulator import AccountConfig, MarketConfig, SimulatedMarket
from backend.kit.container import Container
from backend.tests.conftest import bearer, create_client_user, login

ACCOUNT = "DU7654321"


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[FakeGateway, int]]:
    """A fake IB Gateway on a free loopback port."""
    # Wall clock, as `greekdesk dev fake-tws` runs: the adapter stamps quotes with the real time.
    market = SimulatedMarket(MarketConfig(always_open=True))
    fake = FakeGateway(market, ACCOUNT, account_config=AccountConfig(starting_cash=Decimal(250_000)))
    port = await fake.start("127.0.0.1", 0)
    yield fake, port
    await fake.stop()


async def test_ibkr_client_sees_account_quotes_and_chain_through_the_api(
    api: httpx.AsyncClient, container: Container, gateway: tuple[FakeGateway, int]
) -> None:
    fake, port = gateway
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    credentials = {"host": "127.0.0.1", "port": port, "client_id": 7, "account_code": ACCOUNT}

    tried = await api.post(
        f"/clients/{user.client_id}/broker/test",
        headers=headers,
        json={"kind": "ibkr", "credentials": credentials},
    )
    assert tried.status_code == 200, tried.text
    assert tried.json()["ok"] is True, tried.json()

    saved = await api.put(
        f"/clients/{user.client_id}/broker",
        headers=headers,
        json={"kind": "ibkr", "credentials": credentials},
    )
    assert saved.status_code == 200, saved.text
    status = saved.json()
    assert status["kind"] == "ibkr"
    assert status["state"] == "connected", status
    assert status["has_credentials"] is True
    assert status["settings"] == {}
    # The sealed connection settings are never echoed; the client's own account id is theirs to see.
    assert str(port) not in str(status["settings"])
    assert status["account"]["account_id"] == ACCOUNT
    assert Decimal(status["account"]["net_liquidation"]) == Decimal(250_000)

    quotes = (await api.get(f"/clients/{user.client_id}/market/quote?symbols=SPY", headers=headers)).json()[
        "quotes"
    ]
    assert Decimal(quotes[0]["bid"]) <= Decimal(quotes[0]["ask"])

    expiries = (
        await api.get(f"/clients/{user.client_id}/market/chain?underlying=SPY", headers=headers)
    ).json()
    chain = await api.get(
        f"/clients/{user.client_id}/market/chain?underlying=SPY&expiry={expiries['expiries'][2]}",
        headers=headers,
    )
    assert chain.status_code == 200, chain.text
    valued = [o for o in chain.json()["options"] if o["iv_status"] == "ok"]
    assert len(valued) > 50
    assert all(o["delta"] is not None for o in valued)
    assert fake.sessions, "the adapter really connected over the socket"


async def test_ibkr_settings_are_validated_per_field(api: httpx.AsyncClient, container: Container) -> None:
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    response = await api.put(
        f"/clients/{user.client_id}/broker",
        headers=headers,
        json={"kind": "ibkr", "credentials": {"host": "127.0.0.1", "port": 70000, "account_code": "nope"}},
    )
    assert response.status_code == 422
    fields = {tuple(d["loc"]) for d in response.json()["error"]["details"]}
    assert ("port",) in fields
    assert ("account_code",) in fields


async def test_orders_approved_in_greekdesk_reach_the_gateway_once_and_fill_into_positions(
    api: httpx.AsyncClient, container: Container, gateway: tuple[FakeGateway, int]
) -> None:
    fake, port = gateway
    user = await create_client_user(container)
    headers = bearer((await login(api, user.email))["access_token"])
    credentials = {"host": "127.0.0.1", "port": port, "client_id": 8, "account_code": ACCOUNT}
    saved = await api.put(
        f"/clients/{user.client_id}/broker",
        headers=headers,
        json={"kind": "ibkr", "credentials": credentials},
    )
    assert saved.json()["state"] == "connected", saved.text
    base = f"/clients/{user.client_id}"

    ask = Decimal(
        (await api.get(f"{base}/market/quote?symbols=SPY", headers=headers)).json()["quotes"][0]["ask"]
    )
    stock = await api.post(
        f"{base}/trades",
        headers=headers,
        json={
            "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
            "quantity": 10,
            "limit_price": str(ask + 1),
        },
    )
    assert stock.status_code == 201, stock.text
    assert stock.json()["status"] == "filled", stock.json()["denial_reasons"]
    stock_order = stock.json()["orders"][0]["client_order_id"]
    # placeOrder is message 3; orderRef (field 26) carries our client_order_id: sent exactly once.
    assert len([f for f in fake.frames_of(3) if f.fields[26] == stock_order]) == 1

    expiries = (await api.get(f"{base}/market/chain?underlying=SPY", headers=headers)).json()["expiries"]
    chain = (
        await api.get(f"{base}/market/chain?underlying=SPY&expiry={expiries[3]}", headers=headers)
    ).json()
    spot = Decimal(chain["underlying_price"])
    calls = sorted(
        (o for o in chain["options"] if o["right"] == "C" and o["bid"] and o["ask"]),
        key=lambda o: Decimal(o["strike"]),
    )
    long_call = min(calls, key=lambda o: abs(Decimal(o["strike"]) - spot))
    short_call = calls[calls.index(long_call) + 5]
    natural = Decimal(long_call["ask"]) - Decimal(short_call["bid"])
    spread = await api.post(
        f"{base}/trades",
        headers=headers,
        json={
            "legs": [
                {
                    "sec_type": "option",
                    "symbol": "SPY",
                    "side": "buy",
                    "expiry": expiries[3],
                    "strike": long_call["strike"],
                    "right": "C",
                },
                {
                    "sec_type": "option",
                    "symbol": "SPY",
                    "side": "sell",
                    "expiry": expiries[3],
                    "strike": short_call["strike"],
                    "right": "C",
                },
            ],
            "quantity": 2,
            # A few cents over the natural: still marketable if the quotes move before the order lands.
            "limit_price": str(natural + Decimal("0.05")),
        },
    )
    assert spread.status_code == 201, spread.text
    assert spread.json()["status"] == "filled", spread.json()["denial_reasons"]
    spread_order = spread.json()["orders"][0]["client_order_id"]
    (frame,) = [f for f in fake.frames_of(3) if f.fields[26] == spread_order]
    assert (frame.fields[4], frame.fields[16], frame.fields[35]) == ("BAG", "BUY", "2")
    assert [frame.fields[38 + 8 * i] for i in range(2)] == ["BUY", "SELL"]

    positions = (await api.get(f"{base}/positions", headers=headers)).json()["items"]
    held = {p["instrument_key"]: Decimal(p["quantity"]) for p in positions}
    assert held["SPY"] == Decimal(10)
    assert sorted(held[k] for k in held if k != "SPY") == [Decimal(-2), Decimal(2)]
