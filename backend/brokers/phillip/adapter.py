"""``PhillipBroker``: one client's POEMS account behind the broker port, over the POEMS REST API.

The public API trades stocks with limit orders for the day, so the adapter declares no options,
combos, greeks, market orders or GTC; it amends quantity only. There is no documented push channel,
so a ``PollLoop`` feeds the quote and order-event streams from the price list and today's orders.
POEMS has no client order id: the ``client_order_id -> orderNo`` map lives in this object, and an
order whose submit timed out stays ``pending_submit`` until a poll shows it or the caller reconciles.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote as url_quote

import httpx

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
    BrokerAuthFailed,
    BrokerDisconnected,
    BrokerError,
    CapabilityNotSupported,
    DuplicateClientOrderId,
    MarketDataUnavailable,
    OrderNotCancellable,
    UnknownContract,
    UnknownInstrument,
    UnknownOrder,
)
from backend.brokers.phillip.auth import Clock, utc_now
from backend.brokers.phillip.client import PoemsClient, TokenSink
from backend.brokers.phillip.config import PhillipAppSecrets, PhillipSettings, PhillipTokens
from backend.brokers.phillip.orders import TrackedOrder, apply_report, order_form, resumed
from backend.brokers.phillip.parsing import (
    Counter,
    DepthLevel,
    Payload,
    PoemsOrder,
    parse_account_details,
    parse_counter,
    parse_counter_id_response,
    parse_counter_list,
    parse_holdings,
    parse_market_depth,
    parse_orders,
    parse_price_list,
    parse_submit,
    parse_validate,
)
from backend.brokers.phillip.polling import PollLoop
from backend.brokers.streams import EventHub, Subscription
from backend.domain.instruments import SingleInstrument, Stock
from backend.domain.orders import OrderEvent, OrderEventKind, OrderRequest, OrderState, OrderStatus, OrderType
from backend.domain.orders import TimeInForce as Tif

log = logging.getLogger(__name__)
LOST_SUBMIT_SEARCH = timedelta(seconds=120)
"""How long an order whose submit went unanswered is looked for in POEMS's list before it counts as not placed."""
CLOCK_SKEW = timedelta(seconds=30)
"""How far POEMS's order times may run behind ours when a resumed order is looked for by its send time."""


