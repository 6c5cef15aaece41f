"""A trade ticket as the API takes it, and its translation into domain legs and a broker order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from backend.domain.instruments import Combo, ComboLeg, Option, OptionRight, Side, Stock
from backend.domain.orders import OrderRequest, OrderType, TimeInForce
from backend.domain.values import InvalidValue, NetPrice, Price, Quantity
from backend.kit.errors import AppError
from backend.models.trade import OrderTypeName, RightName, SecType, SideName, TimeInForceName


class InvalidTicket(AppError):
    """A ticket that describes no tradable order."""

    status_code = 422
    code = "invalid_ticket"


class LegIn(BaseModel):
    """One leg: a stock, or an option on `symbol` with expiry, strike and right."""

    sec_type: SecType
    symbol: str = Field(min_length=1, max_length=12, pattern=r"^[A-Za-z][A-Za-z0-9.\-]*$")
    side: SideName
    ratio: int = Field(default=1, ge=1, le=10)
    expiry: date | None = None
    strike: Decimal | None = Field(default=None, gt=0, le=1_000_000, decimal_places=4)
    right: RightName | None = None

    @model_validator(mode="after")
    def _option_fields_match_the_type(self) -> LegIn:
        is_option = self.sec_type == "option"
        given = [v is not None for v in (self.expiry, self.strike, self.right)]
        if is_option and not all(given):
            raise ValueError("an option leg needs expiry, strike and right")
        if not is_option and any(given):
            raise ValueError("a stock leg takes no expiry, strike or right")
        return self


class TradeTicket(BaseModel):
    """A trade: legs, how many units, and the price rule; `limit_price` is the net per unit, + debit / - credit."""

    legs: list[LegIn] = Field(min_length=1, max_length=4)
    quantity: int = Field(ge=1, le=10_000)
    order_type: OrderTypeName = "limit"
    limit_price: Decimal | None = Field(default=None, ge=-1_000_000, le=1_000_000, decimal_places=4)
    time_in_force: TimeInForceName = "DAY"
    rationale: str | None = Field(default=None, max_length=2_000)

    @model_validator(mode="after")
    def _price_matches_the_type(self) -> TradeTicket:
        if self.order_type == "limit" and self.limit_price is None:
            raise ValueError("a limit order needs limit_price")
        if self.order_type == "market" and self.limit_price is not None:
            raise ValueError("a market order takes no limit_price")
        return self


def _instrument(leg: LegIn) -> Stock | Option:
    if leg.sec_type == "stock":
        return Stock(leg.symbol.upper())
    # LegIn's validator guarantees the option fields.
    assert leg.expiry is not None
    assert leg.strike is not None
    assert leg.right is not None
    return Option(leg.symbol.upper(), leg.expiry, Price(leg.strike), OptionRight(leg.right))


def check_price_sign(legs: tuple[ComboLeg, ...], limit_price: Decimal | None) -> None:
    """Refuse a single leg priced the wrong way round: a buy pays (+), a sell receives (-)."""
    if len(legs) != 1 or limit_price is None or limit_price == 0:
        return
    if (limit_price > 0) != (legs[0].side is Side.BUY):
        raise InvalidTicket(
            "limit_price is the net per unit: positive (a debit) to buy, negative (a credit) to sell",
            details={"side": legs[0].side.value, "limit_price": str(limit_price)},
        )


def domain_legs(legs: list[LegIn]) -> tuple[ComboLeg, ...]:
    """Translate ticket legs into domain legs; 422 when they cannot form one order."""
    try:
        out = tuple(
            ComboLeg(_instrument(leg), leg.ratio, Side.BUY if leg.side == "buy" else Side.SELL)
            for leg in legs
        )
        if len(out) > 1:
            Combo(out)  # validates one underlying, distinct legs, reduced ratios
    except InvalidValue as exc:
        raise InvalidTicket(str(exc)) from exc
    return out


def order_request(
    client_order_id: str,
    legs: tuple[ComboLeg, ...],
    quantity: int,
    order_type: str,
    limit_price: Decimal | None,
    time_in_force: str,
) -> OrderRequest:
    """Build the broker order: a single leg trades its own side at |net|, a combo is bought at the net."""
    kind = OrderType.LIMIT if order_type == "limit" else OrderType.MARKET
    tif = TimeInForce(time_in_force)
    if len(legs) == 1:
        (leg,) = legs
        price = NetPrice(abs(limit_price) / leg.ratio) if limit_price is not None else None
        return OrderRequest(
            client_order_id,
            leg.instrument,
            leg.side,
            Quantity(Decimal(quantity * leg.ratio)),
            kind,
            price,
            tif,
        )
    price = NetPrice(limit_price) if limit_price is not None else None
    return OrderRequest(client_order_id, Combo(legs), Side.BUY, Quantity(Decimal(quantity)), kind, price, tif)
