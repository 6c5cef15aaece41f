"""Turn the structures a strategy picked into priced, sized, explained candidates, or refuse them.

Filters, price and size apply structure by structure; the model then values every survivor of a
chain in one pass (see `payoff.Lognormal`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from backend.agent.strategies.candidate import Candidate, Shape, TradeGreeks, score
from backend.agent.strategies.inputs import ChainView, Holdings, StrategyParams
from backend.agent.strategies.legs import LegBook, LegFacts
from backend.agent.strategies.payoff import HeldStock, Lognormal, Payoff
from backend.agent.strategies.selection import LegPick, largest_quantity, limit_price
from backend.domain.instruments import ComboLeg, Option, Stock
from backend.domain.values import CENT, to_decimal

RATIO_QUANTUM = Decimal("0.0001")


def _trade_greeks(legs: Sequence[LegFacts], multiplier: int, quantity: int) -> TradeGreeks | None:
    totals = [0.0, 0.0, 0.0, 0.0]
    for leg in legs:
        if leg.greeks is None:
            return None
        for i, signed in enumerate(leg.greeks):
            totals[i] += signed * multiplier * quantity
    delta, gamma, vega, theta = (to_decimal(value).quantize(CENT) for value in totals)
    return TradeGreeks(delta=delta, gamma=gamma, vega=vega, theta=theta)


def _mean_iv(ivs: Sequence[float | None]) -> float | None:
    if any(iv is None or not math.isfinite(iv) or iv <= 0 for iv in ivs):
        return None
    return sum(iv for iv in ivs if iv is not None) / len(ivs)


@dataclass(frozen=True, slots=True)
class Structure:
    """Legs a strategy picked, the kind of trade they make and how to explain the candidate."""

    picks: tuple[LegPick, ...]
    shape: Shape
    explain: Callable[[Candidate], str]


@dataclass(frozen=True, slots=True)
class _Sized:
    """A structure that passed every filter and limit, priced and sized, before the model values it."""

    structure: Structure
    legs: tuple[ComboLeg, ...]
    price: Decimal
    held: HeldStock | None
    payoff: Payoff
    breakevens: tuple[Decimal, ...]
    quantity: int
    max_profit: Decimal | None
    capital_at_risk: Decimal
    greeks: TradeGreeks
    sigma: float
    mean_spread: Decimal


def build_candidates(
    strategy: str,
    chain: ChainView,
    holdings: Holdings,
    params: StrategyParams,
    structures: Iterable[Structure],
) -> list[Candidate]:
    """Price, check, size and value the structures; keep those no filter or limit refuses."""
    if chain.spot <= 0:
        return []  # no price to value a trade from: fail closed
    book = LegBook(chain, holdings, params)
    sized = [found for found in (_sized(chain, holdings, params, book, s) for s in structures) if found]
    if not sized:
        return []
    model = Lognormal(float(chain.spot), chain.years, chain.rate, chain.dividend_yield)
    pops = model.probabilities_of_profit([(s.payoff, s.breakevens, s.sigma) for s in sized])
    evs = model.expected_values([(s.payoff, s.sigma) for s in sized])
    return [
        _candidate(strategy, chain, s, pop, ev)
        for s, pop, ev in zip(sized, pops, evs, strict=True)
        if math.isfinite(pop) and ev.is_finite()
    ]


def reprice(
    candidate: Candidate, chain: ChainView, holdings: Holdings, params: StrategyParams
) -> Candidate | None:
    """Price, check, size and value a candidate again on a newer chain of its legs; None when it fails now.

    A scan picks its structures from a whole chain and then quotes only the few it proposes again:
    the order goes out at a price from those quotes, not from the chain read before the search.
    """
    rows = {(row.strike, row.right): row for row in chain.rows}
    picks = []
    for leg in candidate.legs:
        option = leg.instrument
        row = rows.get((option.strike.value, option.right)) if isinstance(option, Option) else None
        if row is None:
            return None
        picks.append(LegPick(row, leg.side))
    structure = Structure(tuple(picks), candidate.shape, candidate.explain)
    found = build_candidates(candidate.strategy, chain, holdings, params, [structure])
    return found[0] if found else None


def _sized(
    chain: ChainView, holdings: Holdings, params: StrategyParams, book: LegBook, structure: Structure
) -> _Sized | None:
    picks, shape = structure.picks, structure.shape
    facts = [book.of(pick) for pick in picks]
    if any(leg.held for leg in facts) or not all(leg.liquid for leg in facts):
        return None
    sigma = _mean_iv([leg.iv for leg in facts])
    if sigma is None:
        return None
    price = limit_price([leg.net for leg in facts], params, chain.ticks)
    if shape.credit:
        credit = -price
        if credit <= 0 or credit < params.min_credit:
            return None
        if shape.width is not None and credit / shape.width < params.min_credit_to_width:
            return None
    legs = tuple(ComboLeg(leg.option, 1, pick.side) for leg, pick in zip(facts, picks, strict=True))
    held = HeldStock(Stock(chain.underlying), chain.multiplier, chain.spot) if shape.covered else None
    payoff = Payoff.of(legs, price, held)
    unit = payoff.profile()
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
    greeks = _trade_greeks(facts, chain.multiplier, quantity)
    if quantity == 0 or greeks is None:
        return None
    return _Sized(
        structure,
        legs,
        price,
        held,
        payoff,
        unit.breakevens,
        quantity,
        unit.max_profit * quantity if unit.max_profit is not None else None,
        unit.max_loss * quantity,
        greeks,
        sigma,
        sum((leg.spread for leg in facts), Decimal(0)) / len(facts),
    )


def _candidate(strategy: str, chain: ChainView, sized: _Sized, pop: float, ev: Decimal) -> Candidate:
    max_profit, capital = sized.max_profit, sized.capital_at_risk
    ror = (max_profit / capital).quantize(RATIO_QUANTUM) if max_profit is not None and capital > 0 else None
    return Candidate(
        strategy=strategy,
        underlying=chain.underlying,
        expiry=chain.expiry,
        legs=sized.legs,
        quantity=sized.quantity,
        limit_price=sized.price,
        max_profit=max_profit,
        max_loss=capital,
        breakevens=sized.breakevens,
        probability_of_profit=pop,
        expected_value=ev * sized.quantity,
        return_on_risk=ror,
        capital_at_risk=capital,
        greeks=sized.greeks,
        explain=sized.structure.explain,
        score=score(max_profit, capital, pop, chain.dte, sized.mean_spread),
        covered=sized.held,
        shape=sized.structure.shape,
    )
