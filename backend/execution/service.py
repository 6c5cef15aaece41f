"""The one order path: propose through the gate, decide once, write the order, send it once, book fills.

A trade is proposed (the gate runs: denied with every reason, or pending approval), approved by a
person (or the agent where allowed) with an atomic claim so it is decided once, gated again on
fresh quotes, written as an order with its client_order_id and committed, and only then sent.
A rejection is booked as such; an ambiguous failure (timeout, disconnect mid-send) makes the order
UNKNOWN for reconciliation: it is never resent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.agent.settings_service import effective_parameters, settings_of
from backend.audit.service import Actor, record
from backend.brokers.base import AccountSummary, BrokerPort, PlacedOrder
from backend.brokers.errors import BrokerError, OrderRejected, UnknownOrder
from backend.domain.instruments import ComboLeg, Option, OptionRight, Side, Stock
from backend.domain.orders import OrderRequest, OrderState, OrderStatus
from backend.domain.values import Price, Quantity
from backend.execution import gate_inputs
from backend.execution.escalation import Escalator
from backend.execution.fills import record_executions
from backend.execution.in_flight import SendsInFlight
from backend.execution.screening import Gated, Screen
from backend.execution.tickets import TradeTicket, check_price_sign, domain_legs, order_request
from backend.kit.errors import Conflict, NotFound, ServiceUnavailable
from backend.kit.metrics import count_order_outcome, count_order_transition
from backend.models import Order, Position, Trade, TradeLeg
from backend.models.base import utcnow
from backend.positions.valuation import instrument_of
from backend.realtime.publishers import order_and_trade_updated, trade_updated
from backend.risk.context import GateContext, TradingMode
from backend.risk.exposure import reduces_risk
from backend.risk.gate import GateDecision, RiskGate
from backend.runtime.broker_runtime import BrokerRuntime
from backend.trading.service import TradingStateService

logger = logging.getLogger("greekdesk.execution")
CONNECT_WAIT_SECONDS = 5.0
WORKING_ORDER_STATUSES = ("submitted", "acknowledged", "partially_filled")

# Broker order status -> (our order status, our trade status).
_STATUS = {
    OrderStatus.PENDING_SUBMIT: ("submitted", "submitted"),
    OrderStatus.WORKING: ("acknowledged", "submitted"),
    OrderStatus.PARTIALLY_FILLED: ("partially_filled", "partially_filled"),
    OrderStatus.FILLED: ("filled", "filled"),
    OrderStatus.CANCELLED: ("cancelled", "cancelled"),
    OrderStatus.REJECTED: ("rejected", "rejected"),
    OrderStatus.EXPIRED: ("cancelled", "expired"),
}


class TradeConflict(Conflict):
    """The trade is not in a state that allows this; `details.status` says which it is in."""

    code = "trade_state_conflict"


async def book_outcome(
    db: AsyncSession,
    order: Order,
    trade: Trade,
    statuses: tuple[str, str],
    error: str,
    *,
    actor: str,
    action: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Set an order's and its trade's status for an outcome that came without a broker report, and audit it."""
    (order.status, trade.status), order.last_error = statuses, error
    order_and_trade_updated(db, order, trade)
    count_order_outcome(action.removeprefix("order."))
    await record(
        db,
        actor=Actor.system(actor),
        action=action,
        client_id=order.client_id,
        subject=f"order:{order.client_order_id}",
        data=data or {},
    )


class OrderFence(Protocol):
    """Tells whether this process may still send for a client (a worker: it holds the client's lease)."""

    async def allows(self, db: AsyncSession, client_id: uuid.UUID) -> bool:
        """Check in `db`'s transaction, so a takeover cannot slip in before it commits."""
        ...


