"""The IB error-code table and the errors it builds."""

from __future__ import annotations

import pytest

from backend.brokers.errors import (
    BrokerDisconnected,
    BrokerPacing,
    BrokerUnavailable,
    InsufficientBuyingPower,
    InvalidOrder,
    InvalidPriceTick,
    MarketClosed,
    MarketDataUnavailable,
    OrderRejected,
    UnknownContract,
    UnknownInstrument,
)
from backend.brokers.ibkr.error_codes import IB_CODES, is_informational, lookup, to_error

REQUIRED = (100, 103, 200, 201, 202, 321, 326, 354, 10089, 10167, 10168, 1100, 1101, 1102)


@pytest.mark.parametrize("code", REQUIRED)
def test_required_codes_are_in_the_table(code: int) -> None:
    assert code in IB_CODES


@pytest.mark.parametrize("code", [2104, 2106, 2158, 1101, 1102, 10167, 202, 2199])
def test_notices_are_informational(code: int) -> None:
    assert is_informational(code)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (100, BrokerPacing),
        (103, InvalidOrder),
        (200, UnknownInstrument),
        (321, InvalidOrder),
        (326, BrokerUnavailable),
        (354, MarketDataUnavailable),
        (10089, MarketDataUnavailable),
        (10168, MarketDataUnavailable),
        (1100, BrokerDisconnected),
    ],
)
def test_codes_map_to_the_taxonomy(code: int, error: type[Exception]) -> None:
    assert type(to_error(code, "text")) is error


def test_pacing_error_is_temporary_with_a_hint() -> None:
    error = to_error(100, "Max rate")
    assert isinstance(error, BrokerPacing)
    assert error.temporary
    assert error.retry_after == 1.0


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("YOUR EQUITY WITH LOAN VALUE MUST EXCEED THE INITIAL MARGIN", InsufficientBuyingPower),
        ("The exchange is closed.", MarketClosed),
        ("something else", OrderRejected),
    ],
)
def test_order_rejection_201_is_refined_by_its_text(text: str, error: type[Exception]) -> None:
    built = to_error(201, text, client_order_id="c-1")
    assert type(built) is error
    assert isinstance(built, OrderRejected)
    assert built.client_order_id == "c-1"


def test_unknown_contract_on_an_order_is_an_order_rejection() -> None:
    assert type(to_error(200, "No security definition", client_order_id="c-1")) is UnknownContract
    assert type(to_error(110, "tick", client_order_id="c-1")) is InvalidPriceTick


def test_unlisted_codes_are_permanent_request_errors() -> None:
    assert not lookup(99999).informational
    assert not to_error(99999, "?").temporary
