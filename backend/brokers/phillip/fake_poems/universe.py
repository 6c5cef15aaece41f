"""The stand-in's SGX-like market: five Singapore blue chips in SGD, SGX ticks, board lots of 100.

Spot levels and volatilities are round numbers near where these traded in 2025; they only need to
look plausible. Counter ids follow the shape of the public example ``ST/SG/SGX/DBS.SG``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from backend.brokers.simulator.config import UnderlyingSpec

BOARD_LOT: Final = Decimal(100)
CURRENCY: Final = "SGD"
EXCHANGE: Final = "SGX"
CALENDAR: Final = "XSES"


@dataclass(frozen=True, slots=True)
class Listing:
    """One SGX counter: its stock code, POEMS counter id and display name."""

    symbol: str
    counter_id: str
    name: str


LISTINGS: Final = (
    Listing("D05", "ST/SG/SGX/DBS.SG", "DBS"),
    Listing("O39", "ST/SG/SGX/OCBC.SG", "OCBC Bank"),
    Listing("U11", "ST/SG/SGX/UOB.SG", "UOB"),
    Listing("Z74", "ST/SG/SGX/SINGTEL.SG", "Singtel"),
    Listing("9CI", "ST/SG/SGX/CAPITALAND.SG", "CapitaLand Invest"),
)
BY_SYMBOL: Final = {listing.symbol: listing for listing in LISTINGS}
BY_COUNTER_ID: Final = {listing.counter_id: listing for listing in LISTINGS}

SGX_UNIVERSE: Final = (
    UnderlyingSpec("D05", Decimal("42.00"), 0.18, 0.05, drift=0.05, jump_intensity=1.0, liquidity=1.0),
    UnderlyingSpec("O39", Decimal("16.50"), 0.17, 0.05, drift=0.05, jump_intensity=1.0, liquidity=1.0),
    UnderlyingSpec("U11", Decimal("35.00"), 0.17, 0.05, drift=0.05, jump_intensity=1.0, liquidity=0.8),
    UnderlyingSpec("Z74", Decimal("3.80"), 0.20, 0.04, drift=0.04, jump_intensity=1.0, liquidity=2.0),
    UnderlyingSpec("9CI", Decimal("2.60"), 0.25, 0.05, drift=0.04, jump_intensity=1.5, liquidity=1.5),
)


def sgx_tick(price: Decimal) -> Decimal:
    """Return the SGX minimum bid size for stocks at ``price``: 0.001 below 0.20, 0.005 below 1.00, else 0.01."""
    if price < Decimal("0.20"):
        return Decimal("0.001")
    if price < Decimal(1):
        return Decimal("0.005")
    return Decimal("0.01")
