"""Seeded random option grids shared by the option maths tests and benchmark."""

from dataclasses import dataclass

import numpy as np

from backend.domain.option_math import bsm_price
from backend.domain.option_math._arrays import BoolArray, FloatArray


@dataclass(frozen=True)
class Chain:
    """Inputs of a random chain, its true volatilities and the prices they give."""

    spot: FloatArray
    strike: FloatArray
    years: FloatArray
    rate: FloatArray
    dividend: FloatArray
    vol: FloatArray
    is_call: BoolArray
    price: FloatArray

    def time_value(self) -> FloatArray:
        """Return the price above discounted intrinsic value."""
        fwd_spot = self.spot * np.exp(-self.dividend * self.years)
        fwd_strike = self.strike * np.exp(-self.rate * self.years)
        intrinsic = np.maximum(np.where(self.is_call, fwd_spot - fwd_strike, fwd_strike - fwd_spot), 0.0)
        return self.price - intrinsic

    def well_posed(self) -> BoolArray:
        """Return where the time value exceeds 1e-6 of spot."""
        return self.time_value() > 1e-6 * self.spot


def create_chain(n: int, seed: int = 7) -> Chain:
    """Draw n options: moneyness 0.5-2, 1 day-3 years, rate -1%..10%, dividend 0-5%, vol 5%-200%."""
    rng = np.random.default_rng(seed)
    spot = rng.uniform(5.0, 500.0, n)
    strike = spot * np.exp(rng.uniform(np.log(0.5), np.log(2.0), n))
    years = np.exp(rng.uniform(np.log(1.0 / 365.0), np.log(3.0), n))
    rate = rng.uniform(-0.01, 0.10, n)
    dividend = rng.uniform(0.0, 0.05, n)
    vol = np.exp(rng.uniform(np.log(0.05), np.log(2.0), n))
    is_call = rng.random(n) < 0.5
    price = bsm_price(spot, strike, years, rate, dividend, vol, is_call)
    return Chain(spot, strike, years, rate, dividend, vol, is_call, price)
