"""The orders this process is sending now: written and committed, the broker's answer not yet booked."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from backend.domain.orders import OrderState

logger = logging.getLogger("greekdesk.execution")


@dataclass
class Send:
    """One order on its way to the broker."""

    booked: OrderState | None = None
    """The broker's answer the sender booked and committed (or, forwarded, that its caller books); None without one."""
    then: Callable[[OrderState | None], None] | None = None
    """What to do once the send ends, given `booked`: the latest event about the order left for then."""


class SendsInFlight:
    """Reconciliation and the order-event consumer ask here before they book an order someone is sending."""

    def __init__(self) -> None:
        self._sends: dict[str, Send] = {}

    @contextmanager
    def sending(self, client_order_id: str, *, linger: float = 0.0) -> Iterator[Send]:
        """Mark the order as on its way to the broker for the duration of the block.

        `linger`: seconds it stays marked after a block that ended without an error, because another
        process books the answer (a send forwarded to this worker): its events that say no more than
        `booked` are that booking's, and any that say more wait for it.
        """
        send = Send()
        self._sends[client_order_id] = send
        failed = True
        try:
            yield send
            failed = False
        finally:
            if linger > 0 and not failed:
                asyncio.get_running_loop().call_later(linger, self._end, client_order_id, send)
            else:
                self._end(client_order_id, send)

    def _end(self, client_order_id: str, send: Send) -> None:
        if self._sends.get(client_order_id) is send:
            del self._sends[client_order_id]
        if send.then is not None:
            try:
                send.then(send.booked)
            except Exception:
                # The send itself is done and booked: a follow-up that fails must not undo that.
                logger.exception("an order's follow-up after its send failed")

    def after(self, client_order_id: str, then: Callable[[OrderState | None], None]) -> bool:
        """Leave `then` for when the order's send ends (replacing what was left before); False when none is under way."""
        send = self._sends.get(client_order_id)
        if send is None:
            return False
        send.then = then
        return True

    def __contains__(self, client_order_id: object) -> bool:
        return client_order_id in self._sends
