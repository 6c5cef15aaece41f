"""Pure conversion of POEMS payloads into our domain values; no I/O, testable from fixtures.

POEMS sends numbers as strings (``"28.38"``, ``"4.6"`` thousands, ``"-"`` for none) and times as
Singapore local wall-clock strings; everything here turns them into ``Decimal`` and aware UTC
datetimes at the boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from backend.brokers.base import AccountSummary, DataSource, Position, Quote
from backend.brokers.errors import BrokerAuthFailed, PermanentBrokerError
from backend.brokers.phillip.config import PhillipTokens
from backend.brokers.phillip.error_codes import PoemsCode, error_for
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderStatus
from backend.domain.values import InvalidValue, Money, Price, Quantity, to_decimal

SGT = ZoneInfo("Asia/Singapore")
_THOUSAND = Decimal(1000)
_ZERO = Decimal(0)
_EMPTY = {"", "-", "--", "n/a", "na", "null", "none"}
Payload = Mapping[str, Any]


def check_result(payload: object, *, client_order_id: str | None = None) -> Payload:
    """Return the payload if its ``code`` is 1, else raise the mapped broker error."""
    if not isinstance(payload, Mapping):
        raise PermanentBrokerError(f"POEMS sent a non-object response: {type(payload).__name__}")
    try:
        code = int(payload.get("code", 0))
    except (TypeError, ValueError):
        code = PoemsCode.FAILED
    if code != PoemsCode.SUCCESS:
        raise error_for(code, str(payload.get("msg") or ""), client_order_id=client_order_id)
    return payload


def decimal_or_none(value: object) -> Decimal | None:
    """Parse a POEMS number (``"1,234.50"``, ``"1.5%"``, ``"-"``) into a Decimal, or ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return to_decimal(value)
    text = str(value).strip().replace(",", "").rstrip("%")
    if text.lower() in _EMPTY:
        return None
    try:
        return to_decimal(text)
    except InvalidValue:
        return None


def _price(value: object) -> Price | None:
    number = decimal_or_none(value)
    # POEMS shows an empty book side as 0; a zero price is "no price", never a real quote.
    return Price(number) if number is not None and number > 0 else None


def _thousands(value: object) -> Quantity | None:
    number = decimal_or_none(value)
    return Quantity(number * _THOUSAND) if number is not None and number >= 0 else None


def parse_sgt(text: object, *, today: date | None = None) -> datetime | None:
    """Parse a Singapore local time (``2026-05-11 12:00:05``, ``11/05/2026 12:00:05``, ``12:00:05``) to UTC."""
    if not isinstance(text, str) or not text.strip():
        return None
    raw = text.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            naive = datetime.strptime(raw, fmt)  # noqa: DTZ007 - localised to SGT on the next line
        except ValueError:
            continue
        return naive.replace(tzinfo=SGT).astimezone(UTC)
    if today is not None:
        try:
            clock = datetime.strptime(raw, "%H:%M:%S").time()  # noqa: DTZ007 - SGT wall time
        except ValueError:
            return None
        return datetime.combine(today, clock, SGT).astimezone(UTC)
    return None


def sgt_today(now: datetime) -> date:
    """Return the Singapore calendar date at ``now``."""
    return now.astimezone(SGT).date()


# -- counters -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CounterId:
    """A POEMS counter id such as ``ST/SG/SGX/DBS.SG``: product, market, exchange and code."""

    product: str
    market: str
    exchange: str
    code: str

    @classmethod
    def parse(cls, text: str) -> CounterId:
        """Split a counter id; raise ``InvalidValue`` if it has fewer than four parts."""
        parts = text.split("/")
        if len(parts) < 4 or not all(parts[:4]):
            raise InvalidValue(f"not a POEMS counter id: {text!r}")
        return cls(parts[0], parts[1], parts[2], "/".join(parts[3:]))

    def __str__(self) -> str:
        return f"{self.product}/{self.market}/{self.exchange}/{self.code}"


@dataclass(frozen=True, slots=True)
class Counter:
    """One tradable counter as POEMS describes it."""

    counter_id: str
    symbol: str
    name: str
    exchange: str
    currency: str
    product: str
    lot_size: Decimal | None = None

    def stock(self) -> Stock:
        """Return our instrument for this counter."""
        return Stock(self.symbol, self.exchange, self.currency)


