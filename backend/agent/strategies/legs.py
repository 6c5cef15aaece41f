"""What a candidate needs of one picked leg, worked out once per chain and side.

A condor search pairs every put vertical with every call vertical, so the same few legs come up
thousands of times in one scan: their option, liquidity, price part and greeks are read once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from backend.agent.strategies.inputs import ChainView, Holdings, StrategyParams
from backend.agent.strategies.selection import LegPick, leg_net, liquid, spread_pct
from backend.domain.instruments import Option, OptionRight, Side


@dataclass(frozen=True, slots=True)
class LegFacts:
    """One leg as a candidate reads it."""

    option: Option
    held: bool
    """The client already holds this option: the agent never trades what it holds."""
    liquid: bool
    net: Decimal
    """The leg's part of the limit price (`selection.leg_net`); 0 without a two-sided market, where
    the leg is not liquid either."""
    iv: float | None
    greeks: tuple[float, ...] | None
    """Delta, gamma, vega and theta per share signed by the side; None when one is missing or not finite."""
    spread: Decimal
    """Bid-ask spread as a share of mid, 0 without a market (for the liquidity part of the score)."""


class LegBook:
    """The facts of one chain's legs for one build, kept by strike, right and side."""

    def __init__(self, chain: ChainView, holdings: Holdings, params: StrategyParams) -> None:
        self._chain, self._holdings, self._params = chain, holdings, params
        self._facts: dict[tuple[Decimal, OptionRight, Side], LegFacts] = {}

    def of(self, pick: LegPick) -> LegFacts:
        """Return the facts of a picked leg."""
        key = (pick.row.strike, pick.row.right, pick.side)
        facts = self._facts.get(key)
        if facts is None:
            facts = self._facts[key] = self._read(pick)
        return facts

    def _read(self, pick: LegPick) -> LegFacts:
        row, side = pick.row, pick.side
        option = self._chain.option(row)
        values = (row.delta, row.gamma, row.vega, row.theta)
        finite = [value for value in values if value is not None and math.isfinite(value)]
        greeks = tuple(side.sign * value for value in finite) if len(finite) == len(values) else None
        return LegFacts(
            option=option,
            held=option.key in self._holdings.option_keys,
            liquid=liquid(row, side, self._params),
            net=leg_net(row, side, self._params)
            if row.bid is not None and row.ask is not None
            else Decimal(0),
            iv=row.iv,
            greeks=greeks,
            spread=spread_pct(row) or Decimal(0),
        )
