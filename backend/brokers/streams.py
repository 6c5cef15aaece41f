"""Fan-out of events to any number of subscribers, each with its own bounded queue.

Every adapter publishes its order, position, connection and quote streams through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, Self, TypeVar

T = TypeVar("T")

_CLOSED = object()


class Subscription(Generic[T]):
    """One subscriber's queue; iterate it with ``async for``."""

    def __init__(self, hub: EventHub[T], accepts: Callable[[T], bool] | None, maxsize: int) -> None:
        self._hub = hub
        self._accepts = accepts
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize=maxsize)
        self._closed = False
        self.dropped = 0
        """Events lost because this subscriber fell behind (oldest dropped first)."""

    @property
    def closed(self) -> bool:
        """Tell whether the subscription has ended."""
        return self._closed

    def offer(self, event: T) -> None:
        """Queue ``event`` if this subscriber wants it, dropping the oldest when full."""
        if self._closed or (self._accepts is not None and not self._accepts(event)):
            return
        if self._queue.full():
            # A slow consumer must not block the venue; it can re-query state to catch up.
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    def end(self) -> None:
        """Finish the iteration after what is already queued."""
        if self._closed:
            return
        self._closed = True
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(_CLOSED)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        item = await self._queue.get()
        if item is _CLOSED:
            raise StopAsyncIteration
        return item  # type: ignore[return-value]  # only T or the sentinel is ever queued

    def pending(self) -> list[T]:
        """Take every queued event without waiting."""
        items: list[T] = []
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is _CLOSED:
                self._queue.put_nowait(item)
                break
            items.append(item)  # type: ignore[arg-type]  # only T or the sentinel is queued
        return items

    async def aclose(self) -> None:
        """Unsubscribe and end the iteration."""
        self._hub.unsubscribe(self)
        self.end()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class EventHub(Generic[T]):
    """Publish events to every live subscription."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._subscriptions: list[Subscription[T]] = []
        self._maxsize = maxsize

    def subscribe(self, accepts: Callable[[T], bool] | None = None) -> Subscription[T]:
        """Return a new subscription, optionally filtered."""
        subscription = Subscription(self, accepts, self._maxsize)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription[T]) -> None:
        """Stop delivering to ``subscription``."""
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    def publish(self, event: T) -> None:
        """Deliver ``event`` to every subscription without waiting."""
        for subscription in list(self._subscriptions):
            subscription.offer(event)

    def close(self) -> None:
        """End every subscription."""
        for subscription in self._subscriptions:
            subscription.end()
        self._subscriptions.clear()

    @property
    def subscriber_count(self) -> int:
        """Return how many subscriptions are live."""
        return len(self._subscriptions)
