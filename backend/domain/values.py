"""Decimal value objects for prices, quantities and money.

Frozen dataclasses rather than pydantic models: the domain stays free of I/O and framework code,
the objects are hashable and cheap to build in hot loops (a chain has thousands of quotes), and
validation is a few lines in ``__post_init__``. API schemas wrap them at the edge.

Every constructor refuses NaN and infinities; ``Price`` and ``Quantity`` also refuse negatives.
Signed amounts (a combo's net price, a short position, a loss) use ``NetPrice``, a plain signed
``Decimal`` on a position, or ``Money``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Final, TypeAlias

DecimalLike: TypeAlias = Decimal | int | str | float

_CURRENCY = re.compile(r"^[A-Z]{3}$")
CENT: Final = Decimal("0.01")
OPTION_MULTIPLIER: Final = 100
"""Shares per standard US equity option contract; always passed explicitly, never implied."""


class InvalidValue(ValueError):
    """A number or code that a value object refuses."""


def to_decimal(value: DecimalLike, *, what: str = "value") -> Decimal:
    """Convert a number to a finite Decimal, going through ``str`` for floats."""
    if isinstance(value, bool):
        raise InvalidValue(f"{what} must be a number, not a bool")
    try:
        # str(float) is the shortest repr that round-trips, so 0.1 becomes Decimal("0.1").
        result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise InvalidValue(f"{what} is not a number: {value!r}") from exc
    if not result.is_finite():
        raise InvalidValue(f"{what} must be finite, got {value!r}")
    return result


def _non_negative(value: Decimal, what: str) -> None:
    if value < 0:
        raise InvalidValue(f"{what} must not be negative, got {value}")


def round_to_tick(value: Decimal, tick: Decimal, *, direction: str = "nearest") -> Decimal:
    """Round a price to a multiple of ``tick`` (``nearest``, ``down`` or ``up``)."""
    if tick <= 0:
        raise InvalidValue(f"tick must be positive, got {tick}")
    rounding = {"nearest": ROUND_HALF_EVEN, "down": ROUND_FLOOR, "up": ROUND_CEILING}[direction]
    steps = (value / tick).quantize(Decimal(1), rounding=rounding)
    return (steps * tick).quantize(tick)


def is_multiple_of(value: Decimal, tick: Decimal) -> bool:
    """Tell whether ``value`` lies on the ``tick`` grid."""
    return value % tick == 0


@dataclass(frozen=True, slots=True, order=True)
class Price:
    """A non-negative finite price per unit (per share for stocks and option premiums)."""

    value: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", to_decimal(self.value, what="price"))
        _non_negative(self.value, "price")

    @classmethod
    def of(cls, value: DecimalLike) -> Price:
        """Build a price from any number."""
        return cls(to_decimal(value, what="price"))

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True, order=True)
class NetPrice:
    """A signed finite price: a combo's net price per unit, positive for a debit paid."""

    value: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", to_decimal(self.value, what="net price"))

    @classmethod
    def of(cls, value: DecimalLike) -> NetPrice:
        """Build a net price from any number."""
        return cls(to_decimal(value, what="net price"))

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True, order=True)
class Quantity:
    """A non-negative finite count of shares, contracts or combo units."""

    value: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", to_decimal(self.value, what="quantity"))
        _non_negative(self.value, "quantity")

    @classmethod
    def of(cls, value: DecimalLike) -> Quantity:
        """Build a quantity from any number."""
        return cls(to_decimal(value, what="quantity"))

    @property
    def is_whole(self) -> bool:
        """Tell whether the quantity is an integer (contracts always are)."""
        return self.value == self.value.to_integral_value()

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class Money:
    """A signed finite amount in one ISO-4217 currency."""

    amount: Decimal
    currency: str = "USD"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount, what="amount"))
        if not _CURRENCY.match(self.currency):
            raise InvalidValue(f"currency must be a 3-letter upper-case code, got {self.currency!r}")

    @classmethod
    def of(cls, amount: DecimalLike, currency: str = "USD") -> Money:
        """Build an amount of money from any number."""
        return cls(to_decimal(amount, what="amount"), currency)

    @classmethod
    def zero(cls, currency: str = "USD") -> Money:
        """Return nothing, in ``currency``."""
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidValue(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def rounded(self) -> Money:
        """Round to cents, half to even."""
        return Money(self.amount.quantize(CENT, rounding=ROUND_HALF_EVEN), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def notional(price: Decimal, quantity: Decimal, multiplier: int) -> Decimal:
    """Return price x quantity x contract multiplier, the cash a trade moves before fees."""
    if multiplier <= 0:
        raise InvalidValue(f"multiplier must be positive, got {multiplier}")
    return price * quantity * multiplier
