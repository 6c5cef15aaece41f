"""A proposal reads the broker before it takes a pooled connection for the client's own reads."""

from __future__ import annotations

import pytest
from sqlalchemy.pool import QueuePool

from backend.domain.instruments import Stock
from backend.kit.container import Container
from backend.tests.conftest import create_client_user
from backend.tests.execution.helpers import agent_proposal, connections_at_reads, pool_idle

_READS = ("positions", "quotes", "account_summary")


@pytest.mark.postgres
async def test_a_proposals_gate_asks_the_broker_while_it_holds_no_pooled_connection(
    container: Container,
) -> None:
    user = await create_client_user(container)
    session = await container.brokers.session_for(user.client_id)
    assert await session.wait_connected(5.0)
    broker = session.broker
    pool = container.engine.pool
    assert isinstance(pool, QueuePool)
    (quote,) = await broker.quotes([Stock("SPY")])
    assert quote.ask is not None
    await pool_idle(pool)  # the new session's own bookkeeping is done: the count below is the pool's
    with connections_at_reads(broker, pool, _READS) as seen:
        proposed = await agent_proposal(
            container,
            user.client_id,
            {
                "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
                "quantity": 1,
                "limit_price": str(quote.ask.value),
            },
        )
    assert proposed.status == "pending_approval", proposed.denial_reasons
    # A real broker may take hundreds of milliseconds to answer: a connection held meanwhile is one
    # fewer for every other request and tick.
    assert {name for name, _ in seen} == set(_READS)
    assert all(checked_out == 0 for _, checked_out in seen), seen
