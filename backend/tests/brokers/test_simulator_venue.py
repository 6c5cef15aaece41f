"""The simulated venue: fills, expiry lifecycle, hours, determinism and persistence."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from backend.brokers.base import DataSource, PositionEventKind
from backend.brokers.errors import MarketClosed
from backend.brokers.simulator import SimulatorBroker
from backend.brokers.simulator.calendar import exchange_calendar
from backend.brokers.simulator.market import SimulatedMarket
from backend.domain.instruments import Combo, ComboLeg, Option, OptionRight, Side, Stock
from backend.domain.orders import OrderEventKind, OrderRequest, OrderStatus, OrderType, TimeInForce
from backend.domain.values import Money, NetPrice, Price, Quantity
from backend.tests.brokers.factories import create_broker, create_market

FIRST_FRIDAY = date(2026, 5, 15)
SATURDAY = datetime(2026, 5, 16, 16, 0, tzinfo=UTC)


def spy_option(
    market: SimulatedMarket, offset: int, right: OptionRight, expiry: date = FIRST_FRIDAY
) -> Option:
    """Return the SPY option ``offset`` dollars from the money (positive: higher strike)."""
    strike = market.spot("SPY").quantize(Decimal(1)) + offset
    return Option("SPY", expiry, Price(strike), right)


def request(
    cid: str, instrument: Option | Stock | Combo, side: Side, quantity: int, limit: Decimal | None,
    tif: TimeInForce = TimeInForce.DAY,
) -> OrderRequest:  # fmt: skip
    order_type = OrderType.MARKET if limit is None else OrderType.LIMIT
    price = None if limit is None else NetPrice(limit)
    return OrderRequest(cid, instrument, side, Quantity.of(quantity), order_type, price, tif)


# -- fills ----------------------------------------------------------------------------------------


async def test_sold_combo_fills_at_the_combo_bid_and_credits_cash() -> None:
    broker = await create_broker()
    market = broker.market
    short_leg, long_leg = spy_option(market, 5, OptionRight.CALL), spy_option(market, 10, OptionRight.CALL)
    # Defined as the debit spread (+short_leg strike, -long_leg strike) and sold: a credit.
    combo = Combo((ComboLeg(short_leg, 1, Side.BUY), ComboLeg(long_leg, 1, Side.SELL)))
    q_short, q_long = await broker.quotes([short_leg, long_leg])
    assert q_short.bid is not None
    assert q_long.ask is not None
    combo_bid = q_short.bid.value - q_long.ask.value
    cash_before = broker.ledger.cash
    state = await broker.place_order(request("sell-spread", combo, Side.SELL, 1, combo_bid))
    assert state.status is OrderStatus.FILLED
    assert state.average_fill_price == combo_bid
    assert broker.ledger.cash - cash_before == combo_bid * 100 - Decimal("1.30")
    assert broker.ledger.quantity(short_leg.key) == -1
    assert broker.ledger.quantity(long_leg.key) == 1


async def test_a_resting_limit_fills_when_the_market_comes_to_it_never_above_the_limit() -> None:
    broker = await create_broker()
    option = spy_option(broker.market, 0, OptionRight.PUT)
    (quote,) = await broker.quotes([option])
    assert quote.bid is not None
    limit = quote.bid.value
    events = broker.order_events()
    await broker.place_order(request("rest", option, Side.BUY, 1, limit, TimeInForce.GTC))
    for _ in range(300):
        broker.market.advance(timedelta(minutes=1))
        if (await broker.order_status("rest")).status is OrderStatus.FILLED:
            break
    state = await broker.order_status("rest")
    assert state.status is OrderStatus.FILLED
    assert state.average_fill_price is not None
    assert state.average_fill_price <= limit
    assert [e.kind for e in events.pending()] == [OrderEventKind.ACKNOWLEDGED, OrderEventKind.FILLED]


async def test_displayed_size_taken_by_one_order_is_not_there_for_the_next_in_the_same_step() -> None:
    broker = await create_broker()
    option = spy_option(broker.market, 15, OptionRight.CALL)
    (quote,) = await broker.quotes([option])
    assert quote.ask is not None
    assert quote.ask_size is not None
    limit = quote.ask.value + 1
    first = await broker.place_order(request("a", option, Side.BUY, int(quote.ask_size.value), limit))
    second = await broker.place_order(request("b", option, Side.BUY, 1, limit))
    assert first.status is OrderStatus.FILLED
    assert second.status is OrderStatus.WORKING
    broker.market.advance(timedelta(minutes=1))
    assert (await broker.order_status("b")).status is OrderStatus.FILLED


async def test_commissions_apply_per_contract_with_an_order_minimum() -> None:
    broker = await create_broker()
    option = spy_option(broker.market, 0, OptionRight.CALL)
    one = await broker.place_order(request("one", option, Side.BUY, 1, None))
    assert one.commission.amount == Decimal("1.00")
    stock = await broker.place_order(request("stock", Stock("SPY"), Side.BUY, 10, None))
    assert stock.commission.amount == Decimal("1.00")
    five = await broker.place_order(request("five", option, Side.BUY, 5, None))
    assert five.commission.amount == Decimal("3.25")


# -- lifecycle --------------------------------------------------------------------------------------


async def test_expiry_exercises_and_assigns_in_the_money_options_and_expires_the_rest() -> None:
    broker = await create_broker()
    market = broker.market
    long_call = spy_option(market, -20, OptionRight.CALL)
    short_put = spy_option(market, 20, OptionRight.PUT)
    far_call = spy_option(market, 80, OptionRight.CALL)
    for cid, option, side in (
        ("c", long_call, Side.BUY),
        ("p", short_put, Side.SELL),
        ("f", far_call, Side.BUY),
    ):
        state = await broker.place_order(request(cid, option, side, 1, None))
        assert state.status is OrderStatus.FILLED
    events = broker.position_events()
    cash_before = broker.ledger.cash
    market.advance(timedelta(days=4, hours=5))  # past Friday's 16:00 New York close

    close = next(c for c in market.closes if c.session == FIRST_FRIDAY)
    spot = close.spots["SPY"]
    settled = {e.instrument.key: e for e in events.pending()}
    expected_shares = Decimal(0)
    expected_cash = Decimal(0)
    for option, sign in ((long_call, 1), (short_put, -1), (far_call, 1)):
        event = settled[option.key]
        if option.intrinsic(spot) >= Decimal("0.01"):
            assert event.kind is (PositionEventKind.EXERCISED if sign > 0 else PositionEventKind.ASSIGNED)
            shares = Decimal(sign * 100 * (1 if option.is_call else -1))
            assert event.delivered_quantity == shares
            expected_shares += shares
            expected_cash -= shares * option.strike.value
        else:
            assert event.kind is PositionEventKind.EXPIRED
        assert broker.ledger.quantity(option.key) == 0
    assert broker.ledger.quantity("SPY") == expected_shares
    assert broker.ledger.cash - cash_before == expected_cash
    assert settled[far_call.key].kind is PositionEventKind.EXPIRED


async def test_day_orders_expire_at_the_close_and_gtc_orders_keep_working() -> None:
    broker = await create_broker()
    option = spy_option(broker.market, 0, OptionRight.CALL, expiry=date(2026, 6, 18))
    await broker.place_order(request("day", option, Side.BUY, 1, Decimal("0.05")))
    await broker.place_order(request("gtc", option, Side.BUY, 1, Decimal("0.05"), TimeInForce.GTC))
    broker.market.advance(timedelta(hours=6))
    assert (await broker.order_status("day")).status is OrderStatus.EXPIRED
    assert (await broker.order_status("gtc")).status is OrderStatus.WORKING


# -- hours ----------------------------------------------------------------------------------------


async def test_a_closed_market_rejects_orders_and_quotes_frozen() -> None:
    broker = await create_broker(create_market(SATURDAY))
    (quote,) = await broker.quotes([Stock("SPY")])
    assert quote.data_source is DataSource.FROZEN
    with pytest.raises(MarketClosed):
        await broker.place_order(request("weekend", Stock("SPY"), Side.BUY, 1, None))
    assert (await broker.order_status("weekend")).status is OrderStatus.REJECTED


async def test_always_open_trades_at_any_hour() -> None:
    broker = await create_broker(create_market(SATURDAY, always_open=True))
    (quote,) = await broker.quotes([Stock("SPY")])
    assert quote.data_source is DataSource.LIVE
    state = await broker.place_order(request("weekend", Stock("SPY"), Side.BUY, 1, None))
    assert state.status is OrderStatus.FILLED


def test_calendar_knows_holidays_early_closes_and_moves_holiday_expiries() -> None:
    calendar = exchange_calendar("XNYS")
    assert not calendar.is_open(datetime(2026, 4, 3, 15, 0, tzinfo=UTC))  # Good Friday
    assert calendar.is_open(datetime(2026, 4, 2, 15, 0, tzinfo=UTC))
    assert calendar.session_close(date(2026, 11, 27)) == datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    assert calendar.session_on_or_before(date(2026, 6, 19)) == date(2026, 6, 18)  # Juneteenth
    market = create_market()
    assert date(2026, 6, 18) in market.expiries()
    assert date(2026, 6, 19) not in market.expiries()


# -- determinism and persistence --------------------------------------------------------------------


def test_the_same_seed_gives_the_same_path_however_the_clock_moves() -> None:
    one, two, other = create_market(seed=11), create_market(seed=11), create_market(seed=12)
    one.advance(timedelta(days=3))
    for _ in range(3 * 24 * 60 // 37):
        two.advance(timedelta(minutes=37))
    two.advance(one.now() - two.now())
    other.advance(timedelta(days=3))
    assert [one.spot(s) for s in one.symbols] == [two.spot(s) for s in two.symbols]
    assert [one.spot(s) for s in one.symbols] != [other.spot(s) for s in other.symbols]
    option = spy_option(one, 0, OptionRight.CALL, date(2026, 6, 18))
    assert one.quote(option) == two.quote(option)


def test_a_restored_market_continues_on_the_same_path() -> None:
    original = create_market(seed=5)
    original.advance(timedelta(hours=30))
    saved = json.loads(json.dumps(original.snapshot()))
    restored = create_market(original.now(), seed=5)
    restored.restore(saved)
    original.advance(timedelta(hours=5))
    restored.advance(timedelta(hours=5))
    assert [original.spot(s) for s in original.symbols] == [restored.spot(s) for s in restored.symbols]


async def test_an_account_snapshot_restores_books_and_working_orders() -> None:
    broker = await create_broker()
    option = spy_option(broker.market, 0, OptionRight.CALL, date(2026, 6, 18))
    await broker.place_order(request("held", option, Side.BUY, 2, None))
    await broker.place_order(request("resting", option, Side.SELL, 1, Decimal(500), TimeInForce.GTC))
    saved = json.loads(json.dumps(broker.snapshot()))
    twin = SimulatorBroker(broker.market, "acct-1")
    twin.restore(saved)
    await twin.connect()
    assert twin.snapshot() == broker.snapshot()
    assert [p.quantity for p in await twin.positions()] == [Decimal(2)]
    assert (await twin.order_status("resting")).status is OrderStatus.WORKING
    assert (await twin.account_summary()).cash == (await broker.account_summary()).cash


async def test_accounts_on_one_market_keep_separate_books() -> None:
    market = create_market()
    alice, bob = await create_broker(market, "alice"), await create_broker(market, "bob")
    await alice.place_order(request("x", Stock("SPY"), Side.BUY, 10, None))
    assert await bob.positions() == []
    assert (await bob.account_summary()).cash.amount == Decimal(100_000)
    await bob.place_order(request("x", Stock("SPY"), Side.BUY, 5, None))
    assert [p.quantity for p in await alice.positions()] == [Decimal(10)]


# -- account reads ----------------------------------------------------------------------------------


async def test_account_reads_agree_with_a_full_valuation_and_reserve_for_working_orders() -> None:
    broker = await create_broker()
    market = broker.market
    call, put = spy_option(market, 5, OptionRight.CALL), spy_option(market, -5, OptionRight.PUT)
    for cid, option in (("buy-call", call), ("sell-put", put)):
        (quote,) = await broker.quotes([option])
        assert quote.ask is not None
        assert quote.bid is not None
        side, limit = (Side.BUY, quote.ask.value) if option is call else (Side.SELL, quote.bid.value)
        assert (await broker.place_order(request(cid, option, side, 2, limit))).status is OrderStatus.FILLED

    full = broker.admission.valuation()
    assert await broker.positions() == full.positions
    summary = await broker.account_summary()
    currency = summary.buying_power.currency
    assert summary.buying_power == Money(full.net_liquidation - full.requirement, currency).rounded()
    assert broker.admission.buying_power_after(None) == full.net_liquidation - full.requirement

    # A working order reserves its buying power: the summary counts it, not the current valuation alone.
    (quote,) = await broker.quotes([call])
    assert quote.bid is not None
    resting = request("resting", call, Side.BUY, 1, (quote.bid.value / 2).quantize(Decimal("0.05")))
    assert (await broker.place_order(resting)).status is OrderStatus.WORKING
    reserved = await broker.account_summary()
    assert reserved.buying_power.amount < summary.buying_power.amount
    assert reserved.buying_power == Money(broker.admission.buying_power_after(None), currency).rounded()