class ExecutionService:
    """Runs every trade through the gate and to the client's broker exactly once."""

    def __init__(
        self,
        brokers: BrokerRuntime,
        gate: RiskGate,
        trading: TradingStateService,
        escalator: Escalator,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._brokers = brokers
        # The venue's time: the wall clock live, the simulated clock in backtests and paper sessions.
        self._now = clock
        self._gate = gate
        self._trading = trading
        self._escalator = escalator
        # Set in workers (lease fencing); the embedded process and API processes have none.
        self.fence: OrderFence | None = None
        self.in_flight = SendsInFlight()

    def now(self) -> datetime:
        """Return the venue's time, the clock the gate decides on (day P&L, order rate)."""
        return self._now()

    async def _broker(self, client_id: uuid.UUID) -> BrokerPort:
        session = await self._brokers.session_for(client_id)
        if not await session.wait_connected(CONNECT_WAIT_SECONDS):
            status = session.status()
            raise ServiceUnavailable(
                "The broker is not connected; no trade can be checked or sent",
                code="broker_unavailable",
                details={"state": status.state, "last_error": status.last_error},
            )
        return session.broker

    async def _decide(
        self, db: AsyncSession, broker: BrokerPort, client_id: uuid.UUID, terms: gate_inputs.TradeTerms
    ) -> tuple[GateDecision, GateContext]:
        # The broker first: unless the caller's transaction holds one already (an approval's claim), no
        # pooled connection waits on the broker's answers.
        view = await gate_inputs.read_broker(broker, terms)
        state = await self._client_state(db, broker, client_id, view.account)
        ctx = gate_inputs.build_context(broker, client_id, terms, state, view)
        decision = self._gate.check(ctx)
        await self._escalator.after_decision(db, client_id, decision, ctx.trading)
        return decision, ctx

    async def _client_state(
        self, db: AsyncSession, broker: BrokerPort, client_id: uuid.UUID, account: AccountSummary
    ) -> gate_inputs.ClientState:
        now = self._now()
        # Day P&L counts from the first look at the account on the venue's trading day.
        day = gate_inputs.trading_day(now, broker.capabilities)
        reads = await gate_inputs.read_client(db, client_id, day, now)
        opened = reads.opened
        if opened is None:
            opened = await gate_inputs.day_opening_value(db, client_id, day, account.net_liquidation.amount)
        return gate_inputs.ClientState(
            limits=reads.limits,
            trading=await self._trading.status(client_id),
            orders_last_minute=reads.orders_last_minute,
            now=now,
            day_pnl=account.net_liquidation.amount - opened,
        )

    async def _still_allowed(self, client_id: uuid.UUID, ctx: GateContext) -> bool:
        """Re-read the trading state (fast path) just before sending: opening trades need ACTIVE."""
        status = await self._trading.status(client_id)
        if status.effective is TradingMode.ACTIVE:
            return True
        return reduces_risk(ctx.trade, ctx.portfolio) and (
            status.effective is TradingMode.REDUCING or status.reduce_only_allowed
        )

    async def screen(self, db: AsyncSession, client_id: uuid.UUID) -> Screen:
        """Read the client once for gating many candidate trades without storing any (the agent's scan)."""
        broker = await self._broker(client_id)
        view = await gate_inputs.read_broker(broker)  # first: see _decide
        state = await self._client_state(db, broker, client_id, view.account)
        return Screen(self._gate, broker, client_id, state, view.portfolio(state.day_pnl))

    async def propose(
        self,
        db: AsyncSession,
        client_id: uuid.UUID,
        ticket: TradeTicket,
        *,
        origin: str,
        actor: Actor,
        strategy: str | None = None,
        idempotency_key: str | None = None,
        expires_at: datetime | None = None,
    ) -> Trade:
        """Gate a new trade and store it: denied with every reason, or pending approval."""
        if idempotency_key:
            existing = await self._keyed(db, client_id, idempotency_key)
            if existing is not None:
                return existing
        legs = domain_legs(ticket.legs)
        check_price_sign(legs, ticket.limit_price)
        broker = await self._broker(client_id)
        decision, _ = await self._decide(
            db, broker, client_id, gate_inputs.TradeTerms.of(ticket, legs, origin)
        )
        proposal = _Proposal(
            Gated(ticket, legs, origin, decision),
            strategy=strategy,
            expires_at=expires_at,
            idempotency_key=idempotency_key,
        )
        if idempotency_key is None:
            return await self._store(db, client_id, proposal, actor)
        try:
            async with db.begin_nested():
                return await self._store(db, client_id, proposal, actor)
        except IntegrityError:
            # A concurrent request with the same key stored its trade first: this is that trade.
            first = await self._keyed(db, client_id, idempotency_key)
            if first is None:
                raise
            return first

    async def propose_screened(
        self,
        db: AsyncSession,
        client_id: uuid.UUID,
        screened: Gated,
        *,
        actor: Actor,
        strategy: str,
        expires_at: datetime | None,
        metrics: dict[str, Any],
    ) -> Trade:
        """Store a ticket a Screen passed in this transaction as pending approval: the gate has just run on it.

        `screened` must come from `Screen.check` in this transaction. The approval gates the trade
        again on fresh reads before any order is written.
        """
        if not screened.decision.allowed:
            raise ValueError("only a ticket the gate allowed is proposed")
        proposal = _Proposal(screened, strategy=strategy, expires_at=expires_at, metrics=metrics)
        return await self._store(db, client_id, proposal, actor)

    async def _store(
        self, db: AsyncSession, client_id: uuid.UUID, proposal: _Proposal, actor: Actor
    ) -> Trade:
        # Written once, decided: the trade and its legs are two INSERTs, with no status UPDATE after.
        gated = proposal.gated
        decision = gated.decision
        trade = _new_trade(client_id, gated.ticket, gated.legs, origin=gated.origin)
        trade.id = uuid.uuid4()
        trade.strategy = proposal.strategy
        trade.idempotency_key = proposal.idempotency_key
        trade.expires_at = proposal.expires_at
        trade.denial_reasons = [d.as_dict() for d in decision.denials]
        trade.status = "pending_approval" if decision.allowed else "denied"
        trade.metrics = proposal.metrics or {}
        db.add(trade)
        db.add_all(_leg_rows(trade, gated.legs))
        await db.flush()
        trade_updated(db, trade)
        await record(
            db,
            actor=actor,
            action="trade.proposed" if decision.allowed else "trade.denied",
            client_id=client_id,
            subject=f"trade:{trade.id}",
            data={"origin": gated.origin, "reasons": [d.code for d in decision.denials]},
        )
        return trade

    async def _keyed(self, db: AsyncSession, client_id: uuid.UUID, idempotency_key: str) -> Trade | None:
        query = select(Trade).where(Trade.client_id == client_id, Trade.idempotency_key == idempotency_key)
        return (await db.execute(query)).scalar_one_or_none()

    async def propose_close(
        self, db: AsyncSession, client_id: uuid.UUID, position_id: uuid.UUID, actor: Actor
    ) -> Trade:
        """Propose the trade that closes a position, at the natural price (marketable, on the tick)."""
        position = (
            await db.execute(
                select(Position).where(Position.id == position_id, Position.client_id == client_id)
            )
        ).scalar_one_or_none()
        if position is None or position.quantity == 0:
            raise NotFound("No such open position", code="position_not_found")
        instrument = instrument_of(position)
        (quote,) = await (await self._broker(client_id)).quotes([instrument])
        selling = position.quantity > 0
        natural = quote.bid if selling else quote.ask
        if natural is None:
            raise ServiceUnavailable(
                "There is no market to close this position against right now", code="no_market"
            )
        leg: dict[str, Any] = {
            "sec_type": position.sec_type,
            "symbol": position.underlying,
            "side": "sell" if selling else "buy",
        }
        if position.sec_type == "option":
            leg |= {"expiry": position.expiry, "strike": position.strike, "right": position.option_right}
        ticket = TradeTicket.model_validate(
            {
                "legs": [leg],
                "quantity": int(abs(position.quantity)),
                "limit_price": -natural.value if selling else natural.value,
                "rationale": f"Close the position {position.instrument_key}",
            }
        )
        # Priced at the natural price of now: it waits for a person as long as the client lets proposals wait.
        ttl = effective_parameters(await settings_of(db, client_id)).proposal_ttl_seconds
        return await self.propose(
            db,
            client_id,
            ticket,
            origin="user",
            actor=actor,
            strategy="close",
            expires_at=self._now() + timedelta(seconds=ttl),
        )

    async def approve(
        self, db: AsyncSession, client_id: uuid.UUID, trade_id: uuid.UUID, actor: Actor
    ) -> Trade:
        """Decide a pending trade once, gate it again on fresh quotes, then write and send its order once."""
        trade = await self._claim(db, client_id, trade_id, to="approved", actor=actor)
        legs = legs_of(await self._leg_rows(db, client_id, trade_id))
        broker = await self._broker(client_id)
        terms = gate_inputs.TradeTerms.of(trade, legs, trade.origin)
        decision, ctx = await self._decide(db, broker, client_id, terms)
        if not decision.allowed:
            trade.status, trade.denial_reasons = "denied", [d.as_dict() for d in decision.denials]
            trade_updated(db, trade)
            await record(
                db,
                actor=actor,
                action="trade.denied",
                client_id=client_id,
                subject=f"trade:{trade.id}",
                data={"at": "submission", "reasons": [d.code for d in decision.denials]},
            )
            return trade
        order = Order(
            client_id=client_id,
            trade_id=trade.id,
            client_order_id=f"gd-{trade.id.hex[:20]}",
            status="pending_submit",
            quantity=Decimal(trade.quantity),
            limit_price=trade.limit_price,
        )
        db.add(order)
        await db.flush()
        order_and_trade_updated(db, order, trade)
        await record(
            db,
            actor=actor,
            action="trade.approved",
            client_id=client_id,
            subject=f"trade:{trade.id}",
            data={"client_order_id": order.client_order_id},
        )
        if self.fence is not None and not await self.fence.allows(db, client_id):
            # A stale worker: its lease moved on, so the order is booked as never sent.
            await book_outcome(
                db,
                order,
                trade,
                ("rejected", "rejected"),
                "lease lost",
                actor="worker",
                action="order.not_sent",
                data={"reason": "lease_lost"},
            )
            return trade
        # The order exists, with its id, before the broker can hear of it; until its answer is booked,
        # reconciliation must not take the broker's silence about it for "never sent".
        with self.in_flight.sending(order.client_order_id) as send:
            await db.commit()
            answer = await self._send(db, broker, order, trade, legs, ctx)
            await db.commit()
            send.booked = answer
        return trade

    async def _send(
        self,
        db: AsyncSession,
        broker: BrokerPort,
        order: Order,
        trade: Trade,
        legs: tuple[ComboLeg, ...],
        ctx: GateContext,
    ) -> OrderState | None:
        """Send a committed order once and book the outcome; return the broker's answer, None without one."""
        client_id = order.client_id
        if not await self._still_allowed(client_id, ctx):
            # A halt landed between the gate and the send: the order is never sent.
            await book_outcome(
                db,
                order,
                trade,
                ("rejected", "denied"),
                "trading halted before sending",
                actor="gate",
                action="order.not_sent",
                data={"reason": "trading_halted"},
            )
            return None
        try:
            state = await broker.place_order(_request_of(order, trade, legs))
        except OrderRejected as exc:
            await book_outcome(
                db,
                order,
                trade,
                ("rejected", "rejected"),
                exc.message,
                actor="broker",
                action="order.rejected",
                data={"code": exc.code, "message": exc.message},
            )
            return None
        except (BrokerError, TimeoutError, OSError) as exc:
            # Whether it reached the venue is unknown: reconciliation decides; nothing resends.
            error = exc.message if isinstance(exc, BrokerError) else type(exc).__name__
            await book_outcome(
                db,
                order,
                trade,
                ("unknown", "unknown"),
                error,
                actor="broker",
                action="order.unknown",
                data={"error": error},
            )
            return None
        order.submitted_at = self._now()
        await self.apply_state(db, order, trade, state)
        await record(
            db,
            actor=Actor.system("broker"),
            action="order.submitted",
            client_id=client_id,
            subject=f"order:{order.client_order_id}",
            data={"status": order.status},
        )
        return state

    async def apply_state(self, db: AsyncSession, order: Order, trade: Trade, state: OrderState) -> None:
        """Move the order and its trade to the broker's view and book any new executions."""
        seen = (order.status, order.filled_quantity, trade.status)
        order.broker_order_id = state.broker_order_id
        order.filled_quantity = state.filled_quantity.value
        order.average_fill_price = state.average_fill_price
        before = order.status
        order.status, trade_status = _STATUS[state.status]
        count_order_transition(order.client_order_id, before, order.status)
        if state.reason:
            order.last_error = state.reason
        trade.status = trade_status
        if (order.status, order.filled_quantity, trade.status) != seen:
            order_and_trade_updated(db, order, trade)
        await record_executions(db, order, state.request, state.executions)

    async def reject(
        self, db: AsyncSession, client_id: uuid.UUID, trade_id: uuid.UUID, actor: Actor, reason: str | None
    ) -> Trade:
        """Refuse a pending trade (once)."""
        trade = await self._claim(db, client_id, trade_id, to="rejected", actor=actor)
        trade_updated(db, trade)
        await record(
            db,
            actor=actor,
            action="trade.rejected",
            client_id=client_id,
            subject=f"trade:{trade.id}",
            data={"reason": reason},
        )
        return trade

    async def cancel(
        self, db: AsyncSession, client_id: uuid.UUID, trade_id: uuid.UUID, actor: Actor
    ) -> Trade:
        """Withdraw a pending trade, or ask the broker to cancel its working order and book the answer."""
        trade = await self.trade(db, client_id, trade_id)
        if trade.status == "pending_approval":
            trade = await self._claim(db, client_id, trade_id, to="cancelled", actor=actor)
            trade_updated(db, trade)
        elif trade.status in ("submitted", "partially_filled"):
            order = (
                await db.execute(
                    select(Order).where(
                        Order.client_id == client_id,
                        Order.trade_id == trade_id,
                        Order.status.in_(WORKING_ORDER_STATUSES),
                    )
                )
            ).scalar_one_or_none()
            if order is None:
                raise TradeConflict(
                    "The trade has no working order to cancel", details={"status": trade.status}
                )
            broker = await self._broker(client_id)
            if self.fence is not None and not await self.fence.allows(db, client_id):
                raise ServiceUnavailable(
                    "This worker no longer holds the client; the cancel was not sent", code="lease_lost"
                )
            # Whatever the broker answers (cancelled, or filled first) is what gets booked.
            try:
                state = await broker.cancel_order(order.client_order_id)
            except UnknownOrder:
                # Sent by an earlier broker session (a restart, a takeover) not resumed here yet.
                await broker.resume_order(await self.placed(db, order, trade))
                state = await broker.cancel_order(order.client_order_id)
            await self.apply_state(db, order, trade, state)
        else:
            raise TradeConflict(
                f"The trade is {trade.status.replace('_', ' ')}", details={"status": trade.status}
            )
        await record(
            db,
            actor=actor,
            action="trade.cancel_requested",
            client_id=client_id,
            subject=f"trade:{trade.id}",
            data={"status": trade.status},
        )
        return trade

    async def _claim(
        self, db: AsyncSession, client_id: uuid.UUID, trade_id: uuid.UUID, *, to: str, actor: Actor
    ) -> Trade:
        """Move a pending trade to `to` and return it as the claim left it; 409 when it is no longer pending."""
        # One conditional UPDATE decides a trade: of concurrent approvals exactly one matches.
        now = self._now()
        claim = (
            update(Trade)
            .where(Trade.id == trade_id, Trade.client_id == client_id, Trade.status == "pending_approval")
            .where((Trade.expires_at.is_(None)) | (Trade.expires_at > now))
            .values(status=to, decided_by=f"{actor.type}:{actor.id}", decided_at=now, updated_at=now)
        )
        if db.get_bind().dialect.update_returning:
            # The claimed row comes back with the UPDATE: no second round trip to read it.
            claimed = await db.scalars(
                claim.returning(Trade),
                execution_options={"synchronize_session": False, "populate_existing": True},
            )
            trade = claimed.one_or_none()
            if trade is not None:
                return trade
        else:
            result = await db.execute(claim.execution_options(synchronize_session=False))
            if getattr(result, "rowcount", 0) == 1:
                return await self.trade(db, client_id, trade_id)
        trade = await self.trade(db, client_id, trade_id)
        if trade.status == "pending_approval":
            trade.status = "expired"
            trade_updated(db, trade)
            await db.commit()
        raise TradeConflict(
            f"The trade is {trade.status.replace('_', ' ')}", details={"status": trade.status}
        )

    async def trade(self, db: AsyncSession, client_id: uuid.UUID, trade_id: uuid.UUID) -> Trade:
        """Return the client's trade, fresh from the database; 404 when there is none."""
        trade = (
            await db.execute(
                select(Trade)
                .where(Trade.id == trade_id, Trade.client_id == client_id)
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        if trade is None:
            raise NotFound("No such trade", code="trade_not_found")
        return trade

    async def placed(self, db: AsyncSession, order: Order, trade: Trade) -> PlacedOrder:
        """Describe an order as we sent it and booked it, for a broker session that did not send it."""
        legs = legs_of(await self._leg_rows(db, order.client_id, trade.id))
        return PlacedOrder(
            _request_of(order, trade, legs),
            order.broker_order_id or "",
            Quantity(order.filled_quantity),
            order.average_fill_price,
            order.submitted_at or order.created_at,
        )

    async def _leg_rows(self, db: AsyncSession, client_id: uuid.UUID, trade_id: uuid.UUID) -> list[TradeLeg]:
        rows = await db.execute(
            select(TradeLeg)
            .where(TradeLeg.client_id == client_id, TradeLeg.trade_id == trade_id)
            .order_by(TradeLeg.leg_index)
        )
        return list(rows.scalars())


@dataclass(frozen=True, slots=True)
class _Proposal:
    """A gated ticket about to be stored, with what the trade records beside it."""

    gated: Gated
    strategy: str | None
    expires_at: datetime | None
    metrics: dict[str, Any] | None = None
    idempotency_key: str | None = None


def _new_trade(
    client_id: uuid.UUID, ticket: TradeTicket, legs: tuple[ComboLeg, ...], *, origin: str
) -> Trade:
    return Trade(
        client_id=client_id,
        status="proposed",
        origin=origin,
        underlying=legs[0].instrument.underlying,
        quantity=ticket.quantity,
        order_type=ticket.order_type,
        time_in_force=ticket.time_in_force,
        limit_price=ticket.limit_price,
        rationale=ticket.rationale,
    )


def _leg_rows(trade: Trade, legs: tuple[ComboLeg, ...]) -> list[TradeLeg]:
    rows = []
    for index, leg in enumerate(legs):
        option = leg.instrument if isinstance(leg.instrument, Option) else None
        rows.append(
            TradeLeg(
                client_id=trade.client_id,
                trade_id=trade.id,
                leg_index=index,
                side=leg.side.value.lower(),
                ratio=leg.ratio,
                sec_type="option" if option else "stock",
                symbol=leg.instrument.underlying,
                instrument_key=leg.instrument.key,
                expiry=option.expiry if option else None,
                strike=option.strike.value if option else None,
                option_right=option.right.value if option else None,
                multiplier=leg.instrument.multiplier,
            )
        )
    return rows


def _request_of(order: Order, trade: Trade, legs: tuple[ComboLeg, ...]) -> OrderRequest:
    return order_request(
        order.client_order_id, legs, trade.quantity, trade.order_type, trade.limit_price, trade.time_in_force
    )


def legs_of(rows: list[TradeLeg]) -> tuple[ComboLeg, ...]:
    """Rebuild a trade's domain legs from its stored leg rows."""
    legs = []
    for row in rows:
        instrument: Stock | Option
        if row.sec_type == "stock":
            instrument = Stock(row.symbol)
        else:
            assert row.expiry is not None
            assert row.strike is not None
            assert row.option_right is not None
            instrument = Option(
                row.symbol, row.expiry, Price(row.strike), OptionRight(row.option_right), row.multiplier
            )
        legs.append(ComboLeg(instrument, row.ratio, Side.BUY if row.side == "buy" else Side.SELL))
    return tuple(legs)
