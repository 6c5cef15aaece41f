"""POEMS result codes onto the broker error taxonomy, the broker's message kept."""

from __future__ import annotations

import pytest

from backend.brokers.errors import (
    BrokerError,
    BrokerUnavailable,
    InsufficientBuyingPower,
    InvalidOrder,
    InvalidPriceTick,
    MarketClosed,
    OrderNotCancellable,
    OrderRejected,
    PermanentBrokerError,
    UnknownContract,
    UnknownInstrument,
    UnknownOrder,
)
from backend.brokers.phillip.error_codes import PoemsCode, error_for
from backend.brokers.phillip.parsing import check_result


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (PoemsCode.INSUFFICIENT_LIMIT, InsufficientBuyingPower),
        (PoemsCode.INVALID_PRICE_TICK, InvalidPriceTick),
        (PoemsCode.INVALID_QUANTITY, InvalidOrder),
        (PoemsCode.MARKET_CLOSED, MarketClosed),
        (PoemsCode.COUNTER_NOT_FOUND, UnknownContract),
        (PoemsCode.SYSTEM_BUSY, BrokerUnavailable),
    ],
)
def test_order_codes_map_to_rejections_carrying_the_client_order_id(
    code: int, expected: type[BrokerError]
) -> None:
    error = error_for(code, "broker says no", client_order_id="c-1")
    assert type(error) is expected
    assert "broker says no" in error.message
    if isinstance(error, OrderRejected):
        assert error.client_order_id == "c-1"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (PoemsCode.COUNTER_NOT_FOUND, UnknownInstrument),
        (PoemsCode.ORDER_NOT_FOUND, UnknownOrder),
        (PoemsCode.ORDER_NOT_AMENDABLE, OrderNotCancellable),
        (PoemsCode.FAILED, PermanentBrokerError),
    ],
)
def test_codes_outside_an_order_map_to_general_errors(code: int, expected: type[BrokerError]) -> None:
    assert type(error_for(code, "x")) is expected


def test_unknown_codes_fall_back_on_the_wording_then_on_a_refusal() -> None:
    assert type(error_for(4242, "Insufficient trading limit", client_order_id="c")) is InsufficientBuyingPower
    assert type(error_for(4242, "System busy, please try again")) is BrokerUnavailable
    assert type(error_for(4242, "odd", client_order_id="c")) is OrderRejected
    assert type(error_for(4242, "odd")) is PermanentBrokerError


def test_check_result_passes_code_one_and_raises_the_rest_with_the_message() -> None:
    assert check_result({"code": 1, "msg": "success", "x": 2})["x"] == 2
    with pytest.raises(InvalidPriceTick, match=r"POEMS 2002: Price 0\.0101"):
        check_result({"code": 2002, "msg": "Price 0.0101 is not in multiples of 0.001"}, client_order_id="c")
    with pytest.raises(PermanentBrokerError):
        check_result(["not", "an", "object"])
