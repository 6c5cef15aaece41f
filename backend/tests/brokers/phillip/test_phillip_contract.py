"""The broker contract run against the Phillip adapter talking to the POEMS stand-in over loopback.

POEMS trades stocks only, so the cases the shared suite writes on options are overridden here with
the same checks on an SGX stock in board lots; option, combo and market-order cases skip on the
adapter's capabilities, and TC-15 runs on the polled quote stream (POEMS does not stream).
"""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta
from decimal import Decimal

import pytest

from backend.brokers.errors import (
    DuplicateClientOrderId,
    InsufficientBuyingPower,
    InvalidPriceTick,
    OrderNotCancellable,
    UnknownOrder,
)
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderEventKind, OrderRequest, OrderStatus
from backend.domain.values import NetPrice, Quantity
from backend.tests.brokers.contract_suite import (
    BrokerContract,
    BrokerHarness,
    new_order_id,
    next_event,
    quote_of,
)
from backend.tests.brokers.phillip.conftest import StandIn

LOT = Decimal(100)
DBS = Stock("D05")


class TestPhillipContract(BrokerContract):
    """Every numbered case against a fresh stand-in user and account."""

    @pytest.fixture(autouse=True)
    def _use_stand_in(self, stand_in: StandIn) -> None:
        self.stand_in = stand_in

    async def make_harness(self) -> BrokerHarness:
        market = self.stand_in.fake.market

        async def advance(delta: timedelta) -> None:
            market.advance(delta)

        broker = await self.stand_in.broker()
        return BrokerHarness(broker=broker, underlying="D05", places_orders=True, advance=advance)

    async def test_tc06_marketable_limit_fills_with_ack_then_fill(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        quote = await quote_of(broker, DBS)
        assert quote.ask is not None
        events = broker.order_events()
        cid = new_order_id()
        await broker.place_order(
            OrderRequest(cid, DBS, Side.BUY, Quantity(LOT), limit_price=NetPrice(quote.ask.value))
        )
        ack = await next_event(events, cid, harness.event_timeout)
        fill = await next_event(events, cid, harness.event_timeout)
        assert ack.kind is OrderEventKind.ACKNOWLEDGED
        assert fill.kind is OrderEventKind.FILLED
        assert fill.execution is not None
        assert fill.execution.execution_id
        assert fill.execution.price <= quote.ask.value
        assert (await broker.order_status(cid)).status is OrderStatus.FILLED

    async def test_tc08_non_marketable_limit_rests_then_cancels(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        events = broker.order_events()
        cid = new_order_id()
        state = await broker.place_order(
            OrderRequest(cid, DBS, Side.BUY, Quantity(LOT), limit_price=NetPrice(Decimal("30.00")))
        )
        assert state.status is OrderStatus.WORKING
        assert cid in {o.client_order_id for o in await broker.open_orders()}
        cancelled = await broker.cancel_order(cid)
        assert cancelled.status is OrderStatus.CANCELLED
        kinds = [(await next_event(events, cid, harness.event_timeout)).kind for _ in range(2)]
        assert kinds == [OrderEventKind.ACKNOWLEDGED, OrderEventKind.CANCELLED]

    async def test_tc09_partial_fill_beyond_displayed_size(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        quote = await quote_of(broker, DBS)
        assert quote.ask is not None
        assert quote.ask_size is not None
        size = quote.ask_size.value
        events = broker.order_events()
        cid = new_order_id()
        limit = NetPrice(quote.ask.value + Decimal(1))
        state = await broker.place_order(
            OrderRequest(cid, DBS, Side.BUY, Quantity(size + 3 * LOT), limit_price=limit)
        )
        assert state.status is OrderStatus.PARTIALLY_FILLED
        assert state.filled_quantity.value == size
        await next_event(events, cid, harness.event_timeout)
        partial = await next_event(events, cid, harness.event_timeout)
        assert partial.kind is OrderEventKind.PARTIALLY_FILLED
        assert partial.remaining_quantity.value == 3 * LOT
        assert harness.advance is not None
        for _ in range(30):
            await harness.advance(timedelta(minutes=1))
            if (await broker.order_status(cid)).status is OrderStatus.FILLED:
                break
        final = await broker.order_status(cid)
        assert final.status is OrderStatus.FILLED
        assert len({e.execution_id for e in final.executions}) == len(final.executions) >= 2

    async def test_tc10_rejects_for_insufficient_buying_power(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        quote = await quote_of(broker, DBS)
        assert quote.ask is not None
        summary = await broker.account_summary()
        lots = math.ceil(summary.buying_power.amount / (quote.ask.value * LOT)) * 2 + 10
        events = broker.order_events()
        cid = new_order_id()
        with pytest.raises(InsufficientBuyingPower):
            await broker.place_order(
                OrderRequest(cid, DBS, Side.BUY, Quantity(lots * LOT), limit_price=NetPrice(quote.ask.value))
            )
        rejected = await next_event(events, cid, harness.event_timeout)
        assert rejected.kind is OrderEventKind.REJECTED
        assert rejected.reason
        assert (await broker.order_status(cid)).status is OrderStatus.REJECTED
        assert not await broker.positions()

    async def test_tc11_positions_and_account_reflect_a_fill(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        quote = await quote_of(broker, DBS)
        assert quote.ask is not None
        before = await broker.account_summary()
        state = await broker.place_order(
            OrderRequest(
                new_order_id(), DBS, Side.BUY, Quantity(2 * LOT), limit_price=NetPrice(quote.ask.value)
            )
        )
        assert state.status is OrderStatus.FILLED
        assert state.average_fill_price is not None
        (position,) = [p for p in await broker.positions() if p.instrument.key == DBS.key]
        assert position.quantity == 2 * LOT
        assert position.average_cost == state.average_fill_price
        after = await broker.account_summary()
        paid = state.average_fill_price * 2 * LOT + state.commission.amount
        assert before.cash.amount - after.cash.amount == paid
        assert after.buying_power < before.buying_power

    async def test_tc12_client_order_id_is_echoed_and_unique(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        events = broker.order_events()
        cid = new_order_id()
        request = OrderRequest(cid, DBS, Side.BUY, Quantity(LOT), limit_price=NetPrice(Decimal("30.00")))
        state = await broker.place_order(request)
        assert state.client_order_id == cid
        assert (await next_event(events, cid, harness.event_timeout)).client_order_id == cid
        with pytest.raises(DuplicateClientOrderId):
            await broker.place_order(request)
        assert len([o for o in await broker.open_orders() if o.client_order_id == cid]) == 1
        await broker.cancel_order(cid)

    async def test_tc14_off_tick_limit_is_rejected(self, harness: BrokerHarness) -> None:
        with pytest.raises(InvalidPriceTick):
            await harness.broker.place_order(
                OrderRequest(
                    new_order_id(), DBS, Side.BUY, Quantity(LOT), limit_price=NetPrice(Decimal("0.0101"))
                )
            )

    async def test_tc15_streamed_quotes_arrive(self, harness: BrokerHarness) -> None:
        async with harness.broker.stream_quotes([DBS]) as stream:
            first = await asyncio.wait_for(anext(stream), harness.event_timeout)
            assert first.instrument.key == DBS.key
            assert harness.advance is not None
            await harness.advance(timedelta(minutes=1))
            second = await asyncio.wait_for(anext(stream), harness.event_timeout)
            assert second.ts > first.ts

    async def test_tc16_unknown_and_finished_orders_are_refused(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        with pytest.raises(UnknownOrder):
            await broker.order_status("never-placed")
        with pytest.raises(UnknownOrder):
            await broker.cancel_order("never-placed")
        quote = await quote_of(broker, DBS)
        assert quote.ask is not None
        state = await broker.place_order(
            OrderRequest(new_order_id(), DBS, Side.BUY, Quantity(LOT), limit_price=NetPrice(quote.ask.value))
        )
        assert state.status is OrderStatus.FILLED
        with pytest.raises(OrderNotCancellable):
            await broker.cancel_order(state.client_order_id)
