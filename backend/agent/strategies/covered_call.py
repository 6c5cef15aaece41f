"""Covered call: sell one call in the delta window per round lot of shares held."""

from __future__ import annotations

from backend.agent.strategies import describe
from backend.agent.strategies.build import Structure, build_candidates
from backend.agent.strategies.candidate import Candidate, Shape
from backend.agent.strategies.inputs import ChainView, Holdings, OptionRow, StrategyParams
from backend.agent.strategies.selection import LegPick, in_dte_window, window_rows
from backend.domain.instruments import OptionRight, Side

NAME = "covered_call"


def _explain(chain: ChainView, row: OptionRow) -> describe.Explain:
    def explain(c: Candidate) -> str:
        shares = c.quantity * chain.multiplier
        return (
            f"Sell {c.quantity} {chain.underlying} {describe.strike(row.strike)} call (delta "
            f"{describe.delta(row)}) in {describe.expiry(chain)} against {shares} shares held, for "
            f"{describe.net_price(c.limit_price)}: up to {describe.dollars(c.max_profit)} if called away "
            f"above {describe.strike(row.strike)} (from {chain.spot}). The model gives "
            f"{describe.chance(c.probability_of_profit)} of ending {describe.between(c)}."
        )

    return explain


def find(chain: ChainView, holdings: Holdings, params: StrategyParams) -> list[Candidate]:
    """Sell each liquid call in the delta window against the round lots held (none without shares)."""
    if not in_dte_window(chain, params) or holdings.shares_of(chain.underlying) < chain.multiplier:
        return []
    structures = [
        Structure((LegPick(row, Side.SELL),), Shape(credit=True, covered=True), _explain(chain, row))
        for row in window_rows(chain, OptionRight.CALL, Side.SELL, params)
    ]
    return build_candidates(NAME, chain, holdings, params, structures)
