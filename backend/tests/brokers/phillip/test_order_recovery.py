"""Orders whose record went missing: a submit whose answer never came, and orders a new session resumes.

POEMS takes no id of ours, so the adapter finds such orders in its list of today's orders.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from backend.brokers.base import PlacedOrder
from backend.brokers.errors import BrokerError, UnknownOrder
from backend.brokers.phillip import PhillipBroker
from backend.brokers.phillip.adapter import CLOCK_SKEW, LOST_SUBMIT_SEARCH
from backend.brokers.phillip.client import PoemsClient
from backend.brokers.phillip.fake_poems import FakePoems, FakePoemsConfig
from backend.brokers.phillip.orders import order_form
from backend.brokers.phillip.parsing import check_result
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderEventKind, OrderRequest, OrderStatus
from backend.domain.values import NetPrice, Quantity
from backend.tests.brokers.phillip.conftest import REDIRECT_URI, StandIn, serve

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
    # On the wall clock, as POEMS is: a resumed order is looked for by the times POEMS lists.
    config = FakePoemsConfig(
        redirect_uris=(REDIRECT_URI,), rate_per_second=500.0, burst=1000, always_open=True
    )
    async with serve(FakePoems(config)) as venue:
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


async def _resume(venue: StandIn, username: str) -> PhillipBroker:
    """A new session of the user's (a restart, a takeover), connected; the caller closes it."""
    settings = venue.settings()
    broker = PhillipBroker(settings, venue.secrets, await venue.grant(username, settings))
    await broker.connect()
    return broker


async def test_a_new_session_follows_an_order_the_earlier_one_placed_from_its_booked_fills() -> None:
    async with _session() as (venue, earlier, username):
        sent_at = datetime.now(UTC)
        placed = await earlier.place_order(_buy("placed-earlier"))
        await earlier.close()  # the worker is gone; POEMS still holds the order
        later = await _resume(venue, username)
        try:
            with pytest.raises(UnknownOrder):
                await later.order_status("placed-earlier")  # not this session's, until resumed
            booked = PlacedOrder(placed.request, placed.broker_order_id, Quantity.of(0), None, sent_at)
            state = await later.resume_order(booked)
            cancelled = (
                await later.cancel_order("placed-earlier") if state.status is OrderStatus.WORKING else state
            )
        finally:
            await later.close()
    assert state.broker_order_id == placed.broker_order_id
    assert state.status in LIVE
    assert cancelled.status in {OrderStatus.CANCELLED, OrderStatus.FILLED}  # followed: it can be cancelled
    executions = [e.execution_id for e in state.executions]
    assert executions == [f"{placed.broker_order_id}-100"] * (state.status is OrderStatus.FILLED)


async def test_a_resumed_order_whose_send_went_unanswered_is_found_by_its_terms_and_time() -> None:
    async with _session() as (venue, earlier, username):
        typed = await _placed_in_the_app(venue, username, _buy("typed-long-before"))
        # Typed into the app a while before our send: too early to be ours, by POEMS's own times.
        venue.fake.account(username).orders[typed].submitted_at -= CLOCK_SKEW * 2
        venue.fake.submit_answer_delay = ANSWER_TIMEOUT * 3
        sent_at = datetime.now(UTC)
        with pytest.raises(BrokerError):
            await earlier.place_order(_buy("unanswered"))
        await earlier.close()  # gone before its own search found it
        venue.fake.submit_answer_delay = 0.0
        ours = max(venue.fake.account(username).orders)
        later = await _resume(venue, username)
        try:
            state = await later.resume_order(
                PlacedOrder(_buy("unanswered"), "", Quantity.of(0), None, sent_at)
            )
        finally:
            await later.close()
    assert state.broker_order_id == ours
    assert state.status in LIVE


async def test_a_resumed_order_poems_does_not_list_today_ended_with_its_day() -> None:
    async with _session() as (venue, _, username):
        later = await _resume(venue, username)
        try:
            booked = PlacedOrder(
                _buy("yesterday"), "699999", Quantity.of(0), None, datetime.now(UTC) - timedelta(days=1)
            )
            state = await later.resume_order(booked)
        finally:
            await later.close()
    assert state.status is OrderStatus.EXPIRED
    assert state.reason is not None
    assert "699999" in state.reason


async def test_an_order_poems_refused_as_busy_is_not_searched_for_when_resumed() -> None:
    async with _session() as (venue, broker, username):
        venue.fake.submits_lost = True  # answered at once "system busy": nothing was placed
        sent_at = datetime.now(UTC)
        with pytest.raises(BrokerError) as refused:
            await broker.place_order(_buy("refused-busy"))
        assert refused.value.temporary
        assert not refused.value.ambiguous
        venue.fake.submits_lost = False
        # The same terms typed into the app just after: a search by terms and time would take it.
        await _placed_in_the_app(venue, username, _buy("typed-after"))
        with pytest.raises(UnknownOrder):
            await broker.resume_order(PlacedOrder(_buy("refused-busy"), "", Quantity.of(0), None, sent_at))
    assert len(venue.fake.account(username).orders) == 1, "only the order typed into the app exists"
