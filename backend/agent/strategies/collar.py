"""Collar: for shares held, buy a put and sell a call, both in the delta window."""

from __future__ import annotations

from backend.agent.strategies import describe
from backend.agent.strategies.build import Structure, build_candidates
from backend.agent.strategies.candidate import Candidate, Shape
from backend.agent.strategies.inputs import ChainView, Holdings, OptionRow, StrategyParams
from backend.agent.strategies.selection import LegPick, in_dte_window, window_rows
from backend.domain.instruments import OptionRight, Side

NAME = "collar"


def _explain(chain: ChainView, put: OptionRow, call: OptionRow) -> describe.Explain:
    def explain(c: Candidate) -> str:
        shares = c.quantity * chain.multiplier
        return (
            f"Collar {shares} {chain.underlying} shares held at {chain.spot}: buy the "
            f"{describe.strike(put.strike)} put and sell the {describe.strike(call.strike)} call in "
            f"{describe.expiry(chain)} for {describe.net_price(c.limit_price)}. The loss is capped at "
            f"{describe.dollars(c.max_loss)} and the gain at {describe.dollars(c.max_profit)}; the model "
            f"gives {describe.chance(c.probability_of_profit)} of ending {describe.between(c)}."
        )

    return explain


def find(chain: ChainView, holdings: Holdings, params: StrategyParams) -> list[Candidate]:
    """Pair each buyable put with each sellable call above it (none without shares or combo support)."""
    held = holdings.shares_of(chain.underlying)
    if not params.combos_allowed or not in_dte_window(chain, params) or held < chain.multiplier:
        return []
    calls = window_rows(chain, OptionRight.CALL, Side.SELL, params)
    structures = [
        Structure(
            (LegPick(put, Side.BUY), LegPick(call, Side.SELL)),
            Shape(credit=False, covered=True),
            _explain(chain, put, call),
        )
        for put in window_rows(chain, OptionRight.PUT, Side.BUY, params)
        for call in calls
        if call.strike > put.strike
    ]
    return build_candidates(NAME, chain, holdings, params, structures)
