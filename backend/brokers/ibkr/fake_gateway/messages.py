"""Outgoing messages of the fake gateway, field for field as ib_async 2.1.0 decodes them.

Every builder follows ``ib_async/decoder.py`` at ``SERVER_VERSION`` (178): messages that still carry
a version field after their id (tick price, error, position, ...) have it; those whose version
field the server dropped (contract details, open order, execution details, option computation)
do not. Fields are returned as lists; ``wire.encode`` frames them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from backend.brokers.ibkr.fake_gateway.contracts import (
    BAG_CON_ID,
    contract_fields,
    ib_date,
    local_symbol,
    trading_class,
)
from backend.brokers.ibkr.fake_gateway.wire import Field
from backend.domain.instruments import Option, SingleInstrument

SERVER_VERSION = 178
Msg = list[Field]


@dataclass(frozen=True, slots=True)
class LegSpec:
    """One combo leg as IB writes it."""

    con_id: int
    ratio: int
    action: str


@dataclass(frozen=True, slots=True)
class OrderView:
    """What an open-order or completed-order message says about one order."""

    order_id: int
    client_id: int
    perm_id: int
    account: str
    action: str
    quantity: Decimal
    order_type: str
    limit_price: Decimal | None
    tif: str
    order_ref: str
    status: str
    head: Sequence[Field]
    """conId, symbol, secType, expiry, strike, right, multiplier of the contract (or the BAG)."""
    local_symbol: str
    trading_class: str
    legs: tuple[LegSpec, ...] = ()
    filled: Decimal = Decimal(0)


def bag_head(symbol: str) -> list[Field]:
    """Return the contract head of a BAG on ``symbol``."""
    return [BAG_CON_ID, symbol, "BAG", "", 0.0, "", ""]


def handshake(now: datetime) -> Msg:
    """Answer the version range with the server version and the connection time."""
    return [SERVER_VERSION, f"{now:%Y%m%d %H:%M:%S} UTC"]


def next_valid_id(order_id: int) -> Msg:
    """Tell the client the next order id it may use."""
    return [9, 1, order_id]


def managed_accounts(accounts: Sequence[str]) -> Msg:
    """List the accounts this login manages."""
    return [15, 1, ",".join(accounts)]


def error(req_id: int, code: int, text: str) -> Msg:
    """Report an error or notice (``req_id`` -1 when it is about no request)."""
    return [4, 2, req_id, code, text, ""]


def current_time(epoch: int) -> Msg:
    """Answer reqCurrentTime."""
    return [49, 1, epoch]


def contract_details(req_id: int, instrument: SingleInstrument, min_tick: Decimal, under_con_id: int) -> Msg:
    """Describe one contract (server version >= 164 layout, no version field)."""
    con_id, symbol, sec_type, expiry, strike, right, multiplier = contract_fields(instrument)
    is_option = isinstance(instrument, Option)
    return [
        10, req_id, symbol, sec_type, expiry, strike, right, "SMART", "USD",
        local_symbol(instrument), trading_class(instrument), trading_class(instrument), con_id,
        float(min_tick), multiplier, "LMT,MKT", "SMART,CBOE,ISE" if is_option else "SMART,ARCA",
        1, under_con_id if is_option else 0, symbol, "" if is_option else "ARCA",
        str(expiry)[:6] if is_option else "", "", "", "", "US/Eastern",
        "", "", "", "", 0,  # trading hours, liquid hours, evRule, evMultiplier, no sec ids
        1, symbol if is_option else "", "STK" if is_option else "", "32" if is_option else "26",
        expiry, "COMMON" if not is_option else "", "1", "1", "1",
    ]  # fmt: skip


def contract_details_end(req_id: int) -> Msg:
    """Close a contract-details answer."""
    return [52, 1, req_id]


def sec_def_opt_params(
    req_id: int, under_con_id: int, trading_class_: str, multiplier: int, expiries: Sequence[str],
    strikes: Sequence[Decimal],
) -> Msg:  # fmt: skip
    """List an underlying's option expiries and strikes on SMART."""
    return [
        75, req_id, "SMART", under_con_id, trading_class_, str(multiplier),
        len(expiries), *expiries, len(strikes), *(float(s) for s in strikes),
    ]  # fmt: skip


