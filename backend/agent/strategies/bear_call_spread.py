"""Bear call spread: sell a call in the delta window, buy the call a wing width above it."""

from __future__ import annotations

from backend.agent.strategies.candidate import Candidate
from backend.agent.strategies.inputs import ChainView, Holdings, StrategyParams
from backend.agent.strategies.verticals import find_credit_verticals
from backend.domain.instruments import OptionRight

NAME = "bear_call_spread"


def find(chain: ChainView, holdings: Holdings, params: StrategyParams) -> list[Candidate]:
    """Propose the call credit spreads that pass every filter (none when combos are not supported)."""
    return find_credit_verticals(NAME, OptionRight.CALL, chain, holdings, params)
