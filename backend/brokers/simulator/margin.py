"""A Reg-T-like, strategy-based margin model.

The requirement is stated on top of net liquidation (which already counts each option at its mark,
shorts negative), so ``buying power = net liquidation - requirement``. Per underlying:

- long option: its whole value (premium is paid in full; options have no loan value);
- short option paired with a long one of the same right expiring no earlier (a vertical or a
  diagonal): the worst loss at the strikes, ``max(0, width)``, plus the long's value minus the
  short's, so a credit spread holds ``width - credit`` and a debit spread its debit;
- short call covered by 100 shares a contract: nothing beyond the stock's own requirement;
- naked short call: ``max(20% of spot - out-of-the-money amount, 10% of spot)``;
- naked short put: the same with 10% of the strike, or, when cash-secured, the strike less the put's
  value (the cash that must be held);
- stock: 50% of a long's value and of a short's in a margin account; 100% of a long's in a cash
  account, where shorting stock or writing naked calls is refused.

Shorts are paired greedily with the long that hedges them most tightly (smallest width). Real
brokers search combinations for the lowest total; greedy can only be more conservative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from backend.brokers.simulator.config import AccountType
from backend.domain.instruments import Option, SingleInstrument, Stock

_NAKED_RATE = Decimal("0.20")
_NAKED_FLOOR = Decimal("0.10")
_STOCK_MARGIN = Decimal("0.50")


@dataclass(frozen=True, slots=True)
class MarginResult:
    """The total requirement and what the account type does not allow at all."""

    requirement: Decimal
    violations: tuple[str, ...] = field(default=())


@dataclass
class _Lot:
    option: Option
    quantity: Decimal
    mark: Decimal


def _width(short: Option, long: Option) -> Decimal:
    if short.is_call:
        return max(Decimal(0), long.strike.value - short.strike.value)
    return max(Decimal(0), short.strike.value - long.strike.value)


def _naked(option: Option, spot: Decimal, mark: Decimal, cash_secured: bool) -> Decimal:
    strike = option.strike.value
    if option.is_call:
        out_of_money = max(Decimal(0), strike - spot)
        return max(_NAKED_RATE * spot - out_of_money, _NAKED_FLOOR * spot)
    if cash_secured:
        return max(Decimal(0), strike - mark)
    out_of_money = max(Decimal(0), spot - strike)
    return max(_NAKED_RATE * spot - out_of_money, _NAKED_FLOOR * strike)


def _options_requirement(
    longs: list[_Lot], shorts: list[_Lot], shares: Decimal, spot: Decimal, cash_secured: bool, cash: bool
) -> tuple[Decimal, list[str]]:
    total = Decimal(0)
    violations: list[str] = []
    uncovered_shares = max(shares, Decimal(0))
    for short in sorted(shorts, key=lambda lot: lot.option.key):
        multiplier = short.option.multiplier
        while short.quantity > 0:
            candidates = [
                lot
                for lot in longs
                if lot.quantity > 0
                and lot.option.right is short.option.right
                and lot.option.expiry >= short.option.expiry
                and lot.option.multiplier == multiplier
            ]
            if not candidates:
                break
            best = min(candidates, key=lambda lot: (_width(short.option, lot.option), lot.option.key))
            paired = min(short.quantity, best.quantity)
            per_unit = _width(short.option, best.option) + best.mark - short.mark
            total += max(Decimal(0), per_unit) * multiplier * paired
            short.quantity -= paired
            best.quantity -= paired
        if short.quantity <= 0:
            continue
        if short.option.is_call:
            covered = min(
                short.quantity, (uncovered_shares / multiplier).to_integral_value(rounding="ROUND_FLOOR")
            )
            uncovered_shares -= covered * multiplier
            short.quantity -= covered
            if short.quantity > 0 and cash:
                violations.append(f"a cash account cannot write naked calls ({short.option.key})")
        if short.quantity > 0:
            per_unit = _naked(short.option, spot, short.mark, cash_secured or cash)
            total += per_unit * multiplier * short.quantity
    for lot in longs:
        total += lot.mark * lot.option.multiplier * max(lot.quantity, Decimal(0))
    return total, violations


def margin_requirement(
    positions: Sequence[tuple[SingleInstrument, Decimal]],
    marks: Mapping[str, Decimal],
    spots: Mapping[str, Decimal],
    account_type: AccountType,
    cash_secured_puts: bool,
) -> MarginResult:
    """Return the requirement of a set of positions given per-unit marks and underlying spots."""
    cash = account_type is AccountType.CASH
    total = Decimal(0)
    violations: list[str] = []
    by_underlying: dict[str, list[tuple[SingleInstrument, Decimal]]] = {}
    for instrument, quantity in positions:
        if quantity != 0:
            by_underlying.setdefault(instrument.underlying, []).append((instrument, quantity))
    for underlying, holdings in sorted(by_underlying.items()):
        spot = spots[underlying]
        shares = Decimal(0)
        longs: list[_Lot] = []
        shorts: list[_Lot] = []
        for instrument, quantity in holdings:
            mark = marks[instrument.key]
            if isinstance(instrument, Stock):
                shares += quantity
                if quantity < 0 and cash:
                    violations.append(f"a cash account cannot sell {underlying} short")
                rate = Decimal(1) if cash else _STOCK_MARGIN
                total += rate * abs(quantity) * mark
            elif quantity > 0:
                longs.append(_Lot(instrument, quantity, mark))
            else:
                shorts.append(_Lot(instrument, -quantity, mark))
        options_total, option_violations = _options_requirement(
            longs, shorts, shares, spot, cash_secured_puts, cash
        )
        total += options_total
        violations.extend(option_violations)
    return MarginResult(total, tuple(violations))
