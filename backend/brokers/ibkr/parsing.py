"""Pure conversions between ib_async objects and our domain values; no socket, no state.

IB marks "no value" with NaN, -1 (prices), 0 sizes on an empty side, ``UNSET_DOUBLE``
(1.7976931348623157e308) or ``UNSET_INTEGER``; every reader here turns those into ``None`` so a
missing price can never become a number. Money goes through ``str(float)`` into ``Decimal``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

from ib_async import Bag, ComboLeg, Contract, Order, Ticker
from ib_async import Option as IbOption
from ib_async import Stock as IbStock
from ib_async.objects import AccountValue, OptionChain, OptionComputation, PortfolioItem
from ib_async.objects import Position as IbPosition

from backend.brokers.base import AccountSummary, DataSource, Greeks, Position, Quote
from backend.brokers.base import OptionChain as DomainChain
from backend.domain.instruments import Combo, Option, OptionRight, SingleInstrument, Stock
from backend.domain.option_math import implied_vol_and_greeks
from backend.domain.orders import OrderRequest, OrderStatus, OrderType, TimeInForce
from backend.domain.values import InvalidValue, Money, Price, Quantity, to_decimal

UNSET_DOUBLE = 1.7976931348623157e308
UNSET_INTEGER = 2**31 - 1
_HUGE = 1e300
_NEW_YORK = ZoneInfo("America/New_York")
_DATA_SOURCES = {1: DataSource.LIVE, 2: DataSource.FROZEN, 3: DataSource.DELAYED, 4: DataSource.FROZEN}
_IB_STATUS = {
    "ApiPending": OrderStatus.PENDING_SUBMIT,
    "PendingSubmit": OrderStatus.PENDING_SUBMIT,
    "PreSubmitted": OrderStatus.WORKING,
    "Submitted": OrderStatus.WORKING,
    "PendingCancel": OrderStatus.WORKING,
    "ValidationError": OrderStatus.WORKING,
    "Filled": OrderStatus.FILLED,
    "Cancelled": OrderStatus.CANCELLED,
    "ApiCancelled": OrderStatus.CANCELLED,
    "Inactive": OrderStatus.REJECTED,
}
ACK_STATUSES = frozenset({"PreSubmitted", "Submitted"})


def number(value: object) -> float | None:
    """Return a finite, set float, or ``None`` for NaN, infinities, unset markers and non-numbers."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)  # type: ignore[arg-type]  # anything float() accepts, else None below
    except (TypeError, ValueError):
        return None
    if not math.isfinite(result) or abs(result) >= _HUGE or result == UNSET_INTEGER:
        return None
    return result


def price_of(value: object) -> Price | None:
    """Return a price, or ``None`` where IB has none (negative sentinels included)."""
    result = number(value)
    if result is None or result < 0:
        return None
    return Price(to_decimal(result, what="price"))


def size_of(value: object) -> Quantity | None:
    """Return a size, or ``None`` where IB has none."""
    result = number(value)
    if result is None or result < 0:
        return None
    return Quantity(to_decimal(result, what="size"))


def decimal_of(value: object) -> Decimal | None:
    """Return a signed finite Decimal, or ``None``."""
    result = number(value)
    return None if result is None else to_decimal(result)


def data_source_of(market_data_type: int) -> DataSource:
    """Map IB's market data type (1 live, 2 frozen, 3 delayed, 4 delayed frozen) to ours."""
    return _DATA_SOURCES.get(market_data_type, DataSource.LIVE)


def ib_date(day: date) -> str:
    """Return ``YYYYMMDD``."""
    return f"{day:%Y%m%d}"


def parse_ib_date(text: str) -> date:
    """Read IB's ``YYYYMMDD`` expiry."""
    return datetime.strptime(text[:8], "%Y%m%d").replace(tzinfo=UTC).date()


def instrument_of(contract: Contract) -> SingleInstrument | None:
    """Return the stock or option an IB contract is, or ``None`` for anything else (BAG, futures)."""
    if contract.secType == "STK":
        return Stock(contract.symbol, contract.exchange or "SMART", contract.currency or "USD")
    if contract.secType == "OPT":
        strike = price_of(contract.strike)
        if (
            strike is None
            or not contract.lastTradeDateOrContractMonth
            or contract.right[:1] not in ("C", "P")
        ):
            return None
        return Option(
            contract.symbol,
            parse_ib_date(contract.lastTradeDateOrContractMonth),
            strike,
            OptionRight(contract.right[:1]),
            int(contract.multiplier or 100),
            contract.tradingClass or "",
            "SMART",
            contract.currency or "USD",
        )
    return None


