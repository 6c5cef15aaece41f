"""Parsing of recorded-shaped POEMS payloads: pure, no socket."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from backend.brokers.base import DataSource
from backend.brokers.phillip.parsing import (
    CounterId,
    decimal_or_none,
    fill_delta,
    parse_account_details,
    parse_holdings,
    parse_orders,
    parse_price_list,
    parse_sgt,
    parse_token_response,
)
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderStatus
from backend.domain.values import InvalidValue

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 5, 11, 4, 2, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_numbers_with_commas_percent_and_dashes_parse_or_are_none() -> None:
    assert decimal_or_none("1,234.50") == Decimal("1234.50")
    assert decimal_or_none("0.28%") == Decimal("0.28")
    assert decimal_or_none("-") is None
    assert decimal_or_none("") is None
    assert decimal_or_none("abc") is None


def test_singapore_times_become_aware_utc() -> None:
    assert parse_sgt("2026-05-11 12:00:05") == datetime(2026, 5, 11, 4, 0, 5, tzinfo=UTC)
    assert parse_sgt("11/05/2026 12:00:05") == datetime(2026, 5, 11, 4, 0, 5, tzinfo=UTC)
    assert parse_sgt("09:00:00", today=NOW.date()) == datetime(2026, 5, 11, 1, 0, tzinfo=UTC)
    assert parse_sgt("not a time") is None


def test_counter_id_splits_into_product_market_exchange_and_code() -> None:
    counter = CounterId.parse("ST/SG/SGX/DBS.SG")
    assert (counter.product, counter.market, counter.exchange, counter.code) == ("ST", "SG", "SGX", "DBS.SG")
    with pytest.raises(InvalidValue):
        CounterId.parse("DBS")


def test_price_list_gives_decimal_quotes_with_sizes_in_shares_and_delay_flag() -> None:
    dbs, singtel = Stock("D05", "SGX", "SGD"), Stock("Z74", "SGX", "SGD")
    quotes = parse_price_list(
        load("pricelist.json"), {"ST/SG/SGX/DBS.SG": dbs, "ST/SG/SGX/SINGTEL.SG": singtel}, NOW
    )
    quote = quotes["ST/SG/SGX/DBS.SG"]
    assert quote.bid is not None
    assert quote.bid.value == Decimal("42.36")
    assert quote.bid_size is not None
    assert quote.bid_size.value == Decimal(4600)
    assert quote.volume is not None
    assert quote.volume.value == Decimal(1234500)
    assert quote.data_source is DataSource.LIVE
    assert quote.ts == NOW
    thin = quotes["ST/SG/SGX/SINGTEL.SG"]
    assert thin.bid is None
    assert thin.bid_size is None
    assert thin.data_source is DataSource.DELAYED


def test_holdings_skip_empty_lines_and_keep_average_cost() -> None:
    (position,) = parse_holdings(load("holdings.json"), lambda item: Stock(str(item["symbol"]), "SGX", "SGD"))
    assert position.quantity == Decimal(200)
    assert position.average_cost == Decimal("42.37")
    assert position.market_value.amount == Decimal("8480.00")
    assert position.unrealized_pnl.currency == "SGD"


def test_account_details_pick_the_currency_line_and_derive_buying_power() -> None:
    summary = parse_account_details(
        load("accountdetails.json"), account_no="1000001", currency="SGD", unrealized=Decimal(6), now=NOW
    )
    assert summary.cash.amount == Decimal("91526.00")
    assert summary.buying_power.amount == Decimal("91526.00") + Decimal(5000) - Decimal(3000)
    assert summary.net_liquidation.amount == Decimal("100006.00")
    assert summary.ts == datetime(2026, 5, 11, 4, 1, tzinfo=UTC)


def test_orders_map_status_codes_and_cumulative_fills() -> None:
    orders = parse_orders(load("orders_today.json"), NOW)
    working, withdrawn = orders["700001"], orders["700002"]
    assert working.status is OrderStatus.PARTIALLY_FILLED
    assert working.executed_quantity == Decimal(200)
    assert working.updated_at == datetime(2026, 5, 11, 4, 0, 7, tzinfo=UTC)
    assert withdrawn.status is OrderStatus.CANCELLED
    assert withdrawn.side is Side.SELL
    assert withdrawn.executed_price is None


def test_fill_delta_recovers_the_price_of_the_new_fill_from_averages() -> None:
    assert fill_delta(Decimal(100), Decimal("42.00"), Decimal(300), Decimal("42.02")) == (
        Decimal(200),
        Decimal("42.03"),
    )
    with pytest.raises(InvalidValue):
        fill_delta(Decimal(100), Decimal(1), Decimal(100), Decimal(1))


def test_token_response_sets_expiry_and_keeps_the_old_refresh_token_when_none_comes() -> None:
    tokens = parse_token_response(load("token.json"), NOW)
    assert tokens.expires_at == datetime(2026, 5, 11, 4, 32, tzinfo=UTC)
    assert tokens.account_no == "1000001"
    again = parse_token_response({"access_token": "at-2", "expires_in": 60}, NOW, tokens)
    assert again.refresh_token is not None
    assert again.refresh_token.get_secret_value() == "rt-1"
    assert "at-2" not in repr(again)
