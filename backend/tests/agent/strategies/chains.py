"""Chains for the strategy tests: one fixed, hand-priced chain and seeded random ones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from backend.agent.strategies import ChainView, Holdings, OptionRow, StrategyParams
from backend.domain.instruments import OptionRight
from backend.domain.option_math import bsm_greeks

D = Decimal
TODAY = date(2026, 5, 18)
EXPIRY = date(2026, 6, 19)  # 32 days
P, C = OptionRight.PUT, OptionRight.CALL


def create_row(
    strike: str,
    right: OptionRight,
    bid: str | None,
    ask: str | None,
    delta: float | None,
    *,
    iv: float | None = 0.25,
    open_interest: int = 500,
    volume: int = 50,
) -> OptionRow:
    """Build one row; gamma, vega and theta are fixed small numbers of the usual signs."""
    return OptionRow(
        strike=D(strike),
        right=right,
        bid=D(bid) if bid is not None else None,
        ask=D(ask) if ask is not None else None,
        iv=iv,
        delta=delta,
        gamma=0.02,
        vega=0.10,
        theta=-0.03,
        open_interest=open_interest,
        volume=volume,
    )


# Spot 100. In the 0.15-0.35 window: the 92.5 and 95 puts, the 105 call.
FIXED_ROWS = (
    create_row("85", P, "0.20", "0.26", -0.06),
    create_row("90", P, "0.55", "0.61", -0.12, iv=0.27),
    create_row("92.5", P, "0.90", "0.98", -0.18, iv=0.26),
    create_row("95", P, "1.40", "1.50", -0.24, iv=0.25),
    create_row("100", P, "2.90", "3.10", -0.47, iv=0.24),
    create_row("100", C, "3.20", "3.40", 0.53, iv=0.24),
    create_row("105", C, "1.30", "1.40", 0.30, iv=0.22),
    create_row("110", C, "0.50", "0.56", 0.14, iv=0.21),
    create_row("115", C, "0.15", "0.21", 0.05, iv=0.21),
)


def create_chain(rows: tuple[OptionRow, ...] = FIXED_ROWS, **changes: object) -> ChainView:
    """Build the fixed chain (or other rows) on XYZ at 100, 32 days out."""
    chain = ChainView(
        underlying="XYZ",
        expiry=EXPIRY,
        today=TODAY,
        spot=D(100),
        multiplier=100,
        trading_class="XYZ",
        rate=0.04,
        dividend_yield=0.0,
        years=32 / 365,
        rows=rows,
    )
    return replace(chain, **changes)  # type: ignore[arg-type]


def with_row(chain: ChainView, strike: str, right: OptionRight, **changes: object) -> ChainView:
    """Return the chain with one row changed."""
    rows = tuple(
        replace(row, **changes) if row.strike == D(strike) and row.right is right else row  # type: ignore[arg-type]
        for row in chain.rows
    )
    return replace(chain, rows=rows)


def create_params(**changes: object) -> StrategyParams:
    """Parameters for the fixed chain: mid plus half the half-spread, credit-to-width 0.15."""
    params = StrategyParams(
        edge=D("0.5"),
        min_credit_to_width=D("0.15"),
        max_risk_per_trade=D(30000),
        max_contracts=10,
        min_open_interest=100,
        min_volume=10,
    )
    return replace(params, **changes)  # type: ignore[arg-type]


def create_holdings(
    shares: int = 0, buying_power: str = "25000", keys: frozenset[str] = frozenset()
) -> Holdings:
    """Holdings of XYZ shares and cash."""
    return Holdings(
        shares={"XYZ": D(shares)} if shares else {},
        option_keys=keys,
        buying_power=D(buying_power),
        net_liquidation=D(buying_power) + D(shares) * 100,
    )


def random_chain(rng: np.random.Generator) -> ChainView:
    """Draw a chain priced by Black-Scholes with skew, then quoted with random spreads and liquidity."""
    spot = round(float(rng.uniform(20, 400)), 2)
    days = int(rng.integers(1, 90))
    years = days / 365
    step = float(rng.choice([0.5, 1.0, 2.5, 5.0]))
    centre = round(spot / step) * step
    strikes = [centre + step * k for k in range(-12, 13) if centre + step * k > 0]
    base_vol, rate = float(rng.uniform(0.12, 0.8)), float(rng.uniform(0.0, 0.06))
    rows = []
    for strike in strikes:
        vol = base_vol * (1 + 0.4 * max(0.0, np.log(spot / strike)))
        for right in (P, C):
            g = bsm_greeks(spot, strike, years, rate, 0.01, vol, right is C)
            price = float(g.price)
            half = max(0.01, price * float(rng.uniform(0.0, 0.3)))
            bid = max(0.0, round(price - half, 2)) if rng.random() > 0.05 else None
            ask = round(price + half, 2) if rng.random() > 0.03 else None
            rows.append(
                OptionRow(
                    strike=D(str(strike)),
                    right=right,
                    bid=D(f"{bid:.2f}") if bid is not None else None,
                    ask=D(f"{ask:.2f}") if ask is not None else None,
                    iv=vol if rng.random() > 0.02 else None,
                    delta=float(g.delta),
                    gamma=float(g.gamma),
                    vega=float(g.vega),
                    theta=float(g.theta),
                    open_interest=int(rng.integers(0, 2000)),
                    volume=int(rng.integers(0, 300)),
                )
            )
    return create_chain(
        tuple(rows),
        spot=D(f"{spot:.2f}"),
        expiry=TODAY + timedelta(days=days),
        years=years,
        rate=rate,
        dividend_yield=0.01,
    )
