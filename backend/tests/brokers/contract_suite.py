"""The broker contract: numbered cases every adapter must pass.

Subclass ``BrokerContract`` in a ``test_<adapter>_contract.py`` and override ``make_harness``; the
cases run against whatever it returns. A case whose capability the adapter lacks is skipped with
the reason; cases that place orders skip unless the harness says orders may be placed (so a live
account is only touched on purpose).

TC-01 connects and reports the connection states
TC-02 resolves a stock
TC-03 rejects an unknown instrument
TC-04 option chain has expiries, strikes, multiplier and trading class
TC-05 quote has bid <= ask, a data source and an aware timestamp (greeks when native)
TC-06 marketable limit order fills and emits ack then fill with an execution id
TC-07 combo fills at the net of its legs' prices
TC-08 non-marketable limit order rests, then cancels
TC-09 an order beyond the displayed size fills partially, the rest later
TC-10 an order the account cannot carry is rejected for buying power
TC-11 positions and account reflect a fill
TC-12 client_order_id is echoed on every event and cannot be reused
TC-13 market order fills
TC-14 a limit price off the tick grid is rejected
TC-15 streamed quotes arrive for the subscribed instrument
TC-16 unknown and finished orders are refused for status and cancel
TC-17 close ends the streams and later calls fail as disconnected
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from backend.brokers.base import BrokerPort, ConnectionState, DataSource, Quote
from backend.brokers.errors import (
    BrokerDisconnected,
    DuplicateClientOrderId,
    InsufficientBuyingPower,
    InvalidPriceTick,
    OrderNotCancellable,
    UnknownInstrument,
    UnknownOrder,
)
from backend.domain.instruments import Combo, ComboLeg, Option, OptionRight, Side, Stock
from backend.domain.orders import OrderEvent, OrderEventKind, OrderRequest, OrderStatus, OrderType
from backend.domain.values import NetPrice, Price, Quantity

Advance = Callable[[timedelta], Awaitable[None]]


@dataclass
class BrokerHarness:
    """An adapter under test and what the suite may do with it."""

    broker: BrokerPort
    underlying: str = "SPY"
    places_orders: bool = True
    """Whether cases may place orders (never on a live account unless meant)."""
    advance: Advance | None = None
    """Moves the venue's time forward; ``None`` for a venue on the wall clock."""
    event_timeout: float = 5.0


def new_order_id() -> str:
    """Return a fresh client order id."""
    return f"tc-{uuid.uuid4().hex[:16]}"


async def next_event(stream: AsyncIterator[OrderEvent], client_order_id: str, within: float) -> OrderEvent:
    """Return the next event of one order from ``stream``."""
    while True:
        event = await asyncio.wait_for(anext(stream), within)
        if event.client_order_id == client_order_id:
            return event


async def near_money_option(
    broker: BrokerPort, underlying: str, right: OptionRight = OptionRight.CALL
) -> Option:
    """Return a listed near-the-money option in the second expiry (the first may expire today)."""
    chain = await broker.option_chain(underlying)
    expiry: date = chain.expiries[min(1, len(chain.expiries) - 1)]
    (stock_quote,) = await broker.quotes([Stock(underlying)])
    spot = stock_quote.mid or (stock_quote.last.value if stock_quote.last else Decimal(0))
    strikes = chain.strikes_for(expiry)
    strike = min(strikes, key=lambda s: abs(s.value - spot))
    option = Option(underlying, expiry, strike, right, chain.multiplier, chain.trading_class)
    resolved = await broker.resolve_instrument(option)
    assert isinstance(resolved, Option)
    return resolved


async def affordable_option(broker: BrokerPort, underlying: str, extra: int) -> tuple[Option, Quote]:
    """Return an option whose displayed ask plus ``extra`` costs under a third of buying power."""
    near = await near_money_option(broker, underlying)
    chain = await broker.option_chain(underlying)
    budget = (await broker.account_summary()).buying_power.amount / 3
    for strike in [s for s in chain.strikes_for(near.expiry) if s >= near.strike]:
        option = Option(underlying, near.expiry, strike, near.right, near.multiplier, near.trading_class)
        (quote,) = await broker.quotes([option])
        if quote.ask is None or quote.ask_size is None or quote.bid is None or quote.bid.value == 0:
            continue
        if quote.ask.value * (quote.ask_size.value + extra) * option.multiplier < budget:
            return option, quote
    pytest.fail(f"no {underlying} call is cheap enough to test a partial fill")


