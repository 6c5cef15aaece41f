"""Market data of the fake gateway: simulated quotes as IB tick messages.

Live data uses tick types 1/2/4 (bid, ask, last with sizes), 8 (volume), 27/28 (call/put open
interest) and 10/11/13 (bid, ask and model option computations); delayed data uses the delayed
twins 66/67/68, 74 and 80/81/83. A side without a price is sent as IB does: price -1, size 0.
"""

from __future__ import annotations

from decimal import Decimal

from backend.brokers.base import Quote
from backend.brokers.ibkr.fake_gateway import messages as m
from backend.domain.instruments import Option

LIVE = {"bid": 1, "ask": 2, "last": 4, "volume": 8, "bid_greeks": 10, "ask_greeks": 11, "model": 13}
DELAYED = {"bid": 66, "ask": 67, "last": 68, "volume": 74, "bid_greeks": 80, "ask_greeks": 81, "model": 83}
UNSET_DOUBLE = 1.7976931348623157e308


def _f(value: Decimal | None, unset: float = -1.0) -> float:
    return unset if value is None else float(value)


def quote_ticks(
    req_id: int, quote: Quote, *, delayed: bool, greeks: bool, garbage: bool = False
) -> list[m.Msg]:
    """Return the tick messages that carry ``quote`` on request ``req_id``."""
    ticks = DELAYED if delayed else LIVE
    bid_size = quote.bid_size.value if quote.bid_size is not None else Decimal(0)
    ask_size = quote.ask_size.value if quote.ask_size is not None else Decimal(0)
    out: list[m.Msg] = [
        m.tick_price(req_id, ticks["bid"], _f(quote.bid.value if quote.bid else None), float(bid_size)),
        m.tick_price(req_id, ticks["ask"], _f(quote.ask.value if quote.ask else None), float(ask_size)),
    ]
    if quote.last is not None:
        out.append(m.tick_price(req_id, ticks["last"], float(quote.last.value), 0.0))
    if quote.volume is not None:
        out.append(m.tick_size(req_id, ticks["volume"], float(quote.volume.value)))
    if garbage:
        # What IB sends for "no value": NaN text and the largest double, on fields nobody asked for.
        out.append(m.tick_price(req_id, 9, UNSET_DOUBLE, 0.0))
        out.append(m.tick_size(req_id, ticks["volume"], float("nan")))
    instrument = quote.instrument
    if isinstance(instrument, Option):
        if quote.open_interest is not None:
            tick = 27 if instrument.is_call else 28
            out.append(m.tick_size(req_id, tick, float(quote.open_interest.value)))
        g = quote.greeks
        if greeks and g is not None and quote.implied_volatility is not None:
            under = _f(quote.underlying_price.value if quote.underlying_price else None)
            mid = quote.mid
            for key, price in (("bid_greeks", quote.bid), ("ask_greeks", quote.ask)):
                out.append(
                    m.tick_option_computation(
                        req_id, ticks[key], quote.implied_volatility, g.delta, _f(price.value if price else None),
                        g.gamma, g.vega, g.theta, under,
                    )
                )  # fmt: skip
            out.append(
                m.tick_option_computation(
                    req_id, ticks["model"], quote.implied_volatility, g.delta, _f(mid), g.gamma, g.vega,
                    g.theta, under,
                )
            )  # fmt: skip
    return out
