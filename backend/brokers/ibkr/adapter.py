"""``IbkrBroker``: one client's Interactive Brokers account behind the broker port, on ib_async.

Orders carry our ``client_order_id`` as IB's ``orderRef``; that is how an order is found again in
open and completed orders after a reconnect, and why an order whose outcome was lost is never sent
twice. ``place_order`` returns after the acknowledgement plus one round trip, so fills IB reported
with the acknowledgement are in the returned state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

from ib_async import IB, Contract, Fill, Ticker, Trade
from ib_async import Option as IbOption
from ib_async.objects import CommissionReport

from backend.brokers.base import (
    AccountSummary,
    Capabilities,
    ConnectionEvent,
    ConnectionState,
    OptionChain,
    PlacedOrder,
    Position,
    PositionEvent,
    Quote,
)
from backend.brokers.errors import (
    BrokerDisconnected,
    BrokerError,
    BrokerTimeout,
    DuplicateClientOrderId,
    InvalidOrder,
    MarketDataUnavailable,
    OrderNotCancellable,
    UnknownInstrument,
    UnknownOrder,
)
from backend.brokers.ibkr import parsing
from backend.brokers.ibkr.config import IbkrSettings, IbkrTuning
from backend.brokers.ibkr.connection import IbkrConnection
from backend.brokers.ibkr.error_codes import DELAYED_FALLBACK_CODES, Kind, lookup, to_error
from backend.brokers.ibkr.market_data import Line, Lines
from backend.brokers.ibkr.order_book import OrderBook, TrackedOrder
from backend.brokers.streams import EventHub, Subscription
from backend.domain.instruments import Combo, Option, SingleInstrument, Stock
from backend.domain.orders import OrderEvent, OrderRequest, OrderState, OrderStatus

log = logging.getLogger(__name__)
_SUMMARY_TAGS = "NetLiquidation,TotalCashValue,BuyingPower,AvailableFunds,InitMarginReq,$LEDGER"
_CANCEL_REFUSALS = frozenset({135, 161, 10147, 10148})
_NOT_REJECTIONS = _CANCEL_REFUSALS | {202}


class _DuplicateOrderId(Exception):
    """IB refused the order id (103): the order was not placed and may go again under a new id."""


class IbkrBroker:
    """An IB account through IB Gateway or TWS, implementing ``BrokerPort``."""

    CAPABILITIES = Capabilities(
        options=True, combos=True, streaming=True, native_greeks=True, delayed_data=True, amend=False,
        market_orders=True, gtc=True, partial_fills=True,
    )  # fmt: skip

    def __init__(
        self,
        settings: IbkrSettings,
        tuning: IbkrTuning | None = None,
        *,
        rate: float = 0.043,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        connect_to: Callable[[str, int], Awaitable[str]] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        """Time for locally computed greeks (the fake gateway's simulated clock in tests)."""
        self.tuning = tuning or IbkrTuning()
        self.rate = rate
        """Risk-free rate for greeks computed locally when IB sends none."""
        self.conn = IbkrConnection(
            settings, self.tuning, self._configure, self._on_lost, self._on_restored, connect_to=connect_to
        )
        self.book = OrderBook()
        self.lines = Lines(self.tuning.max_market_data_lines)
        self.data_type = 1
        self.resubscriptions = 0
        self._contracts: dict[str, Contract] = {}
        self._chains: dict[str, tuple[float, OptionChain]] = {}
        self._quote_hub: EventHub[Quote] = EventHub()
        self._position_hub: EventHub[PositionEvent] = EventHub()
        self._streams: list[tuple[Subscription[Quote], frozenset[str]]] = []
        self._acks: dict[str, asyncio.Future[None]] = {}
        self._cancels: dict[str, asyncio.Future[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._ticked = asyncio.Event()
        """Set whenever market data arrives or fails, to wake ``quotes``."""

    # -- session ----------------------------------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:
        """Return what IB supports through this adapter."""
        return self.CAPABILITIES

    @property
    def state(self) -> ConnectionState:
        """Return the session's state."""
        return self.conn.state

    async def connect(self) -> None:
        """Connect to the gateway and sync; raise ``BrokerAuthFailed`` or a temporary error."""
        await self.conn.connect()

    async def close(self) -> None:
        """Close the session and end every stream; orders keep working at IB."""
        await self.conn.close()
        for future in [*self._acks.values(), *self._cancels.values()]:
            if not future.done():
                future.set_exception(BrokerDisconnected("session closed", ambiguous=True))
        for hub in (self.book.hub, self._quote_hub, self._position_hub):
            hub.close()
        for task in list(self._tasks):
            task.cancel()

    def connection_events(self) -> Subscription[ConnectionEvent]:
        """Subscribe to session state changes."""
        return self.conn.hub.subscribe()

    def _configure(self, ib: IB) -> None:
        ib.errorEvent += self._on_error
        ib.orderStatusEvent += self._on_order_status
        ib.execDetailsEvent += self._on_exec
        ib.commissionReportEvent += self._on_commission
        ib.pendingTickersEvent += self._on_tickers
        ib.disconnectedEvent += self.conn.on_disconnected

    def _ready(self) -> IB:
        ib = self.conn.require()
        if self.conn.link_down:
            raise BrokerDisconnected("the gateway has lost its connection to IB (1100)")
        return ib

    def _on_lost(self, reason: str) -> None:
        for cid, future in list(self._acks.items()):
            order = self.book.get(cid)
            if order is not None and not order.acknowledged:
                order.ambiguous = True
            if not future.done():
                future.set_exception(
                    BrokerDisconnected(f"{reason}; order {cid} outcome unknown", ambiguous=True)
                )
        for future in self._cancels.values():
            if not future.done():
                future.set_exception(BrokerDisconnected(reason, ambiguous=True))

    async def _on_restored(self) -> None:
        if self.data_type != 1:
            self.conn.require().reqMarketDataType(self.data_type)
        self.reconcile()
        await self._resubscribe(self.lines.all())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- reference data ---------------------------------------------------------------------------

    async def _contract(self, instrument: SingleInstrument) -> Contract:
        known = self._contracts.get(instrument.key)
        if known is not None:
            return known
        details = await self.conn.request(
            lambda ib: ib.reqContractDetailsAsync(parsing.contract_of(instrument))
        )
        wanted = "STK" if isinstance(instrument, Stock) else "OPT"
        matches = [d.contract for d in details if d.contract is not None and d.contract.secType == wanted]
        if len(matches) != 1:
            raise UnknownInstrument(f"IB has {len(matches)} contracts for {instrument.key}")
        contract = matches[0]
        contract.exchange = "SMART"
        self._contracts[instrument.key] = contract
        return contract

    async def resolve_instrument(self, instrument: SingleInstrument) -> SingleInstrument:
        """Return IB's fully specified contract as our instrument; raise ``UnknownInstrument``."""
        self._ready()
        resolved = parsing.instrument_of(await self._contract(instrument))
        if resolved is None:
            raise UnknownInstrument(f"IB contract for {instrument.key} is not a stock or option")
        return resolved

    async def option_chain(self, underlying: str) -> OptionChain:
        """Return listed expiries and strikes (secDefOptParams, then the calls' contract details)."""
        self._ready()
        cached = self._chains.get(underlying.upper())
        if cached is not None and time.monotonic() - cached[0] < self.tuning.chain_ttl:
            return cached[1]
        stock = await self._contract(Stock(underlying))
        params = await self.conn.request(
            lambda ib: ib.reqSecDefOptParamsAsync(stock.symbol, "", "STK", stock.conId)
        )
        smart = next((p for p in params if p.exchange == "SMART"), params[0] if params else None)
        if smart is None:
            raise UnknownInstrument(f"IB lists no options on {underlying}")
        probe = IbOption(stock.symbol, "", 0.0, "C", "SMART", tradingClass=smart.tradingClass)
        details = await self.conn.request(lambda ib: ib.reqContractDetailsAsync(probe))
        contracts = [d.contract for d in details if d.contract is not None]
        for contract in contracts:
            option = parsing.instrument_of(contract)
            if option is not None:
                contract.exchange = "SMART"
                self._contracts.setdefault(option.key, contract)
        chain = parsing.option_chain_of(underlying, params, contracts)
        self._chains[underlying.upper()] = (time.monotonic(), chain)
        return chain

    # -- market data ------------------------------------------------------------------------------

    def _subscribe(self, ib: IB, line: Line) -> None:
        generic = "101" if isinstance(line.instrument, Option) else ""
        line.ticker = ib.reqMktData(line.contract, generic, False, False)
        self.lines.requests += 1

    async def _line(self, instrument: SingleInstrument) -> Line:
        line = self.lines.get(instrument.key)
        if line is not None:
            return line
        contract = await self._contract(instrument)
        await self.conn.bucket.acquire()
        ib = self._ready()
        line = Line(instrument, contract)
        self._subscribe(ib, line)
        pinned = {key for sub, keys in self._streams if not sub.closed for key in keys}
        for old in self.lines.add(line, pinned):
            ib.cancelMktData(old.contract)
        return line

    async def _resubscribe(self, lines: Sequence[Line]) -> None:
        ib = self.conn.require()
        for line in lines:
            await self.conn.bucket.acquire()
            ib.cancelMktData(line.contract)
            line.error, line.retried = None, False
            self._subscribe(ib, line)
        self.resubscriptions += 1

    def _quote(self, line: Line) -> Quote:
        assert line.ticker is not None
        under = None
        if isinstance(line.instrument, Option):
            stock = self.lines.get(line.instrument.underlying)
            if stock is not None and stock.ticker is not None:
                under = parsing.quote_of(stock.instrument, stock.ticker, self.clock()).mid
        return parsing.quote_of(
            line.instrument, line.ticker, self.clock(), underlying_price=under, rate=self.rate
        )

    async def quotes(self, instruments: Sequence[SingleInstrument]) -> list[Quote]:
        """Return one quote per instrument from its (kept) market data line."""
        self._ready()
        lines = [await self._line(i) for i in instruments]
        deadline = time.monotonic() + self.tuning.quote_wait
        while not all(line.ready for line in lines) and (left := deadline - time.monotonic()) > 0:
            self._ticked.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ticked.wait(), left)
        for line in lines:
            if line.error is not None:
                raise line.error
            if line.ticker is None or not line.ready:
                raise MarketDataUnavailable(f"no market data for {line.instrument.key} yet")
        return [self._quote(line) for line in lines]

    def stream_quotes(self, instruments: Sequence[SingleInstrument]) -> Subscription[Quote]:
        """Subscribe to quote updates (the current quote first, then every change)."""
        self._ready()
        keys = frozenset(i.key for i in instruments)
        subscription = self._quote_hub.subscribe(lambda quote: quote.instrument.key in keys)
        self._streams.append((subscription, keys))
        self._spawn(self._open_stream(subscription, list(instruments)))
        return subscription

    async def _open_stream(
        self, subscription: Subscription[Quote], instruments: list[SingleInstrument]
    ) -> None:
        try:
            for line in [await self._line(i) for i in instruments]:
                if line.ready and line.ticker is not None and line.error is None:
                    subscription.offer(self._quote(line))
        except BrokerError as error:
            log.warning("quote stream for %s failed: %s", [i.key for i in instruments], error)
            subscription.end()

    def _on_tickers(self, tickers: set[Ticker]) -> None:
        self._ticked.set()
        self._streams = [(s, k) for s, k in self._streams if not s.closed]
        if not self._streams:
            return
        for ticker in tickers:
            line = self.lines.by_contract(ticker.contract)
            if line is None or not line.ready or line.error is not None:
                continue
            try:
                self._quote_hub.publish(self._quote(line))
            except (ValueError, ArithmeticError) as error:  # a bad tick must never stop the loop
                log.warning("skipped a quote for %s: %s", line.instrument.key, error)

    # -- orders (placement, cancellation, status) -------------------------------------------------

    async def _order_contract(self, request: OrderRequest) -> Contract:
        instrument = request.instrument
        if not isinstance(instrument, Combo):
            return await self._contract(instrument)
        con_ids = {
            leg.instrument.key: (await self._contract(leg.instrument)).conId for leg in instrument.legs
        }
        return parsing.bag_of(instrument, con_ids)

    async def place_order(self, request: OrderRequest) -> OrderState:
        """Send an order once and return its state after IB's acknowledgement."""
        self._ready()
        cid = request.client_order_id
        if self.book.get(cid) is not None or self._find_trade(cid) is not None:
            raise DuplicateClientOrderId(f"client_order_id {cid} was already used")
        contract = await self._order_contract(request)
        order = TrackedOrder(request)
        self.book.add(order)
        for attempt in (1, 2):
            try:
                await self._send(order, contract)
                break
            except _DuplicateOrderId as exc:
                if attempt == 2:
                    self.book.finish(order, OrderStatus.REJECTED, str(exc), datetime.now(UTC))
                    raise InvalidOrder(str(exc)) from exc
                # IB refused the id, not the order: nothing was placed, so a fresh id is safe.
                self.conn.require().client.updateReqId(order.order_id + 1)  # type: ignore[no-untyped-call]
        await self.conn.round_trip()
        return order.state(self.book.currency, datetime.now(UTC))

    async def _send(self, order: TrackedOrder, contract: Contract) -> None:
        await self.conn.bucket.acquire()
        ib = self._ready()
        cid = order.request.client_order_id
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._acks[cid] = future
        trade = ib.placeOrder(contract, parsing.order_of(order.request, self.settings.account_code))
        order.order_id = trade.order.orderId
        try:
            await asyncio.wait_for(asyncio.shield(future), self.tuning.order_ack_timeout)
        except TimeoutError as exc:
            order.ambiguous = True
            raise BrokerTimeout(f"no acknowledgement for order {cid}", ambiguous=True) from exc
        finally:
            self._acks.pop(cid, None)

    def _settle(
        self, cid: str, futures: dict[str, asyncio.Future[None]], error: BaseException | None = None
    ) -> None:
        future = futures.get(cid)
        if future is not None and not future.done():
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    def _on_order_status(self, trade: Trade) -> None:
        order = self.book.get(trade.order.orderRef)
        if order is None:
            return
        self.book.adopt_trade(order, trade)
        cid, now, status = order.request.client_order_id, datetime.now(UTC), trade.orderStatus.status
        entry = trade.log[-1] if trade.log else None
        code = entry.errorCode if entry is not None else 0
        if code in _CANCEL_REFUSALS:
            self._settle(cid, self._cancels, to_error(code, entry.message if entry else ""))
            return
        if code == 103 and not order.acknowledged:
            self._settle(cid, self._acks, _DuplicateOrderId(f"IB refused order id {order.order_id} (103)"))
            return
        if code and code not in _NOT_REJECTIONS and status in ("Cancelled", "ApiCancelled", "Inactive"):
            error = to_error(code, entry.message if entry else "", client_order_id=cid)
            self.book.finish(order, OrderStatus.REJECTED, error.message, now)
            self._settle(cid, self._acks, error)
            return
        if status in parsing.ACK_STATUSES or status == "Filled":
            self.book.acknowledge(order, now)
            self._settle(cid, self._acks)
        elif status in ("Cancelled", "ApiCancelled"):
            self.book.try_complete(order, now, force=True)
            self.book.finish(order, OrderStatus.CANCELLED, "cancelled", now)
            self._settle(cid, self._acks)
            self._settle(cid, self._cancels)
        elif status == "Inactive":
            self.book.finish(order, OrderStatus.REJECTED, "inactive at IB", now)
            self._settle(cid, self._acks, InvalidOrder(f"order {cid} is inactive at IB"))

    def _on_exec(self, trade: Trade, fill: Fill) -> None:
        order = self.book.get(trade.order.orderRef or fill.execution.orderRef)
        if order is not None:
            self.book.on_execution(order, fill, datetime.now(UTC))

    def _on_commission(self, trade: Trade, fill: Fill, report: CommissionReport) -> None:
        order = self.book.get(trade.order.orderRef or fill.execution.orderRef)
        if order is not None:
            self.book.on_commission(order, report.execId, report.commission, datetime.now(UTC))

    async def cancel_order(self, client_order_id: str) -> OrderState:
        """Ask IB to cancel a working order; return its state once IB has answered."""
        ib = self._ready()
        order = self._tracked(client_order_id)
        if order.ambiguous:
            raise BrokerDisconnected(
                f"order {client_order_id} outcome is unknown; reconcile first", ambiguous=True
            )
        if order.status.is_terminal:
            raise OrderNotCancellable(f"order {client_order_id} is {order.status.value}")
        trade = self._find_trade(client_order_id)
        if trade is None:
            raise UnknownOrder(f"IB has no order with orderRef {client_order_id}")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._cancels[client_order_id] = future
        await self.conn.bucket.acquire()
        ib.cancelOrder(trade.order)
        try:
            await asyncio.wait_for(future, self.tuning.order_ack_timeout)
        except TimeoutError as exc:
            raise BrokerTimeout(f"no answer to cancelling {client_order_id}") from exc
        finally:
            self._cancels.pop(client_order_id, None)
        return order.state(self.book.currency, datetime.now(UTC))

    def _find_trade(self, client_order_id: str) -> Trade | None:
        ib = self.conn.ib
        if ib is None:
            return None
        found = [t for t in ib.trades() if t.order.orderRef == client_order_id]
        return max(found, key=lambda t: t.order.orderId, default=None)

    def _tracked(self, client_order_id: str) -> TrackedOrder:
        order = self.book.get(client_order_id)
        if order is None:
            trade = self._find_trade(client_order_id)
            if trade is None:
                raise UnknownOrder(f"no order with client_order_id {client_order_id}")
            order = self._adopt(trade)
        return order

    def _adopt(self, trade: Trade) -> TrackedOrder:
        legs = []
        for leg in trade.contract.comboLegs or []:
            match = next((k for k, c in self._contracts.items() if c.conId == leg.conId), None)
            instrument = parsing.instrument_of(self._contracts[match]) if match else None
            if instrument is None:
                raise UnknownOrder(f"cannot rebuild combo leg {leg.conId} of {trade.order.orderRef}")
            legs.append((instrument, leg.ratio, leg.action))
        order = TrackedOrder(parsing.request_of(trade.contract, trade.order, legs))
        self.book.add(order)
        self._sync(order, trade)
        return order

    def _sync(self, order: TrackedOrder, trade: Trade) -> None:
        """Bring one order up to IB's view: ids, executions, commissions, status."""
        now, cid = datetime.now(UTC), order.request.client_order_id
        self.book.adopt_trade(order, trade)
        ib = self.conn.ib
        fills = ib.fills() if ib is not None else []
        for fill in [f for f in fills if f.execution.orderRef == cid] or trade.fills:
            self.book.on_execution(order, fill, now)
            if fill.commissionReport.execId:
                self.book.on_commission(order, fill.execution.execId, fill.commissionReport.commission, now)
        self.book.try_complete(order, now, force=True)
        status = parsing.order_status_of(trade.orderStatus.status, order.filled)
        if status in (OrderStatus.WORKING, OrderStatus.PARTIALLY_FILLED):
            self.book.acknowledge(order, now)
        elif status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
            self.book.finish(order, status, f"{trade.orderStatus.status} at IB", now)

    def reconcile(self) -> None:
        """Match every unfinished order with IB's open and completed orders by ``orderRef``."""
        now = datetime.now(UTC)
        for order in list(self.book.orders.values()):
            if order.status.is_terminal:
                continue
            trade = self._find_trade(order.request.client_order_id)
            if trade is not None:
                self._sync(order, trade)
            elif order.ambiguous:
                # In neither open nor completed orders after a full sync: it never reached IB.
                self.book.finish(
                    order, OrderStatus.REJECTED, "never reached IB (lost with the connection)", now
                )

    async def order_status(self, client_order_id: str) -> OrderState:
        """Return the state of one order; raise ``UnknownOrder``."""
        self._ready()
        return self._tracked(client_order_id).state(self.book.currency, datetime.now(UTC))

    async def resume_order(self, placed: PlacedOrder) -> OrderState:
        """Return the order's state once IB's open orders are adopted (they carry our id as orderRef)."""
        await self.open_orders()
        return await self.order_status(placed.request.client_order_id)

    async def open_orders(self) -> list[OrderState]:
        """Return every order still working (ours and any found at IB with an orderRef)."""
        ib = self._ready()
        for trade in ib.openTrades():
            if trade.order.orderRef and self.book.get(trade.order.orderRef) is None:
                self._adopt(trade)
        now = datetime.now(UTC)
        return [
            o.state(self.book.currency, now) for o in self.book.orders.values() if not o.status.is_terminal
        ]

    def order_events(self) -> Subscription[OrderEvent]:
        """Subscribe to order events."""
        return self.book.hub.subscribe()

    def position_events(self) -> Subscription[PositionEvent]:
        """Subscribe to exercises, assignments and expiries (IB reports these as trades; none here)."""
        return self._position_hub.subscribe()

    # -- account ----------------------------------------------------------------------------------

    async def positions(self) -> list[Position]:
        """Return every non-zero position of the account."""
        self._ready()
        account = self.settings.account_code
        items = await self.conn.request(lambda ib: ib.reqPositionsAsync())
        portfolio = {p.contract.conId: p for p in self.conn.require().portfolio(account)}
        out = []
        for item in items:
            if item.account == account:
                position = parsing.position_of(item, portfolio.get(item.contract.conId))
                if position is not None:
                    out.append(position)
        return out

    async def account_summary(self) -> AccountSummary:
        """Return cash, net liquidation, buying power, margin and P&L (a fresh one-shot request)."""
        ib = self._ready()
        req_id = ib.client.getReqId()

        def ask(ib: IB) -> asyncio.Future[None]:
            # ib_async leaves these request plumbing methods unannotated.
            future: asyncio.Future[None] = ib.wrapper.startReq(req_id)  # type: ignore[no-untyped-call]
            ib.client.reqAccountSummary(req_id, "All", _SUMMARY_TAGS)  # type: ignore[no-untyped-call]
            return future

        try:
            await self.conn.request(ask)
        finally:
            if self.conn.ib is not None and self.conn.ib.isConnected():
                self.conn.ib.client.cancelAccountSummary(req_id)  # type: ignore[no-untyped-call]
        values = list(self.conn.require().wrapper.acctSummary.values())
        return parsing.account_summary_of(self.settings.account_code, values, datetime.now(UTC))

    # -- notices and errors -----------------------------------------------------------------------

    def _on_error(self, req_id: int, code: int, text: str, contract: Contract | None) -> None:
        row = lookup(code)
        if code == 1100:
            self.conn.link_down = True
            self.conn.set_state(ConnectionState.DISCONNECTED, f"IB 1100: {text}")
        elif code in (1101, 1102):
            self.conn.link_down = False
            self.conn.set_state(ConnectionState.CONNECTED, f"IB {code}: {text}")
            if code == 1101:
                self._spawn(self._resubscribe(self.lines.all()))
        elif row.kind is Kind.MARKET_DATA or (code == 200 and self.lines.by_contract(contract) is not None):
            self._market_data_error(code, text, contract)
        elif row.informational:
            log.debug("IB notice %s: %s", code, text)
        else:
            log.info("IB error %s on request %s: %s", code, req_id, text)

    def _market_data_error(self, code: int, text: str, contract: Contract | None) -> None:
        line = self.lines.by_contract(contract)
        self._ticked.set()
        if line is None or code == 10167:  # 10167: delayed data shown instead, the ticker says so
            return
        if code in DELAYED_FALLBACK_CODES and self.settings.accept_delayed_data and not line.retried:
            ib = self.conn.require()
            if self.data_type == 1:
                self.data_type = 3  # "delayed if live is not available", for every later request too
                ib.reqMarketDataType(3)
            line.retried = True
            self._subscribe(ib, line)
            return
        line.error = to_error(code, text)
