"""The polling loop that stands in for streaming: POEMS documents no push channel to third parties.

One task per session wakes every ``quote_interval`` (while someone watches quotes) and every
``order_interval`` (while orders are open) and asks the adapter to poll; the adapter publishes what
changed on the same ``EventHub`` streams every adapter uses. Both intervals and the client's own
rate limiter keep the loop inside the gateway's limits. A temporary failure is logged and the next
cycle tries again; a refused grant ends the loop and the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from backend.brokers.errors import BrokerAuthFailed, BrokerError

log = logging.getLogger(__name__)

PollStep = Callable[[], Awaitable[None]]
NeedsPoll = Callable[[], bool]


class PollLoop:
    """Runs the adapter's quote and order polls at their intervals until stopped."""

    def __init__(
        self,
        *,
        quote_interval: float,
        order_interval: float,
        quotes_wanted: NeedsPoll,
        orders_open: NeedsPoll,
        poll_quotes: PollStep,
        poll_orders: PollStep,
        on_auth_failure: Callable[[BrokerAuthFailed], None],
    ) -> None:
        self._quote_interval = quote_interval
        self._order_interval = order_interval
        self._quotes_wanted = quotes_wanted
        self._orders_open = orders_open
        self._poll_quotes = poll_quotes
        self._poll_orders = poll_orders
        self._on_auth_failure = on_auth_failure
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.failures = 0

    def start(self) -> None:
        """Start the loop (once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="phillip-poll")

    def wake(self) -> None:
        """Poll now instead of at the next interval (a new subscription or order)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop the loop and wait for it."""
        task, self._task = self._task, None
        self._stopping = True
        if task is not None:
            task.cancel()
            # Bounded: a poll stuck in a slow request must not hold up closing the session.
            await asyncio.wait({task}, timeout=5.0)

    async def _run(self) -> None:
        next_quotes = next_orders = 0.0
        while not self._stopping:
            now = time.monotonic()
            woken = self._wake.is_set()
            self._wake.clear()
            try:
                if self._quotes_wanted() and (woken or now >= next_quotes):
                    next_quotes = now + self._quote_interval
                    await self._poll_quotes()
                if self._orders_open() and (woken or now >= next_orders):
                    next_orders = now + self._order_interval
                    await self._poll_orders()
            except BrokerAuthFailed as error:
                self._on_auth_failure(error)
                return
            except BrokerError as error:
                self.failures += 1
                log.warning("POEMS poll failed, retrying next cycle: %s", error.message)
            due = [
                t
                for t, wanted in ((next_quotes, self._quotes_wanted()), (next_orders, self._orders_open()))
                if wanted
            ]
            target = min(due) if due else now + max(self._quote_interval, self._order_interval)
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow the stop's cancellation.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(target - time.monotonic(), 0.01)):
                    await self._wake.wait()
