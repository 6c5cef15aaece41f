"""POST /market/option-calculator."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.dependencies import ClaimsDep
from backend.market.calculator import calculate
from backend.market.calculator_schemas import OptionCalculatorRequest, OptionCalculatorResult

router = APIRouter(prefix="/market", tags=["market"])


@router.post("/option-calculator", response_model=OptionCalculatorResult)
async def option_calculator(body: OptionCalculatorRequest, _claims: ClaimsDep) -> OptionCalculatorResult:
    """Price an option from a volatility, or imply its volatility from a price (any signed-in user)."""
    return calculate(body)
