"""Pre-trade checks of the simulated venue, and marking the account to market.

An order is refused, as a broker would, for an unknown contract, a combo the venue does not take, a
closed market, a limit off the tick grid, or buying power it would exhaust. Buying power is checked
as if every working order and this one filled in full at their limits (market orders at the
natural price), so a burst of orders cannot together overdraw the account. An order that leaves the
account no worse off is accepted even when it is already short of buying power, so a position can
always be closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from backend.brokers.base import Position, Quote
from backend.brokers.errors import (
    InsufficientBuyingPower,
    InvalidOrder,
    InvalidPriceTick,
    MarketClosed,
    UnknownContract,
    UnknownInstrument,
)
from backend.brokers.simulator.account import Ledger
from backend.brokers.simulator.chain import COMBO_TICK, STOCK_TICK, option_tick
from backend.brokers.simulator.fills import cumulative_commission, legs_of, natural
from backend.brokers.simulator.margin import margin_requirement
from backend.domain.instruments import Combo, SingleInstrument, Stock
from backend.domain.orders import OrderRequest
from backend.domain.values import InvalidValue, Money, is_multiple_of

if TYPE_CHECKING:
    from backend.brokers.simulator.adapter import SimulatorBroker

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Valuation:
    """The account marked to market."""

    positions: list[Position]
    net_liquidation: Decimal
    requirement: Decimal
    unrealized: Decimal
    violations: tuple[str, ...]


def mark_of(quote: Quote) -> Decimal:
    """Return the price an instrument is valued at: the mid, half the ask with no bid, else last."""
    if quote.ask is not None and quote.bid is not None:
        return (quote.bid.value + quote.ask.value) / 2
    if quote.last is not None:
        return quote.last.value
    return _ZERO


class Admission:
    """Decides whether a simulated account accepts an order."""

    def __init__(self, broker: SimulatorBroker) -> None:
        self._broker = broker

    def check(self, request: OrderRequest) -> None:
        """Raise the reject a broker would give ``request``, or return if it is accepted."""
        broker, market = self._broker, self._broker.market
        cid = request.client_order_id
        instrument = request.instrument
        if isinstance(instrument, Combo):
            if any(isinstance(leg.instrument, Stock) for leg in instrument.legs):
                raise InvalidOrder("the simulator takes option-only combos", client_order_id=cid)
            try:
                instrument.multiplier  # noqa: B018 - raises on mixed multipliers
            except InvalidValue as error:
                raise InvalidOrder(str(error), client_order_id=cid) from error
        for leg, _, _ in legs_of(instrument, request.side):
            try:
                market.resolve(leg, held=broker.ledger.quantity(leg.key) != 0)
            except UnknownInstrument as error:
                raise UnknownContract(error.message, client_order_id=cid) from error
        if not market.is_open():
            raise MarketClosed(
                f"the market is closed at {market.market_time:%Y-%m-%d %H:%M} UTC", client_order_id=cid
            )
        if request.limit_price is not None:
            price = request.limit_price.value
            tick = self._tick(instrument, price)
            if not is_multiple_of(price, tick):
                raise InvalidPriceTick(
                    f"limit {price} is not a multiple of the tick {tick}", client_order_id=cid
                )
        before = self.buying_power_after(None)
        after, violations = self._what_if(request)
        new_violations = [v for v in violations if v not in self.valuation().violations]
        if new_violations:
            raise InsufficientBuyingPower("; ".join(new_violations), client_order_id=cid)
        if after < 0 and after < before:
            raise InsufficientBuyingPower(
                f"order needs {before - after:.2f} of buying power, {max(before, _ZERO):.2f} available",
                client_order_id=cid,
            )

    def _tick(self, instrument: SingleInstrument | Combo, price: Decimal) -> Decimal:
        if isinstance(instrument, Combo):
            return COMBO_TICK
        if isinstance(instrument, Stock):
            return STOCK_TICK
        return option_tick(self._broker.market.spec(instrument.underlying), price)

    # -- valuation --------------------------------------------------------------------------------

    def _quotes(self, instruments: Iterable[SingleInstrument]) -> dict[str, Quote]:
        unique = {i.key: i for i in instruments}
        quotes = self._broker.market.quotes(list(unique.values()))
        return {q.instrument.key: q for q in quotes}

    def _marked(self, ledger: Ledger, marks: dict[str, Decimal]) -> tuple[list[Position], Decimal, Decimal]:
        """Return the positions at `marks`, the net liquidation and the unrealized P&L."""
        currency = self._broker.config.currency
        positions: list[Position] = []
        net = ledger.cash
        unrealized = _ZERO
        for key, holding in ledger.holdings.items():
            mark = marks[key]
            multiplier = holding.instrument.multiplier
            value = holding.quantity * mark * multiplier
            pnl = (mark - holding.average_cost) * holding.quantity * multiplier
            net += value
            unrealized += pnl
            positions.append(
                Position(
                    holding.instrument,
                    holding.quantity,
                    holding.average_cost,
                    mark,
                    Money(value, currency).rounded(),
                    Money(pnl, currency).rounded(),
                    Money(holding.realized, currency).rounded(),
                )
            )
        return positions, net, unrealized

    def _value(self, ledger: Ledger, quotes: dict[str, Quote]) -> Valuation:
        broker = self._broker
        marks = {key: mark_of(quote) for key, quote in quotes.items()}
        positions, net, unrealized = self._marked(ledger, marks)
        spots = {
            h.instrument.underlying: broker.market.spot(h.instrument.underlying)
            for h in ledger.holdings.values()
        }
        result = margin_requirement(
            [(h.instrument, h.quantity) for h in ledger.holdings.values()],
            marks,
            spots,
            broker.config.account_type,
            broker.config.cash_secured_puts,
        )
        return Valuation(positions, net, result.requirement, unrealized, result.violations)

    def positions(self) -> list[Position]:
        """Return the account's positions at current marks, without the margin a full valuation works out."""
        ledger = self._broker.ledger
        quotes = self._quotes(h.instrument for h in ledger.holdings.values())
        return self._marked(ledger, {key: mark_of(quote) for key, quote in quotes.items()})[0]

    def valuation(self) -> Valuation:
        """Return the account's positions, net liquidation and requirement at current marks."""
        ledger = self._broker.ledger
        return self._value(ledger, self._quotes(h.instrument for h in ledger.holdings.values()))

    def buying_power_after(self, request: OrderRequest | None, current: Valuation | None = None) -> Decimal:
        """Return buying power if every working order (and ``request``) filled at its limit.

        ``current``, the account's valuation of now, answers without a second valuation when there is
        nothing to fill.
        """
        return self._what_if(request, current)[0]

    def _what_if(
        self, request: OrderRequest | None, current: Valuation | None = None
    ) -> tuple[Decimal, tuple[str, ...]]:
        broker = self._broker
        orders = [(r.request, r.remaining) for r in broker.working_orders()]
        if request is not None:
            orders.append((request, request.quantity.value))
        if not orders and current is not None:
            return current.net_liquidation - current.requirement, current.violations
        ledger = broker.ledger.copy()
        instruments = [h.instrument for h in ledger.holdings.values()]
        for order, _ in orders:
            instruments.extend(leg for leg, _, _ in legs_of(order.instrument, order.side))
        quotes = self._quotes(instruments)
        for order, units in orders:
            self._book_hypothetical(ledger, order, units, quotes)
        valuation = self._value(ledger, quotes)
        return valuation.net_liquidation - valuation.requirement, valuation.violations

    def _book_hypothetical(
        self, ledger: Ledger, order: OrderRequest, units: Decimal, quotes: dict[str, Quote]
    ) -> None:
        legs = legs_of(order.instrument, order.side)
        marks = {leg.key: mark_of(quotes[leg.key]) for leg, _, _ in legs}
        mark_net = _ZERO
        for leg, side, ratio in legs:
            ledger.book_trade(leg, units * ratio * side.sign, marks[leg.key], _ZERO)
            mark_net += marks[leg.key] * ratio * side.sign * order.side.sign
        if order.limit_price is not None:
            price = order.limit_price.value
        else:
            match = natural(order.instrument, order.side, [quotes[leg.key] for leg, _, _ in legs])
            price = match.price if match is not None else mark_net
        multiplier = order.instrument.multiplier
        # Booked at the marks above; the cash paid beyond them is the order's price slippage.
        ledger.book_cash(-(price - mark_net) * units * multiplier * order.side.sign)
        schedule = self._broker.config.commissions
        ledger.book_cash(
            -cumulative_commission(schedule, order.instrument, units, price * units * multiplier)
        )
