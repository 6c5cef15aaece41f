"""What happens to options at the close of their expiry session.

As OCC's exercise-by-exception does, an option at least one cent in the money at the closing price
is exercised (long) or assigned (short) into the underlying, a contract delivering ``multiplier``
shares at the strike; anything else expires worthless. The option leaves the books at zero (its
premium becomes realised P&L) and the stock trade books at the strike, as brokers report it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from backend.brokers.base import PositionEvent, PositionEventKind
from backend.brokers.simulator.account import Ledger
from backend.brokers.simulator.market import SessionClose
from backend.domain.instruments import Option, Stock

_THRESHOLD = Decimal("0.01")


def settle_expiries(
    ledger: Ledger, close: SessionClose, expires_now: Callable[[Option], bool]
) -> list[PositionEvent]:
    """Settle every option for which ``expires_now`` holds; return one event per position."""
    events: list[PositionEvent] = []
    expiring = [
        (h.instrument, h.quantity)
        for h in ledger.holdings.values()
        if isinstance(h.instrument, Option) and expires_now(h.instrument)
    ]
    for option, quantity in sorted(expiring, key=lambda item: item[0].key):
        spot = close.spots.get(option.underlying)
        event_id = f"{close.session:%Y%m%d}-{option.key.replace(' ', '')}"
        ledger.book_trade(option, -quantity, Decimal(0), Decimal(0))
        if spot is None or option.intrinsic(spot) < _THRESHOLD:
            events.append(
                PositionEvent(
                    PositionEventKind.EXPIRED,
                    option,
                    quantity,
                    close.ts,
                    settlement_price=spot,
                    event_id=f"EXP-{event_id}",
                )
            )
            continue
        # A long call or a short put ends up buying the stock; a long put or a short call sells it.
        shares = quantity * option.multiplier * (1 if option.is_call else -1)
        stock = Stock(option.underlying, currency=option.currency)
        ledger.book_trade(stock, shares, option.strike.value, Decimal(0))
        kind = PositionEventKind.EXERCISED if quantity > 0 else PositionEventKind.ASSIGNED
        events.append(
            PositionEvent(
                kind,
                option,
                quantity,
                close.ts,
                delivered=stock,
                delivered_quantity=shares,
                settlement_price=spot,
                event_id=f"{kind.value[:3].upper()}-{event_id}",
            )
        )
    return events
