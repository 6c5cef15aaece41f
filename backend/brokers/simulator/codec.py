"""JSON-ready dicts for instruments and orders, with Decimals as strings, for account snapshots."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from backend.domain.instruments import (
    Combo,
    ComboLeg,
    Instrument,
    Option,
    OptionRight,
    Side,
    SingleInstrument,
    Stock,
)
from backend.domain.orders import OrderRequest, OrderType, TimeInForce
from backend.domain.values import NetPrice, Price, Quantity


def encode_instrument(instrument: Instrument) -> dict[str, Any]:
    """Return ``instrument`` as plain data."""
    if isinstance(instrument, Stock):
        return {
            "type": "stock",
            "symbol": instrument.symbol,
            "exchange": instrument.exchange,
            "currency": instrument.currency,
        }
    if isinstance(instrument, Option):
        return {
            "type": "option",
            "underlying": instrument.underlying,
            "expiry": instrument.expiry.isoformat(),
            "strike": str(instrument.strike.value),
            "right": instrument.right.value,
            "multiplier": instrument.multiplier,
            "trading_class": instrument.trading_class,
            "exchange": instrument.exchange,
            "currency": instrument.currency,
        }
    return {
        "type": "combo",
        "currency": instrument.currency,
        "legs": [
            {"instrument": encode_instrument(leg.instrument), "ratio": leg.ratio, "side": leg.side.value}
            for leg in instrument.legs
        ],
    }


def decode_single(data: dict[str, Any]) -> SingleInstrument:
    """Rebuild a stock or an option from ``encode_instrument`` output."""
    decoded = decode_instrument(data)
    if isinstance(decoded, Combo):
        raise ValueError("expected a stock or an option, got a combo")
    return decoded


def decode_instrument(data: dict[str, Any]) -> Instrument:
    """Rebuild an instrument from ``encode_instrument`` output."""
    kind = data["type"]
    if kind == "stock":
        return Stock(data["symbol"], data["exchange"], data["currency"])
    if kind == "option":
        return Option(
            underlying=data["underlying"],
            expiry=date.fromisoformat(data["expiry"]),
            strike=Price(Decimal(data["strike"])),
            right=OptionRight(data["right"]),
            multiplier=int(data["multiplier"]),
            trading_class=data["trading_class"],
            exchange=data["exchange"],
            currency=data["currency"],
        )
    if kind == "combo":
        legs = tuple(
            ComboLeg(decode_single(leg["instrument"]), int(leg["ratio"]), Side(leg["side"]))
            for leg in data["legs"]
        )
        return Combo(legs, data["currency"])
    raise ValueError(f"unknown instrument type {kind!r}")


def encode_request(request: OrderRequest) -> dict[str, Any]:
    """Return an order request as plain data."""
    return {
        "client_order_id": request.client_order_id,
        "instrument": encode_instrument(request.instrument),
        "side": request.side.value,
        "quantity": str(request.quantity.value),
        "order_type": request.order_type.value,
        "limit_price": None if request.limit_price is None else str(request.limit_price.value),
        "time_in_force": request.time_in_force.value,
    }


def decode_request(data: dict[str, Any]) -> OrderRequest:
    """Rebuild an order request from ``encode_request`` output."""
    limit = data["limit_price"]
    return OrderRequest(
        client_order_id=data["client_order_id"],
        instrument=decode_instrument(data["instrument"]),
        side=Side(data["side"]),
        quantity=Quantity(Decimal(data["quantity"])),
        order_type=OrderType(data["order_type"]),
        limit_price=None if limit is None else NetPrice(Decimal(limit)),
        time_in_force=TimeInForce(data["time_in_force"]),
    )
