"""Keep the book's delta, gamma and vega, and each underlying's delta, inside the client's limits.

Exposure = per-unit greek x signed quantity x multiplier, summed over the held positions (their
`delta`/`gamma`/`vega`) plus the trade's legs (their quote's greeks x signed units); a share has
delta 1 and no gamma or vega. Measured before and after the trade; a measure denies when
|after| > its limit and |after| > |before|, so an already-breached measure may stay where it is
or move toward zero but never grow. Per-underlying delta is checked for the trade's underlyings.
An option position or leg without finite greeks denies (fail closed), unless the trade only
reduces positions (exits must not wait for a model).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from backend.domain.instruments import Option
from backend.risk.context import GateContext
from backend.risk.exposure import reduces_risk
from backend.risk.rule import Denial
from backend.risk.rules._market import finite_greeks, finite_triple


@dataclass
class Exposure:
    """Summed dollar greeks, and delta per underlying; `missing` names what had no greeks."""

    delta: float = 0.0
    gamma: float = 0.0
    vega: float = 0.0
    by_underlying: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    missing: list[str] = field(default_factory=list)

    def add(self, underlying: str, units: float, greeks: tuple[float, float, float]) -> None:
        """Add `units` (already times the multiplier) of an instrument with these per-unit greeks."""
        self.delta += greeks[0] * units
        self.gamma += greeks[1] * units
        self.vega += greeks[2] * units
        self.by_underlying[underlying] += greeks[0] * units

    def finite(self) -> bool:
        """Tell whether every sum is a finite number."""
        sums = [self.delta, self.gamma, self.vega, *self.by_underlying.values()]
        return all(math.isfinite(v) for v in sums)


STOCK_GREEKS = (1.0, 0.0, 0.0)


def book_exposure(ctx: GateContext) -> Exposure:
    """Return the held positions' exposure."""
    exposure = Exposure()
    for p in ctx.portfolio.positions:
        if p.quantity == 0:
            continue
        inst = p.instrument
        units = float(p.quantity) * inst.multiplier
        if not isinstance(inst, Option):
            exposure.add(inst.underlying, units, STOCK_GREEKS)
            continue
        greeks = finite_triple(p.delta, p.gamma, p.vega)
        if greeks is None:
            exposure.missing.append(inst.key)
        else:
            exposure.add(inst.underlying, units, greeks)
    return exposure


def after_exposure(ctx: GateContext, before: Exposure) -> Exposure:
    """Return the exposure once the trade's legs have filled."""
    after = Exposure(before.delta, before.gamma, before.vega, defaultdict(float, before.by_underlying))
    after.missing = list(before.missing)
    for m in ctx.trade.legs:
        inst = m.leg.instrument
        units = float(ctx.trade.signed_units(m.leg)) * inst.multiplier
        if not isinstance(inst, Option):
            after.add(inst.underlying, units, STOCK_GREEKS)
            continue
        quote = m.quote
        ok = quote is not None and quote.instrument.key == inst.key
        greeks = finite_greeks(quote.greeks) if ok and quote is not None else None
        if greeks is None:
            after.missing.append(inst.key)
        else:
            after.add(inst.underlying, units, greeks)
    return after


class PortfolioGreeksRule:
    """Deny trades that push a greek past its limit or further past it."""

    name = "portfolio_greeks"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny on missing greeks, then on every measure the trade breaches or worsens."""
        before = book_exposure(ctx)
        after = after_exposure(ctx, before)
        if after.missing or not (before.finite() and after.finite()):
            if reduces_risk(ctx.trade, ctx.portfolio):
                return []
            return [
                Denial(
                    self.name,
                    "missing_greeks",
                    "Greeks are missing or not finite",
                    {"instruments": ",".join(sorted(set(after.missing)))},
                )
            ]
        lim = ctx.limits
        measures: list[tuple[str, float, float, Decimal]] = [
            ("delta", before.delta, after.delta, lim.max_portfolio_delta),
            ("gamma", before.gamma, after.gamma, lim.max_portfolio_gamma),
            ("vega", before.vega, after.vega, lim.max_portfolio_vega),
        ]
        for underlying in sorted({m.leg.instrument.underlying for m in ctx.trade.legs}):
            measures.append(
                (
                    f"delta:{underlying}",
                    before.by_underlying.get(underlying, 0.0),
                    after.by_underlying.get(underlying, 0.0),
                    lim.max_underlying_delta,
                )
            )
        out: list[Denial] = []
        for measure, was, now, limit_dec in measures:
            limit = float(limit_dec)
            if math.isnan(limit) or (abs(now) > limit and abs(now) > abs(was)):
                out.append(
                    Denial(
                        self.name,
                        f"max_{measure.split(':')[0]}" + ("_underlying" if ":" in measure else ""),
                        f"{measure} exposure {now:.2f} is beyond the limit of {limit_dec}",
                        {"measure": measure, "before": was, "after": now, "limit": limit_dec},
                    )
                )
        return out
