"""Do not commit more than the account can carry.

The requirement is `ctx.margin_required` when the broker could tell (IBKR what-if, the
simulator's margin model); otherwise a Reg-T-like estimate of the trade alone: its net cash out
plus its worst loss at expiry, max(0, cash_out - min over S of payoff(S)), the payoff being the
legs' value at underlying price S (stock S, call max(S-K, 0), put max(K-S, 0)) over 0, every
strike and a 100% rally (2 x the highest strike or price seen, which stands in for "unbounded").
That gives: long premium = the debit; a vertical = width x multiplier x quantity minus the credit;
a naked put = strike x multiplier x quantity minus the credit (cash-secured); stock = notional.
The estimate ignores the book, so a call written against held stock is over-estimated; a trade
that only reduces positions passes. Unpriceable legs deny (fail closed).
"""

from __future__ import annotations

from decimal import Decimal

from backend.domain.instruments import Option
from backend.risk.context import GateContext, ProposedTrade
from backend.risk.exposure import reduces_risk
from backend.risk.rule import Denial
from backend.risk.rules._market import cash_out, leg_mid


def _value(trade: ProposedTrade, spot: Decimal) -> Decimal:
    total = Decimal(0)
    for m in trade.legs:
        inst = m.leg.instrument
        if isinstance(inst, Option):
            k = inst.strike.value
            per_share = max(spot - k, Decimal(0)) if inst.is_call else max(k - spot, Decimal(0))
        else:
            per_share = spot
        total += trade.signed_units(m.leg) * inst.multiplier * per_share
    return total


def estimate_requirement(trade: ProposedTrade) -> Decimal | None:
    """Return the estimated buying power the trade ties up, or None when it cannot be priced."""
    cash = cash_out(trade)
    if cash is None:
        return None
    prices = [Decimal(1)]
    strikes = [m.leg.instrument.strike.value for m in trade.legs if isinstance(m.leg.instrument, Option)]
    prices += strikes
    prices += [mid for m in trade.legs if (mid := leg_mid(m)) is not None]
    if trade.underlying_quote is not None and trade.underlying_quote.mid is not None:
        prices.append(trade.underlying_quote.mid)
    if trade.limit_price is not None and trade.limit_price.is_finite():
        prices.append(abs(trade.limit_price))
    spots = [Decimal(0), *strikes, 2 * max(prices)]
    worst = min(_value(trade, s) for s in spots)
    return max(cash - worst, Decimal(0))


class BuyingPowerRule:
    """Deny trades that need more buying power than the account has."""

    name = "buying_power"

    def check(self, ctx: GateContext) -> list[Denial]:
        """Deny when the requirement (reported or estimated) exceeds buying power."""
        if reduces_risk(ctx.trade, ctx.portfolio):
            return []
        required = ctx.margin_required
        source = "broker"
        if required is None:
            required, source = estimate_requirement(ctx.trade), "estimate"
        if required is None or not required.is_finite():
            return [Denial(self.name, "no_estimate", "The trade's buying power need cannot be priced")]
        available = ctx.portfolio.buying_power
        if required <= available:
            return []
        return [
            Denial(
                self.name,
                "buying_power",
                f"The trade needs {required} but {available} is available",
                {"required": required, "buying_power": available, "source": source},
            )
        ]
