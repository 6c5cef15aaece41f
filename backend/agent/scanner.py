"""One scan for one client: value the watchlist's chains, run the enabled strategies, propose what passes the gate."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.agent.pacing import Pace, Pacer
from backend.agent.parameters import AgentParameters
from backend.agent.strategies import Candidate, ChainView, Holdings, StrategyParams, chain_view, rank, scan
from backend.agent.strategies.build import reprice
from backend.agent.tickets import candidate_metrics, candidate_ticket, expires_at, leg_keys
from backend.audit.service import Actor
from backend.brokers.base import BrokerPort, OptionChain
from backend.brokers.errors import BrokerError
from backend.domain.instruments import Option, Stock
from backend.execution.service import ExecutionService
from backend.kit.errors import AppError
from backend.market import chain_service
from backend.models import Trade, TradeLeg

logger = logging.getLogger("greekdesk.agent")
AGENT = Actor("agent", "greekdesk-agent")
OPEN_TRADE_STATUSES = ("pending_approval", "approved", "submitted", "partially_filled", "unknown")
_EXPIRIES_PER_SYMBOL = 3
_PROPOSALS_PER_SCAN = 3
_SCREENS_PER_SCAN = 25
"""Candidates a scan runs through the gate at most: the ranking puts the best first, and a book the
top ones all fail (too many positions, too little buying power) would fail the rest for the same
reasons, at a gate check each."""
_HUNDRED = Decimal(100)


@dataclass
class ScanSummary:
    """What a scan looked at and did: kept on the client's settings and shown in the agent status."""

    at: datetime
    chains: int = 0
    candidates: int = 0
    proposed: list[str] = field(default_factory=list)
    denied: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready summary."""
        return {
            "at": self.at.isoformat(),
            "chains": self.chains,
            "candidates": self.candidates,
            "proposed": self.proposed,
            "denied": dict(self.denied),
            "skipped": dict(self.skipped),
            "errors": self.errors,
        }


def strategy_params(params: AgentParameters, net_liquidation: Decimal, combos: bool) -> StrategyParams:
    """Translate the client's parameters into what the strategies read (risk in dollars of net liquidation)."""
    entry, liquidity, sizing = params.entry, params.liquidity, params.sizing
    return StrategyParams(
        target_delta_min=entry.target_delta_min,
        target_delta_max=entry.target_delta_max,
        min_dte=entry.min_dte,
        max_dte=entry.max_dte,
        min_credit=entry.min_credit,
        min_credit_to_width=entry.min_credit_to_width,
        max_spread_pct=liquidity.max_spread_pct,
        min_open_interest=liquidity.min_open_interest,
        min_volume=liquidity.min_volume,
        max_contracts=sizing.max_contracts_per_trade,
        max_risk_per_trade=(net_liquidation * sizing.max_risk_per_trade_pct / _HUNDRED).quantize(Decimal(1)),
        wing_width=entry.wing_width,
        edge=entry.edge,
        combos_allowed=combos,
    )


# Option contracts one unit of each strategy trades: the gate caps contracts across an order's legs.
CONTRACTS_PER_UNIT = {
    "cash_secured_put": 1,
    "covered_call": 1,
    "wheel": 1,
    "protective_put": 1,
    "bull_put_spread": 2,
    "bear_call_spread": 2,
    "collar": 2,
    "iron_condor": 4,
}


def _sized_for_gate(strategy: StrategyParams, name: str, params: AgentParameters) -> StrategyParams:
    units = params.risk.max_contracts_per_order // CONTRACTS_PER_UNIT[name]
    return dataclasses.replace(strategy, max_contracts=max(1, min(strategy.max_contracts, units)))


async def _candidates(
    views: list[ChainView], holdings: Holdings, strategy: StrategyParams, params: AgentParameters, pace: Pace
) -> list[Candidate]:
    found: list[Candidate] = []
    for name in params.entry.strategies:
        sized = _sized_for_gate(strategy, name, params)
        for view in views:
            found += scan([view], holdings, sized, [name])
            # Pure Python and CPU-bound (thousands of structures a scan), so it runs on the loop in
            # slices of one chain and strategy, yielding between them. In a thread it would hold
            # the interpreter lock against the loop, and every await of every other tick and
            # request would then wait out a switch interval to get it back.
            await pace.next_slice()
    return rank(found)


