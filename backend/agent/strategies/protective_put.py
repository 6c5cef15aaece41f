"""Protective put: buy a put in the delta window for each round lot of shares held."""

from __future__ import annotations

from backend.agent.strategies import describe
from backend.agent.strategies.build import Structure, build_candidates
from backend.agent.strategies.candidate import Candidate, Shape
from backend.agent.strategies.inputs import ChainView, Holdings, OptionRow, StrategyParams
from backend.agent.strategies.selection import LegPick, in_dte_window, window_rows
from backend.domain.instruments import OptionRight, Side

NAME = "protective_put"


def _explain(chain: ChainView, row: OptionRow) -> describe.Explain:
    def explain(c: Candidate) -> str:
        shares = c.quantity * chain.multiplier
        return (
            f"Buy {c.quantity} {chain.underlying} {describe.strike(row.strike)} put (delta "
            f"{describe.delta(row)}) in {describe.expiry(chain)} for {describe.net_price(c.limit_price)} "
            f"to protect {shares} shares held at {chain.spot}: the loss through expiry is capped at "
            f"{describe.dollars(c.max_loss)} while the upside stays open ({describe.between(c)} at expiry)."
        )

    return explain


def find(chain: ChainView, holdings: Holdings, params: StrategyParams) -> list[Candidate]:
    """Buy each liquid put in the delta window against the round lots held (none without shares)."""
    if not in_dte_window(chain, params) or holdings.shares_of(chain.underlying) < chain.multiplier:
        return []
    structures = [
        Structure((LegPick(row, Side.BUY),), Shape(credit=False, covered=True), _explain(chain, row))
        for row in window_rows(chain, OptionRight.PUT, Side.BUY, params)
    ]
    return build_candidates(NAME, chain, holdings, params, structures)
