"""Top-of-book quotes for the simulated venue: model price, a spread, displayed size and activity.

Options are priced with ``backend.domain.option_math`` at the surface's implied vol. Spreads are a
base plus a fraction of the price, scaled down by liquidity and widened away from the money and
near expiry, then rounded outwards to the tick (so a quote is never narrower than one tick and
never crossed). Deep out-of-the-money contracts show a zero bid. Sizes, volume and open interest
are deterministic pseudo-random draws keyed by the seed, the contract and the grid step or day.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np

from backend.brokers.base import DataSource, Greeks, Quote
from backend.brokers.simulator.chain import STOCK_TICK, option_tick
from backend.brokers.simulator.config import UnderlyingSpec
from backend.brokers.simulator.surface import implied_volatility
from backend.brokers.simulator.universe import SECONDS_PER_YEAR
from backend.domain.instruments import Option, Stock
from backend.domain.option_math import bsm_greeks
from backend.domain.values import Price, Quantity, round_to_tick

_MIN_YEARS = 60.0 / SECONDS_PER_YEAR


@dataclass(frozen=True, slots=True)
class MarketView:
    """The market state one batch of quotes is computed from."""

    spot: float
    vol_level: float
    rate: float
    as_of: datetime
    """Time the quotes are stamped with: now (the last close for a frozen market)."""
    priced_at: datetime
    """Time the prices are computed for: the start of the current step (the last close when frozen).

    Prices move once a step, so every quote of an instrument within a step is the same one."""
    step: int
    session: date
    session_progress: float
    """Fraction of the session elapsed, for cumulative volume."""
    data_source: DataSource
    seed: int


def unit_noise(seed: int, *parts: object) -> float:
    """Return a deterministic number in [0, 1) for ``parts``."""
    digest = hashlib.blake2b(f"{seed}|{'|'.join(map(str, parts))}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def _price(value: Decimal) -> Price:
    return Price(max(value, Decimal(0)))


def _quantity(value: float) -> Quantity:
    return Quantity(Decimal(max(int(value), 0)))


def stock_quote(spec: UnderlyingSpec, view: MarketView) -> Quote:
    """Return the stock's quote around the current spot."""
    spot = Decimal(str(round(view.spot, 4)))
    half = max(Decimal("0.005"), spot * Decimal("0.00005") / Decimal(str(math.sqrt(spec.liquidity))))
    bid = round_to_tick(spot - half, STOCK_TICK, direction="down")
    ask = round_to_tick(spot + half, STOCK_TICK, direction="up")
    if ask <= bid:
        ask = bid + STOCK_TICK
    noise = unit_noise(view.seed, spec.symbol, view.step)
    size = 100 * (1 + int(20 * spec.liquidity * noise))
    volume = (
        2_000_000
        * spec.liquidity
        * view.session_progress
        * (0.5 + unit_noise(view.seed, spec.symbol, view.session))
    )
    return Quote(
        instrument=Stock(spec.symbol),
        bid=_price(bid),
        ask=_price(ask),
        last=_price(round_to_tick(spot, STOCK_TICK)),
        bid_size=_quantity(size),
        ask_size=_quantity(100 * (1 + int(20 * spec.liquidity * (1 - noise)))),
        volume=_quantity(volume),
        open_interest=None,
        data_source=view.data_source,
        ts=view.as_of,
    )


def option_quotes(
    spec: UnderlyingSpec, view: MarketView, options: list[Option], expiry_closes: list[datetime]
) -> list[Quote]:
    """Return a quote per option, priced together in one vectorised pass."""
    if not options:
        return []
    years = np.array(
        [
            max((close - view.priced_at).total_seconds() / SECONDS_PER_YEAR, _MIN_YEARS)
            for close in expiry_closes
        ]
    )
    strikes = np.array([float(o.strike.value) for o in options])
    calls = np.array([o.is_call for o in options])
    forward = view.spot * np.exp((view.rate - spec.dividend_yield) * years)
    vols = implied_volatility(spec, view.vol_level, forward, strikes, years)
    greeks = bsm_greeks(view.spot, strikes, years, view.rate, spec.dividend_yield, vols, calls)
    moneyness = np.abs(np.log(strikes / forward)) / (vols * np.sqrt(years))
    days = years * 365.0
    theo = np.maximum(greeks.price, 0.0)
    width = (0.02 + 0.015 * theo) / math.sqrt(spec.liquidity)
    width *= 1.0 + 0.25 * np.minimum(moneyness, 6.0)
    width *= 1.0 + 1.0 / (1.0 + days)
    # Python floats once per array, not a numpy scalar per option and field: same values, less work.
    delta, gamma, vega = greeks.delta.tolist(), greeks.gamma.tolist(), greeks.vega.tolist()
    theta, rho = greeks.theta.tolist(), greeks.rho.tolist()
    underlying = Price(Decimal(str(round(view.spot, 2))))
    return [
        _option_quote(
            spec,
            view,
            option,
            theo_i,
            width_i,
            Greeks(delta=delta[i], gamma=gamma[i], vega=vega[i], theta=theta[i], rho=rho[i]),
            underlying,
            vol_i,
            moneyness_i,
            days_i,
        )
        for i, (option, theo_i, width_i, vol_i, moneyness_i, days_i) in enumerate(
            zip(
                options,
                theo.tolist(),
                width.tolist(),
                vols.tolist(),
                moneyness.tolist(),
                days.tolist(),
                strict=True,
            )
        )
    ]


def _option_quote(
    spec: UnderlyingSpec,
    view: MarketView,
    option: Option,
    theo: float,
    width: float,
    greeks: Greeks,
    underlying: Price,
    vol: float,
    moneyness: float,
    days: float,
) -> Quote:
    fair = Decimal(str(round(theo, 6)))
    half = Decimal(str(round(width / 2, 6)))
    raw_bid = fair - half
    bid_tick = option_tick(spec, max(raw_bid, Decimal(0)))
    bid = round_to_tick(raw_bid, bid_tick, direction="down") if raw_bid > bid_tick else Decimal(0)
    raw_ask = fair + half
    ask_tick = option_tick(spec, raw_ask)
    ask = max(round_to_tick(raw_ask, ask_tick, direction="up"), ask_tick)
    if ask - bid < bid_tick:
        ask = bid + ask_tick
    key = option.key
    depth = math.exp(-0.35 * min(moneyness, 10.0)) * spec.liquidity
    bid_size = 0 if bid == 0 else 1 + int(depth * 60 * unit_noise(view.seed, key, view.step, "b"))
    ask_size = 1 + int(depth * 60 * unit_noise(view.seed, key, view.step, "a"))
    open_interest = (
        20_000 * depth * math.exp(-days / 180.0) * (0.3 + unit_noise(view.seed, key, view.session))
    )
    volume = 0.2 * open_interest * view.session_progress * unit_noise(view.seed, key, view.session, "v")
    last = round_to_tick(fair, option_tick(spec, fair)) if fair > 0 else Decimal(0)
    return Quote(
        instrument=option,
        bid=_price(bid),
        ask=_price(ask),
        last=_price(min(max(last, bid), ask)),
        bid_size=_quantity(bid_size),
        ask_size=_quantity(ask_size),
        volume=_quantity(volume),
        open_interest=_quantity(open_interest),
        data_source=view.data_source,
        ts=view.as_of,
        greeks=greeks,
        implied_volatility=vol,
        underlying_price=underlying,
    )
