"""The contract suite against a real IB paper account (read-only unless orders are allowed).

Set ``IBKR_LIVE_HOST``, ``IBKR_LIVE_PORT``, ``IBKR_LIVE_CLIENT_ID`` and ``IBKR_LIVE_ACCOUNT`` (a
paper ``DU...`` account) to run; ``IBKR_LIVE_ORDERS=1`` also lets the cases place orders and
``IBKR_LIVE_DELAYED=1`` accepts delayed data.
"""

from __future__ import annotations

import os

import pytest

from backend.brokers.ibkr import IbkrBroker, IbkrSettings
from backend.tests.brokers.contract_suite import BrokerContract, BrokerHarness

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not os.environ.get("IBKR_LIVE_ACCOUNT"), reason="IBKR_LIVE_* settings not given"),
]


class TestIbkrLiveContract(BrokerContract):
    """Every numbered case against a real gateway on the wall clock."""

    async def make_harness(self) -> BrokerHarness:
        settings = IbkrSettings(
            host=os.environ.get("IBKR_LIVE_HOST", "127.0.0.1"),
            port=int(os.environ.get("IBKR_LIVE_PORT", "4002")),
            client_id=int(os.environ.get("IBKR_LIVE_CLIENT_ID", "17")),
            account_code=os.environ["IBKR_LIVE_ACCOUNT"],
            accept_delayed_data=os.environ.get("IBKR_LIVE_DELAYED") == "1",
        )
        return BrokerHarness(
            broker=IbkrBroker(settings),
            underlying=os.environ.get("IBKR_LIVE_UNDERLYING", "SPY"),
            places_orders=os.environ.get("IBKR_LIVE_ORDERS") == "1" and settings.is_paper,
            event_timeout=15.0,
        )
