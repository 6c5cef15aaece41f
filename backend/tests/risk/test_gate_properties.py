"""Whatever the trade, book, quotes and limits: the gate never raises, and denies every breach an oracle finds.

The oracles below are written apart from the rules and only claim breaches that are plain (lower
bounds, trades that clearly open risk), so any breach they find must be denied by the gate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.domain.instruments import Option, OptionRight, Stock
from backend.domain.orders import OrderType
from backend.domain.values import Price
from backend.risk import default_gate
from backend.risk.context import GateContext, HeldPosition, LegMarket, TradingMode, TradingStatus
from backend.tests.risk.factories import TODAY, context, greeks, held, leg, quote, roomy_limits, trade

GATE = default_gate()
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FAULTS = ("quantity", "price", "quote", "greeks", "legs", "underlying", "rate", "loss", "contracts", "notional",
          "premium", "market", "dte", "naked", "positions", "greek_limits", "buying_power", "state", "margin")  # fmt: skip
cents = st.integers(0, 2_000).map(lambda c: Decimal(c) / 100)
sizes = st.sampled_from([0, 1, 10, 100, 10**4, 10**9]).map(Decimal)
finite_greeks = st.builds(greeks, st.floats(-1, 1), st.floats(0, 0.05), st.floats(0, 0.5))
bad_greeks = st.sampled_from([None, greeks(math.nan), greeks(vega=math.inf), greeks(gamma=-math.inf)])


@st.composite
def instruments(draw: st.DrawFn, dte: tuple[int, int] = (10, 40), underlying: str = "SPY") -> Stock | Option:
    """Draw a stock or an option."""
    if draw(st.integers(0, 4)) == 0:
        return Stock(underlying)
    return Option(
        underlying,
        TODAY + timedelta(days=draw(st.integers(*dte))),
        Price.of(draw(st.integers(18, 22)) * 5),
        draw(st.sampled_from(OptionRight)),
        multiplier=draw(st.sampled_from([100, 100, 10])),
    )


@st.composite
def quotes(draw: st.DrawFn, instrument: Stock | Option, kind: str = "ok", bad_greek: bool = False) -> Any:
    """Draw a usable, missing, one-sided, stale or future quote."""
    if kind == "missing":
        return None
    bid = draw(cents) + 1
    return quote(
        instrument,
        None if kind == "one_sided" else bid,
        bid + draw(cents) / 10,
        age={"stale": 10_000.0, "future": -10_000.0}.get(kind, float(draw(st.integers(0, 5)))),
        greek=draw(bad_greeks if bad_greek else finite_greeks) if isinstance(instrument, Option) else None,
        open_interest=draw(st.sampled_from([None, 5, 1_000]) if kind == "thin" else st.just(1_000)),
        volume=1_000,
    )


@st.composite
def contexts(draw: st.DrawFn, only: str | None = None) -> GateContext:
    """Draw a decision that is sound except for a few faults (or just `only`), each an aspect made hostile."""
    count = draw(st.sampled_from([0, 1, 1, 1, 2]))
    faults = {only} if only else draw(st.sets(st.sampled_from(FAULTS), min_size=count, max_size=count))

    def pick(fault: str, benign: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> Any:
        return draw(hostile if fault in faults else benign)

    span = (-2, 120) if "dte" in faults else (10, 40)
    insts = draw(st.lists(instruments(span), min_size=1, max_size=4, unique_by=lambda i: i.key))
    if "legs" in faults:
        insts.append(draw(st.sampled_from([insts[0], draw(instruments(underlying="QQQ"))])))
    odd = draw(st.integers(0, len(insts) - 1))
    kinds = ["missing", "one_sided", "stale", "future"] if "quote" in faults else ["ok"]
    kinds += ["thin"] if "market" in faults else []
    legs = [
        leg(
            inst,
            draw(st.sampled_from(["BUY", "BUY", "SELL"])),
            draw(st.integers(1, 3)),
            market=draw(
                quotes(
                    inst, draw(st.sampled_from(kinds)) if n == odd else "ok", "greeks" in faults and n == odd
                )
            ),
        )
        for n, inst in enumerate(insts)
    ]
    order_type = draw(st.sampled_from(OrderType))
    limit: Any = None if order_type is OrderType.MARKET else trade(*legs).limit_price
    limit = pick("price", st.just(limit), st.sampled_from([None, Decimal("NaN"), Decimal(3), Decimal(-3)]))
    quantity = pick("quantity", st.integers(1, 5), st.sampled_from([0, -1, 10**6]))
    t = trade(*legs, quantity=quantity, limit=limit, order_type=order_type, underlying="SPY")
    deltas = (
        st.sampled_from([0.5, -0.3, None, math.nan]) if "greeks" in faults else st.sampled_from([0.5, -0.3])
    )
    pool = st.sampled_from(insts) | instruments()
    positions = tuple(
        held(draw(pool), draw(st.integers(-5, 5)), delta=draw(deltas)) for _ in range(draw(st.integers(0, 3)))
    )
    if "naked" not in faults:  # enough stock to cover any call, so naked calls rarely mask the other rules
        positions += (held(Stock("SPY"), 100_000),)
    limits = replace(
        roomy_limits(allow_naked_puts=pick("naked", st.just(True), st.booleans())),
        allowed_underlyings=pick(
            "underlying",
            st.sampled_from([None, frozenset({"SPY"})]),
            st.sampled_from([frozenset({"QQQ"}), frozenset()]),
        ),
        max_orders_per_minute=pick("rate", st.just(1_000), st.sampled_from([0, 1])),
        max_daily_loss=pick("loss", st.just(Decimal(10**6)), sizes),
        max_contracts_per_order=pick("contracts", st.just(10**6), st.sampled_from([0, 1, 10])),
        max_notional_per_order=pick("notional", st.just(Decimal(10**9)), sizes),
        max_premium_per_order=pick("premium", st.just(Decimal(10**9)), sizes),
        price_collar_pct=pick("market", st.just(Decimal("0.1")), st.sampled_from(["0", "0.01"]).map(Decimal)),
        max_spread_pct=pick("market", st.just(Decimal(100)), st.sampled_from(["0", "0.01"]).map(Decimal)),
        min_open_interest=pick("market", st.just(0), st.just(10)),
        max_quote_age_seconds=pick("market", st.just(15), st.sampled_from([0, 2])),
        min_dte=pick("dte", st.just(0), st.sampled_from([0, 7])),
        max_dte=pick("dte", st.just(1_000), st.sampled_from([0, 45])),
        max_open_positions=pick("positions", st.just(1_000), st.sampled_from([0, 1, 2])),
        max_portfolio_delta=pick("greek_limits", st.just(Decimal(10**9)), sizes),
        max_underlying_delta=pick("greek_limits", st.just(Decimal(10**9)), sizes),
        max_portfolio_gamma=pick("greek_limits", st.just(Decimal(10**9)), sizes),
        max_portfolio_vega=pick("greek_limits", st.just(Decimal(10**9)), sizes),
    )
    return context(
        t,
        positions=positions,
        limits=limits,
        buying_power=pick("buying_power", st.just(10**12), sizes),
        daily_pnl=pick("loss", st.just(0), sizes.map(lambda d: -d)),
        trading=TradingStatus(
            client_state=pick("state", st.just(TradingMode.ACTIVE), st.sampled_from(TradingMode))
        ),
        orders_last_minute=pick("rate", st.just(0), st.integers(0, 3)),
        margin_required=pick(
            "margin", st.just(None), st.sampled_from([Decimal(0), Decimal(10**13), Decimal("NaN")])
        ),
    )


@dataclass
class View:
    """What the oracles read, flattened once."""

    ctx: GateContext

    def held(self, key: str) -> Decimal:
        return sum((p.quantity for p in self.ctx.portfolio.positions if p.instrument.key == key), Decimal(0))

    @property
    def opens(self) -> bool:
        """Some leg trades an instrument not held at all: the trade cannot only reduce."""
        return any(self.held(m.leg.instrument.key) == 0 for m in self.ctx.trade.legs)

    def units(self, m: Any) -> int:
        return int(m.leg.ratio * self.ctx.trade.quantity * (1 if m.leg.side == "BUY" else -1))


def oracle(ctx: GateContext) -> list[str]:
    """Return the limits this context plainly breaches."""
    v, t, lim, out = View(ctx), ctx.trade, ctx.limits, []
    out += ["quantity"] * (not 0 < t.quantity <= 100_000)
    out += ["duplicates"] * (len({m.leg.instrument.key for m in t.legs}) < len(t.legs))
    price_ok = t.limit_price is not None and t.limit_price.is_finite()
    out += ["price"] * ((t.order_type is OrderType.LIMIT) != price_ok)
    out += ["state"] * (ctx.trading.effective is not TradingMode.ACTIVE and v.opens)
    out += ["rate"] * (ctx.orders_last_minute >= lim.max_orders_per_minute)
    out += ["daily_loss"] * (ctx.portfolio.daily_pnl <= -lim.max_daily_loss and v.opens)
    allowed = lim.allowed_underlyings
    out += ["underlying"] * (
        allowed is not None and any(m.leg.instrument.underlying not in allowed for m in t.legs)
    )
    options = [m for m in t.legs if isinstance(m.leg.instrument, Option)]
    out += ["contracts"] * (sum(abs(v.units(m)) for m in options) > lim.max_contracts_per_order)
    shorts = [(m, m.leg.instrument) for m in options if m.leg.side == "SELL"]
    longs = [m.leg.instrument for m in options if m.leg.side == "BUY"]

    def at_risk(short: Option) -> Decimal:
        # A lower bound of what the rule charges: the nearest long of the same right expiring no
        # earlier caps the short at the width, however many contracts that long really has.
        widths = [
            abs(o.strike.value - short.strike.value)
            for o in longs
            if isinstance(o, Option) and o.right is short.right and o.expiry >= short.expiry
        ]
        return min([short.strike.value, *widths])

    assigned = sum(
        (at_risk(o) * o.multiplier * abs(v.units(m)) for m, o in shorts if isinstance(o, Option)),
        Decimal(0),
    )
    if len(t.legs) == 1 and price_ok and t.limit_price is not None and not shorts:
        assigned += abs(t.limit_price) * t.legs[0].leg.instrument.multiplier * abs(t.quantity)
    out += ["notional"] * (t.quantity > 0 and assigned > lim.max_notional_per_order)
    if options and len(options) == len(t.legs) and price_ok and t.limit_price is not None and t.quantity > 0:
        premium = abs(t.limit_price) * max(m.leg.instrument.multiplier for m in options) * t.quantity
        out += ["premium"] * (premium > lim.max_premium_per_order)
    for m in t.legs:
        q = m.quote
        fresh = q is not None and abs((ctx.now - q.ts).total_seconds()) <= lim.max_quote_age_seconds
        if q is None or q.bid is None or q.ask is None or not fresh:
            out.append("quote")
            continue
        mid = (q.bid.value + q.ask.value) / 2
        opening = isinstance(m.leg.instrument, Option) and v.held(m.leg.instrument.key) == 0
        if opening and (mid == 0 or (q.ask.value - q.bid.value) > lim.max_spread_pct * mid):
            out.append("spread")
        if (
            opening
            and lim.min_open_interest > 0
            and (q.open_interest is None or q.open_interest.value < lim.min_open_interest)
        ):
            out.append("open_interest")
    for o in (m.leg.instrument for m in options):
        dte = (o.expiry - ctx.today).days if isinstance(o, Option) else 0
        if dte < 0 or (v.held(o.key) == 0 and not lim.min_dte <= dte <= lim.max_dte):
            out.append("dte")
    return out + naked_oracle(ctx, v) + book_oracle(ctx, v)


def naked_oracle(ctx: GateContext, v: View) -> list[str]:
    """Breach when, on a book with no shorts of that right before, shorts after exceed every possible cover."""
    out = []
    for right, allowed in ((OptionRight.CALL, False), (OptionRight.PUT, ctx.limits.allow_naked_puts)):
        if allowed:
            continue
        for und in {m.leg.instrument.underlying for m in ctx.trade.legs}:
            after: dict[str, tuple[Any, Decimal]] = {
                p.instrument.key: (p.instrument, v.held(p.instrument.key)) for p in ctx.portfolio.positions
            }
            was_short = any(
                isinstance(i, Option) and i.right is right and i.underlying == und and q < 0
                for i, q in after.values()
            )
            for m in ctx.trade.legs:
                key = m.leg.instrument.key
                after[key] = (m.leg.instrument, after.get(key, (None, Decimal(0)))[1] + v.units(m))
            short = sum(
                (
                    -q * i.multiplier
                    for i, q in after.values()
                    if isinstance(i, Option) and i.right is right and i.underlying == und and q < 0
                ),
                Decimal(0),
            )
            cover = sum(
                (
                    q * i.multiplier
                    for i, q in after.values()
                    if i.underlying == und
                    and q > 0
                    and (
                        (isinstance(i, Stock) and right is OptionRight.CALL)
                        or (isinstance(i, Option) and i.right is right)
                    )
                ),
                Decimal(0),
            )
            out += ["naked"] * (not was_short and short > cover)
    return out


def finite(*values: float | None) -> bool:
    """Tell whether every value is a finite number."""
    return all(x is not None and math.isfinite(x) for x in values)


def held_delta(p: HeldPosition) -> float | None:
    """Return a position's per-unit delta, None when an option's greeks are not all finite."""
    if isinstance(p.instrument, Stock) or p.quantity == 0:
        return 1.0 if isinstance(p.instrument, Stock) else 0.0
    return p.delta if finite(p.delta, p.gamma, p.vega) else None


def leg_delta(m: LegMarket) -> float | None:
    """Return a leg's per-unit delta, None when an option leg's quote has no finite greeks."""
    if isinstance(m.leg.instrument, Stock):
        return 1.0
    g = m.quote.greeks if m.quote is not None else None
    return g.delta if g is not None and finite(g.delta, g.gamma, g.vega) else None


def book_oracle(ctx: GateContext, v: View) -> list[str]:
    """Buying power, open positions and greeks where the answer is plain."""
    t, lim, out = ctx.trade, ctx.limits, []
    margin = ctx.margin_required
    if v.opens and margin is not None and (not margin.is_finite() or margin > ctx.portfolio.buying_power):
        out.append("buying_power")
    lone = t.legs[0].leg if len(t.legs) == 1 else None
    if margin is None and v.opens and lone is not None and lone.side == "BUY" and t.limit_price is not None:
        debit = t.limit_price * lone.instrument.multiplier * t.quantity  # a long's cost is a floor
        out += ["buying_power"] * (t.limit_price.is_finite() and debit > ctx.portfolio.buying_power)
    keys = {p.instrument.key for p in ctx.portfolio.positions} | {m.leg.instrument.key for m in t.legs}
    after = {k: v.held(k) + sum(v.units(m) for m in t.legs if m.leg.instrument.key == k) for k in keys}
    new = any(v.held(m.leg.instrument.key) == 0 and after[m.leg.instrument.key] != 0 for m in t.legs)
    out += ["positions"] * (new and sum(1 for q in after.values() if q != 0) > lim.max_open_positions)
    if not v.opens:
        return out
    held_deltas = [held_delta(p) for p in ctx.portfolio.positions]
    leg_deltas = [leg_delta(m) for m in t.legs]
    if None in held_deltas or None in leg_deltas:
        return [*out, "greeks"]
    before = sum(
        float(p.quantity) * p.instrument.multiplier * (d or 0.0)
        for p, d in zip(ctx.portfolio.positions, held_deltas, strict=True)
    )
    change = sum(
        v.units(m) * m.leg.instrument.multiplier * (d or 0.0) for m, d in zip(t.legs, leg_deltas, strict=True)
    )
    limit = float(lim.max_portfolio_delta)
    if abs(before + change) > limit * (1 + 1e-9) + 1e-6 and abs(before) < limit * (1 - 1e-9):
        out.append("delta")
    return out


def check_against_oracle(ctx: GateContext) -> None:
    """Assert the gate denies whatever the oracle finds, without a rule crashing."""
    decision = GATE.check(ctx)
    breaches = oracle(ctx)
    assert not (breaches and decision.allowed), breaches
    assert not any(d.code == "rule_error" for d in decision.denials), decision.denials
    for denial in decision.denials:
        denial.as_dict()


@SETTINGS
@given(contexts())
def test_gate_denies_every_breach_the_oracle_finds_and_never_raises(ctx: GateContext) -> None:
    check_against_oracle(ctx)


@pytest.mark.parametrize("fault", FAULTS)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_one_hostile_aspect_is_denied_whenever_the_oracle_sees_it(fault: str, data: st.DataObject) -> None:
    check_against_oracle(data.draw(contexts(fault)))
