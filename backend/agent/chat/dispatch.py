"""Run a parsed intent with the chat tools (the built-in path, no network)."""

from __future__ import annotations

from backend.agent.chat import book_tools, settings_tools, trade_tools
from backend.agent.chat.context import ChatContext, ToolResult
from backend.agent.chat.intents import Intent

HELP = """I can:
- show your positions, P&L, greeks and exposure ("positions", "P&L", "greeks")
- quote and show chains ("quote AAPL", "what's SPY at", "show the AAPL chain for next month")
- propose trades through the risk gate ("sell a 30 delta put on AAPL for next month",
  "buy 2 SPY 600 calls expiring Dec 19", "sell a put spread on QQQ")
- list, approve, reject or explain proposals ("proposals", "approve 2", "reject the AAPL put", "explain 1")
- change mode ("switch to approval"), parameters ("set max daily loss to 2000",
  "set target delta to 0.2-0.3", "set scan interval to 10 minutes"), pause and resume
- report the agent's status ("status")"""

SUGGESTIONS = [
    "positions",
    "P&L",
    "quote SPY",
    "proposals",
    "sell a 30 delta put on AAPL for next month",
    "help",
]


def not_understood(message: str) -> ToolResult:
    """Say honestly that a message was not understood, with what can be said instead."""
    return ToolResult(
        f'I did not understand "{message[:200]}". Try one of: '
        + "; ".join(f"'{s}'" for s in SUGGESTIONS)
        + ".",
        {"suggestions": SUGGESTIONS},
    )


async def run_intent(ctx: ChatContext, intent: Intent, message: str) -> ToolResult:
    """Answer one intent with the tool it names."""
    if intent.problem is not None:
        return ToolResult(intent.problem, {"problem": intent.problem})
    name = intent.name
    if name == "help":
        return ToolResult(HELP)
    if name == "positions":
        return await book_tools.positions(ctx)
    if name == "pnl":
        return await book_tools.pnl(ctx)
    if name == "greeks":
        return await book_tools.greeks(ctx)
    if name == "status":
        return await book_tools.status(ctx)
    if name == "quote":
        return await book_tools.quote(ctx, list(intent.symbols))
    if name == "chain":
        return await book_tools.chain(ctx, intent.symbols[0], intent.expiry)
    if name == "propose" and intent.order is not None:
        return await trade_tools.propose(ctx, intent.order, intent.expiry)
    if name == "proposals":
        return await trade_tools.proposals(ctx)
    if name == "approve":
        return await trade_tools.approve(ctx, intent.reference)
    if name == "reject":
        return await trade_tools.reject(ctx, intent.reference)
    if name == "explain":
        return await trade_tools.explain(ctx, intent.reference)
    if name == "mode" and intent.mode is not None:
        return await settings_tools.set_mode(ctx, intent.mode)
    if name == "set_parameter":
        return await settings_tools.set_parameters(ctx, intent.change, intent.flat)
    if name == "pause":
        return await settings_tools.pause(ctx)
    if name == "resume":
        return await settings_tools.resume(ctx)
    if name in ("confirm", "decline"):
        return ToolResult("There is nothing waiting for your confirmation.")
    return not_understood(message)
