"""Quote checks and prices the rules share: fresh two-sided quotes, mids, the trade's net price.

A quote is usable when it exists, is for the leg's instrument, has both a bid and an ask, and its
timestamp is within `max_quote_age_seconds` of `ctx.now` on either side (a quote from the future
means a clock is wrong, so it is treated as stale too).
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from backend.brokers.base import Greeks
from backend.risk.context import GateContext, LegMarket, ProposedTrade
from backend.risk.rule import Denial


def quote_denial(rule: str, market: LegMarket, ctx: GateContext) -> Denial | None:
    """Return why this leg's quote cannot be traded against, or None when it is usable."""
    key = market.leg.instrument.key
    quote = market.quote
    if quote is None:
        return Denial(rule, "missing_quote", f"No quote for {key}", {"instrument": key})
    if quote.instrument.key != key:
        return Denial(
            rule,
            "quote_mismatch",
            f"The quote for {key} is for {quote.instrument.key}",
            {"instrument": key, "quoted": quote.instrument.key},
        )
    max_age = ctx.limits.max_quote_age_seconds
    age = ctx.now - quote.ts
    if abs(age) > timedelta(seconds=max_age):
        return Denial(
            rule,
            "stale_quote",
            f"The quote for {key} is {age.total_seconds():.1f}s old (limit {max_age}s)",
            {"instrument": key, "age_seconds": age.total_seconds(), "limit": max_age},
        )
    if quote.bid is None or quote.ask is None:
        return Denial(
            rule,
            "one_sided_quote",
            f"The quote for {key} is not two-sided",
            {"instrument": key, "bid": quote.bid, "ask": quote.ask},
        )
    return None


def leg_mid(market: LegMarket) -> Decimal | None:
    """Return the leg's quote mid (per share), or None without a two-sided quote."""
    return None if market.quote is None else market.quote.mid


def net_mid(trade: ProposedTrade) -> Decimal | None:
    """Return the trade's net mid per unit, signed as cash out (None when a leg has no mid)."""
    total = Decimal(0)
    for m in trade.legs:
        mid = leg_mid(m)
        if mid is None:
            return None
        total += m.leg.signed_ratio * mid
    return total


def common_multiplier(trade: ProposedTrade) -> int | None:
    """Return the multiplier all legs share, or None when they differ (a buy-write)."""
    multipliers = {m.leg.instrument.multiplier for m in trade.legs}
    return multipliers.pop() if len(multipliers) == 1 else None


def cash_out(trade: ProposedTrade) -> Decimal | None:
    """Return the whole trade's net cash out in money (credit negative), or None without prices.

    With one multiplier across the legs the limit price (or, for a market order, the net mid)
    times multiplier times quantity; with mixed multipliers each leg's mid times its multiplier,
    since a net limit price mixes shares and contracts.
    """
    multiplier = common_multiplier(trade)
    if multiplier is not None:
        price = trade.limit_price if trade.limit_price is not None else net_mid(trade)
        if price is None or not price.is_finite():
            return None
        return price * multiplier * trade.quantity
    total = Decimal(0)
    for m in trade.legs:
        mid = leg_mid(m)
        if mid is None:
            return None
        total += trade.signed_units(m.leg) * mid * m.leg.instrument.multiplier
    return total


def finite_triple(*values: object) -> tuple[float, float, float] | None:
    """Return three greeks as floats when each is a finite number (bools are not numbers)."""
    if len(values) != 3:
        return None
    out: list[float] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, float | int) or not math.isfinite(v):
            return None
        out.append(float(v))
    return out[0], out[1], out[2]


def finite_greeks(greeks: Greeks | None) -> tuple[float, float, float] | None:
    """Return (delta, gamma, vega) when all three are finite numbers, else None."""
    if greeks is None:
        return None
    return finite_triple(greeks.delta, greeks.gamma, greeks.vega)
