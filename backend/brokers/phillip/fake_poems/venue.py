"""The stand-in's trading side: POEMS payloads in and out, a ``SimulatorBroker`` account per user.

Prices and fills come from the shared ``SimulatedMarket``; this module adds what POEMS does on top:
counter ids, SGX ticks and board lots, validate-then-submit with a one-use token, order numbers,
quantity-only amendment (a cancel and a new simulator order for the rest, reported as one order)
and POEMS-shaped result codes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.brokers.errors import (
    BrokerError,
    InsufficientBuyingPower,
    InvalidPriceTick,
    MarketClosed,
    OrderNotCancellable,
    UnknownInstrument,
)
from backend.brokers.phillip.error_codes import PoemsCode
from backend.brokers.phillip.fake_poems.universe import BOARD_LOT, BY_COUNTER_ID, CURRENCY, EXCHANGE, sgx_tick
from backend.brokers.phillip.parsing import SGT
from backend.brokers.simulator import SimulatorBroker
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderRequest, OrderState, OrderStatus
from backend.domain.values import NetPrice, Quantity

_STATUS_CODES = {
    OrderStatus.PENDING_SUBMIT: "PE",
    OrderStatus.WORKING: "Q",
    OrderStatus.PARTIALLY_FILLED: "Q",
    OrderStatus.FILLED: "FL",
    OrderStatus.CANCELLED: "WD",
    OrderStatus.EXPIRED: "EX",
    OrderStatus.REJECTED: "RJ",
}
_ERROR_CODES: tuple[tuple[type[BrokerError], PoemsCode], ...] = (
    (InsufficientBuyingPower, PoemsCode.INSUFFICIENT_LIMIT),
    (InvalidPriceTick, PoemsCode.INVALID_PRICE_TICK),
    (MarketClosed, PoemsCode.MARKET_CLOSED),
    (UnknownInstrument, PoemsCode.COUNTER_NOT_FOUND),
    (OrderNotCancellable, PoemsCode.ORDER_NOT_AMENDABLE),
)


class PoemsFailure(Exception):
    """A call POEMS answers with ``code != 1`` (HTTP 200)."""

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


def failure_for(error: BrokerError) -> PoemsFailure:
    """Translate a simulator refusal into the POEMS code and message the stand-in sends."""
    code = next((c for cls, c in _ERROR_CODES if isinstance(error, cls)), PoemsCode.FAILED)
    return PoemsFailure(code, error.message)


def sgt(ts: datetime) -> str:
    """Format ``ts`` as POEMS does: Singapore wall-clock time."""
    return ts.astimezone(SGT).strftime("%Y-%m-%d %H:%M:%S")


def money(value: Decimal) -> str:
    """Format an amount to cents."""
    return f"{value.quantize(Decimal('0.01')):f}"


@dataclass(frozen=True, slots=True)
class OrderTicket:
    """A parsed order form: what validate checks and submit must repeat exactly."""

    counter_id: str
    symbol: str
    side: Side
    price: Decimal
    quantity: Decimal

    def fingerprint(self) -> str:
        """Return a digest that binds an auth token to exactly this order."""
        text = f"{self.counter_id}|{self.side.value}|{self.price.normalize()}|{self.quantity.normalize()}"
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class FakeOrder:
    """One POEMS order; ``segments`` are the simulator orders it was carried by (more after an amend)."""

    order_no: str
    ticket: OrderTicket
    quantity: Decimal
    submitted_at: datetime
    segments: list[str] = field(default_factory=list)


def parse_ticket(form: dict[str, str]) -> OrderTicket:
    """Check an order form's shape, SGX tick and board lot; raise ``PoemsFailure``."""
    listing = BY_COUNTER_ID.get(form.get("counterID", ""))
    if listing is None:
        raise PoemsFailure(PoemsCode.COUNTER_NOT_FOUND, "Counter not found")
    action = form.get("action")
    if action not in {"1", "2"}:
        raise PoemsFailure(PoemsCode.FAILED, "Unsupported order action")
    if form.get("orderType", "LO") != "LO" or form.get("validity", "0") != "0":
        raise PoemsFailure(PoemsCode.FAILED, "Only day limit orders (LO) are supported")
    try:
        price = Decimal(form.get("limitPrice", ""))
        quantity = Decimal(form.get("quantity", ""))
    except InvalidOperation as error:
        raise PoemsFailure(PoemsCode.FAILED, "limitPrice and quantity must be numbers") from error
    if not price.is_finite() or price <= 0:
        raise PoemsFailure(PoemsCode.PRICE_OUT_OF_RANGE, "Price must be positive")
    if not quantity.is_finite() or quantity <= 0 or quantity % BOARD_LOT != 0:
        raise PoemsFailure(PoemsCode.INVALID_QUANTITY, f"Quantity must be in board lots of {BOARD_LOT}")
    tick = sgx_tick(price)
    if price % tick != 0:
        raise PoemsFailure(PoemsCode.INVALID_PRICE_TICK, f"Price {price} is not in multiples of {tick}")
    side = Side.BUY if action == "1" else Side.SELL
    return OrderTicket(listing.counter_id, listing.symbol, side, price, quantity)


