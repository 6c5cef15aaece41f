"""The filters every strategy applies, the limit price it asks and the size it trades."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from backend.agent.strategies.inputs import ChainView, OptionRow, StrategyParams
from backend.domain.instruments import OptionRight, Side
from backend.domain.ticks import COMBO_TICK, PENNY_PILOT, TickSchedule
from backend.domain.values import InvalidValue, round_to_tick, to_decimal


@dataclass(frozen=True, slots=True)
class LegPick:
    """A chain row a strategy trades, and on which side (one contract per unit)."""

    row: OptionRow
    side: Side


def in_dte_window(chain: ChainView, params: StrategyParams) -> bool:
    """Tell whether the chain's expiry lies in the days-to-expiry window and has time left to model."""
    return params.min_dte <= chain.dte <= params.max_dte and chain.years > 0


def in_delta_window(row: OptionRow, params: StrategyParams) -> bool:
    """Tell whether the row's absolute delta lies in the target window (no delta, no trade)."""
    if row.delta is None:
        return False
    # Through str so a quoted 0.15 is the window's 0.15, not the binary float just below it.
    return params.target_delta_min <= abs(to_decimal(row.delta)) <= params.target_delta_max


def spread_pct(row: OptionRow) -> Decimal | None:
    """Return (ask - bid) / mid, None without a positive two-sided market."""
    mid = row.mid
    if row.bid is None or row.ask is None or mid is None or mid <= 0 or row.bid > row.ask:
        return None
    return (row.ask - row.bid) / mid


def liquid(row: OptionRow, side: Side, params: StrategyParams) -> bool:
    """Tell whether a row is tradeable on `side`: two-sided, tight, open interest, volume; bid > 0 to sell."""
    pct = spread_pct(row)
    if pct is None or pct > params.max_spread_pct:
        return False
    if side is Side.SELL and (row.bid is None or row.bid <= 0):
        return False
    return row.open_interest >= params.min_open_interest and row.volume >= params.min_volume


def window_rows(chain: ChainView, right: OptionRight, side: Side, params: StrategyParams) -> list[OptionRow]:
    """Return the rows of one right in the delta window and liquid on `side`, by strike."""
    return [row for row in chain.rows_of(right) if in_delta_window(row, params) and liquid(row, side, params)]


def wing_row(chain: ChainView, short: OptionRow, params: StrategyParams) -> OptionRow | None:
    """Return the listed strike nearest `wing_width` beyond the short one (lower for puts, higher for calls)."""
    if short.right is OptionRight.PUT:
        beyond = [row for row in chain.rows_of(short.right) if row.strike < short.strike]
    else:
        beyond = [row for row in chain.rows_of(short.right) if row.strike > short.strike]
    if not beyond:
        return None
    # On a tie the narrower wing wins: it risks less for the same distance from the target.
    return min(
        beyond,
        key=lambda row: (
            abs(abs(row.strike - short.strike) - params.wing_width),
            abs(row.strike - short.strike),
        ),
    )


def leg_net(row: OptionRow, side: Side, params: StrategyParams) -> Decimal:
    """Return one leg's part of a net limit: its mid signed by the side, conceding `edge` of the half-spread."""
    bid, ask = row.bid, row.ask
    if bid is None or ask is None:
        raise InvalidValue(f"cannot price the {row.strike} {row.right} without a bid and an ask")
    mid, half = (bid + ask) / 2, (ask - bid) / 2
    return side.sign * mid + params.edge * half


def limit_price(
    parts: Sequence[Decimal], params: StrategyParams, ticks: TickSchedule = PENNY_PILOT
) -> Decimal:
    """Return the net limit per unit per share from its legs' parts (`leg_net`), on the tick.

    Cash out is positive (a debit), a credit negative. Rounding goes up, towards paying more or
    receiving less, so the price is never better for us than mid minus the edge. A single leg
    takes its class's tick (and never finer than `params.tick`); a multi-leg order trades in pennies.
    """
    net = sum(parts, Decimal(0))
    if len(parts) > 1:
        return round_to_tick(net, max(params.tick, COMBO_TICK), direction="up")
    rounded = round_to_tick(net, max(params.tick, ticks.below), direction="up")
    return round_to_tick(rounded, max(params.tick, ticks.tick(rounded)), direction="up")


def largest_quantity(
    cap: int,
    risk_per_unit: Decimal,
    risk_budget: Decimal,
    cash_per_unit: Decimal,
    buying_power: Decimal,
) -> int:
    """Return the most units (at most `cap`) whose risk and cash fit their budgets; 0 when none fits."""
    quantity = max(cap, 0)
    if risk_per_unit > 0:
        quantity = min(quantity, int(risk_budget // risk_per_unit))
    if cash_per_unit > 0:
        quantity = min(quantity, int(max(buying_power, Decimal(0)) // cash_per_unit))
    return max(quantity, 0)
