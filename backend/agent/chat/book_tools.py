"""Chat tools that read: positions, P&L, greeks and exposure, quotes, chains, the agent's status."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from backend.agent.chat.context import ChatContext, ToolResult, money, signed
from backend.agent.chat.expiries import ExpiryPhrase, resolve_expiry
from backend.agent.status import agent_status
from backend.brokers.base import BrokerPort
from backend.kit.errors import AppError, NotFound
from backend.market import chain_service
from backend.models import Position
from backend.positions.repository import positions_of
from backend.positions.valuation import Valuation, value_positions

MARK_WAIT_SECONDS = 1.0
MAX_LISTED = 20
CHAIN_STRIKES_EACH_SIDE = 4
DEFAULT_CHAIN_DAYS = 30


async def _broker_if_up(ctx: ChatContext) -> BrokerPort | None:
    # The book comes from our records; marks only when the broker answers quickly.
    try:
        return await ctx.broker(MARK_WAIT_SECONDS)
    except AppError:
        return None


async def _valued_book(ctx: ChatContext) -> tuple[list[Position], list[Valuation]]:
    broker = await _broker_if_up(ctx)
    rows = list((await ctx.db.execute(positions_of(ctx.client_id))).scalars())
    return rows, await value_positions(broker, rows)


async def positions(ctx: ChatContext) -> ToolResult:
    """List open positions with marks and unrealised P&L."""
    rows, valuations = await _valued_book(ctx)
    if not rows:
        return ToolResult("You have no open positions.", {"positions": []})
    lines, items = [], []
    for row, value in list(zip(rows, valuations, strict=True))[:MAX_LISTED]:
        lines.append(
            f"- {row.instrument_key}: {row.quantity.normalize():f} @ {money(row.average_cost)}, "
            f"mark {money(value.mark)}, unrealised {signed(value.unrealized_pnl)}"
        )
        items.append(
            {
                "instrument_key": row.instrument_key,
                "quantity": str(row.quantity),
                "average_cost": str(row.average_cost),
                "mark": None if value.mark is None else str(value.mark),
                "unrealized_pnl": None if value.unrealized_pnl is None else str(value.unrealized_pnl),
            }
        )
    more = f"\n(and {len(rows) - MAX_LISTED} more)" if len(rows) > MAX_LISTED else ""
    return ToolResult(
        f"You have {len(rows)} open position(s):\n" + "\n".join(lines) + more, {"positions": items}
    )


async def pnl(ctx: ChatContext) -> ToolResult:
    """Report realised and unrealised P&L from the book, and the account's figures from the broker."""
    rows, valuations = await _valued_book(ctx)
    realized = sum(
        (
            await ctx.db.execute(select(Position.realized_pnl).where(Position.client_id == ctx.client_id))
        ).scalars(),
        Decimal(0),
    )
    unrealized = sum((v.unrealized_pnl for v in valuations if v.unrealized_pnl is not None), Decimal(0))
    data: dict[str, str | None] = {"realized_pnl": str(realized), "unrealized_pnl": str(unrealized)}
    text = f"P&L on your book: realised {signed(realized)}, unrealised {signed(unrealized)} ({len(rows)} open position(s))."
    broker = await _broker_if_up(ctx)
    if broker is not None:
        account = await broker.account_summary()
        data |= {
            "net_liquidation": str(account.net_liquidation.amount),
            "account_realized": str(account.realized_pnl.amount),
            "account_unrealized": str(account.unrealized_pnl.amount),
        }
        text += (
            f"\nThe broker reports net liquidation {money(account.net_liquidation.amount)} "
            f"{account.net_liquidation.currency}, realised {signed(account.realized_pnl.amount)}, "
            f"unrealised {signed(account.unrealized_pnl.amount)}."
        )
    return ToolResult(text, data)


