"""Iron condor: a bull put spread and a bear call spread on the same expiry, sold as one trade."""

from __future__ import annotations

from backend.agent.strategies import describe
from backend.agent.strategies.build import Structure, build_candidates
from backend.agent.strategies.candidate import Candidate, Shape
from backend.agent.strategies.inputs import ChainView, Holdings, OptionRow, StrategyParams
from backend.agent.strategies.selection import LegPick, in_dte_window
from backend.agent.strategies.verticals import verticals
from backend.domain.instruments import OptionRight, Side

NAME = "iron_condor"


def _explain(chain: ChainView, put_short: OptionRow, call_short: OptionRow) -> describe.Explain:
    def explain(c: Candidate) -> str:
        return (
            f"Sell {c.quantity} {chain.underlying} iron condor, short the {describe.strike(put_short.strike)} "
            f"put and {describe.strike(call_short.strike)} call (deltas {describe.delta(put_short)}/"
            f"{describe.delta(call_short)}) in {describe.expiry(chain)}, for "
            f"{describe.net_price(c.limit_price)}; the most it can lose is {describe.dollars(c.max_loss)}. "
            f"The model gives {describe.chance(c.probability_of_profit)} of ending {describe.between(c)}."
        )

    return explain


def find(chain: ChainView, holdings: Holdings, params: StrategyParams) -> list[Candidate]:
    """Pair every passing put vertical with every passing call vertical above it into one condor."""
    if not params.combos_allowed or not in_dte_window(chain, params):
        return []
    structures = []
    calls = verticals(chain, OptionRight.CALL, params)
    for put_short, put_long in verticals(chain, OptionRight.PUT, params):
        for call_short, call_long in calls:
            if put_short.strike >= call_short.strike:
                continue
            picks = (
                LegPick(put_long, Side.BUY),
                LegPick(put_short, Side.SELL),
                LegPick(call_short, Side.SELL),
                LegPick(call_long, Side.BUY),
            )
            # Only one side can finish in the money, so the wider side bounds the risk.
            width = max(put_short.strike - put_long.strike, call_long.strike - call_short.strike)
            structures.append(
                Structure(picks, Shape(credit=True, width=width), _explain(chain, put_short, call_short))
            )
    return build_candidates(NAME, chain, holdings, params, structures)
