"""The fake IB Gateway: an asyncio server speaking the TWS socket protocol over a simulated account.

One ``FakeGateway`` is one IB login: one account (a ``SimulatorBroker`` on a shared
``SimulatedMarket``), any number of API sessions (one per client id). It records every inbound
frame for tests and injects faults on demand (see ``Faults``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

from backend.brokers.ibkr.fake_gateway import messages as m
from backend.brokers.ibkr.fake_gateway.contracts import ContractBook
from backend.brokers.ibkr.fake_gateway.handlers import Handlers
from backend.brokers.ibkr.fake_gateway.market_data import quote_ticks
from backend.brokers.ibkr.fake_gateway.orders import FakeOrder, translate
from backend.brokers.ibkr.fake_gateway.session import Faults, Frame, Session, Subscription
from backend.brokers.ibkr.fake_gateway.wire import ProtocolError, read_frame, read_handshake
from backend.brokers.simulator import AccountConfig, SimulatedMarket, SimulatorBroker
from backend.domain.orders import OrderEvent

__all__ = ["FakeGateway", "Faults", "Frame"]

log = logging.getLogger(__name__)


class FakeGateway:
    """One fake IB login serving the TWS API on a local port."""

    def __init__(
        self,
        market: SimulatedMarket,
        account: str = "DU1234567",
        *,
        account_config: AccountConfig | None = None,
        first_order_id: int = 1,
    ) -> None:
        self.market = market
        self.account = account
        self.venue = SimulatorBroker(market, account, account_config)
        self.contracts = ContractBook(market)
        self.faults = Faults()
        self.frames: list[Frame] = []
        self.sessions: list[Session] = []
        self.orders: dict[str, FakeOrder] = {}
        self.next_order_id = first_order_id
        self.next_perm_id = 1_000_000
        self._server: asyncio.Server | None = None
        self._events = self.venue.order_events()
        self._session_seq = 0
        self._handlers = Handlers(self)
        self.port = 0

    # -- life -------------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on ``host:port`` (0 picks a free port); return the port."""
        await self.venue.connect()
        self._server = await asyncio.start_server(self._serve, host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Close every session and stop listening."""
        for session in list(self.sessions):
            session.drop()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
        self.venue.detach()

    # -- faults -----------------------------------------------------------------------------------

    def drop_connections(self) -> None:
        """Cut every API socket (a network failure or the nightly reset)."""
        for session in list(self.sessions):
            session.drop()

    def silence_sessions(self) -> None:
        """Make every current session read but never answer again (new sessions are healthy)."""
        for session in self.sessions:
            session.silent = True

    def broadcast(self, code: int, text: str) -> None:
        """Send a notice (e.g. 1100, 1101, 1102) to every session."""
        for session in self.sessions:
            session.send(m.error(-1, code, text))

    def connectivity_lost(self) -> None:
        """Tell every session the link to IB's servers is down (1100)."""
        self.broadcast(1100, "Connectivity between IB and Trader Workstation has been lost.")

    def connectivity_restored(self, *, data_lost: bool) -> None:
        """Send 1101 (market data subscriptions lost) or 1102 (kept)."""
        if data_lost:
            for session in self.sessions:
                session.subscriptions.clear()
            self.broadcast(1101, "Connectivity between IB and TWS has been restored- data lost.")
        else:
            self.broadcast(1102, "Connectivity between IB and TWS has been restored- data maintained.")

    def frames_of(self, msg_id: int) -> list[Frame]:
        """Return the recorded inbound frames with ``msg_id``."""
        return [f for f in self.frames if f.msg_id == msg_id]

    # -- the venue moving -------------------------------------------------------------------------

    def advance(self, delta: timedelta) -> None:
        """Move the simulated market forward, then report fills and stream quotes."""
        self.market.advance(delta)
        self.pump()

    def pump(self) -> None:
        """Forward the account's order events and every subscription's current quote."""
        self.forward_order_events()
        for session in self.sessions:
            for sub in list(session.subscriptions.values()):
                self.send_quote(session, sub)

    def forward_order_events(self) -> None:
        """Turn queued account order events into messages for the orders' clients."""
        for event in self._events.pending():
            self._forward(event)

    def _forward(self, event: OrderEvent) -> None:
        order = self.orders.get(event.client_order_id)
        if order is None:
            return
        messages = translate(order, event, self.account)
        for session in self.sessions:
            if session.client_id == order.client_id:
                for message in messages:
                    session.send(message)
            if session.account_updates and event.execution is not None:
                self._handlers.send_portfolio(session)

    def send_quote(self, session: Session, sub: Subscription) -> None:
        """Send the current quote of one subscription."""
        quote = self.market.quote(sub.instrument)
        for message in quote_ticks(
            sub.req_id,
            quote,
            delayed=sub.delayed,
            greeks=self.faults.send_greeks,
            garbage=self.faults.garbage_ticks,
        ):
            session.send(message)

    # -- sessions ---------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._session_seq += 1
        session = Session(self._session_seq, writer)
        try:
            await read_handshake(reader)
            session.send(m.handshake(self.market.now()))
            self.sessions.append(session)
            while True:
                fields = (await read_frame(reader)).decode(errors="backslashreplace").split("\0")
                if fields and fields[-1] == "":
                    fields.pop()
                self.frames.append(Frame(session.number, time.monotonic(), tuple(fields)))
                if self.faults.latency:
                    await asyncio.sleep(self.faults.latency)
                if session.silent or writer.is_closing():
                    continue
                if self._paced(session, fields):
                    continue
                await self._handlers.handle(session, fields)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ProtocolError) as exc:
            log.debug("fake gateway session %s ended: %r", session.number, exc)
        finally:
            if session in self.sessions:
                self.sessions.remove(session)
            if not writer.is_closing():
                writer.close()

    def _paced(self, session: Session, fields: list[str]) -> bool:
        now = time.monotonic()
        session.recent = [t for t in session.recent if now - t < 1.0]
        session.recent.append(now)
        over = len(session.recent) > self.faults.max_messages_per_second
        if self.faults.pacing_errors > 0 or over:
            if not over:
                self.faults.pacing_errors -= 1
            req_id = _req_id(fields)
            session.send(
                m.error(req_id, 100, "Max rate of messages per second has been exceeded:max=50 rec=51")
            )
            return True
        return False


def _req_id(fields: list[str]) -> int:
    """Return the request or order id a request carries, or -1."""
    try:
        msg_id = int(fields[0])
    except (IndexError, ValueError):
        return -1
    position = {1: 2, 3: 1, 4: 2, 9: 2, 62: 2, 78: 1}.get(msg_id)
    if position is None or position >= len(fields):
        return -1
    try:
        return int(fields[position])
    except ValueError:
        return -1