async def busy_keys(db: AsyncSession, client_id: uuid.UUID) -> frozenset[str]:
    """Return the option keys in trades still open or waiting: the agent never proposes them again."""
    rows = await db.execute(
        select(TradeLeg.instrument_key)
        .join(Trade, Trade.id == TradeLeg.trade_id)
        .where(Trade.client_id == client_id, Trade.status.in_(OPEN_TRADE_STATUSES))
    )
    return frozenset(rows.scalars())


async def capital_at_risk(db: AsyncSession, client_id: uuid.UUID, today: date) -> Decimal:
    """Return the capital at risk of the agent's open structures, as recorded when they were proposed."""
    exit_trade = aliased(Trade)
    closed = (
        select(exit_trade.id)
        .where(exit_trade.parent_trade_id == Trade.id, exit_trade.status == "filled")
        .exists()
    )
    rows = await db.execute(
        select(Trade.metrics).where(
            Trade.client_id == client_id,
            Trade.origin == "agent",
            Trade.parent_trade_id.is_(None),
            Trade.status.in_((*OPEN_TRADE_STATUSES, "filled")),
            ~closed,
        )
    )
    total = Decimal(0)
    for metrics in rows.scalars():
        metrics = metrics or {}
        # A structure past its expiry has settled: it no longer ties up capital.
        if metrics.get("expiry") and date.fromisoformat(metrics["expiry"]) < today:
            continue
        total += Decimal(str(metrics.get("capital_at_risk") or 0))
    return total


async def _chains(
    broker: BrokerPort, listing: OptionChain, params: AgentParameters, today: date, rate: Decimal, pace: Pace
) -> list[ChainView]:
    window = [e for e in listing.expiries if params.entry.min_dte <= (e - today).days <= params.entry.max_dte]
    views = []
    for expiry in window[:_EXPIRIES_PER_SYMBOL]:
        await pace.next_slice()  # valuing a chain is CPU on the loop too (quotes, then the IV solve)
        read = await chain_service.chain(broker, listing.underlying, expiry, rate, listing)
        views.append(chain_view(read, today))
    return views


async def holdings_of(broker: BrokerPort) -> Holdings:
    """Return what the broker says the client holds."""
    positions = await broker.positions()
    account = await broker.account_summary()
    shares = {p.instrument.underlying: p.quantity for p in positions if isinstance(p.instrument, Stock)}
    options = frozenset(
        p.instrument.key for p in positions if isinstance(p.instrument, Option) and p.quantity
    )
    return Holdings(
        shares=shares,
        option_keys=options,
        buying_power=account.buying_power.amount,
        net_liquidation=account.net_liquidation.amount,
    )


@dataclass(frozen=True)
class Analysis:
    """What a scan found before deciding anything: the ranked candidates and what they came from.

    It reads the broker only, never the database, so it can run apart from the tick that decides on
    it. The candidates' prices are the chains' as of `at`; the decision quotes their legs again.
    """

    at: datetime
    params: AgentParameters
    strategy: StrategyParams
    """What the strategies searched with: the decision re-prices each candidate with the same sizing."""
    holdings: Holdings
    listings: dict[str, OptionChain]
    chains: int
    candidates: list[Candidate]
    errors: list[str]