async def quote_of(broker: BrokerPort, instrument: Stock | Option) -> Quote:
    """Return one quote with a two-sided market, failing the case otherwise."""
    (quote,) = await broker.quotes([instrument])
    assert quote.bid is not None, f"no bid for {instrument.key}"
    assert quote.ask is not None, f"no ask for {instrument.key}"
    return quote


class BrokerContract:
    """The numbered cases; subclasses provide ``make_harness``."""

    async def make_harness(self) -> BrokerHarness:
        """Build an unconnected adapter for one case."""
        raise NotImplementedError

    @pytest.fixture
    async def harness(self) -> AsyncIterator[BrokerHarness]:
        """Yield a connected harness, closed after the case."""
        harness = await self.make_harness()
        await harness.broker.connect()
        yield harness
        await harness.broker.close()

    @staticmethod
    def _orders(harness: BrokerHarness) -> None:
        if not harness.places_orders:
            pytest.skip("this harness does not place orders")

    async def test_tc01_connects(self) -> None:
        harness = await self.make_harness()
        broker = harness.broker
        events = broker.connection_events()
        before = broker.state
        await broker.connect()
        assert (before, broker.state) == (ConnectionState.DISCONNECTED, ConnectionState.CONNECTED)
        seen = [(await asyncio.wait_for(anext(events), harness.event_timeout)).state for _ in range(2)]
        assert seen == [ConnectionState.CONNECTING, ConnectionState.CONNECTED]
        await broker.close()

    async def test_tc02_resolves_a_stock(self, harness: BrokerHarness) -> None:
        resolved = await harness.broker.resolve_instrument(Stock(harness.underlying))
        assert isinstance(resolved, Stock)
        assert resolved.symbol == harness.underlying

    async def test_tc03_rejects_an_unknown_instrument(self, harness: BrokerHarness) -> None:
        with pytest.raises(UnknownInstrument):
            await harness.broker.resolve_instrument(Stock("ZZQXW"))
        if harness.broker.capabilities.options:
            option = await near_money_option(harness.broker, harness.underlying)
            bogus = Option(
                option.underlying, option.expiry, Price(option.strike.value + Decimal("0.37")), option.right
            )
            with pytest.raises(UnknownInstrument):
                await harness.broker.resolve_instrument(bogus)

    async def test_tc04_option_chain_has_expiries_strikes_and_multiplier(
        self, harness: BrokerHarness
    ) -> None:
        if not harness.broker.capabilities.options:
            pytest.skip("adapter has no options")
        chain = await harness.broker.option_chain(harness.underlying)
        assert chain.expiries, "no expiries"
        assert list(chain.expiries) == sorted(chain.expiries)
        assert chain.multiplier == 100
        assert chain.trading_class
        first = chain.strikes_for(chain.expiries[0])
        assert first, "no strikes in the first expiry"
        assert list(first) == sorted(first)
        assert all(s.value > 0 for s in chain.strikes)

    async def test_tc05_quote_is_sane_with_source_and_aware_time(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        instruments: list[Stock | Option] = [Stock(harness.underlying)]
        if broker.capabilities.options:
            instruments.append(await near_money_option(broker, harness.underlying))
        for quote in await broker.quotes(instruments):
            assert quote.bid is not None
            assert quote.ask is not None
            assert quote.bid <= quote.ask
            assert isinstance(quote.data_source, DataSource)
            assert quote.ts.utcoffset() is not None
            if isinstance(quote.instrument, Option) and broker.capabilities.native_greeks:
                assert quote.greeks is not None
                assert quote.implied_volatility is not None
                assert 0 <= quote.greeks.delta <= 1

    async def test_tc06_marketable_limit_fills_with_ack_then_fill(self, harness: BrokerHarness) -> None:
        self._orders(harness)
        broker = harness.broker
        option = await near_money_option(broker, harness.underlying)
        quote = await quote_of(broker, option)
        assert quote.ask is not None
        events = broker.order_events()
        cid = new_order_id()
        await broker.place_order(
            OrderRequest(cid, option, Side.BUY, Quantity.of(1), limit_price=NetPrice(quote.ask.value))
        )
        ack = await next_event(events, cid, harness.event_timeout)
        fill = await next_event(events, cid, harness.event_timeout)
        assert ack.kind is OrderEventKind.ACKNOWLEDGED
        assert fill.kind is OrderEventKind.FILLED
        assert fill.execution is not None
        assert fill.execution.execution_id
        assert fill.execution.price <= quote.ask.value
        assert (await broker.order_status(cid)).status is OrderStatus.FILLED

    async def test_tc07_combo_fills_at_net_price(self, harness: BrokerHarness) -> None:
        self._orders(harness)
        broker = harness.broker
        if not broker.capabilities.combos:
            pytest.skip("adapter has no combos")
        long_leg = await near_money_option(broker, harness.underlying)
        chain = await broker.option_chain(harness.underlying)
        higher = [s for s in chain.strikes_for(long_leg.expiry) if s > long_leg.strike]
        short_leg = Option(
            long_leg.underlying, long_leg.expiry, higher[1], long_leg.right, long_leg.multiplier
        )
        combo = Combo((ComboLeg(long_leg, 1, Side.BUY), ComboLeg(short_leg, 1, Side.SELL)))
        long_quote, short_quote = await broker.quotes([long_leg, short_leg])
        assert long_quote.ask is not None
        assert short_quote.bid is not None
        natural_debit = long_quote.ask.value - short_quote.bid.value
        cid = new_order_id()
        state = await broker.place_order(
            OrderRequest(cid, combo, Side.BUY, Quantity.of(1), limit_price=NetPrice(natural_debit))
        )
        assert state.status is OrderStatus.FILLED
        assert state.average_fill_price is not None
        assert state.average_fill_price <= natural_debit
        (execution,) = state.executions
        legs = {leg.instrument.key: leg for leg in execution.legs}
        net = legs[long_leg.key].price - legs[short_leg.key].price
        assert net == execution.price
        assert legs[long_leg.key].side is Side.BUY
        assert legs[short_leg.key].side is Side.SELL

    async def test_tc08_non_marketable_limit_rests_then_cancels(self, harness: BrokerHarness) -> None:
        self._orders(harness)
        broker = harness.broker
        option = await near_money_option(broker, harness.underlying)
        events = broker.order_events()
        cid = new_order_id()
        state = await broker.place_order(
            OrderRequest(cid, option, Side.BUY, Quantity.of(1), limit_price=NetPrice(Decimal("0.05")))
        )
        assert state.status is OrderStatus.WORKING
        assert cid in {o.client_order_id for o in await broker.open_orders()}
        cancelled = await broker.cancel_order(cid)
        assert cancelled.status is OrderStatus.CANCELLED
        kinds = [(await next_event(events, cid, harness.event_timeout)).kind for _ in range(2)]
        assert kinds == [OrderEventKind.ACKNOWLEDGED, OrderEventKind.CANCELLED]

    async def test_tc09_partial_fill_beyond_displayed_size(self, harness: BrokerHarness) -> None:
        self._orders(harness)
        broker = harness.broker
        if not broker.capabilities.partial_fills:
            pytest.skip("adapter does not report partial fills")
        option, quote = await affordable_option(broker, harness.underlying, extra=3)
        assert quote.ask is not None
        assert quote.ask_size is not None
        size = quote.ask_size.value
        events = broker.order_events()
        cid = new_order_id()
        limit = NetPrice(quote.ask.value + Decimal(1))  # room for the market to move before the rest fills
        state = await broker.place_order(
            OrderRequest(cid, option, Side.BUY, Quantity(size + 3), limit_price=limit)
        )
        assert state.status is OrderStatus.PARTIALLY_FILLED
        assert state.filled_quantity.value == size
        await next_event(events, cid, harness.event_timeout)
        partial = await next_event(events, cid, harness.event_timeout)
        assert partial.kind is OrderEventKind.PARTIALLY_FILLED
        assert partial.remaining_quantity.value == 3
        if harness.advance is None:
            await broker.cancel_order(cid)
            return
        for _ in range(30):
            await harness.advance(timedelta(minutes=1))
            if (await broker.order_status(cid)).status is OrderStatus.FILLED:
                break
        final = await broker.order_status(cid)
        assert final.status is OrderStatus.FILLED
        assert len({e.execution_id for e in final.executions}) == len(final.executions) >= 2

    async def test_tc10_rejects_for_insufficient_buying_power(self, harness: BrokerHarness) -> None:
        self._orders(harness)
        broker = harness.broker
        option = await near_money_option(broker, harness.underlying)
        quote = await quote_of(broker, option)
        assert quote.ask is not None
        summary = await broker.account_summary()
        cost_each = quote.ask.value * option.multiplier
        quantity = Decimal(math.ceil(summary.buying_power.amount / cost_each) * 2 + 10)
        events = broker.order_events()
        cid = new_order_id()
        with pytest.raises(InsufficientBuyingPower):
            await broker.place_order(
                OrderRequest(cid, option, Side.BUY, Quantity(quantity), limit_price=NetPrice(quote.ask.value))
            )
        rejected = await next_event(events, cid, harness.event_timeout)
        assert rejected.kind is OrderEventKind.REJECTED
        assert rejected.reason
        assert (await broker.order_status(cid)).status is OrderStatus.REJECTED
        assert not await broker.positions()

    async def test_tc11_positions_and_account_reflect_a_fill(self, harness: BrokerHarness) -> None:
        self._orders(harness)
        broker = harness.broker
        option = await near_money_option(broker, harness.underlying)
        quote = await quote_of(broker, option)
        assert quote.ask is not None
        before = await broker.account_summary()
        state = await broker.place_order(
            OrderRequest(
                new_order_id(), option, Side.BUY, Quantity.of(2), limit_price=NetPrice(quote.ask.value)
            )
        )
        assert state.status is OrderStatus.FILLED
        assert state.average_fill_price is not None
        (position,) = [p for p in await broker.positions() if p.instrument.key == option.key]
        assert position.quantity == 2
        assert position.average_cost == state.average_fill_price
        after = await broker.account_summary()
        paid = state.average_fill_price * 2 * option.multiplier + state.commission.amount
        assert before.cash.amount - after.cash.amount == paid
        assert after.buying_power < before.buying_power

    async def test_tc12_client_order_id_is_echoed_and_unique(self, harness: BrokerHarness) -> None:
        self._orders(harness)
        broker = harness.broker
        option = await near_money_option(broker, harness.underlying)
        events = broker.order_events()
        cid = new_order_id()
        request = OrderRequest(cid, option, Side.BUY, Quantity.of(1), limit_price=NetPrice(Decimal("0.05")))
        state = await broker.place_order(request)
        assert state.client_order_id == cid
        assert (await next_event(events, cid, harness.event_timeout)).client_order_id == cid
        with pytest.raises(DuplicateClientOrderId):
            await broker.place_order(request)
        assert len([o for o in await broker.open_orders() if o.client_order_id == cid]) == 1
        await broker.cancel_order(cid)

    async def test_tc13_market_order_fills(self, harness: BrokerHarness) -> None:
        self._orders(harness)
        broker = harness.broker
        if not broker.capabilities.market_orders:
            pytest.skip("adapter has no market orders")
        stock = Stock(harness.underlying)
        state = await broker.place_order(
            OrderRequest(new_order_id(), stock, Side.BUY, Quantity.of(10), order_type=OrderType.MARKET)
        )
        if state.status is not OrderStatus.FILLED and harness.advance is not None:
            await harness.advance(timedelta(minutes=1))
            state = await broker.order_status(state.client_order_id)
        assert state.status is OrderStatus.FILLED
        assert any(p.instrument.key == stock.key and p.quantity == 10 for p in await broker.positions())

    async def test_tc14_off_tick_limit_is_rejected(self, harness: BrokerHarness) -> None:
        self._orders(harness)
        broker = harness.broker
        option = await near_money_option(broker, harness.underlying)
        with pytest.raises(InvalidPriceTick):
            await broker.place_order(
                OrderRequest(
                    new_order_id(), option, Side.BUY, Quantity.of(1), limit_price=NetPrice(Decimal("0.0101"))
                )
            )

    async def test_tc15_streamed_quotes_arrive(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        if not broker.capabilities.streaming:
            pytest.skip("adapter does not stream")
        stock = Stock(harness.underlying)
        async with broker.stream_quotes([stock]) as stream:
            first = await asyncio.wait_for(anext(stream), harness.event_timeout)
            assert first.instrument.key == stock.key
            if harness.advance is not None:
                await harness.advance(timedelta(minutes=1))
                second = await asyncio.wait_for(anext(stream), harness.event_timeout)
                assert second.ts > first.ts

    async def test_tc16_unknown_and_finished_orders_are_refused(self, harness: BrokerHarness) -> None:
        broker = harness.broker
        with pytest.raises(UnknownOrder):
            await broker.order_status("never-placed")
        with pytest.raises(UnknownOrder):
            await broker.cancel_order("never-placed")
        if not harness.places_orders:
            return
        option = await near_money_option(broker, harness.underlying)
        quote = await quote_of(broker, option)
        assert quote.ask is not None
        state = await broker.place_order(
            OrderRequest(
                new_order_id(), option, Side.BUY, Quantity.of(1), limit_price=NetPrice(quote.ask.value)
            )
        )
        assert state.status is OrderStatus.FILLED
        with pytest.raises(OrderNotCancellable):
            await broker.cancel_order(state.client_order_id)

    async def test_tc17_close_ends_streams_and_disconnects(self) -> None:
        harness = await self.make_harness()
        broker = harness.broker
        await broker.connect()
        events = broker.order_events()
        await broker.close()
        assert broker.state is ConnectionState.DISCONNECTED
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(anext(events), harness.event_timeout)
        with pytest.raises(BrokerDisconnected):
            await broker.positions()