def parse_counter(item: Payload, *, default_currency: str) -> Counter:
    """Build a ``Counter`` from a search, info or price-list item."""
    counter_id = str(item.get("counterID") or "")
    parsed = CounterId.parse(counter_id)
    symbol = str(item.get("symbol") or item.get("code") or parsed.code)
    return Counter(
        counter_id=counter_id,
        symbol=symbol,
        name=str(item.get("nameDisplay") or item.get("name") or item.get("counterName") or symbol),
        exchange=str(item.get("exchange") or parsed.exchange),
        currency=str(item.get("currency") or item.get("tradedCurr") or default_currency),
        product=str(item.get("product") or parsed.product),
        lot_size=decimal_or_none(item.get("lotSize")),
    )


def parse_counter_list(payload: Payload, *, default_currency: str) -> list[Counter]:
    """Return the counters of a counter search response."""
    items = payload.get("counterList") or []
    return [parse_counter(item, default_currency=default_currency) for item in items if item.get("counterID")]


def parse_counter_id_response(payload: Payload) -> str:
    """Return the counter id of a "counter id by feed code" response."""
    counter_id = str(payload.get("counterID") or "")
    CounterId.parse(counter_id)
    return counter_id


# -- market data ----------------------------------------------------------------------------------


def parse_quote(item: Payload, instrument: Stock, received_at: datetime) -> Quote:
    """Build a ``Quote`` from a price-list or counter-info item, stamped when it was received."""
    bid, ask = _price(item.get("bid")), _price(item.get("ask"))
    if bid is not None and ask is not None and bid > ask:
        # A crossed book (an auction in progress) is no tradable market; fail closed on both sides.
        bid = ask = None
    delayed = str(item.get("delayIndicator") or "").strip()
    return Quote(
        instrument=instrument,
        bid=bid,
        ask=ask,
        last=_price(item.get("lastDone")),
        bid_size=_thousands(item.get("bVolK")) if bid is not None else None,
        ask_size=_thousands(item.get("sVolK")) if ask is not None else None,
        volume=_thousands(item.get("volK")),
        open_interest=None,
        data_source=DataSource.DELAYED if delayed else DataSource.LIVE,
        ts=received_at,
    )


def parse_price_list(
    payload: Payload, instruments: Mapping[str, Stock], received_at: datetime
) -> dict[str, Quote]:
    """Return a quote per counter id of a price-list response (only those asked for)."""
    quotes: dict[str, Quote] = {}
    for item in payload.get("priceList") or []:
        counter_id = str(item.get("counterID") or "")
        instrument = instruments.get(counter_id)
        if instrument is not None:
            quotes[counter_id] = parse_quote(item, instrument, received_at)
    return quotes


@dataclass(frozen=True, slots=True)
class DepthLevel:
    """One level of the order book; a side may be empty."""

    bid_price: Decimal | None
    bid_size: Decimal | None
    ask_price: Decimal | None
    ask_size: Decimal | None


def parse_market_depth(payload: Payload) -> list[DepthLevel]:
    """Return the book levels of a market-depth response, best first."""
    levels = []
    for item in payload.get("marketDepth") or []:
        levels.append(
            DepthLevel(
                decimal_or_none(item.get("bidPrice") or item.get("buyPrice")),
                decimal_or_none(item.get("bidVolume") or item.get("buyVolume") or item.get("bidVol")),
                decimal_or_none(item.get("askPrice") or item.get("sellPrice")),
                decimal_or_none(item.get("askVolume") or item.get("sellVolume") or item.get("askVol")),
            )
        )
    return levels


# -- account --------------------------------------------------------------------------------------


