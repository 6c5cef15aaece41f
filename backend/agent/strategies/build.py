"""Turn the legs a strategy picked into a priced, sized, explained candidate, or refuse them."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from backend.agent.strategies.candidate import Candidate, TradeGreeks, score
from backend.agent.strategies.inputs import ChainView, Holdings, OptionRow, StrategyParams
from backend.agent.strategies.payoff import (
    HeldStock,
    Lognormal,
    expected_value,
    probability_of_profit,
    profile,
)
from backend.agent.strategies.selection import LegPick, largest_quantity, limit_price, liquid, spread_pct
from backend.domain.instruments import ComboLeg, Stock
from backend.domain.values import to_decimal

RATIO_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Shape:
    """What kind of trade the legs make, which decides the filters and the sizing that apply.

    credit: the trade must open for a credit of at least `min_credit` per share.
    width: strike width of a credit spread, for the credit-to-width minimum.
    covered: the trade sells or hedges shares already held (one contract per `multiplier` shares);
    its risk budget and cash are the premium it pays, as the shares' risk is already carried.
    collateral: cash per unit a trade must have in buying power (a cash-secured put's strike x
    multiplier); otherwise its max loss.
    """

    credit: bool
    width: Decimal | None = None
    covered: bool = False
    collateral: Decimal | None = None


def _trade_greeks(picks: Sequence[LegPick], multiplier: int, quantity: int) -> TradeGreeks | None:
    totals = {"delta": 0.0, "gamma": 0.0, "vega": 0.0, "theta": 0.0}
    for pick in picks:
        for name in totals:
            value = getattr(pick.row, name)
            if value is None or not math.isfinite(value):
                return None
            totals[name] += pick.side.sign * value * multiplier * quantity
    return TradeGreeks(
        **{name: to_decimal(value).quantize(Decimal("0.01")) for name, value in totals.items()}
    )


def _mean_iv(rows: Sequence[OptionRow]) -> float | None:
    ivs = [row.iv for row in rows]
    if any(iv is None or not math.isfinite(iv) or iv <= 0 for iv in ivs):
        return None
    return sum(iv for iv in ivs if iv is not None) / len(ivs)


def build_candidate(
    strategy: str,
    chain: ChainView,
    holdings: Holdings,
    params: StrategyParams,
    picks: Sequence[LegPick],
    shape: Shape,
    explain: Callable[[Candidate], str],
) -> Candidate | None:
    """Price, check, size and value the picked legs; None when any filter or limit refuses them."""
    if chain.spot <= 0:
        return None  # no price to value the trade from: fail closed
    options = [chain.option(pick.row) for pick in picks]
    if any(option.key in holdings.option_keys for option in options):
        return None
    if not all(liquid(pick.row, pick.side, params) for pick in picks):
        return None
    sigma = _mean_iv([pick.row for pick in picks])
    if sigma is None:
        return None
    price = limit_price(picks, params, chain.ticks)
    if shape.credit:
        credit = -price
        if credit <= 0 or credit < params.min_credit:
            return None
        if shape.width is not None and credit / shape.width < params.min_credit_to_width:
            return None
    legs = tuple(ComboLeg(option, 1, pick.side) for option, pick in zip(options, picks, strict=True))
    held = HeldStock(Stock(chain.underlying), chain.multiplier, chain.spot) if shape.covered else None
    unit = profile(legs, price, held)
    if unit.max_loss is None or (unit.max_profit is not None and unit.max_profit <= 0):
        return None

    if shape.covered:
        cap = min(params.max_contracts, int(holdings.shares_of(chain.underlying) // chain.multiplier))
        outlay = max(price, Decimal(0)) * chain.multiplier
        quantity = largest_quantity(cap, outlay, params.max_risk_per_trade, outlay, holdings.buying_power)
    else:
        cash = shape.collateral if shape.collateral is not None else unit.max_loss
        quantity = largest_quantity(
            params.max_contracts, unit.max_loss, params.max_risk_per_trade, cash, holdings.buying_power
        )
    greeks = _trade_greeks(picks, chain.multiplier, quantity)
    if quantity == 0 or greeks is None:
        return None

    model = Lognormal(float(chain.spot), chain.years, chain.rate, chain.dividend_yield, sigma)
    pop = probability_of_profit(legs, price, held, unit.breakevens, model)
    ev = expected_value(legs, price, held, model)
    if not math.isfinite(pop) or not ev.is_finite():
        return None
    max_profit = unit.max_profit * quantity if unit.max_profit is not None else None
    capital = unit.max_loss * quantity
    ror = (max_profit / capital).quantize(RATIO_QUANTUM) if max_profit is not None and capital > 0 else None
    spreads = [spread_pct(pick.row) or Decimal(0) for pick in picks]
    candidate = Candidate(
        strategy=strategy,
        underlying=chain.underlying,
        expiry=chain.expiry,
        legs=legs,
        quantity=quantity,
        limit_price=price,
        max_profit=max_profit,
        max_loss=capital,
        breakevens=unit.breakevens,
        probability_of_profit=pop,
        expected_value=ev * quantity,
        return_on_risk=ror,
        capital_at_risk=capital,
        greeks=greeks,
        rationale="",
        score=score(max_profit, capital, pop, chain.dte, sum(spreads, Decimal(0)) / len(spreads)),
        covered=held,
    )
    return replace(candidate, rationale=explain(candidate))
