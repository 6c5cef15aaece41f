"""The agent's option strategies: pure functions from a chain, holdings and parameters to ranked candidates.

Each strategy is one module with `find(chain, holdings, params) -> list[Candidate]`; `scan` runs the
enabled ones over several chains and ranks what they found. No I/O anywhere in this package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from backend.agent.strategies import (
    bear_call_spread,
    bull_put_spread,
    cash_secured_put,
    collar,
    covered_call,
    iron_condor,
    protective_put,
    wheel,
)
from backend.agent.strategies.candidate import Candidate, TradeGreeks, payoff_at_expiry, rank
from backend.agent.strategies.inputs import ChainView, Holdings, OptionRow, StrategyParams, chain_view
from backend.agent.strategies.payoff import HeldStock
from backend.domain.values import InvalidValue

Strategy = Callable[[ChainView, Holdings, StrategyParams], list[Candidate]]

STRATEGIES: dict[str, Strategy] = {
    cash_secured_put.NAME: cash_secured_put.find,
    covered_call.NAME: covered_call.find,
    wheel.NAME: wheel.find,
    bull_put_spread.NAME: bull_put_spread.find,
    bear_call_spread.NAME: bear_call_spread.find,
    iron_condor.NAME: iron_condor.find,
    protective_put.NAME: protective_put.find,
    collar.NAME: collar.find,
}


def scan(
    chains: Iterable[ChainView], holdings: Holdings, params: StrategyParams, enabled: Iterable[str]
) -> list[Candidate]:
    """Run the enabled strategies over every chain and return what they found, best first."""
    names = list(dict.fromkeys(enabled))
    unknown = sorted(set(names) - STRATEGIES.keys())
    if unknown:
        raise InvalidValue(f"unknown strategies: {', '.join(unknown)}")
    found: list[Candidate] = []
    for chain in chains:
        for name in names:
            found.extend(STRATEGIES[name](chain, holdings, params))
    return rank(found)


__all__ = [
    "STRATEGIES",
    "Candidate",
    "ChainView",
    "HeldStock",
    "Holdings",
    "OptionRow",
    "Strategy",
    "StrategyParams",
    "TradeGreeks",
    "chain_view",
    "payoff_at_expiry",
    "rank",
    "scan",
]