def sec_def_opt_params_end(req_id: int) -> Msg:
    """Close a secDefOptParams answer."""
    return [76, req_id]


def market_data_type(req_id: int, data_type: int) -> Msg:
    """Say which kind of data (1 live, 2 frozen, 3 delayed, 4 delayed frozen) a request gets."""
    return [58, 1, req_id, data_type]


def tick_price(req_id: int, tick_type: int, price: float, size: float) -> Msg:
    """Send a price tick with its size (attribute mask 0)."""
    return [1, 6, req_id, tick_type, price, size, 0]


def tick_size(req_id: int, tick_type: int, size: float) -> Msg:
    """Send a size tick."""
    return [2, 6, req_id, tick_type, size]


def tick_option_computation(
    req_id: int, tick_type: int, iv: float, delta: float, price: float, gamma: float, vega: float,
    theta: float, under: float,
) -> Msg:  # fmt: skip
    """Send greeks (tick 10-13 live, 80-83 delayed); no version field at this server version."""
    return [21, req_id, tick_type, 1, iv, delta, price, 0.0, gamma, vega, theta, under]


def tick_snapshot_end(req_id: int) -> Msg:
    """Close a snapshot request."""
    return [57, 1, req_id]


def _order_head(view: OrderView) -> list[Field]:
    return [*view.head, "SMART", "USD", view.local_symbol, view.trading_class]


def _price(value: Decimal | None) -> Field:
    return "" if value is None else float(value)


def _legs(view: OrderView) -> list[Field]:
    fields: list[Field] = [len(view.legs)]
    for leg in view.legs:
        fields += [leg.con_id, leg.ratio, leg.action, "SMART", 0, 0, "", -1]
    return [*fields, 0, 0]  # no per-leg prices, no smart-combo routing params


def open_order(view: OrderView) -> Msg:
    """Describe a working order (decoder.openOrder at server version 178)."""
    return [
        5, view.order_id, *_order_head(view),
        view.action, float(view.quantity), view.order_type, _price(view.limit_price), "", view.tif,
        "", view.account, "O", 0, view.order_ref, view.client_id, view.perm_id, 0, 0, 0.0, "", "",
        "", "", "",  # faGroup, faMethod, faPercentage
        "", "", "", "", "", 0, "", -1, 0, "", "", "", "", "", 0, 0, 0, 0, "", 0, 0, 0, "", 0, 0,
        "", "", "", 0,  # volatility, volatilityType, deltaNeutralOrderType (none), its aux price
        0, "", "", "", "", "", "",  # continuousUpdate .. comboLegsDescrip
        *_legs(view),
        "", "", "",  # scale sizes and increment
        "",  # hedgeType
        0, "", "", 0, 0,  # optOutSmartRouting, clearing account/intent, notHeld, no delta-neutral
        "",  # algoStrategy
        0, 0, view.status, "", "", "", "", "", "", "", "", "", "", "", "", "", "", 0, 0,
        0,  # no conditions
        "", "", "", "", "", "", "", 0, "", "", "", "", 0, 0, "", 0,
        "", 0, 0,  # duration, postToAts, autoCancelParent
        "", "", "", "", "",  # minTradeQty .. midOffsetAtHalf
    ]  # fmt: skip


def open_order_end() -> Msg:
    """Close an open-orders answer."""
    return [53, 1]


def completed_order(view: OrderView, completed: datetime) -> Msg:
    """Describe a finished order (decoder.completedOrder at server version 178; no order id)."""
    return [
        101, *_order_head(view),
        view.action, float(view.quantity), view.order_type, _price(view.limit_price), "", view.tif,
        "", view.account, "O", 0, view.order_ref, view.perm_id, 0, 0, 0.0, "", "", "", "",
        "", "", "", "", "", 0, "", -1, "", "", "", "", "", 0, 0, 0, "", 0, 0, "", 0, "", "",
        0, "", "", "", "",  # continuousUpdate .. comboLegsDescrip
        *_legs(view),
        "", "", "",
        "",
        "", "", 0, 0,
        "",
        0, view.status, 0, 0,
        0,
        "", "", "", 0, 0, "", float(view.filled), 0, 0, "", 0, 0, 0,
        f"{completed:%Y%m%d %H:%M:%S} UTC", view.status,
        "", "", "", "", "",
    ]  # fmt: skip


