"""Listings and quotes of the simulated venue look like a real options market."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from backend.brokers.simulator.market import SimulatedMarket
from backend.domain.instruments import Option, OptionRight, Stock
from backend.tests.brokers.factories import create_market


def _atm_and_wing(market: SimulatedMarket, symbol: str, expiry_index: int) -> tuple[Option, Option]:
    chain = market.option_chain(symbol)
    expiry = chain.expiries[expiry_index]
    spot = market.spot(symbol)
    strikes = chain.strikes_for(expiry)
    atm = min(strikes, key=lambda s: abs(s.value - spot))
    wing = min(strikes, key=lambda s: abs(s.value - spot * Decimal("0.9")))
    return Option(symbol, expiry, atm, OptionRight.PUT), Option(symbol, expiry, wing, OptionRight.PUT)


def test_strikes_follow_each_underlyings_increment_near_the_money() -> None:
    market = create_market()
    for symbol, increment in (("SPY", Decimal(1)), ("MSFT", Decimal(5)), ("AAPL", Decimal("2.5"))):
        chain = market.option_chain(symbol)
        strikes = [s.value for s in chain.strikes_for(chain.expiries[0])]
        spot = market.spot(symbol)
        near = [s for s in strikes if abs(s - spot) < increment * 3]
        assert {b - a for a, b in itertools.pairwise(near)} == {increment}
        assert all(s % increment == 0 for s in strikes)


def test_puts_carry_skew_and_long_dated_vol_differs_from_short() -> None:
    market = create_market()
    atm, wing = _atm_and_wing(market, "SPY", 3)
    atm_quote, wing_quote = market.quotes([atm, wing])
    assert atm_quote.implied_volatility is not None
    assert wing_quote.implied_volatility is not None
    assert wing_quote.implied_volatility > atm_quote.implied_volatility


def test_quotes_respect_the_tick_and_widen_away_from_the_money() -> None:
    market = create_market()
    atm, wing = _atm_and_wing(market, "AAPL", 2)
    for quote in market.quotes([atm, wing]):
        assert quote.ask is not None
        assert quote.bid is not None
        tick = Decimal("0.05") if quote.ask.value >= 3 else Decimal("0.01")
        assert quote.ask.value % tick == 0
        assert quote.bid <= quote.ask
    atm_quote, wing_quote = market.quotes([atm, wing])
    assert atm_quote.bid is not None
    assert atm_quote.ask is not None
    assert atm_quote.mid is not None
    assert wing_quote.bid is not None
    assert wing_quote.ask is not None
    assert wing_quote.mid is not None
    atm_relative = (atm_quote.ask.value - atm_quote.bid.value) / atm_quote.mid
    wing_relative = (wing_quote.ask.value - wing_quote.bid.value) / wing_quote.mid
    assert wing_relative > atm_relative
    assert atm_quote.open_interest is not None
    assert atm_quote.open_interest.value > 0


def test_a_quote_holds_its_prices_through_a_step_and_is_stamped_when_asked() -> None:
    market = create_market()
    atm, wing = _atm_and_wing(market, "SPY", 1)
    first_atm, first_wing = market.quotes([atm, wing])
    market.advance(timedelta(seconds=20))  # the same one-minute step
    again_wing, again_atm, spot = market.quotes([wing, atm, Stock("SPY")])
    assert again_atm.ts == again_wing.ts == spot.ts == market.now() != first_atm.ts
    # Everything but the stamp is the quote computed at the step's start.
    assert replace(again_atm, ts=first_atm.ts) == first_atm
    assert replace(again_wing, ts=first_wing.ts) == first_wing

    market.advance(timedelta(minutes=1))  # a new step: new prices, time value decayed
    later = market.quotes([atm])[0]
    assert later.ts == market.now()
    assert replace(later, ts=first_atm.ts) != first_atm