def contract_of(instrument: SingleInstrument, con_id: int = 0) -> Contract:
    """Return the IB contract of a stock or option (``con_id`` 0 when not qualified yet)."""
    if isinstance(instrument, Stock):
        return IbStock(instrument.symbol, instrument.exchange, instrument.currency, conId=con_id)
    return IbOption(
        instrument.underlying,
        ib_date(instrument.expiry),
        float(instrument.strike.value),
        instrument.right.value,
        instrument.exchange,
        str(instrument.multiplier),
        instrument.currency,
        conId=con_id,
        tradingClass=instrument.trading_class,
    )


def bag_of(combo: Combo, con_ids: Mapping[str, int]) -> Contract:
    """Return the BAG contract of a combo; ``con_ids`` maps each leg's key to its conId."""
    legs = [ComboLeg(conId=con_ids[leg.instrument.key], ratio=leg.ratio, action=leg.side.value, exchange="SMART")
            for leg in combo.legs]  # fmt: skip
    # ib_async leaves Bag.__init__ unannotated.
    return Bag(symbol=combo.underlying, exchange="SMART", currency=combo.currency, comboLegs=legs)  # type: ignore[no-untyped-call]


def order_of(request: OrderRequest, account: str) -> Order:
    """Return the IB order for a request; ``orderRef`` carries our ``client_order_id``."""
    order = Order(
        action=request.side.value,
        totalQuantity=float(request.quantity.value),
        orderType="LMT" if request.order_type is OrderType.LIMIT else "MKT",
        tif=request.time_in_force.value,
        orderRef=request.client_order_id,
        account=account,
        transmit=True,
    )
    if request.limit_price is not None:
        order.lmtPrice = float(request.limit_price.value)
    return order


def order_status_of(ib_status: str, filled: Decimal) -> OrderStatus:
    """Map IB's order status text; a working order with fills is partially filled."""
    status = _IB_STATUS.get(ib_status, OrderStatus.WORKING)
    if status is OrderStatus.WORKING and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    return status


def request_of(
    contract: Contract, order: Order, legs: Sequence[tuple[SingleInstrument, int, str]] = ()
) -> OrderRequest:
    """Rebuild an order request from IB's view of an order (after a restart lost ours)."""
    from backend.domain.instruments import ComboLeg as DomainLeg
    from backend.domain.instruments import Side
    from backend.domain.values import NetPrice

    instrument: Combo | SingleInstrument | None
    if contract.secType == "BAG":
        instrument = Combo(tuple(DomainLeg(i, r, Side(a)) for i, r, a in legs), contract.currency or "USD")
    else:
        instrument = instrument_of(contract)
    if instrument is None:
        raise InvalidValue(f"cannot rebuild an order on {contract.secType}")
    limit = decimal_of(order.lmtPrice)
    kind = OrderType.MARKET if order.orderType == "MKT" else OrderType.LIMIT
    return OrderRequest(
        order.orderRef,
        instrument,
        Side(order.action),
        Quantity(to_decimal(order.totalQuantity)),
        kind,
        NetPrice(limit) if kind is OrderType.LIMIT and limit is not None else None,
        TimeInForce.GTC if order.tif == "GTC" else TimeInForce.DAY,
    )


def option_chain_of(
    underlying: str, params: Iterable[OptionChain], details: Iterable[Contract]
) -> DomainChain:
    """Build our chain from secDefOptParams (SMART preferred) and the listed contracts' details."""
    chains = list(params)
    if not chains:
        raise InvalidValue(f"no option parameters for {underlying}")
    chain = next((c for c in chains if c.exchange == "SMART"), chains[0])
    listed = set(chain.expirations)
    strikes: dict[date, set[Price]] = {}
    for contract in details:
        expiry = contract.lastTradeDateOrContractMonth
        strike = price_of(contract.strike)
        if expiry in listed and strike is not None and contract.tradingClass in ("", chain.tradingClass):
            strikes.setdefault(parse_ib_date(expiry), set()).add(strike)
    expiries = tuple(sorted(strikes))
    by_expiry = {e: tuple(sorted(strikes[e])) for e in expiries}
    return DomainChain(
        underlying.upper(),
        chain.tradingClass,
        int(chain.multiplier or 100),
        "SMART",
        "USD",
        expiries,
        MappingProxyType(by_expiry),
    )


def greeks_of(computation: OptionComputation | None) -> tuple[Greeks, float] | None:
    """Return IB's greeks and implied volatility, or ``None`` if any of them is unset."""
    if computation is None:
        return None
    values = [
        number(getattr(computation, name)) for name in ("delta", "gamma", "vega", "theta", "impliedVol")
    ]
    delta, gamma, vega, theta, iv = values
    if delta is None or gamma is None or vega is None or theta is None or iv is None or abs(delta) > 1:
        return None
    return Greeks(delta, gamma, vega, theta, 0.0), iv


def expiry_moment(expiry: date) -> datetime:
    """Return when an equity option stops trading: 16:00 New York on its expiry date."""
    return datetime.combine(expiry, time(16, 0), _NEW_YORK)


