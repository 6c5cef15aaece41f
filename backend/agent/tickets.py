"""Turn what the agent found into trade tickets for the one order path, and describe them for people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from backend.agent.exits import OpenStructure
from backend.agent.strategies import Candidate, payoff_at_expiry
from backend.domain.instruments import ComboLeg, Option
from backend.domain.ticks import TickSchedule, round_order_price
from backend.execution.gate_inputs import EXCHANGE_TZ
from backend.execution.tickets import TradeTicket

_PAYOFF_POINTS = 41


def leg_payload(leg: ComboLeg, *, reverse: bool = False) -> dict[str, Any]:
    """Return a ticket leg for a domain leg (reversed to close it)."""
    side = leg.side.opposite if reverse else leg.side
    payload: dict[str, Any] = {
        "sec_type": "option" if isinstance(leg.instrument, Option) else "stock",
        "symbol": leg.instrument.underlying,
        "side": side.value.lower(),
        "ratio": leg.ratio,
    }
    if isinstance(leg.instrument, Option):
        option = leg.instrument
        payload |= {"expiry": option.expiry, "strike": option.strike.value, "right": option.right.value}
    return payload


def candidate_ticket(candidate: Candidate) -> TradeTicket:
    """Return the ticket that proposes a candidate at its limit price."""
    return TradeTicket.model_validate(
        {
            "legs": [leg_payload(leg) for leg in candidate.legs],
            "quantity": candidate.quantity,
            "limit_price": candidate.limit_price,
            "rationale": candidate.rationale,
        }
    )


def exit_ticket(structure: OpenStructure, close_net: Decimal, ticks: TickSchedule, why: str) -> TradeTicket:
    """Return the ticket that closes a structure at `close_net` a unit (its legs reversed)."""
    # Closing reverses every leg: what was received at entry is paid back, and the reverse.
    # Rounded up: paying a little more (or taking a little less) rather than not getting out.
    price = round_order_price(close_net, len(structure.legs), ticks, direction="up")
    return TradeTicket.model_validate(
        {
            "legs": [leg_payload(leg, reverse=True) for leg in structure.legs],
            "quantity": structure.quantity,
            "limit_price": price,
            "rationale": why,
        }
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def candidate_metrics(candidate: Candidate) -> dict[str, Any]:
    """Return the figures a person weighs a proposal by, and its payoff at expiry for a diagram."""
    strikes = [leg.instrument.strike.value for leg in candidate.legs if isinstance(leg.instrument, Option)]
    anchors = strikes + list(candidate.breakevens)
    low, high = min(anchors) * Decimal("0.8"), max(anchors) * Decimal("1.2")
    step = (high - low) / (_PAYOFF_POINTS - 1)
    prices = [(low + step * i).quantize(Decimal("0.01")) for i in range(_PAYOFF_POINTS)]
    payoff = payoff_at_expiry(candidate, candidate.limit_price, candidate.quantity, prices)
    return {
        "expiry": candidate.expiry.isoformat(),
        "max_profit": _money(candidate.max_profit),
        "max_loss": _money(candidate.max_loss),
        "breakevens": [str(b) for b in candidate.breakevens],
        "probability_of_profit": round(candidate.probability_of_profit, 4),
        "expected_value": _money(candidate.expected_value),
        "return_on_risk": None if candidate.return_on_risk is None else str(candidate.return_on_risk),
        "capital_at_risk": _money(candidate.capital_at_risk),
        "greeks": {k: str(v) for k, v in vars_of(candidate.greeks).items()},
        "score": round(candidate.score, 6),
        "payoff": [{"price": str(p), "pnl": _money(v)} for p, v in zip(prices, payoff, strict=True)],
    }


def vars_of(greeks: Any) -> dict[str, Decimal]:
    """Return a trade's greeks by name."""
    return {name: getattr(greeks, name) for name in ("delta", "gamma", "vega", "theta")}


def expires_at(mode: str, now: datetime, ttl_seconds: int) -> datetime:
    """Return when a proposal lapses: after the TTL when a person must approve, at the close when manual."""
    if mode == "manual":
        # A suggestion stands for the trading day; the gate re-prices it on approval anyway.
        local = now.astimezone(EXCHANGE_TZ)
        close = datetime.combine(local.date(), time(16, 0), EXCHANGE_TZ)
        return close if close > local else close + timedelta(days=1)
    return now + timedelta(seconds=ttl_seconds)


def leg_keys(legs: Sequence[ComboLeg]) -> frozenset[str]:
    """Return the instrument keys of option legs."""
    return frozenset(leg.instrument.key for leg in legs if isinstance(leg.instrument, Option))