async def analyse(
    broker: BrokerPort,
    *,
    params: AgentParameters,
    now: datetime,
    today: date,
    rate: Decimal,
    pace: Pace | None = None,
) -> Analysis:
    """Read the watchlist's chains and the holdings, and rank what the enabled strategies find.

    `pace` bounds how many scans search candidates at once in this process and says what the
    analysis does between its slices (see `backend.agent.pacing`); by default it only yields.
    """
    pace = pace or Pacer(1).inline()
    if not params.entry.strategies:
        return Analysis(now, params, StrategyParams(), Holdings(), {}, 0, [], [])
    holdings = await holdings_of(broker)
    listings: dict[str, OptionChain] = {}
    views: list[ChainView] = []
    errors: list[str] = []
    for symbol in params.watchlist:
        try:
            listings[symbol] = await broker.option_chain(symbol)
            views += await _chains(broker, listings[symbol], params, today, rate, pace)
        except (BrokerError, AppError) as exc:
            errors.append(f"{symbol}: {getattr(exc, 'message', str(exc))}")
    strategy = strategy_params(params, holdings.net_liquidation, broker.capabilities.combos)
    async with pace.slot():
        candidates = await _candidates(views, holdings, strategy, params, pace)
    return Analysis(now, params, strategy, holdings, listings, len(views), candidates, errors)


async def _repriced(
    broker: BrokerPort, analysis: Analysis, candidate: Candidate, today: date, rate: Decimal
) -> Candidate | None:
    # Only the candidate's legs are quoted: a few options, where the analysis read whole chains.
    legs = {(option.strike.value, option.right) for option in candidate.options}
    listing = analysis.listings[candidate.underlying]
    view = chain_view(
        await chain_service.chain(broker, candidate.underlying, candidate.expiry, rate, listing, only=legs),
        today,
    )
    sized = _sized_for_gate(analysis.strategy, candidate.strategy, analysis.params)
    return reprice(candidate, view, analysis.holdings, sized)


async def decide(
    db: AsyncSession,
    execution: ExecutionService,
    broker: BrokerPort,
    client_id: uuid.UUID,
    analysis: Analysis,
    *,
    mode: str,
    now: datetime,
    today: date,
    rate: Decimal,
) -> ScanSummary:
    """Propose the best of an analysis's candidates that pass the gate at today's prices (one per underlying).

    Each candidate screened is priced again from fresh quotes of its legs first; one that no longer
    passes its strategy's filters is skipped as `repriced_out`.
    """
    params = analysis.params
    summary = ScanSummary(
        at=analysis.at,
        chains=analysis.chains,
        candidates=len(analysis.candidates),
        errors=list(analysis.errors),
    )
    candidates = analysis.candidates
    if not candidates:
        return summary
    room = analysis.holdings.net_liquidation * params.sizing.max_risk_total_pct / _HUNDRED
    room -= await capital_at_risk(db, client_id, today)
    busy = await busy_keys(db, client_id) | analysis.holdings.option_keys
    screen = await execution.screen(db, client_id)
    proposed_for: set[str] = set()
    screened = 0
    for index, found in enumerate(candidates):
        if len(summary.proposed) >= _PROPOSALS_PER_SCAN:
            break
        if found.underlying in proposed_for:
            continue
        if leg_keys(found.legs) & busy:
            summary.skipped["already_open"] += 1
            continue
        if found.capital_at_risk > room:
            summary.skipped["total_risk_budget"] += 1
            continue
        if screened == _SCREENS_PER_SCAN:
            summary.skipped["not_screened"] += len(candidates) - index
            break
        screened += 1
        candidate = await _repriced(broker, analysis, found, today, rate)
        if candidate is None or candidate.capital_at_risk > room:
            summary.skipped["repriced_out"] += 1
            continue
        verdict = await screen.check(candidate_ticket(candidate), origin="agent")
        decision = verdict.decision
        if not decision.allowed:
            # Only candidates that pass the gate become proposals; the reasons are counted, not stored.
            for denial in decision.denials:
                summary.denied[denial.code] += 1
            if decision.refuses_all_new_risk:
                summary.skipped["not_screened"] += len(candidates) - index - 1
                break
            continue
        trade = await execution.propose_screened(
            db,
            client_id,
            verdict,
            actor=AGENT,
            strategy=candidate.strategy,
            expires_at=expires_at(mode, now, params.proposal_ttl_seconds),
            metrics=candidate_metrics(candidate),
        )
        summary.proposed.append(str(trade.id))
        proposed_for.add(candidate.underlying)
        busy |= leg_keys(candidate.legs)
        room -= candidate.capital_at_risk
    return summary