def local_greeks(
    option: Option, price: Decimal, spot: Decimal, now: datetime, rate: float, dividend_yield: float = 0.0
) -> tuple[Greeks, float] | None:
    """Compute greeks and implied volatility from an option's price with our option maths."""
    years = (expiry_moment(option.expiry) - now) / timedelta(days=365)
    if years <= 0 or price <= 0 or spot <= 0:
        return None
    solved, g = implied_vol_and_greeks(
        float(price), float(spot), float(option.strike.value), years, rate, dividend_yield, option.is_call
    )
    values = [float(x) for x in (g.delta, g.gamma, g.vega, g.theta, g.rho, solved.iv)]
    if not all(math.isfinite(v) for v in values):
        return None
    delta, gamma, vega, theta, rho, iv = values
    return Greeks(delta, gamma, vega, theta, rho), iv


def quote_of(
    instrument: SingleInstrument,
    ticker: Ticker,
    now: datetime,
    *,
    underlying_price: Decimal | None = None,
    rate: float = 0.043,
) -> Quote:
    """Build a quote from a ticker; compute greeks locally (and say so) when IB sent none."""
    bid, ask = price_of(ticker.bid), price_of(ticker.ask)
    if bid is not None and ask is not None and bid > ask:
        bid = ask = None  # a crossed book from a half-updated ticker is no market at all
    source = data_source_of(ticker.marketDataType)
    ts = ticker.time if ticker.time is not None and ticker.time.tzinfo is not None else now
    greeks: Greeks | None = None
    iv: float | None = None
    under = underlying_price
    open_interest = None
    if isinstance(instrument, Option):
        open_interest = size_of(ticker.callOpenInterest if instrument.is_call else ticker.putOpenInterest)
        model = ticker.modelGreeks
        under_ib = price_of(model.undPrice) if model is not None else None
        under = under_ib.value if under_ib is not None else underlying_price
        found = greeks_of(model) or greeks_of(ticker.bidGreeks) or greeks_of(ticker.askGreeks)
        if found is None and bid is not None and ask is not None and under is not None:
            found = local_greeks(instrument, (bid.value + ask.value) / 2, under, now, rate)
            if found is not None and source is DataSource.LIVE:
                source = DataSource.COMPUTED
        if found is not None:
            greeks, iv = found
    return Quote(
        instrument=instrument,
        bid=bid,
        ask=ask,
        last=price_of(ticker.last),
        bid_size=size_of(ticker.bidSize) if bid is not None else None,
        ask_size=size_of(ticker.askSize) if ask is not None else None,
        volume=size_of(ticker.volume),
        open_interest=open_interest,
        data_source=source,
        ts=ts,
        greeks=greeks,
        implied_volatility=iv,
        underlying_price=Price(under) if under is not None else None,
    )


def position_of(item: IbPosition, portfolio: PortfolioItem | None, currency: str = "USD") -> Position | None:
    """Build our position (average cost per unit, before the multiplier) from IB's."""
    instrument = instrument_of(item.contract)
    quantity = decimal_of(item.position)
    if instrument is None or not quantity:
        return None
    average = (decimal_of(item.avgCost) or Decimal(0)) / instrument.multiplier
    zero = Money.zero(currency)
    if portfolio is None:
        return Position(instrument, quantity, average, None, zero, zero, zero)
    return Position(
        instrument,
        quantity,
        average,
        decimal_of(portfolio.marketPrice),
        Money(decimal_of(portfolio.marketValue) or Decimal(0), currency),
        Money(decimal_of(portfolio.unrealizedPNL) or Decimal(0), currency),
        Money(decimal_of(portfolio.realizedPNL) or Decimal(0), currency),
    )


def account_summary_of(account: str, values: Iterable[AccountValue], ts: datetime) -> AccountSummary:
    """Build our account summary from IB's account-summary tags (base currency rows)."""
    tags: dict[str, Decimal] = {}
    currency = "USD"
    for row in values:
        if row.account != account:
            continue
        amount = decimal_of(row.value)
        if amount is not None and row.tag not in tags:
            tags[row.tag] = amount
            if row.currency and len(row.currency) == 3 and row.currency != "BASE":
                currency = row.currency

    def money(*names: str) -> Money:
        return Money(next((tags[n] for n in names if n in tags), Decimal(0)), currency)

    return AccountSummary(
        account_id=account,
        cash=money("TotalCashValue", "CashBalance"),
        net_liquidation=money("NetLiquidation"),
        buying_power=money("BuyingPower", "AvailableFunds"),
        margin_requirement=money("InitMarginReq", "FullInitMarginReq"),
        realized_pnl=money("RealizedPnL"),
        unrealized_pnl=money("UnrealizedPnL"),
        ts=ts,
    )
