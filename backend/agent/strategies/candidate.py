"""A proposed trade as a strategy found it: legs, limit price, size, risk figures, rationale and score.

Signs and units: `limit_price` is per unit per share, cash out (+ a debit paid, - a credit
received). The per-trade figures are dollars for the whole quantity. `max_loss` and `max_profit`
are positive amounts; None means unlimited (only a hedge on held shares has an unlimited profit;
nothing with an unlimited loss is ever proposed). Trades on shares already held (covered call,
protective put, collar) are valued with those shares from the current spot, in `covered`.

Score: the annualised return on capital at risk if the trade works (max profit / capital at risk
x 365 / days to expiry), weighted by the model's probability of profit and by liquidity (one minus
the legs' mean bid-ask spread as a share of mid). A trade with no finite return (a protective put,
which buys insurance rather than yield) scores 0 and ranks after every trade that earns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from backend.agent.strategies.payoff import HeldStock, unit_payoff
from backend.domain.instruments import ComboLeg, Option

DAYS_PER_YEAR = 365


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


@dataclass(frozen=True, slots=True)
class TradeGreeks:
    """Greeks of the order (shares already held not included), in dollars for the whole quantity:
    per 1.00 of the underlying (delta, gamma), per vol point (vega), per calendar day (theta)."""

    delta: Decimal
    gamma: Decimal
    vega: Decimal
    theta: Decimal


@dataclass(frozen=True, slots=True)
class Candidate:
    """A trade a strategy proposes, sized and explained."""

    strategy: str
    underlying: str
    expiry: date
    legs: tuple[ComboLeg, ...]
    quantity: int
    limit_price: Decimal
    max_profit: Decimal | None
    max_loss: Decimal | None
    breakevens: tuple[Decimal, ...]
    probability_of_profit: float
    expected_value: Decimal
    return_on_risk: Decimal | None
    capital_at_risk: Decimal
    greeks: TradeGreeks
    explain: Callable[[Candidate], str] = field(compare=False, repr=False)
    """Writes the rationale from the figures, on demand: a scan finds thousands and proposes a few."""
    score: float
    shape: Shape
    """The kind of trade the legs make: re-pricing the candidate applies its filters and sizing again."""
    covered: HeldStock | None = None

    @property
    def rationale(self) -> str:
        """Return why the trade is proposed, in plain English."""
        return self.explain(self)

    @property
    def options(self) -> tuple[Option, ...]:
        """Return the legs' options, in leg order (shares held are not legs)."""
        return tuple(leg.instrument for leg in self.legs if isinstance(leg.instrument, Option))

    @property
    def is_credit(self) -> bool:
        """Tell whether the trade receives cash when it opens."""
        return self.limit_price < 0


def payoff_at_expiry(
    candidate_or_legs: Candidate | Sequence[ComboLeg],
    limit_price: Decimal,
    quantity: int,
    prices: Iterable[Decimal],
) -> list[Decimal]:
    """Return the trade's P&L in dollars at expiry for each underlying price (shares held included)."""
    if isinstance(candidate_or_legs, Candidate):
        legs, held = candidate_or_legs.legs, candidate_or_legs.covered
    else:
        legs, held = tuple(candidate_or_legs), None
    return [unit_payoff(legs, limit_price, held, price) * quantity for price in prices]


def score(
    max_profit: Decimal | None,
    capital_at_risk: Decimal,
    probability_of_profit: float,
    dte: int,
    mean_spread_pct: Decimal,
) -> float:
    """Return the ranking score described in the module docstring."""
    if max_profit is None or capital_at_risk <= 0:
        return 0.0
    annualised = float(max_profit / capital_at_risk) * DAYS_PER_YEAR / max(dte, 1)
    liquidity = max(0.0, 1.0 - float(mean_spread_pct))
    return annualised * probability_of_profit * liquidity


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Order candidates best first: score, then probability of profit, then a stable name order."""
    return sorted(
        candidates,
        key=lambda c: (
            -c.score,
            -c.probability_of_profit,
            c.strategy,
            c.underlying,
            c.expiry,
            tuple(leg.key for leg in c.legs),
        ),
    )
