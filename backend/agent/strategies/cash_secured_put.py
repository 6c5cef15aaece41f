"""Cash-secured put: sell a put in the delta window with its strike's cash set aside."""

from __future__ import annotations

from backend.agent.strategies import describe
from backend.agent.strategies.build import Structure, build_candidates
from backend.agent.strategies.candidate import Candidate, Shape
from backend.agent.strategies.inputs import ChainView, Holdings, OptionRow, StrategyParams
from backend.agent.strategies.selection import LegPick, in_dte_window, window_rows
from backend.domain.instruments import OptionRight, Side

NAME = "cash_secured_put"


def _explain(chain: ChainView, row: OptionRow) -> describe.Explain:
    def explain(c: Candidate) -> str:
        secured = row.strike * chain.multiplier * c.quantity
        return (
            f"Sell {c.quantity} {chain.underlying} {describe.strike(row.strike)} put (delta "
            f"{describe.delta(row)}) in {describe.expiry(chain)} for {describe.net_price(c.limit_price)}, "
            f"a {describe.dollars(c.max_profit)} premium on {describe.dollars(secured)} of cash secured. "
            f"The model gives {describe.chance(c.probability_of_profit)} of ending "
            f"{describe.between(c)}; below it we own the shares at that cost."
        )

    return explain


def find(chain: ChainView, holdings: Holdings, params: StrategyParams) -> list[Candidate]:
    """Sell each liquid put in the delta window, sized by the cash its strike ties up."""
    if not in_dte_window(chain, params):
        return []
    structures = [
        Structure(
            (LegPick(row, Side.SELL),),
            Shape(credit=True, collateral=row.strike * chain.multiplier),
            _explain(chain, row),
        )
        for row in window_rows(chain, OptionRight.PUT, Side.SELL, params)
    ]
    return build_candidates(NAME, chain, holdings, params, structures)
