"""Contracts of the fake gateway: conIds for simulated instruments, and IB contract fields.

Stocks keep fixed conIds; options get a stable conId derived from their OCC key, so the same option
has the same id in every session and after a restart, as at IB.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from backend.brokers.errors import UnknownInstrument
from backend.brokers.ibkr.fake_gateway.wire import Field
from backend.brokers.simulator import SimulatedMarket
from backend.domain.instruments import Option, OptionRight, SingleInstrument, Stock
from backend.domain.values import Price

BAG_CON_ID = 28812380
"""The conId IB gives every BAG (combo) contract."""
_STOCK_IDS = {"SPY": 756733, "QQQ": 320227571, "IWM": 9579970, "AAPL": 265598, "MSFT": 272093}


@dataclass(frozen=True, slots=True)
class WireContract:
    """The twelve contract fields a request carries, as text."""

    con_id: int
    symbol: str
    sec_type: str
    last_trade: str
    strike: str
    right: str
    multiplier: str
    exchange: str
    primary_exchange: str
    currency: str
    local_symbol: str
    trading_class: str

    @classmethod
    def take(cls, fields: list[str], start: int) -> WireContract:
        """Read the contract at ``fields[start:start + 12]``."""
        f = fields[start : start + 12]
        return cls(int(f[0] or 0), *f[1:])


def con_id_of(instrument: SingleInstrument) -> int:
    """Return the stable conId of an instrument."""
    if isinstance(instrument, Stock):
        return _STOCK_IDS.get(instrument.symbol, 1_000 + zlib.crc32(instrument.symbol.encode()) % 100_000)
    return 100_000_000 + zlib.crc32(instrument.key.encode()) % 800_000_000


def ib_date(day: date) -> str:
    """Return ``YYYYMMDD``."""
    return f"{day:%Y%m%d}"


def parse_ib_date(text: str) -> date:
    """Read ``YYYYMMDD`` (a month alone is not a tradable expiry here)."""
    return datetime.strptime(text[:8], "%Y%m%d").date()  # noqa: DTZ007 - a date, not a moment


def contract_fields(instrument: SingleInstrument) -> list[Field]:
    """Return conId, symbol, secType, expiry, strike, right, multiplier (the common head)."""
    if isinstance(instrument, Stock):
        return [con_id_of(instrument), instrument.symbol, "STK", "", 0.0, "", ""]
    return [
        con_id_of(instrument),
        instrument.underlying,
        "OPT",
        ib_date(instrument.expiry),
        float(instrument.strike.value),
        instrument.right.value,
        str(instrument.multiplier),
    ]


def local_symbol(instrument: SingleInstrument) -> str:
    """Return IB's local symbol: the ticker, or the OCC symbol for an option."""
    return instrument.key


def trading_class(instrument: SingleInstrument) -> str:
    """Return the trading class (the ticker for a stock)."""
    return instrument.trading_class if isinstance(instrument, Option) else instrument.symbol


class ContractBook:
    """Resolves wire contracts against the simulated market and remembers conIds it handed out."""

    def __init__(self, market: SimulatedMarket) -> None:
        self.market = market
        self._by_id: dict[int, SingleInstrument] = {}

    def remember(self, instrument: SingleInstrument) -> int:
        """Record an instrument and return its conId."""
        con_id = con_id_of(instrument)
        self._by_id[con_id] = instrument
        return con_id

    def by_id(self, con_id: int) -> SingleInstrument:
        """Return the instrument with ``con_id``; raise ``UnknownInstrument``."""
        instrument = self._by_id.get(con_id)
        if instrument is None:
            for symbol in self.market.symbols:
                if con_id_of(Stock(symbol)) == con_id:
                    return Stock(symbol)
            raise UnknownInstrument(f"no contract with conId {con_id}")
        return instrument

    def resolve(self, wire: WireContract, *, held: bool = True) -> SingleInstrument:
        """Return the one instrument a fully specified wire contract names."""
        if wire.con_id:
            return self.by_id(wire.con_id)
        if wire.sec_type == "STK":
            resolved = self.market.resolve(Stock(wire.symbol, currency=wire.currency or "USD"))
        elif wire.sec_type == "OPT" and wire.last_trade and wire.strike and wire.right:
            option = Option(
                wire.symbol,
                parse_ib_date(wire.last_trade),
                Price(Decimal(wire.strike)),
                OptionRight(wire.right[0].upper()),
                int(wire.multiplier or 100),
                wire.trading_class or "",
            )
            resolved = self.market.resolve(option, held=held)
        else:
            raise UnknownInstrument(f"no unique contract for {wire}")
        self.remember(resolved)
        return resolved

    def matching(self, wire: WireContract) -> list[SingleInstrument]:
        """Return every listed instrument a (possibly partial) contract matches, for contract details."""
        if wire.con_id or wire.sec_type == "STK":
            try:
                return [self.resolve(wire, held=False)]
            except UnknownInstrument:
                return []
        if wire.sec_type != "OPT":
            return []
        try:
            chain = self.market.option_chain(wire.symbol)
        except UnknownInstrument:
            return []
        if wire.trading_class and wire.trading_class != chain.trading_class:
            return []
        rights = [OptionRight(wire.right[0].upper())] if wire.right else list(OptionRight)
        wanted_strike = Decimal(wire.strike) if wire.strike and Decimal(wire.strike) else None
        found: list[SingleInstrument] = []
        for expiry in chain.expiries:
            if wire.last_trade and ib_date(expiry)[: len(wire.last_trade)] != wire.last_trade:
                continue
            for strike in chain.strikes_for(expiry):
                if wanted_strike is not None and strike.value != wanted_strike:
                    continue
                for right in rights:
                    option = Option(
                        chain.underlying, expiry, strike, right, chain.multiplier, chain.trading_class
                    )
                    self.remember(option)
                    found.append(option)
        return found