class FakeAccount:
    """One stand-in user's POEMS account over a simulated one."""

    def __init__(
        self, username: str, account_no: str, broker: SimulatorBroker, auth_token_ttl: timedelta
    ) -> None:
        self.username = username
        self.account_no = account_no
        self.broker = broker
        self._auth_token_ttl = auth_token_ttl
        self._auth_tokens: dict[str, tuple[str, datetime]] = {}
        self.orders: dict[str, FakeOrder] = {}
        self._next_order = 1
        self._next_segment = 1
        self.used_token_refusals = 0

    def _now(self) -> datetime:
        return self.broker.market.now()

    def _request(self, ticket: OrderTicket, quantity: Decimal, cid: str) -> OrderRequest:
        return OrderRequest(
            cid, Stock(ticket.symbol), ticket.side, Quantity(quantity), limit_price=NetPrice(ticket.price)
        )

    def validate(self, form: dict[str, str]) -> dict[str, Any]:
        """Check an order as submit would, and return a one-use auth token bound to it."""
        ticket = parse_ticket(form)
        try:
            self.broker.admission.check(self._request(ticket, ticket.quantity, "validate"))
        except BrokerError as error:
            raise failure_for(error) from error
        token = secrets.token_urlsafe(24)
        self._auth_tokens[token] = (ticket.fingerprint(), self._now() + self._auth_token_ttl)
        return {"passwordRequire": False, "twoFARequire": False, "authToken": token}

    async def submit(self, form: dict[str, str], auth_token: str | None) -> dict[str, Any]:
        """Place a validated order once; the auth token is spent whatever happens next."""
        ticket = parse_ticket(form)
        bound = self._auth_tokens.pop(auth_token or "", None)
        if bound is None or bound[0] != ticket.fingerprint() or bound[1] < self._now():
            self.used_token_refusals += 1
            raise PoemsFailure(PoemsCode.INVALID_AUTH_TOKEN, "Invalid, expired or already used authToken")
        order_no = str(700000 + self._next_order)
        self._next_order += 1
        order = FakeOrder(order_no, ticket, ticket.quantity, self._now())
        await self._place_segment(order, ticket.quantity)
        self.orders[order_no] = order
        return {"orderNo": int(order_no), "orderDetailsURI": f"global/order/{order_no}"}

    async def _place_segment(self, order: FakeOrder, quantity: Decimal) -> None:
        cid = f"P{order.order_no}-{self._next_segment}"
        self._next_segment += 1
        try:
            await self.broker.place_order(self._request(order.ticket, quantity, cid))
        except BrokerError as error:
            raise failure_for(error) from error
        order.segments.append(cid)

    def _order(self, order_no: str, form: dict[str, str]) -> FakeOrder:
        order = self.orders.get(order_no)
        if order is None or form.get("counterID") not in (None, order.ticket.counter_id):
            raise PoemsFailure(PoemsCode.ORDER_NOT_FOUND, f"Order {order_no} not found")
        return order

    async def withdraw(self, order_no: str, form: dict[str, str]) -> dict[str, Any]:
        """Cancel the working part of an order."""
        order = self._order(order_no, form)
        try:
            await self.broker.cancel_order(order.segments[-1])
        except BrokerError as error:
            raise failure_for(error) from error
        return {"orderNo": int(order_no)}

    async def amend(self, order_no: str, form: dict[str, str]) -> dict[str, Any]:
        """Lower an order's total quantity, keeping what has filled."""
        order = self._order(order_no, form)
        try:
            new_quantity = Decimal(form.get("amendQty", ""))
        except InvalidOperation as error:
            raise PoemsFailure(PoemsCode.INVALID_QUANTITY, "amendQty must be a number") from error
        filled, _, status = await self._progress(order)
        if status.is_terminal:
            raise PoemsFailure(PoemsCode.ORDER_NOT_AMENDABLE, f"Order {order_no} is {status.value}")
        if new_quantity % BOARD_LOT != 0 or not filled < new_quantity < order.quantity:
            raise PoemsFailure(
                PoemsCode.INVALID_QUANTITY,
                "amendQty must lower the order, in board lots, above the filled part",
            )
        await self.broker.cancel_order(order.segments[-1])
        order.quantity = new_quantity
        await self._place_segment(order, new_quantity - filled)
        return {"orderNo": int(order_no)}

    async def _progress(self, order: FakeOrder) -> tuple[Decimal, Decimal | None, OrderStatus]:
        states: list[OrderState] = [await self.broker.order_status(cid) for cid in order.segments]
        filled = sum((s.filled_quantity.value for s in states), Decimal(0))
        paid = sum((s.filled_quantity.value * (s.average_fill_price or 0) for s in states), Decimal(0))
        status = states[-1].status
        if status is OrderStatus.FILLED and filled < order.quantity:
            status = OrderStatus.PARTIALLY_FILLED  # pragma: no cover - segments always cover the rest
        return filled, (paid / filled if filled else None), status

    async def today(self) -> dict[str, Any]:
        """Return today's orders as POEMS lists them."""
        items = []
        for order in self.orders.values():
            filled, average, status = await self._progress(order)
            state = await self.broker.order_status(order.segments[-1])
            items.append(
                {
                    "orderNo": order.order_no,
                    "counterID": order.ticket.counter_id,
                    "symbol": order.ticket.symbol,
                    "name": order.ticket.symbol,
                    "product": "ST",
                    "market": "SG",
                    "exchange": EXCHANGE,
                    "action": "1" if order.ticket.side is Side.BUY else "2",
                    "orderType": "LO",
                    "status": _STATUS_CODES[status],
                    "orderStatusDesc": state.reason or status.value.replace("_", " ").title(),
                    "submittedPrice": f"{order.ticket.price:f}",
                    "submittedQty": f"{order.quantity:f}",
                    "remainingQty": f"{(order.quantity - filled) if not status.is_terminal else 0:f}",
                    "executedQty": f"{filled:f}",
                    "executedPrice": f"{average:f}" if average is not None else "",
                    "submittedTime": sgt(order.submitted_at),
                    "latestUpdatedTime": sgt(state.updated_at),
                    "lotSize": f"{BOARD_LOT:f}",
                    "paymentCurrency": CURRENCY,
                }
            )
        return {"orders": items}

    async def holdings(self) -> dict[str, Any]:
        """Return the holdings grouped by exchange and currency."""
        items = []
        for position in await self.broker.positions():
            listing = next(lst for lst in BY_COUNTER_ID.values() if lst.symbol == position.instrument.key)
            items.append(
                {
                    "counterID": listing.counter_id,
                    "name": listing.name,
                    "symbol": listing.symbol,
                    "market": "SG",
                    "exchange": EXCHANGE,
                    "qty": f"{position.quantity:f}",
                    "aveCostPrice": f"{position.average_cost:f}",
                    "closingPrice": f"{position.market_price:f}" if position.market_price is not None else "",
                    "mktValue": money(position.market_value.amount),
                    "unrealizedPL": money(position.unrealized_pnl.amount),
                    "tradedCurr": CURRENCY,
                    "suspendedQty": "0",
                    "tradable": True,
                }
            )
        group = {"currency": CURRENCY, "list": items}
        return {"lastUpdated": sgt(self._now()), "holdings": [{"exchange": EXCHANGE, "currencies": [group]}]}

    async def account_details(self) -> dict[str, Any]:
        """Return the SGD balances: cash, what working orders hold, total assets."""
        summary = await self.broker.account_summary()
        cash = summary.cash.amount
        return {
            "lastUpdated": sgt(self._now()),
            "accountDetails": [
                {
                    "currency": CURRENCY,
                    "openingBalanceToday": money(self.broker.config.starting_cash),
                    "availableBalance": money(cash),
                    "allItemsOutstanding": money(cash - summary.buying_power.amount),
                    "totalAssetValue": money(summary.net_liquidation.amount),
                    "marginCall": "0.00",
                    "creditLimit": "0.00",
                    "initialMargin": money(summary.margin_requirement.amount),
                }
            ],
        }
