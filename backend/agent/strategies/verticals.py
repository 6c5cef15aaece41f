"""Credit verticals shared by the bull put, bear call and iron condor: short in the window, long a wing away."""

from __future__ import annotations

from backend.agent.strategies import describe
from backend.agent.strategies.build import Structure, build_candidates
from backend.agent.strategies.candidate import Candidate, Shape
from backend.agent.strategies.inputs import ChainView, Holdings, OptionRow, StrategyParams
from backend.agent.strategies.selection import LegPick, in_dte_window, window_rows, wing_row
from backend.domain.instruments import OptionRight, Side


def verticals(
    chain: ChainView, right: OptionRight, params: StrategyParams
) -> list[tuple[OptionRow, OptionRow]]:
    """Return (short, long) rows: each sellable short in the delta window with its nearest wing."""
    pairs = []
    for short in window_rows(chain, right, Side.SELL, params):
        long = wing_row(chain, short, params)
        if long is not None:
            pairs.append((short, long))
    return pairs


def _explain(chain: ChainView, short: OptionRow, long: OptionRow) -> describe.Explain:
    kind = "put" if short.right is OptionRight.PUT else "call"

    def explain(c: Candidate) -> str:
        width = abs(short.strike - long.strike)
        return (
            f"Sell {c.quantity} {chain.underlying} {describe.strike(short.strike)}/"
            f"{describe.strike(long.strike)} {kind} spread (short delta {describe.delta(short)}) in "
            f"{describe.expiry(chain)} for {describe.net_price(c.limit_price)}, "
            f"{-c.limit_price / width:.0%} of the {describe.strike(width)}-point width; the most it can "
            f"lose is {describe.dollars(c.max_loss)}. The model gives "
            f"{describe.chance(c.probability_of_profit)} of ending {describe.between(c)}."
        )

    return explain


def find_credit_verticals(
    name: str, right: OptionRight, chain: ChainView, holdings: Holdings, params: StrategyParams
) -> list[Candidate]:
    """Sell each credit vertical of one right that passes the filters and fits the risk budget."""
    if not params.combos_allowed or not in_dte_window(chain, params):
        return []
    structures = [
        Structure(
            (LegPick(short, Side.SELL), LegPick(long, Side.BUY)),
            Shape(credit=True, width=abs(short.strike - long.strike)),
            _explain(chain, short, long),
        )
        for short, long in verticals(chain, right, params)
    ]
    return build_candidates(name, chain, holdings, params, structures)