async def greeks(ctx: ChatContext) -> ToolResult:
    """Sum the book's greeks, and its delta by underlying (the exposure)."""
    rows, valuations = await _valued_book(ctx)
    valued = [(r, v) for r, v in zip(rows, valuations, strict=True) if v.delta is not None]
    totals = {
        name: sum(float(getattr(v, name) or 0.0) for _, v in valued)
        for name in ("delta", "gamma", "vega", "theta")
    }
    by_underlying: dict[str, float] = defaultdict(float)
    for row, value in valued:
        by_underlying[row.underlying] += value.delta or 0.0
    if not rows:
        return ToolResult("You have no open positions, so no exposure: every greek is 0.", {"totals": totals})
    text = (
        f"Portfolio greeks ({len(valued)} of {len(rows)} positions valued): delta {totals['delta']:+,.2f}, "
        f"gamma {totals['gamma']:+,.4f}, vega {totals['vega']:+,.2f}, theta {totals['theta']:+,.2f} a day."
    )
    if by_underlying:
        text += "\nDelta by underlying (shares equivalent): " + ", ".join(
            f"{symbol} {delta:+,.1f}" for symbol, delta in sorted(by_underlying.items())
        )
    return ToolResult(text, {"totals": totals, "delta_by_underlying": dict(by_underlying)})


async def status(ctx: ChatContext) -> ToolResult:
    """Report the agent's mode, effective mode and why, state, open proposals."""
    read = await agent_status(ctx.db, ctx.container, ctx.client_id)
    why = f" ({'; '.join(read.effective_reasons)})" if read.effective_reasons else ""
    text = (
        f"The agent is {read.state.replace('_', ' ')}"
        + (f": {read.state_reason}" if read.state_reason else "")
        + f". Mode {read.mode}, in force {read.effective_mode}{why}. "
        f"{read.open_proposals} proposal(s) waiting, {read.open_positions} open position(s)."
    )
    return ToolResult(text, {"status": read.model_dump(mode="json")})


async def quote(ctx: ChatContext, symbols: list[str]) -> ToolResult:
    """Quote stocks and ETFs."""
    quotes = await chain_service.stock_quotes(await ctx.broker(), symbols)
    lines = [
        f"{q.symbol}: bid {money(q.bid)} / ask {money(q.ask)}, mid {money(q.mid)}, last {money(q.last)}"
        for q in quotes
    ]
    return ToolResult("\n".join(lines), {"quotes": [q.model_dump(mode="json") for q in quotes]})


async def listed_expiry(
    ctx: ChatContext, broker: BrokerPort, symbol: str, phrase: ExpiryPhrase | date | None, default_days: int
) -> date:
    """Return the listed expiry a phrase (or a date) means for `symbol`."""
    listing = await chain_service.expiries(broker, symbol)
    if isinstance(phrase, date):
        phrase = ExpiryPhrase("date", phrase.isoformat(), phrase.year, phrase.month, phrase.day)
    expiry = resolve_expiry(phrase, listing.expiries, ctx.today, default_days)
    if expiry is None:
        raise NotFound(f"{symbol} has no listed expiry to match", code="no_expiry")
    return expiry


async def chain(ctx: ChatContext, symbol: str, phrase: ExpiryPhrase | date | None) -> ToolResult:
    """Show one expiry of a chain around the money: bids, asks and deltas of calls and puts."""
    broker = await ctx.broker()
    expiry = await listed_expiry(ctx, broker, symbol, phrase, DEFAULT_CHAIN_DAYS)
    read = await chain_service.chain(broker, symbol, expiry, ctx.container.settings.risk_free_rate)
    strikes = sorted({o.strike for o in read.options})
    atm = min(range(len(strikes)), key=lambda i: abs(strikes[i] - read.underlying_price))
    shown = strikes[max(0, atm - CHAIN_STRIKES_EACH_SIDE) : atm + CHAIN_STRIKES_EACH_SIDE + 1]
    by_key = {(o.strike, o.right): o for o in read.options if o.strike in shown}
    lines = [
        f"{symbol} options expiring {expiry.isoformat()} ({(expiry - ctx.today).days} days), spot {read.underlying_price}:"
    ]
    rows = []
    for strike in shown:
        call, put = by_key.get((strike, "C")), by_key.get((strike, "P"))
        cells = []
        for label, row in (("C", call), ("P", put)):
            if row is not None:
                delta = f"{row.delta:+.2f}" if row.delta is not None else "n/a"
                cells.append(f"{label} {money(row.bid)}/{money(row.ask)} d {delta}")
                rows.append(row.model_dump(mode="json"))
        lines.append(f"- {strike}: " + " | ".join(cells))
    data = {
        "underlying": symbol,
        "expiry": expiry.isoformat(),
        "underlying_price": str(read.underlying_price),
        "options": rows,
    }
    return ToolResult("\n".join(lines), data)
