"""The wheel: sell covered calls while the shares are held, cash-secured puts until they are."""

from __future__ import annotations

from dataclasses import replace

from backend.agent.strategies import cash_secured_put, covered_call
from backend.agent.strategies.candidate import Candidate
from backend.agent.strategies.inputs import ChainView, Holdings, StrategyParams

NAME = "wheel"


def find(chain: ChainView, holdings: Holdings, params: StrategyParams) -> list[Candidate]:
    """Propose the wheel's current step: covered calls on a round lot held, otherwise cash-secured puts."""
    if holdings.shares_of(chain.underlying) >= chain.multiplier:
        step = covered_call.find(chain, holdings, params)
    else:
        step = cash_secured_put.find(chain, holdings, params)
    return [replace(candidate, strategy=NAME) for candidate in step]