class PhillipBroker:
    """A POEMS account implementing ``BrokerPort``."""

    CAPABILITIES = Capabilities(
        options=False,
        combos=False,
        streaming=False,
        native_greeks=False,
        delayed_data=True,
        amend=True,
        market_orders=False,
        gtc=False,
        partial_fills=True,
        exchange_timezone="Asia/Singapore",
    )

    def __init__(
        self,
        settings: PhillipSettings,
        app_secrets: PhillipAppSecrets,
        tokens: PhillipTokens,
        *,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_tokens: TokenSink | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.client = PoemsClient(
            settings, app_secrets, tokens, http=http, transport=transport, on_tokens=on_tokens, clock=clock
        )
        self._clock = clock
        self._state = ConnectionState.DISCONNECTED
        self._counters: dict[str, Counter] = {}
        self._orders: dict[str, TrackedOrder] = {}
        self._by_order_no: dict[str, TrackedOrder] = {}
        self._listed: frozenset[str] = frozenset()
        """The order numbers of today's orders as POEMS last listed them."""
        self._never_sent: set[str] = set()
        """Client order ids whose send this session knows never reached POEMS."""
        self._sync_lock = asyncio.Lock()
        self._order_hub: EventHub[OrderEvent] = EventHub()
        self._position_hub: EventHub[PositionEvent] = EventHub()
        self._connection_hub: EventHub[ConnectionEvent] = EventHub()
        self._quote_hub: EventHub[Quote] = EventHub()
        self._quote_watch: list[tuple[Subscription[Quote], tuple[Stock, ...]]] = []
        self._poller = PollLoop(
            quote_interval=settings.quote_poll_interval,
            order_interval=settings.order_poll_interval,
            quotes_wanted=self._quotes_wanted,
            orders_open=self._orders_open,
            poll_quotes=self._poll_quotes,
            poll_orders=self.sync_orders,
            on_auth_failure=self._auth_failed,
        )

    # -- session ----------------------------------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:
        """Return what the POEMS API supports: SGX-style stocks, limit orders for the day."""
        return self.CAPABILITIES

    @property
    def state(self) -> ConnectionState:
        """Return the session's state."""
        return self._state

    @property
    def account_no(self) -> str:
        """Return the POEMS account this session trades."""
        return self.settings.account_no or self.client.tokens.account_no

    def _set_state(self, state: ConnectionState, reason: str | None = None) -> None:
        self._state = state
        self._connection_hub.publish(ConnectionEvent(state, self._clock(), reason))

    async def connect(self) -> None:
        """Refresh the grant if needed, prove it with an account read, and start polling."""
        self._set_state(ConnectionState.CONNECTING)
        try:
            await self.client.ensure_fresh()
            await self.client.get("st/portfolio/accountdetails", {"accountType": self._account_type})
        except BrokerError as error:
            self._set_state(ConnectionState.FAILED, error.message)
            raise
        self._set_state(ConnectionState.CONNECTED)
        self._poller.start()

    async def close(self) -> None:
        """Stop polling, end every stream and close the HTTP client."""
        await self._poller.stop()
        if self._state is not ConnectionState.DISCONNECTED:
            self._set_state(ConnectionState.DISCONNECTED)
        for hub in (self._order_hub, self._position_hub, self._connection_hub, self._quote_hub):
            hub.close()
        self._quote_watch.clear()
        await self.client.aclose()

    def connection_events(self) -> Subscription[ConnectionEvent]:
        """Subscribe to session state changes."""
        return self._connection_hub.subscribe()

    def _auth_failed(self, error: BrokerAuthFailed) -> None:
        log.error("POEMS refused the grant; the user must authorise again: %s", error.message)
        self._set_state(ConnectionState.FAILED, error.message)

    def _ready(self) -> None:
        if self._state is not ConnectionState.CONNECTED:
            raise BrokerDisconnected(
                f"POEMS session for {self.account_no or 'the account'} is {self._state.value}"
            )

    @property
    def _account_type(self) -> str:
        return self.client.tokens.account_type or self.settings.account_type

    # -- reference and market data ----------------------------------------------------------------

    async def search(self, keyword: str, exchange: str | None = None) -> list[Counter]:
        """Return the stock counters whose name or code matches ``keyword``."""
        self._ready()
        payload = await self.client.get(
            "global/counter/search",
            {
                "keyword": keyword,
                "exchange": exchange or self.settings.default_exchange,
                "productFlag": "2",
                "module": "0",
                "count": "50",
            },
        )
        return parse_counter_list(payload, default_currency=self.settings.settlement_currency)

    async def resolve_instrument(self, instrument: SingleInstrument) -> SingleInstrument:
        """Return the POEMS counter's stock; ``SMART`` means the settings' default exchange."""
        self._ready()
        return (await self._counter(instrument)).stock()

    async def _counter(self, instrument: SingleInstrument) -> Counter:
        if not isinstance(instrument, Stock):
            raise CapabilityNotSupported("the POEMS API offers no listed options")
        cached = self._counters.get(instrument.key)
        if cached is not None:
            return cached
        exchange = self.settings.default_exchange if instrument.exchange == "SMART" else instrument.exchange
        path = f"st/counter/counterID/{url_quote(exchange, safe='')}/{url_quote(instrument.symbol, safe='')}"
        counter_id = parse_counter_id_response(await self.client.get(path))
        info = await self.client.get("st/counter/info", {"counterID": counter_id, "priceMode": "2"})
        counter = parse_counter(
            dict(info) | {"counterID": counter_id}, default_currency=self.settings.settlement_currency
        )
        if counter.product != "ST":
            raise UnknownInstrument(
                f"{instrument.symbol} on {exchange} is a {counter.product} counter, not a stock"
            )
        if instrument.exchange != "SMART" and instrument.currency != counter.currency:
            raise UnknownInstrument(
                f"{instrument.symbol} trades in {counter.currency}, not {instrument.currency}"
            )
        self._counters[instrument.key] = counter
        return counter

    async def option_chain(self, underlying: str) -> OptionChain:
        """Refuse: the POEMS API offers no listed options."""
        raise CapabilityNotSupported("the POEMS API offers no listed options")

    async def quotes(self, instruments: Sequence[SingleInstrument]) -> list[Quote]:
        """Return one quote per instrument from a single price-list call."""
        self._ready()
        counters = [await self._counter(i) for i in instruments]
        by_id = {c.counter_id: c.stock() for c in counters}
        payload = await self.client.get(
            "global/counter/pricelist", {"counterIDs": ",".join(by_id), "size": str(len(by_id))}
        )
        quotes = parse_price_list(payload, by_id, self._clock())
        missing = [c.symbol for c in counters if c.counter_id not in quotes]
        if missing:
            raise MarketDataUnavailable(f"POEMS sent no price for {', '.join(missing)}")
        return [quotes[c.counter_id] for c in counters]

    async def market_depth(self, stock: Stock) -> list[DepthLevel]:
        """Return the order book of ``stock`` (needs the exchange's depth entitlement)."""
        self._ready()
        counter = await self._counter(stock)
        return parse_market_depth(
            await self.client.post_safe("st/counter/marketdepth", {"counterID": counter.counter_id})
        )

    def stream_quotes(self, instruments: Sequence[SingleInstrument]) -> Subscription[Quote]:
        """Subscribe to quotes of ``instruments``, polled from the price list."""
        self._ready()
        if not all(isinstance(i, Stock) for i in instruments):
            raise CapabilityNotSupported("the POEMS API offers no listed options")
        wanted = tuple(i for i in instruments if isinstance(i, Stock))
        keys = {i.key for i in wanted}
        subscription = self._quote_hub.subscribe(lambda quote: quote.instrument.key in keys)
        self._quote_watch.append((subscription, wanted))
        self._poller.wake()
        return subscription

    def _quotes_wanted(self) -> bool:
        self._quote_watch = [(s, i) for s, i in self._quote_watch if not s.closed]
        return bool(self._quote_watch)

    async def _poll_quotes(self) -> None:
        wanted = {i.key: i for _, instruments in self._quote_watch for i in instruments}
        if wanted:
            for quote in await self.quotes(list(wanted.values())):
                self._quote_hub.publish(quote)

    # -- orders -----------------------------------------------------------------------------------

    async def place_order(self, request: OrderRequest) -> OrderState:
        """Validate, then submit with the one-use token; raise an ``OrderRejected`` on a reject."""
        self._ready()
        cid = request.client_order_id
        if cid in self._orders:
            raise DuplicateClientOrderId(f"client_order_id {cid} was already used")
        if not isinstance(request.instrument, Stock):
            raise CapabilityNotSupported("the POEMS API trades stocks only")
        if request.order_type is OrderType.MARKET:
            raise CapabilityNotSupported("the POEMS API takes limit orders only")
        if request.time_in_force is Tif.GTC:
            raise CapabilityNotSupported("the POEMS API takes orders for the day only")
        try:
            counter = await self._counter(request.instrument)
        except UnknownInstrument as error:
            raise UnknownContract(error.message, client_order_id=cid) from error
        order = TrackedOrder(request, counter.currency, self._clock(), counter.counter_id)
        self._orders[cid] = order
        self._never_sent.discard(cid)
        form = order_form(
            counter.counter_id,
            request,
            settlement_currency=self.settings.settlement_currency,
            payment_mode=self.settings.payment_mode,
        )
        try:
            # POEMS takes no id of ours: should the submit's answer be lost, the order is looked for
            # among the orders listed after it, so note the ones listed before it.
            await self.sync_orders()
            order.listed_before = self._listed
            validated = await self.client.post_safe("st/trade/validate", form, client_order_id=cid)
            token = parse_validate(validated, client_order_id=cid)
            submitted = await self.client.post_once(
                "st/trade/submit", form, headers={"authToken": token}, client_order_id=cid
            )
            order_no = parse_submit(submitted, client_order_id=cid)
        except BrokerError as error:
            self._settle_failed_submit(order, error)
            raise
        order.order_no, order.status, order.updated_at = order_no, OrderStatus.WORKING, self._clock()
        self._by_order_no[order_no] = order
        self._order_hub.publish(order.event(OrderEventKind.ACKNOWLEDGED))
        try:
            await self.sync_orders()
        except BrokerError as error:
            log.warning("POEMS order %s placed; its first status read failed: %s", order_no, error.message)
        self._poller.wake()
        return order.state()

    def _settle_failed_submit(self, order: TrackedOrder, error: BrokerError) -> None:
        if error.ambiguous:
            # May be live at POEMS: keep the id taken, look for it in the order list, never resubmit.
            order.reason = f"submit outcome unknown: {error.message}"
            order.lost_submit_at = self._clock()
            self._poller.wake()
            return
        if error.temporary:
            del self._orders[order.client_order_id]  # never reached POEMS; the id may be used again
            self._never_sent.add(order.client_order_id)  # and nothing is to be resumed for it
            return
        order.status, order.reason, order.updated_at = OrderStatus.REJECTED, error.message, self._clock()
        self._order_hub.publish(order.event(OrderEventKind.REJECTED))

    async def amend_order(self, client_order_id: str, quantity: Decimal) -> OrderState:
        """Change a working order's total quantity (POEMS amends quantity only)."""
        self._ready()
        order = self._tracked(client_order_id)
        if order.order_no is None or order.status.is_terminal:
            raise OrderNotCancellable(f"order {client_order_id} is {order.status.value}")
        await self.client.post_once(
            f"st/order/{url_quote(order.order_no, safe='')}/amend",
            {"counterID": order.counter_id, "amendQty": f"{quantity.normalize():f}"},
        )
        await self.sync_orders()
        return order.state()

    async def cancel_order(self, client_order_id: str) -> OrderState:
        """Withdraw a working order; raise ``OrderNotCancellable`` if it is done."""
        self._ready()
        order = self._tracked(client_order_id)
        if order.order_no is None or order.status.is_terminal:
            raise OrderNotCancellable(f"order {client_order_id} is {order.status.value}")
        try:
            await self.client.post_once(
                f"st/order/{url_quote(order.order_no, safe='')}/withdraw", {"counterID": order.counter_id}
            )
        finally:
            await self.sync_orders()
        return order.state()

    async def order_status(self, client_order_id: str) -> OrderState:
        """Return one order's state after reading today's orders; raise ``UnknownOrder``."""
        self._ready()
        order = self._tracked(client_order_id)
        await self.sync_orders()
        return order.state()

    async def resume_order(self, placed: PlacedOrder) -> OrderState:
        """Follow an order an earlier session placed, from what was booked of it."""
        self._ready()
        request = placed.request
        cid = request.client_order_id
        if cid not in self._orders:
            if cid in self._never_sent or not isinstance(request.instrument, Stock):
                raise UnknownOrder(f"POEMS holds no order {cid}")
            try:
                counter = await self._counter(request.instrument)
            except UnknownInstrument as error:
                raise UnknownOrder(error.message) from error
            order = self._orders[cid] = resumed(placed, counter, self._clock(), CLOCK_SKEW)
            if order.order_no:
                self._by_order_no[order.order_no] = order
            self._poller.wake()
        order = self._orders[cid]
        await self.sync_orders()
        if order.order_no and order.order_no not in self._listed and not order.status.is_terminal:
            # POEMS lists today's orders only, and takes day orders only: this one ended with its day.
            order.status, order.updated_at = OrderStatus.EXPIRED, self._clock()
            order.reason = (
                f"POEMS does not list order {order.order_no} today: it ended with the day it was placed"
            )
            self._order_hub.publish(order.event(OrderEventKind.EXPIRED))
        return order.state()

    async def open_orders(self) -> list[OrderState]:
        """Return every order this session placed that is still working."""
        self._ready()
        await self.sync_orders()
        return [o.state() for o in self._orders.values() if o.order_no and not o.status.is_terminal]

    def order_events(self) -> Subscription[OrderEvent]:
        """Subscribe to order events."""
        return self._order_hub.subscribe()

    def position_events(self) -> Subscription[PositionEvent]:
        """Subscribe to position events (POEMS stocks have none: no exercise, assignment or expiry)."""
        return self._position_hub.subscribe()

    def _tracked(self, client_order_id: str) -> TrackedOrder:
        order = self._orders.get(client_order_id)
        if order is None:
            raise UnknownOrder(f"no order with client_order_id {client_order_id}")
        return order

    def _orders_open(self) -> bool:
        return any(
            (o.order_no or o.lost_submit_at) and not o.status.is_terminal for o in self._orders.values()
        )

    async def sync_orders(self) -> None:
        """Read today's orders and publish what changed for the orders this session knows."""
        async with self._sync_lock:
            payload = await self.client.get("global/order/today")
            reports = parse_orders(payload, self._clock())
            for order_no, report in reports.items():
                order = self._by_order_no.get(order_no) or self._found_lost_submit(report)
                if order is not None:
                    for event in apply_report(order, report):
                        self._order_hub.publish(event)
            self._listed = frozenset(reports)
            self._give_up_lost_submits()

    def _found_lost_submit(self, report: PoemsOrder) -> TrackedOrder | None:
        # The oldest unanswered submit with the listed order's exact terms takes it: two such submits
        # are interchangeable, and each listed order goes to one of them only.
        for order in self._orders.values():
            if order.lost_submit_at is not None and order.could_be(report):
                order.order_no, order.lost_submit_at = report.order_no, None
                order.status, order.reason, order.updated_at = OrderStatus.WORKING, None, self._clock()
                self._by_order_no[report.order_no] = order
                log.warning(
                    "POEMS order %s is order %s, whose submit went unanswered",
                    report.order_no,
                    order.client_order_id,
                )
                self._order_hub.publish(order.event(OrderEventKind.ACKNOWLEDGED))
                return order
        return None

    def _give_up_lost_submits(self) -> None:
        # POEMS lists an order as soon as it takes it: one still missing long after its submit went
        # unanswered never reached it, and is booked as not placed.
        now = self._clock()
        for order in self._orders.values():
            if order.lost_submit_at is not None and now - order.lost_submit_at >= LOST_SUBMIT_SEARCH:
                order.lost_submit_at = None
                order.status, order.updated_at = OrderStatus.REJECTED, now
                order.reason = (
                    f"not placed: POEMS did not list it within {LOST_SUBMIT_SEARCH.total_seconds():.0f} s "
                    "of a submit that went unanswered"
                )
                self._order_hub.publish(order.event(OrderEventKind.REJECTED))

    # -- account ----------------------------------------------------------------------------------

    async def positions(self) -> list[Position]:
        """Return every holding with its average cost."""
        self._ready()
        payload = await self.client.get("st/portfolio/holdings", {"accountType": self._account_type})
        return parse_holdings(payload, self._holding_stock)

    def _holding_stock(self, item: Payload) -> Stock:
        counter = parse_counter(item, default_currency=self.settings.settlement_currency)
        self._counters.setdefault(counter.symbol, counter)
        return counter.stock()

    async def account_summary(self) -> AccountSummary:
        """Return balances of the settlement currency, with unrealised P&L from the holdings."""
        self._ready()
        currency = self.settings.settlement_currency
        payload = await self.client.get("st/portfolio/accountdetails", {"accountType": self._account_type})
        unrealized = sum(
            (
                p.unrealized_pnl.amount
                for p in await self.positions()
                if p.unrealized_pnl.currency == currency
            ),
            Decimal(0),
        )
        return parse_account_details(
            payload, account_no=self.account_no, currency=currency, unrealized=unrealized, now=self._clock()
        )
