"""The session to IB Gateway/TWS: connect, heartbeat, reconnect with backoff, paced requests.

``IbkrConnection`` owns the ``ib_async.IB`` object. A dropped socket (or a heartbeat that goes
unanswered, which is how a silently dead socket shows) starts a reconnect loop with exponential
backoff and full jitter; the owner is told through ``on_lost`` and ``on_restored`` so it can mark
in-flight orders ambiguous, then reconcile and resubscribe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from ib_async import IB
from ib_async.wrapper import RequestError

from backend.brokers.base import ConnectionEvent, ConnectionState
from backend.brokers.errors import (
    BrokerAuthFailed,
    BrokerDisconnected,
    BrokerError,
    BrokerTimeout,
    BrokerUnavailable,
)
from backend.brokers.ibkr.config import IbkrSettings, IbkrTuning
from backend.brokers.ibkr.error_codes import to_error
from backend.brokers.ibkr.pacing import TokenBucket
from backend.brokers.streams import EventHub

log = logging.getLogger(__name__)
T = TypeVar("T")


class IbkrConnection:
    """One API session to one gateway, kept alive until ``close``."""

    def __init__(
        self,
        settings: IbkrSettings,
        tuning: IbkrTuning,
        configure: Callable[[IB], None],
        on_lost: Callable[[str], None],
        on_restored: Callable[[], Awaitable[None]],
        *,
        connect_to: Callable[[str, int], Awaitable[str]] | None = None,
    ) -> None:
        self.settings = settings
        # Resolves and checks the host at every (re)connect and names the address to open, so a
        # name cannot pass the endpoint guard and then point elsewhere (the deployment's guard).
        self._connect_to = connect_to
        self.tuning = tuning
        self._configure = configure
        self._on_lost = on_lost
        self._on_restored = on_restored
        self.ib: IB | None = None
        self.state = ConnectionState.DISCONNECTED
        self.hub: EventHub[ConnectionEvent] = EventHub()
        self.bucket = TokenBucket(tuning.max_requests_per_second, tuning.request_burst)
        self.link_down = False
        """Set between 1100 and 1101/1102: the gateway is up but cut off from IB."""
        self.reconnects = 0
        self._closing = False
        self._lost = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._time_lock = asyncio.Lock()
        self._rng = random.Random()  # noqa: S311 - jitter, not security

    def set_state(self, state: ConnectionState, reason: str | None = None) -> None:
        """Record and publish a state change."""
        self.state = state
        self.hub.publish(ConnectionEvent(state, datetime.now(UTC), reason))

    def require(self) -> IB:
        """Return the live ``IB``; raise ``BrokerDisconnected`` when there is none."""
        ib = self.ib
        if ib is None or not ib.isConnected() or self.state is not ConnectionState.CONNECTED:
            raise BrokerDisconnected(f"IB session is {self.state.value}")
        return ib

    async def connect(self) -> None:
        """Open the session and start the supervisor; raise on failure."""
        self._closing = False
        self.set_state(ConnectionState.CONNECTING)
        try:
            await self._open()
        except BrokerError as error:
            self.set_state(ConnectionState.FAILED, str(error))
            raise
        self.set_state(ConnectionState.CONNECTED)
        self._supervisor = asyncio.create_task(self._supervise(), name="ibkr-supervisor")

    async def _open(self) -> None:
        s, timeout = self.settings, self.tuning.connect_timeout
        address = s.host if self._connect_to is None else await self._connect_to(s.host, s.port)
        ib = IB()
        ib.RaiseRequestErrors = True
        self._configure(ib)
        try:
            await asyncio.wait_for(
                ib.connectAsync(address, s.port, s.client_id, timeout=timeout, account=s.account_code),
                timeout * 2,
            )
        except TimeoutError as exc:
            ib.disconnect()
            raise BrokerTimeout(f"no answer from IB at {s.host}:{s.port} within {timeout}s") from exc
        except (OSError, ConnectionError) as exc:
            ib.disconnect()
            raise BrokerUnavailable(f"cannot reach IB at {s.host}:{s.port}: {exc}") from exc
        if s.account_code not in ib.managedAccounts():
            ib.disconnect()
            raise BrokerAuthFailed(f"this login does not manage account {s.account_code}")
        self.ib = ib
        self.link_down = False

    async def close(self) -> None:
        """Stop reconnecting and close the socket."""
        self._closing = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._supervisor
            self._supervisor = None
        ib, self.ib = self.ib, None
        if ib is not None:
            ib.disconnect()
        if self.state is not ConnectionState.DISCONNECTED:
            self.set_state(ConnectionState.DISCONNECTED, "closed")
        self.hub.close()

    # -- loss and recovery ------------------------------------------------------------------------

    def on_disconnected(self) -> None:
        """Handle ib_async's disconnect event (ignored for our own close and stale sessions)."""
        ib = self.ib
        if self._closing or ib is None or ib.isConnected():
            return
        self.ib = None
        self.set_state(ConnectionState.DISCONNECTED, "socket to the gateway lost")
        self._on_lost("socket to the gateway lost")
        self._lost.set()

    def drop(self, reason: str) -> None:
        """Give up on a session that stopped answering; the supervisor reconnects."""
        log.warning("dropping IB session: %s", reason)
        ib = self.ib
        if ib is not None:
            ib.disconnect()  # emits disconnectedEvent, which lands in on_disconnected

    async def _supervise(self) -> None:
        while not self._closing:
            try:
                await asyncio.wait_for(self._lost.wait(), self.tuning.heartbeat_interval)
            except TimeoutError:
                if self.ib is not None and not await self.heartbeat():
                    self.drop("heartbeat unanswered")
                continue
            self._lost.clear()
            await self._reconnect()

    async def heartbeat(self) -> bool:
        """Ask the gateway for its time; tell whether it answered within the heartbeat timeout."""
        try:
            await self.round_trip(self.tuning.heartbeat_timeout)
        except BrokerError:
            return False
        return True

    async def _reconnect(self) -> None:
        attempt = 0
        while not self._closing:
            attempt += 1
            self.set_state(ConnectionState.CONNECTING, f"reconnect attempt {attempt}")
            try:
                await self._open()
            except BrokerError as error:
                self.set_state(ConnectionState.DISCONNECTED, str(error))
                cap = min(
                    self.tuning.reconnect_max_delay, self.tuning.reconnect_base_delay * 2 ** (attempt - 1)
                )
                await asyncio.sleep(self._rng.uniform(cap / 2, cap))
                continue
            self.reconnects += 1
            self.set_state(ConnectionState.CONNECTED, "reconnected")
            try:
                await self._on_restored()
            except BrokerError as error:
                log.warning("IB reconciliation after reconnect failed: %s", error)
            return

    # -- requests ---------------------------------------------------------------------------------

    async def request(self, call: Callable[[IB], Awaitable[T]], within: float | None = None) -> T:
        """Send one paced request and await its answer, translating IB's failures."""
        await self.bucket.acquire()
        ib = self.require()
        try:
            return await asyncio.wait_for(call(ib), within or self.tuning.request_timeout)
        except RequestError as exc:
            raise to_error(exc.code, exc.message) from exc
        except TimeoutError as exc:
            raise BrokerTimeout("IB did not answer in time") from exc
        except ConnectionError as exc:
            raise BrokerDisconnected(f"IB session lost during a request: {exc}") from exc

    async def round_trip(self, within: float | None = None) -> datetime:
        """Ask the gateway for its time: everything it sent before has then been processed."""
        async with self._time_lock:
            result: datetime = await self.request(lambda ib: ib.reqCurrentTimeAsync(), within)
            return result
