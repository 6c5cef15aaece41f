"""Gate a scan's candidate trades against one read of the client, so screening a hundred costs one read."""

from __future__ import annotations

import uuid

from backend.brokers.base import BrokerPort
from backend.execution import gate_inputs
from backend.execution.tickets import TradeTicket, check_price_sign, domain_legs
from backend.risk.context import Portfolio
from backend.risk.gate import GateDecision, RiskGate


class Screen:
    """The gate over one instant's book, limits, trading state and order rate; only each trade's quotes are new.

    A filter, not a decision: a candidate that passes is proposed, and the proposal and the approval
    each run the gate again on fresh reads.
    """

    def __init__(
        self,
        gate: RiskGate,
        broker: BrokerPort,
        client_id: uuid.UUID,
        state: gate_inputs.ClientState,
        book: Portfolio,
    ) -> None:
        self._gate = gate
        self._broker = broker
        self._client_id = client_id
        self._state = state
        self._book = book

    async def check(self, ticket: TradeTicket, *, origin: str) -> GateDecision:
        """Run the gate on a ticket, quoting its legs now: nothing is stored."""
        legs = domain_legs(ticket.legs)
        check_price_sign(legs, ticket.limit_price)
        terms = gate_inputs.TradeTerms.of(ticket, legs, origin)
        ctx = await gate_inputs.context_against(self._broker, self._client_id, terms, self._state, self._book)
        return self._gate.check(ctx)
