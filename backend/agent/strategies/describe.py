"""Plain-English pieces for rationales: strikes, prices, dollars, chances."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from backend.agent.strategies.candidate import Candidate
from backend.agent.strategies.inputs import ChainView, OptionRow
from backend.agent.strategies.payoff import unit_payoff


def strike(value: Decimal) -> str:
    """Render a strike without trailing zeros: 95, 92.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def dollars(value: Decimal | None) -> str:
    """Render dollars with thousands separators, or 'unlimited'."""
    return "unlimited" if value is None else f"${value:,.2f}"


def chance(probability: float) -> str:
    """Render a probability as 'a 59% chance' or 'an 87% chance'."""
    percent = f"{probability:.0%}"
    article = "an" if percent.startswith(("8", "11%", "18%")) else "a"
    return f"{article} {percent} chance"


def delta(row: OptionRow) -> str:
    """Render a row's absolute delta."""
    return f"{abs(row.delta or 0.0):.2f}"


def net_price(limit_price: Decimal) -> str:
    """Render a per-share limit as a credit, a debit or even money."""
    if limit_price < 0:
        return f"a {-limit_price} credit"
    return f"a {limit_price} debit" if limit_price > 0 else "even money"


def expiry(chain: ChainView) -> str:
    """Render the expiry with its days to go."""
    return f"the {chain.expiry:%d %b %Y} expiry ({chain.dte} DTE)"


def between(candidate: Candidate) -> str:
    """Render where the trade profits at expiry in terms of its breakevens."""
    points = [strike(point) for point in candidate.breakevens]
    if len(points) == 2:
        return f"between {points[0]} and {points[1]}"
    if len(points) == 1:
        above = candidate.breakevens[0] + 1
        gains_above = unit_payoff(candidate.legs, candidate.limit_price, candidate.covered, above) > 0
        return f"{'above' if gains_above else 'below'} {points[0]}"
    return "anywhere"


Explain = Callable[[Candidate], str]
"""Writes a candidate's rationale once its figures are known."""
