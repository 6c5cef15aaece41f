"""A patient limit inside the spread fills at its limit, legs priced inside their own markets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from backend.brokers.simulator.fills import improvement
from backend.domain.instruments import Combo, ComboLeg, OptionRight, Side
from backend.domain.orders import OrderStatus, TimeInForce
from backend.tests.brokers.factories import create_broker
from backend.tests.brokers.test_simulator_venue import request as order
from backend.tests.brokers.test_simulator_venue import spy_option


def test_improvement_runs_from_mid_to_the_natural_price() -> None:
    def buying(limit: str) -> float | None:
        return improvement(Side.BUY, Decimal(limit), Decimal("2.10"), Decimal("2.00"))

    assert buying("2.00") == 0.0
    assert buying("2.05") == 0.5
    assert buying("1.99") is None, "behind mid never fills inside"
    assert buying("2.10") is None, "at natural it is simply marketable"
    assert improvement(Side.SELL, Decimal("-1.38"), Decimal("-1.40"), Decimal("-1.30")) == 0.8


async def test_a_credit_spread_at_mid_fills_at_its_limit_with_each_leg_inside_its_market() -> None:
    broker = await create_broker(inside_spread_fill_rate=0.2)
    short, long = (
        spy_option(broker.market, -10, OptionRight.PUT),
        spy_option(broker.market, -15, OptionRight.PUT),
    )
    spread = Combo((ComboLeg(short, 1, Side.SELL), ComboLeg(long, 1, Side.BUY)))
    short_quote, long_quote = await broker.quotes([short, long])
    assert short_quote.mid is not None
    assert long_quote.mid is not None
    # Selling the combo: what it is worth as written (long minus short) is negative, a credit.
    limit = (long_quote.mid - short_quote.mid).quantize(Decimal("0.01"))
    placed = await broker.place_order(order("mid", spread, Side.BUY, 1, limit, TimeInForce.GTC))
    assert placed.status is OrderStatus.WORKING, "a mid price is not marketable when placed"
    for _ in range(200):
        broker.market.advance(timedelta(minutes=1))
        if (await broker.order_status("mid")).status is OrderStatus.FILLED:
            break
    state = await broker.order_status("mid")
    assert state.status is OrderStatus.FILLED, "a patient mid order fills within a trading session"
    (execution,) = state.executions
    assert execution.price == limit
    for leg in execution.legs:
        assert leg.price > 0
    assert (
        sum((leg.price * (1 if leg.side is Side.BUY else -1) for leg in execution.legs), Decimal(0)) == limit
    )
