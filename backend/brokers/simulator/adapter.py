"""``SimulatorBroker``: one client's account at the simulated venue, behind the broker port.

Many accounts trade against one ``SimulatedMarket``; each keeps its own books, orders and event
streams, and sees the displayed size of the book for itself (accounts do not take liquidity from
one another). The account reacts to the market: each new grid step re-checks its working orders,
each session close expires DAY orders and settles expiring options.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Any

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
    DuplicateClientOrderId,
    OrderNotCancellable,
    UnknownOrder,
)
from backend.brokers.simulator.account import Ledger
from backend.brokers.simulator.admission import Admission
from backend.brokers.simulator.config import AccountConfig
from backend.brokers.simulator.fills import (
    Match,
    at_limit,
    cumulative_commission,
    improvement,
    is_marketable,
    legs_of,
    natural,
)
from backend.brokers.simulator.lifecycle import settle_expiries
from backend.brokers.simulator.market import SessionClose, SimulatedMarket
from backend.brokers.simulator.working import OrderRecord
from backend.brokers.streams import EventHub, Subscription
from backend.domain.instruments import Option, SingleInstrument
from backend.domain.orders import (
    Execution,
    LegExecution,
    OrderEvent,
    OrderEventKind,
    OrderRequest,
    OrderState,
    OrderStatus,
    TimeInForce,
)
from backend.domain.values import Money, Quantity

_ZERO = Decimal(0)
SNAPSHOT_VERSION = 1


class SimulatorBroker:
    """A simulated brokerage account implementing ``BrokerPort``."""

    CAPABILITIES = Capabilities(
        options=True,
        combos=True,
        streaming=True,
        native_greeks=True,
        delayed_data=False,
        amend=False,
        market_orders=True,
        gtc=True,
        partial_fills=True,
    )

    def __init__(self, market: SimulatedMarket, account_id: str, config: AccountConfig | None = None) -> None:
        self.market = market
        self.account_id = account_id
        self.config = config or AccountConfig()
        self.ledger = Ledger(self.config.starting_cash)
        self._orders: dict[str, OrderRecord] = {}
        self._state = ConnectionState.DISCONNECTED
        self._order_hub: EventHub[OrderEvent] = EventHub()
        self._position_hub: EventHub[PositionEvent] = EventHub()
        self._connection_hub: EventHub[ConnectionEvent] = EventHub()
        self._quote_hub: EventHub[Quote] = EventHub()
        self._quote_watch: list[tuple[Subscription[Quote], tuple[SingleInstrument, ...]]] = []
        self._consumed: dict[tuple[str, str], tuple[int, Decimal]] = {}
        self._execution_seq = 0
        self._order_seq = 0
        self._last_close: datetime | None = None
        self._failures: list[BrokerError] = []
        self.admission = Admission(self)
        market.add_listener(self)

    # -- session ----------------------------------------------------------------------------------

    @property
    def capabilities(self) -> Capabilities:
        """Return what the simulator supports: everything but amending and delayed data."""
        return self.CAPABILITIES

    @property
    def state(self) -> ConnectionState:
        """Return the session's state."""
        return self._state

    def _set_state(self, state: ConnectionState, reason: str | None = None) -> None:
        self._state = state
        self._connection_hub.publish(ConnectionEvent(state, self.market.now(), reason))

    async def connect(self) -> None:
        """Open the session (it cannot fail unless a failure was injected)."""
        self._set_state(ConnectionState.CONNECTING)
        try:
            self._take_injected_failure()
        except BrokerError as error:
            self._set_state(ConnectionState.FAILED, str(error))
            raise
        self.market.sync()
        self._set_state(ConnectionState.CONNECTED)

    async def close(self) -> None:
        """Close the session and end every stream; orders keep working at the venue."""
        if self._state is not ConnectionState.DISCONNECTED:
            self._set_state(ConnectionState.DISCONNECTED)
        for hub in (self._order_hub, self._position_hub, self._connection_hub, self._quote_hub):
            hub.close()
        self._quote_watch.clear()

    def detach(self) -> None:
        """Stop reacting to the market (the account is being dropped from this process)."""
        self.market.remove_listener(self)

    def connection_events(self) -> Subscription[ConnectionEvent]:
        """Subscribe to session state changes."""
        return self._connection_hub.subscribe()

    def inject_failure(self, error: BrokerError, times: int = 1) -> None:
        """Make the next ``times`` port calls raise ``error`` (for resilience tests)."""
        self._failures.extend([error] * times)

    def simulate_disconnect(self, reason: str = "simulated disconnect") -> None:
        """Drop the session as a network failure would; calls raise until ``connect``."""
        self._set_state(ConnectionState.DISCONNECTED, reason)

    def _take_injected_failure(self) -> None:
        if self._failures:
            raise self._failures.pop(0)

    def _ready(self) -> None:
        self._take_injected_failure()
        if self._state is not ConnectionState.CONNECTED:
            raise BrokerDisconnected(f"simulator session for {self.account_id} is {self._state.value}")
        self.market.sync()

    # -- reference and market data ----------------------------------------------------------------

    async def resolve_instrument(self, instrument: SingleInstrument) -> SingleInstrument:
        """Return the venue's contract; raise ``UnknownInstrument``."""
        self._ready()
        return self.market.resolve(instrument, held=self.ledger.quantity(instrument.key) != 0)

    async def option_chain(self, underlying: str) -> OptionChain:
        """Return listed expiries and strikes."""
        self._ready()
        return self.market.option_chain(underlying)

    async def quotes(self, instruments: Sequence[SingleInstrument]) -> list[Quote]:
        """Return one quote per instrument."""
        self._ready()
        for instrument in instruments:
            self.market.resolve(instrument, held=True)
        return self.market.quotes(instruments)

    def stream_quotes(self, instruments: Sequence[SingleInstrument]) -> Subscription[Quote]:
        """Subscribe to a quote per instrument now and on every new grid step."""
        self._ready()
        wanted = tuple(instruments)
        for instrument in wanted:
            self.market.resolve(instrument, held=True)
        keys = {i.key for i in wanted}
        subscription = self._quote_hub.subscribe(lambda quote: quote.instrument.key in keys)
        self._quote_watch.append((subscription, wanted))
        for quote in self.market.quotes(wanted):
            subscription.offer(quote)
        return subscription

    # -- orders -----------------------------------------------------------------------------------

    async def place_order(self, request: OrderRequest) -> OrderState:
        """Check, accept and try to fill an order; raise an ``OrderRejected`` on a reject."""
        self._ready()
        if request.client_order_id in self._orders:
            raise DuplicateClientOrderId(f"client_order_id {request.client_order_id} was already used")
        now = self.market.market_time
        self._order_seq += 1
        record = OrderRecord(request, f"{self.account_id}-O{self._order_seq:06d}", self._order_seq, now, now)
        self._orders[request.client_order_id] = record
        try:
            self.admission.check(request)
        except BrokerError as error:
            record.status, record.reason = OrderStatus.REJECTED, str(error)
            self._publish(record, OrderEventKind.REJECTED)
            raise
        record.status = OrderStatus.WORKING
        self._publish(record, OrderEventKind.ACKNOWLEDGED)
        self._try_fill(record)
        return record.state(self.config.currency)

    async def cancel_order(self, client_order_id: str) -> OrderState:
        """Cancel a working order; raise ``OrderNotCancellable`` if it is done."""
        self._ready()
        record = self._record(client_order_id)
        if not record.is_working:
            raise OrderNotCancellable(f"order {client_order_id} is {record.status.value}")
        record.status, record.reason = OrderStatus.CANCELLED, "cancelled by request"
        self._publish(record, OrderEventKind.CANCELLED)
        return record.state(self.config.currency)

    async def order_status(self, client_order_id: str) -> OrderState:
        """Return one order's state; raise ``UnknownOrder``."""
        self._ready()
        return self._record(client_order_id).state(self.config.currency)

    async def resume_order(self, placed: PlacedOrder) -> OrderState:
        """Return the order's state: a restored paper account holds every order it took."""
        return await self.order_status(placed.request.client_order_id)

    async def open_orders(self) -> list[OrderState]:
        """Return every working order, oldest first."""
        self._ready()
        return [r.state(self.config.currency) for r in self.working_orders()]

    def working_orders(self) -> list[OrderRecord]:
        """Return the records of orders that can still fill, oldest first."""
        return sorted((r for r in self._orders.values() if r.is_working), key=lambda r: r.sequence)

    def order_events(self) -> Subscription[OrderEvent]:
        """Subscribe to order events."""
        return self._order_hub.subscribe()

    def position_events(self) -> Subscription[PositionEvent]:
        """Subscribe to exercises, assignments and expiries."""
        return self._position_hub.subscribe()

    def _record(self, client_order_id: str) -> OrderRecord:
        record = self._orders.get(client_order_id)
        if record is None:
            raise UnknownOrder(f"no order with client_order_id {client_order_id}")
        return record

    def _publish(self, record: OrderRecord, kind: OrderEventKind, execution: Execution | None = None) -> None:
        record.updated_at = self.market.market_time
        self._order_hub.publish(
            OrderEvent(
                kind=kind,
                client_order_id=record.request.client_order_id,
                broker_order_id=record.broker_order_id,
                status=record.status,
                filled_quantity=Quantity(record.filled),
                remaining_quantity=Quantity(record.remaining if record.is_working else _ZERO),
                ts=record.updated_at,
                execution=execution,
                reason=record.reason,
            )
        )

    # -- matching ---------------------------------------------------------------------------------

    def _available(self, match: Match, step: int) -> Decimal:
        units = match.available
        for leg in match.legs:
            seen_step, consumed = self._consumed.get((leg.instrument.key, leg.side.value), (step, _ZERO))
            left = leg.size - (consumed if seen_step == step else _ZERO)
            units = min(units, (left / leg.ratio).to_integral_value(rounding=ROUND_FLOOR))
        return max(units, _ZERO)

    def _consume(self, match: Match, units: Decimal, step: int) -> None:
        for leg in match.legs:
            key = (leg.instrument.key, leg.side.value)
            seen_step, consumed = self._consumed.get(key, (step, _ZERO))
            self._consumed[key] = (step, (consumed if seen_step == step else _ZERO) + units * leg.ratio)

    def _try_fill(self, record: OrderRecord, *, resting: bool = False) -> None:
        request = record.request
        if not self.market.is_open():
            return
        legs = legs_of(request.instrument, request.side)
        quotes = self.market.quotes([leg for leg, _, _ in legs])
        match = natural(request.instrument, request.side, quotes)
        limit = request.limit_price.value if request.limit_price is not None else None
        if match is None:
            return
        if not is_marketable(request.order_type, request.side, limit, match):
            inside = (
                self._inside_fill(record, match, quotes, limit) if resting and limit is not None else None
            )
            if inside is None:
                return
            match = inside
        step = self.market.step
        units = min(record.remaining, self._available(match, step))
        if units <= 0:
            return
        self._consume(match, units, step)
        self._execute(record, match, units)

    def _inside_fill(
        self, record: OrderRecord, match: Match, quotes: list[Quote], limit: Decimal
    ) -> Match | None:
        mids = [q.mid for q in quotes]
        if any(m is None for m in mids):
            return None
        known = [m for m in mids if m is not None]
        mid = sum(
            (
                m * t.ratio * (t.side.sign * record.request.side.sign)
                for m, t in zip(known, match.legs, strict=True)
            ),
            Decimal(0),
        )
        where = improvement(record.request.side, limit, match.price, mid)
        if where is None:
            return None
        # Deterministic per order and step: a replay of the same market fills the same orders.
        digest = hashlib.sha256(
            f"{self.account_id}:{record.request.client_order_id}:{self.market.step}".encode()
        )
        draw = int.from_bytes(digest.digest()[:8], "big") / 2**64
        if draw >= self.config.inside_spread_fill_rate * (1 + 3 * where):
            return None
        return at_limit(match, known, record.request.side, limit)

    def _execute(self, record: OrderRecord, match: Match, units: Decimal) -> None:
        request, now = record.request, self.market.market_time
        record.filled += units
        record.filled_value += match.price * units
        due = cumulative_commission(
            self.config.commissions,
            request.instrument,
            record.filled,
            record.filled_value * self._unit_multiplier(record),
        )
        fee, record.commission = due - record.commission, due
        self._execution_seq += 1
        execution_id = f"{self.account_id}-E{self._execution_seq:08d}"
        leg_executions = []
        for index, leg in enumerate(match.legs):
            leg_quantity = units * leg.ratio
            self.ledger.book_trade(
                leg.instrument, leg_quantity * leg.side.sign, leg.price, fee if index == 0 else _ZERO
            )
            leg_executions.append(
                LegExecution(
                    f"{execution_id}.{index + 1}", leg.instrument, leg.side, Quantity(leg_quantity), leg.price
                )
            )
        execution = Execution(
            execution_id,
            Quantity(units),
            match.price,
            Money(fee, self.config.currency),
            now,
            tuple(leg_executions) if record.request.is_combo else (),
        )
        record.executions.append(execution)
        done = record.remaining <= 0
        record.status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
        self._publish(record, OrderEventKind.FILLED if done else OrderEventKind.PARTIALLY_FILLED, execution)

    @staticmethod
    def _unit_multiplier(record: OrderRecord) -> int:
        return record.request.instrument.multiplier

    # -- market reactions -------------------------------------------------------------------------

    def on_market_step(self, now: datetime, step: int) -> None:
        """Re-check working orders against new prices and stream quotes."""
        # Displayed size is fresh on every step, so what was taken on older steps is forgotten.
        self._consumed = {k: v for k, v in self._consumed.items() if v[0] == step}
        for record in self.working_orders():
            self._try_fill(record, resting=True)
        self._quote_watch = [(s, i) for s, i in self._quote_watch if not s.closed]
        wanted = {i.key: i for _, instruments in self._quote_watch for i in instruments}
        if wanted:
            for quote in self.market.quotes(list(wanted.values())):
                self._quote_hub.publish(quote)

    def on_session_close(self, close: SessionClose) -> None:
        """Expire DAY orders and orders on expiring contracts, then settle expiring options."""
        if self._last_close is not None and close.ts <= self._last_close:
            return
        self._last_close = close.ts
        calendar = self.market.calendar

        def expires_now(option: Option) -> bool:
            return calendar.session_on_or_before(option.expiry) <= close.session

        for record in self.working_orders():
            legs = [leg for leg, _, _ in legs_of(record.request.instrument, record.request.side)]
            contract_gone = any(isinstance(leg, Option) and expires_now(leg) for leg in legs)
            if record.request.time_in_force is TimeInForce.DAY or contract_gone:
                record.status = OrderStatus.EXPIRED
                record.reason = "contract expired" if contract_gone else "DAY order expired at the close"
                self._publish(record, OrderEventKind.EXPIRED)
        for event in settle_expiries(self.ledger, close, expires_now):
            self._position_hub.publish(event)

    # -- account ----------------------------------------------------------------------------------

    async def positions(self) -> list[Position]:
        """Return every non-zero position, marked to the current mid."""
        self._ready()
        return self.admission.positions()

    async def account_summary(self) -> AccountSummary:
        """Return cash, net liquidation, requirement, buying power (net of working orders) and P&L."""
        self._ready()
        valuation = self.admission.valuation()
        currency = self.config.currency
        buying_power = self.admission.buying_power_after(None, valuation)
        return AccountSummary(
            account_id=self.account_id,
            cash=Money(self.ledger.cash, currency).rounded(),
            net_liquidation=Money(valuation.net_liquidation, currency).rounded(),
            buying_power=Money(buying_power, currency).rounded(),
            margin_requirement=Money(valuation.requirement, currency).rounded(),
            realized_pnl=Money(self.ledger.realized - self.ledger.commissions, currency).rounded(),
            unrealized_pnl=Money(valuation.unrealized, currency).rounded(),
            ts=self.market.market_time,
        )

    # -- persistence ------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Return the account (books, orders, counters) as JSON-serialisable data."""
        return {
            "version": SNAPSHOT_VERSION,
            "account_id": self.account_id,
            "ledger": self.ledger.snapshot(),
            "orders": [r.snapshot() for r in sorted(self._orders.values(), key=lambda r: r.sequence)],
            "execution_seq": self._execution_seq,
            "order_seq": self._order_seq,
            "last_close": None if self._last_close is None else self._last_close.isoformat(),
        }

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Replace this account's state with ``snapshot``, then catch up on closes it missed."""
        if snapshot.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unsupported simulator snapshot version {snapshot.get('version')!r}")
        self.ledger = Ledger.restore(snapshot["ledger"])
        self._orders = {}
        for data in snapshot["orders"]:
            record = OrderRecord.restore(data)
            self._orders[record.request.client_order_id] = record
        self._execution_seq = int(snapshot["execution_seq"])
        self._order_seq = int(snapshot["order_seq"])
        last = snapshot.get("last_close")
        self._last_close = None if last is None else datetime.fromisoformat(last)
        self.market.sync()
        for close in list(self.market.closes):
            if self._last_close is not None and close.ts > self._last_close:
                self.on_session_close(close)
