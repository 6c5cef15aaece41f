"""Orders from words on a fixed chain: strikes by delta or by number, the spread's wing, mid on the tick, figures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from backend.agent.chat.orders import OrderSpec
from backend.agent.chat.structures import UnbuildableOrder, build_order
from backend.market.schemas import ChainRead, OptionQuoteRead

EXPIRY = date(2026, 12, 18)
# strike: (put bid, put ask, put delta)
PUTS = {
    Decimal(90): (Decimal("0.50"), Decimal("0.56"), -0.08),
    Decimal(95): (Decimal("1.40"), Decimal("1.50"), -0.21),
    Decimal(100): (Decimal("3.10"), Decimal("3.31"), -0.29),
    Decimal(105): (Decimal("5.90"), Decimal("6.10"), -0.52),
}


def _row(strike: Decimal, right: str, bid: Decimal, ask: Decimal, delta: float) -> OptionQuoteRead:
    return OptionQuoteRead(
        symbol=f"XYZ {strike}{right}",
        strike=strike,
        right=right,
        bid=bid,
        ask=ask,
        mid=(bid + ask) / 2,
        last=None,
        volume=Decimal(100),
        open_interest=Decimal(1000),
        data_source="simulated",
        iv=0.3,
        iv_status="ok",
        delta=delta,
        gamma=0.01,
        vega=0.1,
        theta=-0.05,
        rho=0.0,
        underlying_price=Decimal(104),
        rate=Decimal("0.04"),
        dividend_yield=Decimal(0),
        time_to_expiry_years=0.07,
    )


def _chain() -> ChainRead:
    rows = [_row(k, "P", *v) for k, v in PUTS.items()]
    rows.append(_row(Decimal(110), "C", Decimal("2.00"), Decimal("2.10"), 0.31))
    return ChainRead(
        underlying="XYZ",
        expiry=EXPIRY,
        multiplier=100,
        trading_class="XYZ",
        as_of=datetime(2026, 11, 24, 15, tzinfo=UTC),
        expires_at=datetime(2026, 12, 18, 21, tzinfo=UTC),
        underlying_price=Decimal(104),
        rate=Decimal("0.04"),
        dividend_yield=Decimal(0),
        time_to_expiry_years=0.07,
        options=rows,
    )


def _spec(**fields: object) -> OrderSpec:
    return OrderSpec.model_validate({"action": "sell", "right": "put", "symbol": "XYZ", **fields})


def test_a_30_delta_put_is_the_strike_nearest_in_delta_priced_at_mid_on_the_nickel() -> None:
    built = build_order(_spec(delta="0.30"), _chain(), default_delta=Decimal("0.2"), default_width=Decimal(5))
    (leg,) = built.ticket.legs
    assert (leg.strike, leg.right, leg.side) == (Decimal(100), "P", "sell")
    # Mid 3.205 is over $3, so a single leg trades in nickels: a 3.20 credit.
    assert built.ticket.limit_price == Decimal("-3.20")
    assert built.strategy == "short_put"
    assert built.metrics["max_profit"] == "320.00"
    assert built.metrics["max_loss"] == "9680.00"
    assert built.metrics["breakevens"] == ["96.80"]


def test_a_put_spread_sells_the_target_and_buys_the_strike_a_wing_below() -> None:
    built = build_order(
        _spec(structure="vertical"), _chain(), default_delta=Decimal("0.2"), default_width=Decimal(5)
    )
    short, long = built.ticket.legs
    assert (short.strike, short.side, long.strike, long.side) == (Decimal(95), "sell", Decimal(90), "buy")
    # 1.45 - 0.53 = 0.92 credit, in pennies for a combo.
    assert built.ticket.limit_price == Decimal("-0.92")
    assert built.metrics["max_loss"] == "408.00"
    assert built.metrics["breakevens"] == ["94.08"]
    assert built.strategy == "bull_put_spread"


def test_a_named_strike_must_be_listed_and_a_limit_is_signed_by_the_side() -> None:
    with pytest.raises(UnbuildableOrder) as refused:
        build_order(_spec(strike=97), _chain(), default_delta=Decimal("0.2"), default_width=Decimal(5))
    assert "95" in refused.value.details["nearest_strikes"]
    bought = build_order(
        _spec(action="buy", right="call", strike=110, limit_price="2.02", quantity=3),
        _chain(),
        default_delta=Decimal("0.2"),
        default_width=Decimal(5),
    )
    assert bought.ticket.limit_price == Decimal("2.02")
    assert bought.ticket.quantity == 3
    assert bought.metrics["max_profit"] is None, "a long call's upside is open"
    assert bought.metrics["greeks"]["delta"] == "93.00"
