"""Request handlers of the fake gateway, one per inbound message id the contract suite needs.

Field positions follow ``ib_async/client.py`` at server version 178 (for instance placeOrder
carries no faProfile from 177 on, and contract requests carry issuerId from 176 on).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from backend.brokers.errors import BrokerError, UnknownInstrument
from backend.brokers.ibkr.fake_gateway import messages as m
from backend.brokers.ibkr.fake_gateway.contracts import WireContract, con_id_of, ib_date
from backend.brokers.ibkr.fake_gateway.orders import FakeOrder, order_type_of, reject_code
from backend.brokers.ibkr.fake_gateway.session import INFO_NOTICES, Session, Subscription
from backend.brokers.simulator.chain import STOCK_TICK, option_tick
from backend.domain.instruments import Combo, ComboLeg, Side, SingleInstrument, Stock
from backend.domain.orders import OrderRequest, OrderType, TimeInForce
from backend.domain.values import InvalidValue, NetPrice, Quantity

if TYPE_CHECKING:
    from backend.brokers.ibkr.fake_gateway.server import FakeGateway

Handler = Callable[[Session, list[str]], Awaitable[None]]


class Handlers:
    """Answers inbound requests for one gateway."""

    def __init__(self, gateway: FakeGateway) -> None:
        self.gw = gateway
        self._table: dict[int, Handler] = {
            71: self.start_api, 61: self.positions, 64: self.ignore, 5: self.open_orders,
            16: self.open_orders, 15: self.ignore, 99: self.completed_orders, 6: self.account_updates,
            76: self.account_updates_multi, 7: self.executions, 9: self.contract_details,
            78: self.sec_def_opt_params, 1: self.market_data, 2: self.cancel_market_data,
            59: self.market_data_type, 3: self.place_order, 4: self.cancel_order,
            49: self.current_time, 62: self.account_summary, 63: self.ignore, 8: self.req_ids,
            17: self.managed_accounts,
        }  # fmt: skip

    async def handle(self, session: Session, fields: list[str]) -> None:
        """Dispatch one request by its message id."""
        handler = self._table.get(int(fields[0])) if fields and fields[0].isdigit() else None
        if handler is None:
            session.send(m.error(-1, 321, f"Error validating request:-'unsupported message {fields[:1]}'"))
            return
        await handler(session, fields)

    async def ignore(self, session: Session, fields: list[str]) -> None:
        """Accept a request that needs no answer here."""

    # -- session and account ----------------------------------------------------------------------

    async def start_api(self, session: Session, fields: list[str]) -> None:
        """Bind the client id, then send nextValidId, managedAccounts and the farm notices."""
        client_id = int(fields[2])
        if any(s.client_id == client_id and s is not session for s in self.gw.sessions):
            session.send(m.error(-1, 326, "Unable to connect as the client id is already in use."))
            session.drop()
            return
        session.client_id = client_id
        session.send(m.next_valid_id(self._next_id(client_id)))
        session.send(m.managed_accounts([self.gw.account]))
        for code, text in INFO_NOTICES:
            session.send(m.error(-1, code, text))

    def _next_id(self, client_id: int) -> int:
        used = [o.order_id for o in self.gw.orders.values() if o.client_id == client_id]
        self.gw.next_order_id = max([self.gw.next_order_id, *(i + 1 for i in used)])
        return self.gw.next_order_id

    async def req_ids(self, session: Session, fields: list[str]) -> None:
        """Answer reqIds with the next valid order id."""
        session.send(m.next_valid_id(self._next_id(session.client_id)))

    async def managed_accounts(self, session: Session, fields: list[str]) -> None:
        """Answer reqManagedAccts."""
        session.send(m.managed_accounts([self.gw.account]))

    async def current_time(self, session: Session, fields: list[str]) -> None:
        """Answer reqCurrentTime with the wall clock (IB's heartbeat)."""
        session.send(m.current_time(int(time.time())))

    async def positions(self, session: Session, fields: list[str]) -> None:
        """Send every position, then positionEnd."""
        for position in await self.gw.venue.positions():
            session.send(
                m.position(self.gw.account, position.instrument, position.quantity, position.average_cost)
            )
        session.send(m.position_end())

    def _values(self) -> list[tuple[str, str]]:
        venue = self.gw.venue
        valuation = venue.admission.valuation()
        ledger = venue.ledger
        return [
            ("NetLiquidation", str(round(valuation.net_liquidation, 2))),
            ("TotalCashValue", str(round(ledger.cash, 2))),
            ("BuyingPower", str(round(venue.admission.buying_power_after(None), 2))),
            ("InitMarginReq", str(round(valuation.requirement, 2))),
            ("MaintMarginReq", str(round(valuation.requirement, 2))),
            ("RealizedPnL", str(round(ledger.realized - ledger.commissions, 2))),
            ("UnrealizedPnL", str(round(valuation.unrealized, 2))),
        ]

    async def account_summary(self, session: Session, fields: list[str]) -> None:
        """Answer reqAccountSummary with the account's balances."""
        req_id = int(fields[2])
        self.gw.venue.market.sync()
        for tag, value in self._values():
            session.send(m.account_summary(req_id, self.gw.account, tag, value, "USD"))
        session.send(m.account_summary_end(req_id))

    async def account_updates(self, session: Session, fields: list[str]) -> None:
        """Start (or stop) the account-updates stream with its first full batch."""
        session.account_updates = fields[2] == "1"
        if session.account_updates:
            self.send_portfolio(session)
            session.send(m.account_download_end(self.gw.account))

    def send_portfolio(self, session: Session) -> None:
        """Send the account values and every portfolio line."""
        gw = self.gw
        for key, value in self._values():
            session.send(m.account_value(gw.account, key, value, "USD"))
        for p in gw.venue.admission.positions():
            price = p.market_price if p.market_price is not None else Decimal(0)
            session.send(
                m.portfolio_value(
                    gw.account, p.instrument, p.quantity, price, p.market_value.amount, p.average_cost,
                    p.unrealized_pnl.amount, p.realized_pnl.amount,
                )
            )  # fmt: skip
        session.send(m.account_time(gw.market.now()))

    async def account_updates_multi(self, session: Session, fields: list[str]) -> None:
        """Answer reqAccountUpdatesMulti with one batch."""
        req_id = int(fields[2])
        for key, value in self._values():
            session.send(m.account_update_multi(req_id, self.gw.account, key, value, "USD"))
        session.send(m.account_update_multi_end(req_id))

    # -- orders -----------------------------------------------------------------------------------

    async def open_orders(self, session: Session, fields: list[str]) -> None:
        """Send this client's working orders, then openOrderEnd."""
        for order in self.gw.orders.values():
            if order.client_id == session.client_id and not order.status.is_terminal and order.reject is None:
                session.send(m.open_order(order.view(self.gw.account)))
                session.send(order.status_message())
        session.send(m.open_order_end())

    async def completed_orders(self, session: Session, fields: list[str]) -> None:
        """Send every finished order, then completedOrdersEnd."""
        for order in self.gw.orders.values():
            if order.status.is_terminal and order.updated_at is not None:
                session.send(m.completed_order(order.view(self.gw.account), order.updated_at))
        session.send(m.completed_orders_end())

    async def executions(self, session: Session, fields: list[str]) -> None:
        """Send today's executions with their commissions, then execDetailsEnd."""
        req_id = int(fields[2])
        for order in self.gw.orders.values():
            for line in order.executions:
                session.send(line.details(req_id, self.gw.account))
        session.send(m.exec_details_end(req_id))
        for order in self.gw.orders.values():
            for line in order.executions:
                session.send(m.commission_report(line.exec_id, line.commission, "USD"))

    async def place_order(self, session: Session, fields: list[str]) -> None:
        """Accept an order at the simulated account and report what happens to it."""
        gw, order_id = self.gw, int(fields[1])
        taken = any(o.order_id == order_id and o.client_id == session.client_id for o in gw.orders.values())
        if gw.faults.duplicate_order_ids > 0 or taken or order_id < 1:
            gw.faults.duplicate_order_ids = max(0, gw.faults.duplicate_order_ids - 1)
            session.send(m.error(order_id, 103, "Duplicate order id"))
            return
        try:
            order = self._parse_order(session, fields)
        except (UnknownInstrument, InvalidValue, ValueError, InvalidOperation, IndexError) as exc:
            session.send(m.error(order_id, 200 if isinstance(exc, UnknownInstrument) else 321, str(exc)))
            return
        if order.request.client_order_id in gw.orders:
            session.send(m.error(order_id, 201, "Order rejected - reason:duplicate order reference"))
            return
        gw.orders[order.request.client_order_id] = order
        gw.next_order_id = max(gw.next_order_id, order_id + 1)
        drop = gw.faults.drop_after_place
        gw.faults.drop_after_place = False
        try:
            await gw.venue.place_order(order.request)
        except BrokerError as error:
            order.reject = reject_code(error)
        if drop:
            session.drop()
        gw.forward_order_events()

    def _parse_order(self, session: Session, fields: list[str]) -> FakeOrder:
        wire = WireContract.take(fields, 2)
        action, quantity, order_type, limit = fields[16], fields[17], fields[18], fields[19]
        tif, order_ref = fields[21], fields[26]
        legs: tuple[m.LegSpec, ...] = ()
        instrument: SingleInstrument | Combo
        if wire.sec_type == "BAG":
            count = int(fields[35])
            legs = tuple(
                m.LegSpec(int(fields[36 + 8 * i]), int(fields[37 + 8 * i]), fields[38 + 8 * i])
                for i in range(count)
            )
            combo_legs = []
            for leg in legs:
                single = self.gw.contracts.by_id(leg.con_id)
                combo_legs.append(ComboLeg(single, leg.ratio, Side(leg.action)))
            instrument = Combo(tuple(combo_legs), wire.currency or "USD")
        else:
            instrument = self.gw.contracts.resolve(wire)
        kind = OrderType.MARKET if order_type == "MKT" else OrderType.LIMIT
        request = OrderRequest(
            client_order_id=order_ref or f"ib-{session.client_id}-{fields[1]}",
            instrument=instrument,
            side=Side(action),
            quantity=Quantity(Decimal(quantity)),
            order_type=kind,
            limit_price=NetPrice(Decimal(limit)) if kind is OrderType.LIMIT else None,
            time_in_force=TimeInForce.GTC if tif == "GTC" else TimeInForce.DAY,
        )
        self.gw.next_perm_id += 1
        return FakeOrder(
            int(fields[1]), session.client_id, self.gw.next_perm_id, request, order_type_of(request),
            tif or "DAY", legs,
        )  # fmt: skip

    async def cancel_order(self, session: Session, fields: list[str]) -> None:
        """Cancel a working order, or say why not (135 unknown, 161 not cancellable)."""
        order_id = int(fields[2])
        order = next(
            (
                o
                for o in self.gw.orders.values()
                if o.order_id == order_id and o.client_id == session.client_id
            ),
            None,
        )
        if order is None:
            session.send(m.error(order_id, 135, f"Can't find order with id ={order_id}"))
            return
        if order.status.is_terminal or order.reject is not None:
            session.send(
                m.error(
                    order_id,
                    161,
                    f"Cancel attempted when order is not in a cancellable state. {order.perm_id}",
                )
            )
            return
        await self.gw.venue.cancel_order(order.request.client_order_id)
        self.gw.forward_order_events()

    # -- reference and market data ----------------------------------------------------------------

    async def contract_details(self, session: Session, fields: list[str]) -> None:
        """Send every listed contract matching the request, or error 200."""
        req_id = int(fields[2])
        found = self.gw.contracts.matching(WireContract.take(fields, 3))
        if not found:
            session.send(m.error(req_id, 200, "No security definition has been found for the request"))
            return
        for instrument in found:
            session.send(
                m.contract_details(req_id, instrument, self._tick(instrument), self._under(instrument))
            )
        session.send(m.contract_details_end(req_id))

    def _tick(self, instrument: SingleInstrument) -> Decimal:
        if isinstance(instrument, Stock):
            return STOCK_TICK
        return option_tick(self.gw.market.spec(instrument.underlying), Decimal("0.01"))

    @staticmethod
    def _under(instrument: SingleInstrument) -> int:
        return con_id_of(Stock(instrument.underlying))

    async def sec_def_opt_params(self, session: Session, fields: list[str]) -> None:
        """Send the expiries and the union of strikes of an underlying's options on SMART."""
        req_id, symbol = int(fields[1]), fields[2]
        try:
            chain = self.gw.market.option_chain(symbol)
        except UnknownInstrument:
            session.send(m.error(req_id, 200, "No security definition has been found for the request"))
            return
        expiries = [ib_date(e) for e in chain.expiries]
        strikes = [s.value for s in chain.strikes]
        under = con_id_of(Stock(chain.underlying))
        session.send(
            m.sec_def_opt_params(req_id, under, chain.trading_class, chain.multiplier, expiries, strikes)
        )
        session.send(m.sec_def_opt_params_end(req_id))

    async def market_data_type(self, session: Session, fields: list[str]) -> None:
        """Remember the data type (1 live, 2 frozen, 3 delayed, 4 delayed frozen) for later requests."""
        session.data_type = int(fields[2])

    async def market_data(self, session: Session, fields: list[str]) -> None:
        """Start a quote stream (or a snapshot) for one contract."""
        req_id = int(fields[2])
        try:
            instrument = self.gw.contracts.resolve(WireContract.take(fields, 3))
        except UnknownInstrument:
            session.send(m.error(req_id, 200, "No security definition has been found for the request"))
            return
        delayed = False
        if not self.gw.faults.live_market_data:
            if session.data_type in (1, 2):
                session.send(m.error(req_id, 354, "Requested market data is not subscribed."))
                return
            delayed = True
            session.send(
                m.error(
                    req_id, 10167, "Requested market data is not subscribed. Displaying delayed market data."
                )
            )
        session.send(m.market_data_type(req_id, 3 if delayed else 1))
        sub = Subscription(req_id, instrument, delayed)
        snapshot = fields[-3] == "1"
        self.gw.send_quote(session, sub)
        if snapshot:
            session.send(m.tick_snapshot_end(req_id))
        else:
            session.subscriptions[req_id] = sub

    async def cancel_market_data(self, session: Session, fields: list[str]) -> None:
        """Stop a quote stream."""
        session.subscriptions.pop(int(fields[2]), None)
