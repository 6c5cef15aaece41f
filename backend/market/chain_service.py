"""Quotes and option chains through a client's broker, with IV and greeks for a whole chain in one pass."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal

import numpy as np

from backend.brokers.base import BrokerPort, OptionChain, Quote
from backend.domain.instruments import Option, OptionRight, Stock
from backend.domain.option_math import IVReason, implied_vol_and_greeks
from backend.domain.values import Price, Quantity
from backend.kit.errors import NotFound
from backend.market.model_inputs import dividend_yield, expiry_close, years_between
from backend.market.schemas import ChainRead, ExpiriesRead, OptionQuoteRead, QuoteRead


def _d(value: Price | Quantity | None) -> Decimal | None:
    return value.value if value is not None else None


def quote_read(quote: Quote) -> QuoteRead:
    """Render one quote."""
    return QuoteRead(
        symbol=quote.instrument.key,
        bid=_d(quote.bid),
        ask=_d(quote.ask),
        mid=quote.mid,
        last=_d(quote.last),
        bid_size=_d(quote.bid_size),
        ask_size=_d(quote.ask_size),
        volume=_d(quote.volume),
        data_source=quote.data_source.value,
        ts=quote.ts,
    )


async def stock_quotes(broker: BrokerPort, symbols: Sequence[str]) -> list[QuoteRead]:
    """Quote stocks (and ETFs) by ticker, in the order asked."""
    instruments = [await broker.resolve_instrument(Stock(symbol)) for symbol in symbols]
    return [quote_read(q) for q in await broker.quotes(instruments)]


async def expiries(broker: BrokerPort, underlying: str) -> ExpiriesRead:
    """List an underlying's option expiries."""
    chain = await broker.option_chain(underlying)
    return ExpiriesRead(
        underlying=chain.underlying,
        trading_class=chain.trading_class,
        multiplier=chain.multiplier,
        exchange=chain.exchange,
        currency=chain.currency,
        expiries=list(chain.expiries),
    )


def _floats(values: np.ndarray) -> list[float | None]:
    """Return Python floats, None where not finite: one conversion an array, not one a row and field."""
    return [value if math.isfinite(value) else None for value in values.tolist()]


def _reference_price(quote: Quote) -> Decimal:
    price = quote.mid if quote.mid is not None else _d(quote.last)
    if price is None or price <= 0:
        raise NotFound(
            f"No price for {quote.instrument.key} to value its options", code="no_underlying_price"
        )
    return price


async def chain(
    broker: BrokerPort,
    underlying: str,
    expiry: date,
    rate: Decimal,
    listing: OptionChain | None = None,
    *,
    only: Collection[tuple[Decimal, OptionRight]] | None = None,
) -> ChainRead:
    """Quote every strike of one expiry and value it: IV from the mid, then greeks, vectorised.

    `listing` is the underlying's option chain when the caller has just read it (a scan reads it once
    for several expiries); without it the broker is asked. `only` narrows the chain to those
    (strike, right) pairs: a scan quotes the legs it is about to propose again.
    """
    if listing is None:
        listing = await broker.option_chain(underlying)
    if expiry not in listing.expiries:
        raise NotFound(
            f"{underlying} has no options expiring {expiry}",
            code="unknown_expiry",
            details={"expiries": [e.isoformat() for e in listing.expiries]},
        )
    options = [
        Option(listing.underlying, expiry, strike, right, listing.multiplier, listing.trading_class)
        for strike in listing.strikes_for(expiry)
        for right in (OptionRight.CALL, OptionRight.PUT)
        if only is None or (strike.value, right) in only
    ]
    spot_quote, *option_quotes = await broker.quotes([Stock(listing.underlying), *options])
    spot = _reference_price(spot_quote)
    as_of, expires_at = spot_quote.ts, expiry_close(expiry)
    years = years_between(as_of, expires_at)
    dividend = dividend_yield(listing.underlying)
    mids = np.array([float(q.mid) if q.mid is not None else np.nan for q in option_quotes])
    strikes = np.array([float(o.strike.value) for o in options])
    calls = np.array([o.right is OptionRight.CALL for o in options])
    # Compiled and vectorised: about 0.1 ms for a chain of a hundred and fifty options, so on the
    # loop; a thread would cost more in hand-offs and in contention for the interpreter lock.
    implied, greeks = implied_vol_and_greeks(
        mids, float(spot), strikes, years, float(rate), float(dividend), calls
    )
    ivs, deltas, gammas, vegas, thetas, rhos = (
        _floats(values)
        for values in (implied.iv, greeks.delta, greeks.gamma, greeks.vega, greeks.theta, greeks.rho)
    )
    reasons = implied.reason.tolist()
    rows = [
        OptionQuoteRead(
            symbol=option.key,
            strike=option.strike.value,
            right=option.right.value,
            bid=_d(quote.bid),
            ask=_d(quote.ask),
            mid=quote.mid,
            last=_d(quote.last),
            volume=_d(quote.volume),
            open_interest=_d(quote.open_interest),
            data_source=quote.data_source.value,
            iv=ivs[i],
            iv_status=IVReason(int(reasons[i])).name.lower(),
            delta=deltas[i],
            gamma=gammas[i],
            vega=vegas[i],
            theta=thetas[i],
            rho=rhos[i],
            underlying_price=spot,
            rate=rate,
            dividend_yield=dividend,
            time_to_expiry_years=years,
        )
        for i, (option, quote) in enumerate(zip(options, option_quotes, strict=True))
    ]
    return ChainRead(
        underlying=listing.underlying,
        expiry=expiry,
        multiplier=listing.multiplier,
        trading_class=listing.trading_class,
        as_of=as_of,
        expires_at=expires_at,
        underlying_price=spot,
        rate=rate,
        dividend_yield=dividend,
        time_to_expiry_years=years,
        tick_below=listing.ticks.below,
        tick_above=listing.ticks.above,
        tick_breakpoint=listing.ticks.breakpoint,
        options=rows,
    )