def parse_holdings(payload: Payload, stock_for: Callable[[Payload], Stock]) -> list[Position]:
    """Return the non-zero positions of a holdings response; ``stock_for`` names each item's stock."""
    positions: list[Position] = []
    for exchange in payload.get("holdings") or []:
        for currency_group in exchange.get("currencies") or []:
            group_currency = str(currency_group.get("currency") or "SGD")
            for item in currency_group.get("list") or []:
                quantity = decimal_or_none(item.get("qty")) or _ZERO
                if quantity == 0:
                    continue
                currency = str(item.get("tradedCurr") or group_currency)
                average = decimal_or_none(item.get("aveCostPrice")) or _ZERO
                mark = decimal_or_none(item.get("closingPrice"))
                value = decimal_or_none(item.get("mktValue"))
                if value is None:
                    value = quantity * (mark if mark is not None else average)
                unrealized = decimal_or_none(item.get("unrealizedPL"))
                if unrealized is None:
                    unrealized = value - quantity * average
                positions.append(
                    Position(
                        instrument=stock_for(item),
                        quantity=quantity,
                        average_cost=average,
                        market_price=mark,
                        market_value=Money(value, currency),
                        unrealized_pnl=Money(unrealized, currency),
                        realized_pnl=Money.zero(currency),
                    )
                )
    return positions


def parse_account_details(
    payload: Payload, *, account_no: str, currency: str, unrealized: Decimal, now: datetime
) -> AccountSummary:
    """Return the summary of the ``currency`` line of an account-details response.

    Buying power is the available balance plus the credit limit less what outstanding items
    (working orders, unsettled purchases) already hold.
    """
    lines = payload.get("accountDetails") or []
    line = next((entry for entry in lines if str(entry.get("currency")) == currency), None)
    if line is None:
        raise PermanentBrokerError(f"POEMS account details have no {currency} line")
    available = decimal_or_none(line.get("availableBalance")) or _ZERO
    credit = decimal_or_none(line.get("creditLimit")) or _ZERO
    outstanding = decimal_or_none(line.get("allItemsOutstanding")) or _ZERO
    total = decimal_or_none(line.get("totalAssetValue"))
    margin = decimal_or_none(line.get("initialMargin")) or _ZERO
    return AccountSummary(
        account_id=account_no,
        cash=Money(available, currency),
        net_liquidation=Money(total if total is not None else available, currency),
        buying_power=Money(available + credit - outstanding, currency),
        margin_requirement=Money(margin, currency),
        realized_pnl=Money.zero(currency),
        unrealized_pnl=Money(unrealized, currency),
        ts=parse_sgt(payload.get("lastUpdated")) or now,
    )


# -- orders ---------------------------------------------------------------------------------------

_WORKING = {"OR", "OP", "AD", "Q", "PO", "PE", "PF", "QUEUED"}
_FILLED = {"FL", "FILLED", "DONE"}
_CANCELLED = {"WD", "CN", "CA", "CANCELLED", "CANCELED", "WITHDRAWN"}
_EXPIRED = {"EX", "EXPIRED"}
_REJECTED = {"RJ", "RE", "ER", "FAILED", "REJECTED"}


def order_status(code: str, executed: Decimal, quantity: Decimal) -> OrderStatus:
    """Map a POEMS order status code and its fill progress onto our ``OrderStatus``."""
    code = code.strip().upper()
    if code in _FILLED or (quantity > 0 and executed >= quantity and code not in _REJECTED):
        return OrderStatus.FILLED
    if code in _CANCELLED:
        return OrderStatus.CANCELLED
    if code in _EXPIRED:
        return OrderStatus.EXPIRED
    if code in _REJECTED:
        return OrderStatus.REJECTED
    if code in _WORKING:
        return OrderStatus.PARTIALLY_FILLED if executed > 0 else OrderStatus.WORKING
    # An unknown code is most likely an in-flight state; the order is still the broker's to finish.
    return OrderStatus.PARTIALLY_FILLED if executed > 0 else OrderStatus.PENDING_SUBMIT


@dataclass(frozen=True, slots=True)
class PoemsOrder:
    """One of today's orders as POEMS reports it; fills are cumulative."""

    order_no: str
    counter_id: str
    symbol: str
    side: Side
    status_code: str
    status: OrderStatus
    price: Decimal | None
    quantity: Decimal
    executed_quantity: Decimal
    executed_price: Decimal | None
    updated_at: datetime
    description: str
    submitted_at: datetime | None = None


def parse_side(action: object) -> Side:
    """Map a POEMS action (``1`` buy, ``2`` sell, ``5`` short sell, or words) to a side."""
    text = str(action or "").strip().upper()
    return Side.SELL if text in {"2", "5", "S", "SELL", "SHORT SELL", "SHORTSELL"} else Side.BUY


