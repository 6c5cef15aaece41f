"""A scan's candidate search shares the event loop: it yields between chains and strategies."""

from __future__ import annotations

import asyncio

from backend.agent import scanner
from backend.agent.pacing import Pacer
from backend.agent.profiles import profile_defaults
from backend.agent.strategies import rank, scan
from backend.tests.agent.strategies.chains import create_chain, create_holdings, create_params


async def test_other_work_runs_between_the_slices_of_a_search_and_the_result_is_the_whole_search() -> None:
    params = profile_defaults("moderate")
    chains = [create_chain(), create_chain(), create_chain()]
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(other_work())
    await asyncio.sleep(0)
    started = turns
    found = await scanner._candidates(chains, create_holdings(), create_params(), params, Pacer(1).inline())
    other.cancel()

    slices = len(chains) * len(params.entry.strategies)
    assert turns - started >= slices - 1, "the loop ran other work between the slices"
    whole = rank(
        candidate
        for name in params.entry.strategies
        for candidate in scan(
            chains, create_holdings(), scanner._sized_for_gate(create_params(), name, params), [name]
        )
    )
    assert found
    assert found == whole
