"""Chat tools on trades: propose through the gate, list what waits, approve, reject, explain."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from backend.agent.chat import store
from backend.agent.chat.book_tools import listed_expiry
from backend.agent.chat.context import ChatContext, ToolResult, money
from backend.agent.chat.expiries import ExpiryPhrase
from backend.agent.chat.orders import OrderSpec
from backend.agent.chat.structures import build_order
from backend.agent.settings_service import effective_parameters, settings_of
from backend.agent.tickets import expires_at
from backend.market import chain_service
from backend.models import Trade
from backend.trades.repository import legs_by_trade

OPEN_STATUS = "pending_approval"
_ID_SEARCH = 500
_RECENT = 20
_STRATEGY_WORDS = {"spread": "spread", "condor": "condor", "put": "put", "call": "call", "covered": "covered"}


async def propose(ctx: ChatContext, spec: OrderSpec, phrase: ExpiryPhrase | date | None) -> ToolResult:
    """Build the described order from the valued chain and propose it through the gate (origin chat)."""
    settings = await settings_of(ctx.db, ctx.client_id)
    params = effective_parameters(settings)
    broker = await ctx.broker()
    middle_dte = (params.entry.min_dte + params.entry.max_dte) // 2
    expiry = await listed_expiry(ctx, broker, spec.symbol, phrase or spec.expiry, middle_dte)
    read = await chain_service.chain(broker, spec.symbol, expiry, ctx.container.settings.risk_free_rate)
    default_delta = (params.entry.target_delta_min + params.entry.target_delta_max) / 2
    built = build_order(spec, read, default_delta=default_delta, default_width=params.entry.wing_width)
    trade = await ctx.container.execution.propose(
        ctx.db,
        ctx.client_id,
        built.ticket,
        origin="chat",
        actor=ctx.actor,
        strategy=built.strategy,
        # The venue's time of the quotes (the simulated clock in a paper session), not this host's.
        expires_at=expires_at(settings.mode, read.as_of, params.proposal_ttl_seconds),
    )
    trade.metrics = built.metrics
    await ctx.db.flush()
    if trade.status == OPEN_STATUS:
        number = len(await open_proposals(ctx))
        text = (
            f"Proposed (#{number}, id {str(trade.id)[:8]}): {built.description}\n"
            f"Max profit {money(_d(built.metrics['max_profit']))}, max loss {money(_d(built.metrics['max_loss']))}, "
            f"breakeven {', '.join(built.metrics['breakevens'])}. It passed the risk gate and waits for you: "
            f"say 'approve {number}' or 'reject {number}'."
        )
    else:
        text = f"The risk gate denied it: {built.description}\n" + _reasons(trade)
    return ToolResult(text, {"trade_id": str(trade.id), "status": trade.status}, [trade])


def _d(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _reasons(trade: Trade) -> str:
    reasons = trade.denial_reasons or []
    if not reasons:
        return "No reasons were recorded."
    return "\n".join(f"- {r.get('message') or r.get('code')} ({r.get('code')})" for r in reasons)


async def open_proposals(ctx: ChatContext) -> list[Trade]:
    """Return the trades waiting for approval, oldest first: the order 'approve 2' counts in."""
    rows = await ctx.db.execute(
        select(Trade)
        .where(Trade.client_id == ctx.client_id, Trade.status == OPEN_STATUS)
        .order_by(Trade.created_at, Trade.id)
    )
    return list(rows.scalars())


async def _labels(ctx: ChatContext, trades: list[Trade]) -> dict[uuid.UUID, str]:
    legs = await legs_by_trade(ctx.db, ctx.client_id, [t.id for t in trades])
    labels = {}
    for trade in trades:
        parts = " / ".join(
            f"{leg.side} {leg.expiry} {leg.strike.normalize() if leg.strike else ''}{leg.option_right or ''}".strip()
            for leg in legs.get(trade.id, [])
        )
        price = "" if trade.limit_price is None else f" at {trade.limit_price.normalize():f}"
        labels[trade.id] = f"{trade.quantity}x {trade.underlying} {trade.strategy or 'trade'}: {parts}{price}"
    return labels


async def proposals(ctx: ChatContext) -> ToolResult:
    """List the proposals waiting for approval, numbered as 'approve N' counts them."""
    waiting = await open_proposals(ctx)
    if not waiting:
        return ToolResult("Nothing is waiting for your approval.", {"proposals": []})
    labels = await _labels(ctx, waiting)
    lines = [
        f"{i}. {labels[t.id]} (id {str(t.id)[:8]}, from {t.origin})" for i, t in enumerate(waiting, start=1)
    ]
    return ToolResult(
        "Waiting for your approval:\n" + "\n".join(lines) + "\nSay 'approve N', 'reject N' or 'explain N'.",
        {"proposals": [str(t.id) for t in waiting]},
        waiting,
    )


async def _recent(ctx: ChatContext, limit: int = _RECENT) -> list[Trade]:
    rows = await ctx.db.execute(
        select(Trade).where(Trade.client_id == ctx.client_id).order_by(Trade.created_at.desc()).limit(limit)
    )
    return list(rows.scalars())


async def _by_id_prefix(ctx: ChatContext, prefix: str) -> list[Trade]:
    # Compared in Python: UUIDs are stored differently per database, and a client has few recent trades.
    return [t for t in await _recent(ctx, _ID_SEARCH) if t.id.hex.startswith(prefix)]


async def resolve(
    ctx: ChatContext, reference: str | None, *, prefer_recent: bool = False
) -> Trade | ToolResult:
    """Find the trade a reference means: a number as listed, an id prefix, or words that pick one out.

    With no reference: the only waiting proposal, else the last one this conversation touched
    (`prefer_recent` puts the conversation's first, for 'explain' after a denial).
    """
    waiting = await open_proposals(ctx)
    words = (reference or "").strip()
    if re.fullmatch(r"#?\d{1,3}", words):
        index = int(words.lstrip("#"))
        if 1 <= index <= len(waiting):
            return waiting[index - 1]
        return ToolResult(
            f"There is no proposal #{index}: {len(waiting)} are waiting. Say 'proposals' to list them."
        )
    if re.fullmatch(r"[0-9a-fA-F-]{4,36}", words):
        found = await _by_id_prefix(ctx, words.lower().replace("-", ""))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return ToolResult(f"Several trades start with {words}; give more of the id.")
    symbols = {w for w in re.findall(r"\b[A-Z][A-Z0-9.]{0,5}\b", words)}
    lowered = words.lower()
    kinds = {word for key, word in _STRATEGY_WORDS.items() if key in lowered}
    if symbols or kinds:
        # Explaining may concern a trade already decided or denied: look among recent ones too.
        pool = waiting + [t for t in await _recent(ctx) if t not in waiting] if prefer_recent else waiting
        labels = await _labels(ctx, pool)
        matches = [
            t
            for t in pool
            if (not symbols or t.underlying in symbols) and all(k in labels[t.id].lower() for k in kinds)
        ]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            return ToolResult(f"No waiting proposal matches '{words}'. Say 'proposals' to list them.")
        lines = [f"{waiting.index(t) + 1 if t in waiting else '-'}. {labels[t.id]}" for t in matches]
        return ToolResult("Which one?\n" + "\n".join(lines) + "\nSay 'approve N' with its number.")
    if len(waiting) == 1 and not prefer_recent:
        return waiting[0]
    last = await store.last_proposal_id(ctx.db, ctx.client_id, ctx.conversation_id)
    if last is not None:
        trade = await ctx.db.scalar(select(Trade).where(Trade.id == last, Trade.client_id == ctx.client_id))
        if trade is not None:
            return trade
    if len(waiting) == 1:
        return waiting[0]
    if not waiting:
        return ToolResult("Nothing is waiting for your approval.")
    return ToolResult(
        f"{len(waiting)} proposals are waiting; say which one, e.g. 'approve 1'. Say 'proposals' to list them."
    )


async def approve(ctx: ChatContext, reference: str | None) -> ToolResult:
    """Approve a proposal: the person's own act, gated again on fresh quotes, then sent once."""
    found = await resolve(ctx, reference)
    if isinstance(found, ToolResult):
        return found
    return await approve_trade(ctx, found.id)


async def approve_trade(ctx: ChatContext, trade_id: uuid.UUID) -> ToolResult:
    """Approve one trade by id (the person's act), through the execution service."""
    trade = await ctx.container.execution.approve(ctx.db, ctx.client_id, trade_id, ctx.actor)
    status = trade.status.replace("_", " ")
    if trade.status == "denied":
        text = f"The gate refused it on fresh quotes, so nothing was sent:\n{_reasons(trade)}"
    else:
        text = f"Approved {trade.underlying} {trade.strategy or 'trade'} (id {str(trade.id)[:8]}); it is now {status}."
    return ToolResult(text, {"trade_id": str(trade.id), "status": trade.status}, [trade])


async def reject(ctx: ChatContext, reference: str | None) -> ToolResult:
    """Refuse a proposal."""
    found = await resolve(ctx, reference)
    if isinstance(found, ToolResult):
        return found
    trade = await ctx.container.execution.reject(
        ctx.db, ctx.client_id, found.id, ctx.actor, "rejected in chat"
    )
    return ToolResult(
        f"Rejected {trade.underlying} {trade.strategy or 'trade'} (id {str(trade.id)[:8]}).",
        {"trade_id": str(trade.id), "status": trade.status},
        [trade],
    )


async def explain(ctx: ChatContext, reference: str | None) -> ToolResult:
    """Explain a trade: its rationale, figures, and any reasons the gate gave."""
    found = await resolve(ctx, reference, prefer_recent=True)
    if isinstance(found, ToolResult):
        return found
    trade = found
    label = (await _labels(ctx, [trade]))[trade.id]
    metrics = trade.metrics or {}
    lines = [
        f"{label} (id {str(trade.id)[:8]}) is {trade.status.replace('_', ' ')}, proposed by {trade.origin}."
    ]
    if trade.rationale:
        lines.append(f"Why: {trade.rationale}")
    if metrics:
        lines.append(
            f"Max profit {metrics.get('max_profit') or 'unlimited'}, max loss {metrics.get('max_loss') or 'unlimited'}, "
            f"breakevens {', '.join(str(b) for b in metrics.get('breakevens') or []) or 'n/a'}"
            + (
                f", probability of profit {float(metrics['probability_of_profit']):.0%}"
                if metrics.get("probability_of_profit") is not None
                else ""
            )
            + "."
        )
        if greeks := metrics.get("greeks"):
            lines.append("Greeks ($): " + ", ".join(f"{k} {v}" for k, v in greeks.items()))
    if trade.denial_reasons:
        lines.append("The risk gate's reasons:\n" + _reasons(trade))
    if trade.expires_at is not None and trade.status == OPEN_STATUS:
        lines.append(f"It lapses at {trade.expires_at.isoformat()}.")
    return ToolResult("\n".join(lines), {"trade_id": str(trade.id), "status": trade.status}, [trade])
