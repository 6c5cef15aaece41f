"""Bull put spread: sell a put in the delta window, buy the put a wing width below it."""

from __future__ import annotations

from backend.agent.strategies.candidate import Candidate
from backend.agent.strategies.inputs import ChainView, Holdings, StrategyParams
from backend.agent.strategies.verticals import find_credit_verticals
from backend.domain.instruments import OptionRight

NAME = "bull_put_spread"


def find(chain: ChainView, holdings: Holdings, params: StrategyParams) -> list[Candidate]:
    """Propose the put credit spreads that pass every filter (none when combos are not supported)."""
    return find_credit_verticals(NAME, OptionRight.PUT, chain, holdings, params)
