"""When to take a trade off: pure rules over an open structure, its marks, the spot and the calendar.

Prices follow the order path's convention: a structure's net is what one unit costs to buy, so
a credit received at entry is negative and a short structure's value now is negative too.
P&L per unit is `value_now - entry_net`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backend.agent.parameters import Management
from backend.domain.instruments import ComboLeg, Option

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class OpenStructure:
    """A filled agent trade that is still held: its legs, size and what one unit cost to open."""

    legs: tuple[ComboLeg, ...]
    quantity: int
    entry_net: Decimal

    @property
    def expiry(self) -> date | None:
        """Return the nearest expiry among the option legs."""
        expiries = [leg.instrument.expiry for leg in self.legs if isinstance(leg.instrument, Option)]
        return min(expiries) if expiries else None

    @property
    def credit(self) -> Decimal:
        """Return the credit received per unit (0 for a debit structure)."""
        return max(-self.entry_net, Decimal(0))


@dataclass(frozen=True, slots=True)
class ExitSignal:
    """Why the structure should be closed now."""

    reason: str
    detail: str


def value_now(structure: OpenStructure, marks: tuple[Decimal | None, ...]) -> Decimal | None:
    """Return one unit's value at the marks (None when any leg has no mark)."""
    if any(mark is None for mark in marks):
        return None
    return sum(
        (
            leg.signed_ratio * mark
            for leg, mark in zip(structure.legs, marks, strict=True)
            if mark is not None
        ),
        Decimal(0),
    )


def _in_the_money(option: Option, spot: Decimal) -> bool:
    return spot > option.strike.value if option.is_call else spot < option.strike.value


def _tested(structure: OpenStructure, spot: Decimal) -> Option | None:
    for leg in structure.legs:
        option = leg.instrument
        if leg.signed_ratio < 0 and isinstance(option, Option) and _in_the_money(option, spot):
            return option
    return None


def exit_signal(
    structure: OpenStructure,
    marks: tuple[Decimal | None, ...],
    spot: Decimal | None,
    today: date,
    rules: Management,
) -> ExitSignal | None:
    """Return the first exit that applies: expiry day, DTE, profit target, stop, tested strike; else None."""
    expiry = structure.expiry
    if expiry is not None:
        days = (expiry - today).days
        if rules.close_before_expiry_day and days <= 1:
            return ExitSignal("expiry", f"{days} day(s) to expiry: closing before expiry day")
        if days <= rules.exit_dte:
            return ExitSignal("dte", f"{days} days to expiry, at or below the exit at {rules.exit_dte}")
    value = value_now(structure, marks)
    credit = structure.credit
    if value is not None and credit > 0:
        pnl = value - structure.entry_net
        target = credit * rules.take_profit_pct / _HUNDRED
        if pnl >= target:
            return ExitSignal(
                "take_profit",
                f"P&L {pnl:.2f} a unit reached {rules.take_profit_pct}% of the {credit:.2f} credit",
            )
        if -pnl >= credit * rules.stop_loss_multiple:
            return ExitSignal(
                "stop_loss",
                f"loss {-pnl:.2f} a unit reached {rules.stop_loss_multiple}x the {credit:.2f} credit",
            )
    if rules.close_when_tested and spot is not None and (option := _tested(structure, spot)) is not None:
        return ExitSignal("tested", f"the short {option.key} is in the money with the underlying at {spot}")
    return None
