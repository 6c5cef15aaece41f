"""Pure conversions from ib_async objects to domain values (no socket)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from ib_async import Contract, Ticker
from ib_async.objects import AccountValue, OptionChain, OptionComputation

from backend.brokers.base import DataSource
from backend.brokers.ibkr import parsing
from backend.domain.instruments import Option, OptionRight, Side, Stock, vertical
from backend.domain.orders import OrderRequest, OrderStatus, OrderType, TimeInForce
from backend.domain.values import NetPrice, Price, Quantity

NOW = datetime(2026, 5, 11, 16, 0, tzinfo=UTC)
CALL = Option("SPY", date(2026, 6, 19), Price.of(600), OptionRight.CALL)


def make_ticker(**values: object) -> Ticker:
    """Build a ticker with fields set after construction (its __post_init__ resets them to unset)."""
    ticker = Ticker(contract=Contract())
    for name, value in values.items():
        setattr(ticker, name, value)
    return ticker


@pytest.mark.parametrize("raw", [math.nan, -1.0, 1.7976931348623157e308, math.inf, None, "x", 2**31 - 1])
def test_unset_values_read_as_no_price(raw: object) -> None:
    assert parsing.price_of(raw) is None


def test_prices_become_exact_decimals() -> None:
    assert parsing.price_of(1.1) == Price(Decimal("1.1"))
    assert parsing.size_of(300.0) == Quantity(Decimal("300.0"))


@pytest.mark.parametrize(
    ("kind", "source"),
    [(1, DataSource.LIVE), (2, DataSource.FROZEN), (3, DataSource.DELAYED), (4, DataSource.FROZEN)],
)
def test_market_data_type_maps_to_data_source(kind: int, source: DataSource) -> None:
    assert parsing.data_source_of(kind) is source


def test_option_contract_round_trips() -> None:
    contract = parsing.contract_of(CALL, con_id=5)
    assert (contract.secType, contract.lastTradeDateOrContractMonth, contract.strike) == (
        "OPT",
        "20260619",
        600.0,
    )
    assert parsing.instrument_of(contract) == CALL


def test_bag_carries_leg_con_ids_ratios_and_actions() -> None:
    combo = vertical("SPY", date(2026, 6, 19), Price.of(600), Price.of(605), OptionRight.CALL)
    ids = {leg.instrument.key: i + 1 for i, leg in enumerate(combo.legs)}
    bag = parsing.bag_of(combo, ids)
    assert bag.secType == "BAG"
    assert [(leg.conId, leg.ratio, leg.action) for leg in bag.comboLegs] == [(1, 1, "BUY"), (2, 1, "SELL")]


def test_order_carries_client_order_id_as_order_ref() -> None:
    request = OrderRequest(
        "abc-1",
        CALL,
        Side.BUY,
        Quantity.of(2),
        limit_price=NetPrice.of("1.25"),
        time_in_force=TimeInForce.GTC,
    )
    order = parsing.order_of(request, "DU1")
    assert (order.orderRef, order.orderType, order.lmtPrice, order.tif, order.account) == (
        "abc-1",
        "LMT",
        1.25,
        "GTC",
        "DU1",
    )
    assert parsing.request_of(parsing.contract_of(CALL), order) == request


def test_market_order_has_no_limit_price() -> None:
    order = parsing.order_of(
        OrderRequest("m-1", Stock("SPY"), Side.SELL, Quantity.of(1), OrderType.MARKET), "DU1"
    )
    assert order.orderType == "MKT"
    assert parsing.number(order.lmtPrice) is None


@pytest.mark.parametrize(
    ("status", "filled", "ours"),
    [
        ("Submitted", 0, OrderStatus.WORKING),
        ("Submitted", 1, OrderStatus.PARTIALLY_FILLED),
        ("Filled", 2, OrderStatus.FILLED),
        ("ApiCancelled", 0, OrderStatus.CANCELLED),
        ("Inactive", 0, OrderStatus.REJECTED),
    ],
)
def test_ib_order_statuses_map(status: str, filled: int, ours: OrderStatus) -> None:
    assert parsing.order_status_of(status, Decimal(filled)) is ours


def test_quote_with_ib_greeks_keeps_the_feed_source() -> None:
    ticker = make_ticker(bid=1.2, ask=1.3, bidSize=10, askSize=12, marketDataType=3, time=NOW)
    ticker.modelGreeks = OptionComputation(0, 0.2, 0.5, 1.25, 0, 0.01, 0.3, -0.05, 600.0)
    quote = parsing.quote_of(CALL, ticker, NOW)
    assert quote.data_source is DataSource.DELAYED
    assert quote.greeks is not None
    assert quote.greeks.delta == 0.5
    assert quote.underlying_price == Price(Decimal("600.0"))


def test_quote_without_ib_greeks_computes_them_and_says_so() -> None:
    ticker = make_ticker(bid=14.0, ask=14.4, bidSize=10, askSize=10, time=NOW)
    quote = parsing.quote_of(CALL, ticker, NOW, underlying_price=Decimal(600))
    assert quote.data_source is DataSource.COMPUTED
    assert quote.greeks is not None
    assert 0.4 < quote.greeks.delta < 0.7
    assert quote.implied_volatility is not None


def test_nan_and_unset_ticker_fields_give_an_empty_but_valid_quote() -> None:
    ticker = make_ticker(bid=-1.0, ask=math.nan, last=1.7976931348623157e308, volume=math.nan)
    quote = parsing.quote_of(Stock("SPY"), ticker, NOW)
    assert (quote.bid, quote.ask, quote.last, quote.volume, quote.mid) == (None, None, None, None, None)
    assert quote.ts == NOW


def test_crossed_ticker_is_no_market() -> None:
    quote = parsing.quote_of(Stock("SPY"), make_ticker(bid=2.0, ask=1.0), NOW)
    assert quote.bid is None


def test_chain_groups_contract_strikes_by_expiry() -> None:
    params = [OptionChain("SMART", 756733, "SPY", "100", ["20260619", "20260717"], [600.0, 605.0, 610.0])]
    details = [
        Contract(secType="OPT", lastTradeDateOrContractMonth=e, strike=k, tradingClass="SPY")
        for e, k in [("20260619", 605.0), ("20260619", 600.0), ("20260717", 610.0)]
    ]
    chain = parsing.option_chain_of("spy", params, details)
    assert chain.expiries == (date(2026, 6, 19), date(2026, 7, 17))
    assert chain.strikes_for(date(2026, 6, 19)) == (Price.of(600), Price.of(605))
    assert (chain.multiplier, chain.trading_class) == (100, "SPY")


def test_account_summary_reads_tags_as_decimals() -> None:
    rows = [
        AccountValue("DU1", tag, value, "USD", "")
        for tag, value in [
            ("NetLiquidation", "100000.50"),
            ("TotalCashValue", "90000.25"),
            ("BuyingPower", "350000"),
            ("InitMarginReq", "1000"),
        ]
    ]
    summary = parsing.account_summary_of(
        "DU1", [*rows, AccountValue("OTHER", "NetLiquidation", "1", "USD", "")], NOW
    )
    assert summary.net_liquidation.amount == Decimal("100000.50")
    assert summary.cash.amount == Decimal("90000.25")
    assert summary.realized_pnl.amount == 0