def parse_order(item: Payload, now: datetime) -> PoemsOrder:
    """Build a ``PoemsOrder`` from one item of today's orders."""
    quantity = decimal_or_none(item.get("submittedQty")) or _ZERO
    executed = decimal_or_none(item.get("executedQty")) or _ZERO
    code = str(item.get("status") or "")
    today = sgt_today(now)
    updated = (
        parse_sgt(item.get("latestUpdatedTime"), today=today)
        or parse_sgt(item.get("updatedTime"), today=today)
        or parse_sgt(item.get("executedTime"), today=today)
        or parse_sgt(item.get("submittedTime"), today=today)
        or now
    )
    return PoemsOrder(
        order_no=str(item.get("orderNo") or ""),
        counter_id=str(item.get("counterID") or ""),
        symbol=str(item.get("symbol") or ""),
        side=parse_side(item.get("action")),
        status_code=code,
        status=order_status(code, executed, quantity),
        price=decimal_or_none(item.get("submittedPrice")),
        quantity=quantity,
        executed_quantity=executed,
        executed_price=decimal_or_none(item.get("executedPrice")),
        updated_at=updated,
        description=str(item.get("orderStatusDesc") or ""),
        submitted_at=parse_sgt(item.get("submittedTime"), today=today),
    )


def parse_orders(payload: Payload, now: datetime) -> dict[str, PoemsOrder]:
    """Return today's orders by order number."""
    orders = (parse_order(item, now) for item in payload.get("orders") or [])
    return {order.order_no: order for order in orders if order.order_no}


def fill_delta(
    before_quantity: Decimal, before_average: Decimal | None, after_quantity: Decimal, after_average: Decimal
) -> tuple[Decimal, Decimal]:
    """Return the quantity and price of the fill between two cumulative (quantity, average) reports."""
    quantity = after_quantity - before_quantity
    if quantity <= 0:
        raise InvalidValue("no new fill between the two reports")
    paid_before = before_quantity * (before_average or _ZERO)
    return quantity, (after_quantity * after_average - paid_before) / quantity


# -- orders placed --------------------------------------------------------------------------------


def parse_validate(payload: Payload, *, client_order_id: str) -> str:
    """Return the one-use auth token of a validated order; refuse interactive confirmations."""
    token = str(payload.get("authToken") or "")
    if token:
        return token
    if payload.get("twoFARequire") or payload.get("passwordRequire"):
        raise BrokerAuthFailed(
            f"POEMS wants an interactive password or 2FA confirmation for order {client_order_id}"
        )
    raise PermanentBrokerError(f"POEMS validated order {client_order_id} without an auth token")


def parse_submit(payload: Payload, *, client_order_id: str) -> str:
    """Return the order number POEMS gave a submitted order."""
    order_no = str(payload.get("orderNo") or "")
    if not order_no:
        raise PermanentBrokerError(
            f"POEMS accepted order {client_order_id} without an order number", ambiguous=True
        )
    return order_no


# -- OAuth ----------------------------------------------------------------------------------------


def parse_token_response(
    payload: Payload, now: datetime, previous: PhillipTokens | None = None
) -> PhillipTokens:
    """Build ``PhillipTokens`` from a token endpoint response, keeping the old refresh token if none came."""
    access = payload.get("access_token")
    if not isinstance(access, str) or not access:
        raise BrokerAuthFailed("POEMS token response has no access_token")
    refresh = payload.get("refresh_token")
    expires_in = decimal_or_none(payload.get("expires_in"))
    seconds = float(expires_in) if expires_in is not None and expires_in > 0 else 3600.0
    refresh_token = refresh if isinstance(refresh, str) and refresh else None
    if refresh_token is None and previous is not None and previous.refresh_token is not None:
        refresh_token = previous.refresh_token.get_secret_value()
    return PhillipTokens.model_validate(
        {
            "access_token": access,
            "refresh_token": refresh_token,
            "token_type": str(payload.get("token_type") or "Bearer"),
            "expires_at": now + timedelta(seconds=seconds),
            "scope": str(payload.get("scope") or ""),
            "account_no": str(payload.get("accountNo") or (previous.account_no if previous else "")),
            "account_type": str(payload.get("accountType") or (previous.account_type if previous else "")),
        }
    )
