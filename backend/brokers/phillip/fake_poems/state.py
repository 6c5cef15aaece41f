"""``FakePoems``: everything the stand-in knows, independent of HTTP (the app is a thin layer on it)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.brokers.base import Quote
from backend.brokers.phillip.error_codes import PoemsCode
from backend.brokers.phillip.fake_poems.oauth import FakeAuthServer
from backend.brokers.phillip.fake_poems.universe import (
    BY_COUNTER_ID,
    BY_SYMBOL,
    CALENDAR,
    CURRENCY,
    EXCHANGE,
    LISTINGS,
    SGX_UNIVERSE,
    Listing,
    sgx_tick,
)
from backend.brokers.phillip.fake_poems.venue import FakeAccount, PoemsFailure, sgt
from backend.brokers.simulator import (
    AccountConfig,
    AccountType,
    Clock,
    MarketConfig,
    SimulatedMarket,
    SimulatorBroker,
)
from backend.brokers.simulator.config import CommissionSchedule
from backend.domain.instruments import Stock

_NO_FEES = CommissionSchedule(
    per_contract=Decimal(0),
    option_minimum=Decimal(0),
    per_share=Decimal(0),
    stock_minimum=Decimal(0),
    stock_maximum_rate=Decimal(0),
)


@dataclass(frozen=True)
class FakePoemsConfig:
    """How the stand-in is set up: the registered app, its users, token lifetimes and limits."""

    api_key: str = "fake-poems-api-key"
    client_id: str = "greekdesk-dev"
    client_secret: str = "fake-poems-client-secret"  # noqa: S105 - the stand-in's public dev secret
    redirect_uris: tuple[str, ...] = ("http://127.0.0.1:8000/brokers/phillip/callback",)
    users: tuple[str, ...] = ("demo",)
    access_ttl: timedelta = timedelta(minutes=30)
    auth_token_ttl: timedelta = timedelta(minutes=2)
    rate_per_second: float = 20.0
    burst: int = 40
    starting_cash: Decimal = Decimal(1_000_000)
    seed: int = 7
    always_open: bool = False


class BurstLimiter:
    """A per-key token bucket that refuses (rather than waits) when empty."""

    def __init__(self, rate: float, burst: int) -> None:
        self._rate, self._burst = rate, float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self.refused = 0

    def allow(self, key: str) -> float | None:
        """Take a token for ``key``; return ``None`` if allowed, else the seconds to wait."""
        now = time.monotonic()
        tokens, stamp = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - stamp) * self._rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return None
        self._buckets[key] = (tokens, now)
        self.refused += 1
        return (1 - tokens) / self._rate


class FakePoems:
    """The stand-in venue: one simulated SGX market, the OAuth server and a POEMS account per user."""

    def __init__(self, config: FakePoemsConfig | None = None, *, clock: Clock | None = None) -> None:
        self.config = config or FakePoemsConfig()
        market_config = MarketConfig(
            seed=self.config.seed,
            universe=SGX_UNIVERSE,
            calendar_name=CALENDAR,
            always_open=self.config.always_open,
        )
        self.market = SimulatedMarket(market_config, clock)
        self.accounts: dict[str, FakeAccount] = {}
        for username in self.config.users:
            self.add_user(username)
        self.auth = FakeAuthServer(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            redirect_uris=self.config.redirect_uris,
            access_ttl=self.config.access_ttl,
            clock=self.market.now,
            account_of=lambda username: self.accounts[username].account_no,
        )
        self.limiter = BurstLimiter(self.config.rate_per_second, self.config.burst)
        self.submit_answer_delay = 0.0
        """Seconds a submit's answer is held back, for tests of a client that stops waiting for it."""
        self.submits_lost = False
        """Whether submits are held back and then dropped without placing anything (with the delay)."""

    def add_user(self, username: str) -> FakeAccount:
        """Open a POEMS account (and its simulated one) for ``username``."""
        account_no = f"{1000001 + len(self.accounts):07d}"
        broker = SimulatorBroker(
            self.market,
            account_no,
            AccountConfig(
                starting_cash=self.config.starting_cash,
                account_type=AccountType.CASH,
                commissions=_NO_FEES,
                currency=CURRENCY,
            ),
        )
        account = FakeAccount(username, account_no, broker, self.config.auth_token_ttl)
        self.accounts[username] = account
        return account

    async def enroll(self, username: str) -> FakeAccount:
        """Open and connect an account for a new user while the stand-in runs."""
        account = self.add_user(username)
        await account.broker.connect()
        return account

    async def open(self) -> None:
        """Connect every simulated account (their sessions never drop)."""
        for account in self.accounts.values():
            await account.broker.connect()

    def account(self, username: str) -> FakeAccount:
        """Return a user's account."""
        return self.accounts[username]

    # -- market data ------------------------------------------------------------------------------

    def _listing(self, counter_id: str) -> Listing:
        listing = BY_COUNTER_ID.get(counter_id)
        if listing is None:
            raise PoemsFailure(PoemsCode.COUNTER_NOT_FOUND, f"Counter {counter_id} not found")
        return listing

    def counter_id(self, exchange: str, feed_code: str) -> dict[str, Any]:
        """Answer "counter id by feed code"."""
        listing = BY_SYMBOL.get(feed_code.upper())
        if exchange.upper() != EXCHANGE or listing is None:
            raise PoemsFailure(PoemsCode.COUNTER_NOT_FOUND, f"Counter {exchange}/{feed_code} not found")
        return {"counterID": listing.counter_id}

    def search(self, keyword: str, count: int) -> dict[str, Any]:
        """Answer a counter search by code or name."""
        word = keyword.strip().upper()
        found = [lst for lst in LISTINGS if word and (word in lst.symbol or word in lst.name.upper())]
        return {"counterList": [self._counter(lst) for lst in found[:count]]}

    def _counter(self, listing: Listing) -> dict[str, Any]:
        return {
            "name": listing.name,
            "nameDisplay": listing.name,
            "code": listing.symbol,
            "symbol": listing.symbol,
            "symbolDisplay": listing.symbol,
            "market": "SG",
            "exchange": EXCHANGE,
            "exchangeDisplay": EXCHANGE,
            "product": "ST",
            "productIcon": "ST",
            "counterID": listing.counter_id,
            "currency": CURRENCY,
            "delayIndicator": "",
            "pmpTopic": f"\\SGXSE\\{listing.symbol}",
        }

    def _price(self, listing: Listing, quote: Quote) -> dict[str, Any]:
        closes = self.market.closes
        previous = closes[-1].spots.get(listing.symbol) if closes else None
        last = quote.last.value if quote.last is not None else None
        prev = previous if previous is not None else self.market.spec(listing.symbol).spot
        change = (last - prev) if last is not None else Decimal(0)

        def thousands(size: Any) -> str:
            return f"{(size.value / 1000).normalize():f}" if size is not None else ""

        return self._counter(listing) | {
            "counterName": listing.name,
            "lastDone": f"{last:f}" if last is not None else "",
            "change": f"{change:f}",
            "changePercent": f"{(change / prev * 100).quantize(Decimal('0.01')):f}%",
            "bid": f"{quote.bid.value:f}" if quote.bid is not None else "0",
            "ask": f"{quote.ask.value:f}" if quote.ask is not None else "0",
            "bVolK": thousands(quote.bid_size),
            "sVolK": thousands(quote.ask_size),
            "volK": thousands(quote.volume),
            "prevClose": f"{prev:f}",
            "lastDoneDate": sgt(quote.ts),
            "lotSize": "100",
        }

    def price_list(self, counter_ids: list[str]) -> dict[str, Any]:
        """Answer a price list for up to 50 counters (unknown ones are left out, as POEMS does)."""
        listings = [BY_COUNTER_ID[c] for c in counter_ids[:50] if c in BY_COUNTER_ID]
        quotes = self.market.quotes([Stock(lst.symbol) for lst in listings])
        return {"priceList": [self._price(lst, q) for lst, q in zip(listings, quotes, strict=True)]}

    def counter_info(self, counter_id: str) -> dict[str, Any]:
        """Answer counter info (price mode 2: details)."""
        listing = self._listing(counter_id)
        return self._price(listing, self.market.quote(Stock(listing.symbol)))

    def market_depth(self, counter_id: str, levels: int = 5) -> dict[str, Any]:
        """Answer market depth: the simulator's top of book, then thinner levels a tick apart."""
        listing = self._listing(counter_id)
        quote = self.market.quote(Stock(listing.symbol))
        rows = []
        for level in range(levels):
            row: dict[str, Any] = {}
            if quote.bid is not None and quote.bid_size is not None:
                price = quote.bid.value - level * sgx_tick(quote.bid.value)
                row |= {"bidPrice": f"{price:f}", "bidVolume": f"{quote.bid_size.value * (level + 1):f}"}
            if quote.ask is not None and quote.ask_size is not None:
                price = quote.ask.value + level * sgx_tick(quote.ask.value)
                row |= {"askPrice": f"{price:f}", "askVolume": f"{quote.ask_size.value * (level + 1):f}"}
            rows.append(row)
        return {"marketDepth": rows}

    def now(self) -> datetime:
        """Return the venue's time."""
        return self.market.now()
