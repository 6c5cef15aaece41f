"""Gate a scan's candidate trades against one read of the client, so screening a hundred costs one read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from backend.brokers.base import BrokerPort
from backend.domain.instruments import ComboLeg
from backend.execution import gate_inputs
from backend.execution.tickets import TradeTicket, check_price_sign, domain_legs
from backend.risk.context import Portfolio
from backend.risk.gate import GateDecision, RiskGate


@dataclass(frozen=True, slots=True)
class Gated:
    """A ticket, its domain legs and the gate's decision on it: what a proposal stores."""

    ticket: TradeTicket
    legs: tuple[ComboLeg, ...]
    origin: str
    decision: GateDecision


class Screen:
    """The gate over one instant's book, limits, trading state and order rate; only each trade's quotes are new.

    A candidate that passes is proposed on this decision (the same gate, on this transaction's reads
    and its legs' quotes of now); its approval runs the gate again on fresh reads before any order.
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

    async def check(self, ticket: TradeTicket, *, origin: str) -> Gated:
        """Run the gate on a ticket, quoting its legs now: nothing is stored."""
        legs = domain_legs(ticket.legs)
        check_price_sign(legs, ticket.limit_price)
        terms = gate_inputs.TradeTerms.of(ticket, legs, origin)
        ctx = await gate_inputs.context_against(self._broker, self._client_id, terms, self._state, self._book)
        return Gated(ticket, legs, origin, self._gate.check(ctx))