def completed_orders_end() -> Msg:
    """Close a completed-orders answer."""
    return [102]


def order_status(
    order_id: int, status: str, filled: Decimal, remaining: Decimal, average: Decimal, perm_id: int,
    last_fill: Decimal, client_id: int,
) -> Msg:  # fmt: skip
    """Report an order's status (no version field)."""
    return [
        3, order_id, status, float(filled), float(remaining), float(average), perm_id, 0,
        float(last_fill), client_id, "", 0.0,
    ]  # fmt: skip


def exec_details(
    req_id: int, order_id: int, head: Sequence[Field], local: str, t_class: str, exec_id: str,
    ts: datetime, account: str, side: str, shares: Decimal, price: Decimal, perm_id: int,
    client_id: int, cum_qty: Decimal, avg_price: Decimal, order_ref: str,
) -> Msg:  # fmt: skip
    """Report one execution (``req_id`` -1 when live); layout of server version 178."""
    return [
        11, req_id, order_id, *head, "SMART", "USD", local, t_class, exec_id,
        f"{ts:%Y%m%d %H:%M:%S} UTC", account, "SMART", side, float(shares), float(price), perm_id,
        client_id, 0, float(cum_qty), float(avg_price), order_ref, "", "", "", 1, 0,
    ]  # fmt: skip


def exec_details_end(req_id: int) -> Msg:
    """Close an executions answer."""
    return [55, 1, req_id]


def commission_report(exec_id: str, commission: Decimal, currency: str) -> Msg:
    """Report the commission of one execution (realised P&L and yield unset)."""
    return [59, 1, exec_id, float(commission), currency, 1.7976931348623157e308, 1.7976931348623157e308, 0]


def position(account: str, instrument: SingleInstrument, quantity: Decimal, average_cost: Decimal) -> Msg:
    """Report one position; IB's average cost is per contract, multiplier included."""
    return [
        61, 3, account, *contract_fields(instrument), "SMART", "USD", local_symbol(instrument),
        trading_class(instrument), float(quantity), float(average_cost * instrument.multiplier),
    ]  # fmt: skip


def position_end() -> Msg:
    """Close a positions answer."""
    return [62, 1]


def portfolio_value(
    account: str, instrument: SingleInstrument, quantity: Decimal, price: Decimal, value: Decimal,
    average_cost: Decimal, unrealized: Decimal, realized: Decimal,
) -> Msg:  # fmt: skip
    """Report one portfolio line of the account-updates stream."""
    return [
        7, 8, *contract_fields(instrument), "", "USD", local_symbol(instrument), trading_class(instrument),
        float(quantity), float(price), float(value), float(average_cost * instrument.multiplier),
        float(unrealized), float(realized), account,
    ]  # fmt: skip


def account_value(account: str, key: str, value: str, currency: str) -> Msg:
    """Report one value of the account-updates stream."""
    return [6, 2, key, value, currency, account]


def account_time(now: datetime) -> Msg:
    """Stamp the account-updates stream."""
    return [8, 1, f"{now:%H:%M}"]


def account_download_end(account: str) -> Msg:
    """Close the first account-updates batch."""
    return [54, 1, account]


def account_update_multi(req_id: int, account: str, key: str, value: str, currency: str) -> Msg:
    """Report one value of an account-updates-multi subscription."""
    return [73, 1, req_id, account, "", key, value, currency]


def account_update_multi_end(req_id: int) -> Msg:
    """Close an account-updates-multi batch."""
    return [74, 1, req_id]


def account_summary(req_id: int, account: str, tag: str, value: str, currency: str) -> Msg:
    """Report one account-summary tag."""
    return [63, 1, req_id, account, tag, value, currency]


def account_summary_end(req_id: int) -> Msg:
    """Close an account-summary answer."""
    return [64, 1, req_id]


def expiry_text(option: Option) -> str:
    """Return an option's expiry as IB writes it."""
    return ib_date(option.expiry)
