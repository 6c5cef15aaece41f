"""The what-if option calculator: one option through the same maths the chains use."""

from __future__ import annotations

import math

from backend.domain.option_math import IVReason, bsm_greeks, implied_vol_and_greeks
from backend.market.calculator_schemas import (
    NoImpliedVolatility,
    OptionCalculatorRequest,
    OptionCalculatorResult,
    OptionGreeksRead,
)


def calculate(request: OptionCalculatorRequest) -> OptionCalculatorResult:
    """Price from a volatility, or imply the volatility from a price; greeks either way."""
    args = (float(request.spot), float(request.strike), float(request.years), float(request.rate))
    dividend, is_call = float(request.dividend_yield), request.right == "C"
    if request.volatility is not None:
        volatility = float(request.volatility)
        greeks = bsm_greeks(*args, dividend, volatility, is_call)
        solved_for = "price"
    else:
        assert request.price is not None
        implied, greeks = implied_vol_and_greeks(float(request.price), *args, dividend, is_call)
        reason = IVReason(int(implied.reason.reshape(-1)[0]))
        if reason is not IVReason.OK:
            raise NoImpliedVolatility(
                f"No volatility gives this price: {reason.name.lower().replace('_', ' ')}",
                details={"reason": reason.name.lower()},
            )
        volatility = float(implied.iv.reshape(-1)[0])
        solved_for = "volatility"
    values = {
        name: float(getattr(greeks, name).reshape(-1)[0])
        for name in ("price", "delta", "gamma", "vega", "theta", "rho")
    }
    if not all(math.isfinite(v) for v in values.values()):
        raise NoImpliedVolatility(
            "The model has no finite answer for these inputs", details={"reason": "not_finite"}
        )
    return OptionCalculatorResult(
        price=values["price"],
        volatility=volatility,
        greeks=OptionGreeksRead(**{k: v for k, v in values.items() if k != "price"}),
        solved_for=solved_for,
    )
