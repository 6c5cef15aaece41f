"""The orders this process is sending now: written and committed, the broker's answer not yet booked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class SendsInFlight:
    """Reconciliation asks here before it books an order the broker does not know as never sent."""

    def __init__(self) -> None:
        self._ids: set[str] = set()

    @contextmanager
    def sending(self, client_order_id: str) -> Iterator[None]:
        """Mark the order as on its way to the broker for the duration of the block."""
        self._ids.add(client_order_id)
        try:
            yield
        finally:
            self._ids.discard(client_order_id)

    def __contains__(self, client_order_id: object) -> bool:
        return client_order_id in self._ids
