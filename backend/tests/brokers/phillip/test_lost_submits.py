"""A submit whose answer never comes: found in POEMS's order list when it was placed, given up when not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from backend.brokers.errors import BrokerError
from backend.brokers.phillip import PhillipBroker
from backend.brokers.phillip.adapter import LOST_SUBMIT_SEARCH
from backend.brokers.phillip.client import PoemsClient
from backend.brokers.phillip.orders import order_form
from backend.brokers.phillip.parsing import check_result
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderEventKind, OrderRequest, OrderStatus
from backend.domain.values import NetPrice, Quantity
from backend.tests.brokers.phillip.conftest import StandIn, create_fake, serve

ANSWER_TIMEOUT = 0.5
"""The adapter's request timeout here: the stand-in holds answers back longer than this."""
LIVE = {OrderStatus.WORKING, OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED}


def _buy(client_order_id: str) -> OrderRequest:
    return OrderRequest(
        client_order_id, Stock("D05"), Side.BUY, Quantity.of(100), limit_price=NetPrice(Decimal(30))
    )


class _Clock:
    """The adapter's clock, movable forward."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@asynccontextmanager
async def _session(clock: _Clock | None = None) -> AsyncIterator[tuple[StandIn, PhillipBroker, str]]:
    """A fresh stand-in (its faults are set per test), a user, and a connected adapter of theirs."""
    async with serve(create_fake()) as venue:
        username = await venue.new_user()
        settings = venue.settings(request_timeout=ANSWER_TIMEOUT)
        broker = PhillipBroker(
            settings, venue.secrets, await venue.grant(username, settings), clock=clock or _Clock()
        )
        await broker.connect()
        try:
            yield venue, broker, username
        finally:
            await broker.close()


async def _placed_in_the_app(venue: StandIn, username: str, request: OrderRequest) -> str:
    """Place an order as the user would in the POEMS app: same terms, outside the adapter."""
    settings = venue.settings()
    client = PoemsClient(settings, venue.secrets, await venue.grant(username, settings))
    try:
        form = order_form("ST/SG/SGX/DBS.SG", request, settlement_currency="SGD", payment_mode="C")
        token = (await client.post_safe("st/trade/validate", form))["authToken"]
        return str(
            check_result(await client.post_once("st/trade/submit", form, headers={"authToken": token}))[
                "orderNo"
            ]
        )
    finally:
        await client.aclose()


async def test_a_placed_order_whose_answer_was_lost_is_found_in_the_list_and_followed() -> None:
    async with _session() as (venue, broker, username):
        # The same terms placed in the app before our submit: listed before it, so never taken for ours.
        theirs = await _placed_in_the_app(venue, username, _buy("in-the-app"))
        events = broker.order_events()
        venue.fake.submit_answer_delay = ANSWER_TIMEOUT * 3
        with pytest.raises(BrokerError) as lost:
            await broker.place_order(_buy("lost-answer"))
        assert lost.value.ambiguous
        venue.fake.submit_answer_delay = 0.0
        ours = set(venue.fake.account(username).orders) - {theirs}
        state = await broker.order_status("lost-answer")
        acknowledged = await asyncio.wait_for(events.__anext__(), 5)
    assert len(ours) == 1  # the stand-in did place it
    assert state.broker_order_id == ours.pop()
    assert state.status in LIVE
    assert state.reason is None
    assert (acknowledged.kind, acknowledged.client_order_id) == (OrderEventKind.ACKNOWLEDGED, "lost-answer")


async def test_two_lost_answers_with_the_same_terms_take_one_listed_order_each() -> None:
    async with _session() as (venue, broker, username):
        venue.fake.submit_answer_delay = ANSWER_TIMEOUT * 3
        for client_order_id in ("twin-1", "twin-2"):
            with pytest.raises(BrokerError):
                await broker.place_order(_buy(client_order_id))
        venue.fake.submit_answer_delay = 0.0
        placed = set(venue.fake.account(username).orders)
        states = [await broker.order_status(client_order_id) for client_order_id in ("twin-1", "twin-2")]
    assert len(placed) == 2
    assert {state.broker_order_id for state in states} == placed
    assert all(state.status in LIVE for state in states)


async def test_a_submit_lost_before_it_reached_poems_is_given_up_after_the_search() -> None:
    clock = _Clock()
    async with _session(clock) as (venue, broker, _):
        venue.fake.submits_lost = True
        venue.fake.submit_answer_delay = ANSWER_TIMEOUT * 3
        with pytest.raises(BrokerError) as lost:
            await broker.place_order(_buy("never-arrived"))
        assert lost.value.ambiguous
        looking = await broker.order_status("never-arrived")
        clock.ahead = LOST_SUBMIT_SEARCH
        given_up = await broker.order_status("never-arrived")
    assert looking.status is OrderStatus.PENDING_SUBMIT  # still looked for: it may yet be listed
    assert looking.reason is not None
    assert looking.reason.startswith("submit outcome unknown")
    assert given_up.status is OrderStatus.REJECTED
    assert given_up.reason is not None
    assert given_up.reason.startswith("not placed")
