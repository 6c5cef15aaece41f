"""Tradable instruments: stocks, listed options and multi-leg combos.

Each instrument has a stable ``key``: the ticker for a stock, the OCC symbol for an option
(root padded to six, ``YYMMDD``, ``C``/``P``, strike x 1000 on eight digits) and the sorted signed
legs for a combo. Keys are what positions, orders and caches are indexed by.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import reduce
from typing import TypeAlias

from backend.domain.values import OPTION_MULTIPLIER, InvalidValue, Price


class Side(StrEnum):
    """Direction of an order or a combo leg."""

    BUY = "BUY"
    SELL = "SELL"

    @property
    def sign(self) -> int:
        """Return +1 for a buy, -1 for a sell."""
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        """Return the other side."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OptionRight(StrEnum):
    """Call or put."""

    CALL = "C"
    PUT = "P"


def _symbol(value: str, what: str) -> str:
    cleaned = value.strip().upper()
    if not cleaned or len(cleaned) > 12 or not all(c.isalnum() or c in ".-/ " for c in cleaned):
        raise InvalidValue(f"{what} is not a valid symbol: {value!r}")
    return cleaned


@dataclass(frozen=True, slots=True)
class Stock:
    """A listed share or ETF."""

    symbol: str
    exchange: str = "SMART"
    currency: str = "USD"

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbol", _symbol(self.symbol, "stock symbol"))

    @property
    def key(self) -> str:
        """Return the ticker, the instrument's stable key."""
        return self.symbol

    @property
    def underlying(self) -> str:
        """Return the symbol whose price drives this instrument."""
        return self.symbol

    @property
    def multiplier(self) -> int:
        """Return 1: a share is its own unit."""
        return 1


@dataclass(frozen=True, slots=True)
class Option:
    """A listed equity option on one underlying."""

    underlying: str
    expiry: date
    strike: Price
    right: OptionRight
    multiplier: int = OPTION_MULTIPLIER
    trading_class: str = ""
    exchange: str = "SMART"
    currency: str = "USD"
    key: str = field(init=False, repr=False, compare=False, hash=False)
    """The OCC symbol, e.g. ``SPY   260515C00500000``: computed once, as the gate reads it many times."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "underlying", _symbol(self.underlying, "underlying"))
        if not self.trading_class:
            object.__setattr__(self, "trading_class", self.underlying)
        if self.strike.value <= 0:
            raise InvalidValue(f"strike must be positive, got {self.strike}")
        if self.multiplier <= 0:
            raise InvalidValue(f"multiplier must be positive, got {self.multiplier}")
        milli = int(self.strike.value * 1000)
        object.__setattr__(
            self, "key", f"{self.trading_class:<6}{self.expiry:%y%m%d}{self.right.value}{milli:08d}"
        )

    @property
    def is_call(self) -> bool:
        """Tell whether this is a call."""
        return self.right is OptionRight.CALL

    def intrinsic(self, spot: Decimal) -> Decimal:
        """Return the exercise value per share at ``spot``."""
        diff = spot - self.strike.value if self.is_call else self.strike.value - spot
        return max(diff, Decimal(0))


@dataclass(frozen=True, slots=True)
class ComboLeg:
    """One leg of a combo: an instrument, a positive ratio and a side."""

    instrument: Stock | Option
    ratio: int
    side: Side

    def __post_init__(self) -> None:
        if self.ratio <= 0:
            raise InvalidValue(f"leg ratio must be positive, got {self.ratio}")

    @property
    def signed_ratio(self) -> int:
        """Return the ratio, negative for a sold leg."""
        return self.ratio * self.side.sign

    @property
    def key(self) -> str:
        """Return the leg as ``+1 KEY`` or ``-2 KEY``."""
        return f"{self.signed_ratio:+d} {self.instrument.key.replace(' ', '')}"


@dataclass(frozen=True, slots=True)
class Combo:
    """A multi-leg order unit on one underlying; its price is the signed sum of its legs."""

    legs: tuple[ComboLeg, ...]
    currency: str = "USD"
    underlying: str = field(init=False)

    def __post_init__(self) -> None:
        if len(self.legs) < 2:
            raise InvalidValue("a combo needs at least two legs")
        underlyings = {leg.instrument.underlying for leg in self.legs}
        if len(underlyings) != 1:
            raise InvalidValue(f"combo legs must share one underlying, got {sorted(underlyings)}")
        if len({leg.instrument.key for leg in self.legs}) != len(self.legs):
            raise InvalidValue("combo legs must be distinct instruments")
        if any(leg.instrument.currency != self.currency for leg in self.legs):
            raise InvalidValue("combo legs must share the combo's currency")
        if reduce(math.gcd, (leg.ratio for leg in self.legs)) != 1:
            # A 2:2 combo is a 1:1 combo traded twice; brokers want the reduced form.
            raise InvalidValue("combo leg ratios must have no common factor")
        object.__setattr__(self, "underlying", underlyings.pop())

    @property
    def key(self) -> str:
        """Return the sorted signed legs, e.g. ``SPY[+1 SPY260515C00500000,-1 SPY...]``."""
        return f"{self.underlying}[{','.join(sorted(leg.key for leg in self.legs))}]"

    @property
    def multiplier(self) -> int:
        """Return the legs' common multiplier (a combo of mixed multipliers has none)."""
        multipliers = {leg.instrument.multiplier for leg in self.legs}
        if len(multipliers) != 1:
            raise InvalidValue("combo legs have different multipliers")
        return multipliers.pop()


Instrument: TypeAlias = Stock | Option | Combo
"""Anything an order can be placed on."""

SingleInstrument: TypeAlias = Stock | Option
"""An instrument that can be held as a position."""


def vertical(
    underlying: str, expiry: date, long_strike: Price, short_strike: Price, right: OptionRight
) -> Combo:
    """Build a one-by-one vertical spread: buy ``long_strike``, sell ``short_strike``."""
    return Combo(
        legs=(
            ComboLeg(Option(underlying, expiry, long_strike, right), 1, Side.BUY),
            ComboLeg(Option(underlying, expiry, short_strike, right), 1, Side.SELL),
        )
    )
