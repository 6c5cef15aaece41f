"""Build the ticket for an order a person described: pick strikes from the valued chain, price at mid. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from backend.agent.chat.orders import OrderSpec
from backend.domain.ticks import round_order_price
from backend.execution.tickets import TradeTicket
from backend.kit.errors import AppError
from backend.market.schemas import ChainRead, OptionQuoteRead

CENT = Decimal("0.01")
_RIGHT_CODE = {"call": "C", "put": "P"}
_STRATEGY = {
    ("single", "sell", "put"): "short_put",
    ("single", "sell", "call"): "short_call",
    ("single", "buy", "put"): "long_put",
    ("single", "buy", "call"): "long_call",
    ("vertical", "sell", "put"): "bull_put_spread",
    ("vertical", "sell", "call"): "bear_call_spread",
    ("vertical", "buy", "put"): "bear_put_spread",
    ("vertical", "buy", "call"): "bull_call_spread",
}


class UnbuildableOrder(AppError):
    """The chain has no strike, market or price that fits the order as described."""

    status_code = 422
    code = "unbuildable_order"


@dataclass(frozen=True, slots=True)
class BuiltOrder:
    """The ticket for a described order, with its strategy name, figures and a one-line description."""

    ticket: TradeTicket
    strategy: str
    metrics: dict[str, Any]
    description: str


def _pick(rows: list[OptionQuoteRead], spec: OrderSpec, delta: Decimal) -> OptionQuoteRead:
    if spec.strike is not None:
        for row in rows:
            if row.strike == spec.strike:
                return row
        near = sorted(rows, key=lambda r: abs(r.strike - spec.strike))[:5]  # type: ignore[operator]
        raise UnbuildableOrder(
            f"{spec.symbol} has no {spec.strike} {spec.right} listed for that expiry",
            details={"nearest_strikes": sorted(str(r.strike) for r in near)},
        )
    valued = [row for row in rows if row.delta is not None]
    if not valued:
        raise UnbuildableOrder(f"The {spec.symbol} chain has no deltas to pick a strike by")
    # On a tie the strike further out of the money (smaller |delta|) wins: it risks less.
    return min(valued, key=lambda r: (abs(Decimal(str(abs(r.delta or 0))) - delta), abs(r.delta or 0)))


def _wing(rows: list[OptionQuoteRead], near: OptionQuoteRead, width: Decimal) -> OptionQuoteRead:
    beyond = [r for r in rows if (r.strike < near.strike if near.right == "P" else r.strike > near.strike)]
    if not beyond:
        raise UnbuildableOrder(f"No strike is listed beyond {near.strike} to make the spread")
    return min(beyond, key=lambda r: (abs(abs(r.strike - near.strike) - width), abs(r.strike - near.strike)))


def build_order(
    spec: OrderSpec, chain: ChainRead, *, default_delta: Decimal, default_width: Decimal
) -> BuiltOrder:
    """Choose the legs (by strike, or by |delta| nearest the target), price them at mid on the tick."""
    code = _RIGHT_CODE[spec.right]
    rows = sorted((r for r in chain.options if r.right == code), key=lambda r: r.strike)
    near = _pick(rows, spec, spec.delta or default_delta)
    legs: list[tuple[OptionQuoteRead, str]] = [(near, spec.action)]
    if spec.structure == "vertical":
        legs.append(
            (_wing(rows, near, spec.width or default_width), "sell" if spec.action == "buy" else "buy")
        )
    for row, _ in legs:
        if row.mid is None or row.bid is None or row.ask is None:
            raise UnbuildableOrder(f"{row.symbol} has no two-sided market to price at mid")
    mid_net = sum(((r.mid or Decimal(0)) * (1 if side == "buy" else -1) for r, side in legs), Decimal(0))
    if spec.limit_price is not None:
        net = spec.limit_price if spec.action == "buy" else -spec.limit_price
    else:
        # The venue's tick for this class: pennies for combos, the chain's schedule for a single leg.
        net = round_order_price(mid_net, len(legs), chain.ticks, direction="nearest")
    if net == 0 or (net > 0) != (spec.action == "buy"):
        raise UnbuildableOrder(
            "At mid this order would not be a " + ("debit" if spec.action == "buy" else "credit"),
            details={"mid": str(mid_net)},
        )
    ticket = TradeTicket.model_validate(
        {
            "legs": [
                {
                    "sec_type": "option",
                    "symbol": chain.underlying,
                    "side": side,
                    "expiry": chain.expiry,
                    "strike": row.strike,
                    "right": row.right,
                }
                for row, side in legs
            ],
            "quantity": spec.quantity,
            "limit_price": net,
            "rationale": _describe(spec, chain, legs, net, priced_at_mid=spec.limit_price is None),
        }
    )
    metrics = _metrics(spec, chain, legs, abs(net))
    return BuiltOrder(
        ticket, _STRATEGY[(spec.structure, spec.action, spec.right)], metrics, ticket.rationale or ""
    )


def _describe(
    spec: OrderSpec,
    chain: ChainRead,
    legs: list[tuple[OptionQuoteRead, str]],
    net: Decimal,
    *,
    priced_at_mid: bool,
) -> str:
    parts = ", ".join(
        f"{side} {row.strike}{row.right} (delta {row.delta:+.2f})"
        if row.delta is not None
        else f"{side} {row.strike}{row.right}"
        for row, side in legs
    )
    kind = "debit" if net > 0 else "credit"
    how = "at mid" if priced_at_mid else "at your limit"
    return (
        f"Requested in chat: {spec.quantity}x {chain.underlying} {chain.expiry.isoformat()} {parts}; "
        f"{kind} {abs(net)} a share {how} with {chain.underlying} at {chain.underlying_price}."
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT))


def _metrics(
    spec: OrderSpec, chain: ChainRead, legs: list[tuple[OptionQuoteRead, str]], premium: Decimal
) -> dict[str, Any]:
    size = Decimal(chain.multiplier * spec.quantity)
    near = legs[0][0]
    selling = spec.action == "sell"
    put = spec.right == "put"
    if len(legs) == 1:
        intrinsic_cap = (
            near.strike - premium if put else None
        )  # a call's upside (or a naked call's loss) is open
        reward, risk = (premium, intrinsic_cap) if selling else (intrinsic_cap, premium)
        breakeven = near.strike - premium if put else near.strike + premium
    else:
        width = abs(legs[0][0].strike - legs[1][0].strike)
        reward, risk = (premium, width - premium) if selling else (width - premium, premium)
        breakeven = near.strike - premium if put else near.strike + premium
    greeks = {}
    for name in ("delta", "gamma", "vega", "theta"):
        total = sum(
            (Decimal(str(getattr(row, name) or 0)) * (1 if side == "buy" else -1) for row, side in legs),
            Decimal(0),
        )
        greeks[name] = str((total * size).quantize(CENT))
    max_loss = None if risk is None else risk * size
    return {
        "expiry": chain.expiry.isoformat(),
        "max_profit": _money(None if reward is None else reward * size),
        "max_loss": _money(max_loss),
        "breakevens": [str(breakeven)],
        "capital_at_risk": _money(max_loss),
        "greeks": greeks,
        "detail": f"Priced with {chain.underlying} at {chain.underlying_price} as of {chain.as_of.isoformat()}",
    }
