"""The optional LLM (pydantic-ai): OpenAI-compatible endpoints (Ollama, vLLM included) or Anthropic.

It calls the same tools as the built-in parser, each scoped server-side to the caller's client. It
cannot approve: its only approval tool *requests* one, kept as pending until the person's next
message says yes (the built-in path then approves). It sees no credentials: the tools return
book, market and settings text only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic_ai import Agent, RunContext
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings

from backend.agent.chat import book_tools, settings_tools, trade_tools
from backend.agent.chat.context import ToolResult
from backend.agent.chat.expiries import ExpiryPhrase, find_expiry
from backend.agent.chat.orders import OrderSpec
from backend.agent.chat.parameter_phrases import UnreadableValue, find_setting, read_change
from backend.agent.chat.runner import ToolRunner
from backend.config import Settings
from backend.models.chat_message import ChatMessage

INSTRUCTIONS = """You are the options-trading agent's console for one client of Greekdesk.
Answer with the tools; never invent prices, positions or figures. Every trade you propose goes
through the risk gate; report denials with their reasons. You cannot approve a trade: call
request_approval and tell the person to reply 'yes' to confirm. Be brief."""


@dataclass
class Deps:
    """What the tools run with: the runner (the caller's client, session and actor) and the pending action."""

    runner: ToolRunner
    pending: dict[str, object] | None = None


async def _run(ctx: RunContext[Deps], tool: Callable[[], Awaitable[ToolResult]]) -> str:
    return (await ctx.deps.runner.run(tool)).text


def _phrase(text: str | None, today: date) -> ExpiryPhrase | date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return find_expiry(text.lower(), today)[0]


def build_agent(model: Model) -> Agent[Deps, str]:
    """Return the chat agent on `model`, with the parser's tools."""
    agent: Agent[Deps, str] = Agent(model, deps_type=Deps, output_type=str, instructions=INSTRUCTIONS)

    @agent.tool
    async def get_positions(ctx: RunContext[Deps]) -> str:
        """List the client's open positions with marks and unrealised P&L."""
        return await _run(ctx, lambda: book_tools.positions(ctx.deps.runner.ctx))

    @agent.tool
    async def get_pnl(ctx: RunContext[Deps]) -> str:
        """Report realised and unrealised P&L and the account's net liquidation."""
        return await _run(ctx, lambda: book_tools.pnl(ctx.deps.runner.ctx))

    @agent.tool
    async def get_greeks(ctx: RunContext[Deps]) -> str:
        """Report portfolio greeks and delta by underlying."""
        return await _run(ctx, lambda: book_tools.greeks(ctx.deps.runner.ctx))

    @agent.tool
    async def get_status(ctx: RunContext[Deps]) -> str:
        """Report the agent's mode, state and open proposals."""
        return await _run(ctx, lambda: book_tools.status(ctx.deps.runner.ctx))

    @agent.tool
    async def get_quotes(ctx: RunContext[Deps], symbols: list[str]) -> str:
        """Quote stocks or ETFs by ticker."""
        wanted = [s.upper() for s in symbols][:20] or ["SPY"]
        return await _run(ctx, lambda: book_tools.quote(ctx.deps.runner.ctx, wanted))

    @agent.tool
    async def get_chain(ctx: RunContext[Deps], symbol: str, expiry: str | None = None) -> str:
        """Show an option chain near the money; expiry as YYYY-MM-DD or words like 'next month'."""
        chat = ctx.deps.runner.ctx
        phrase = _phrase(expiry, chat.today)
        return await _run(ctx, lambda: book_tools.chain(chat, symbol.upper(), phrase))

    @agent.tool
    async def propose_trade(
        ctx: RunContext[Deps],
        action: Literal["buy", "sell"],
        right: Literal["call", "put"],
        symbol: str,
        quantity: int = 1,
        structure: Literal["single", "vertical"] = "single",
        delta: float | None = None,
        strike: float | None = None,
        expiry: str | None = None,
    ) -> str:
        """Propose a single option or vertical spread through the risk gate (by |delta| or strike)."""
        chat = ctx.deps.runner.ctx
        phrase = _phrase(expiry, chat.today)

        async def tool() -> ToolResult:
            spec = OrderSpec(
                action=action,
                right=right,
                symbol=symbol.upper(),
                quantity=quantity,
                structure=structure,
                delta=None if delta is None else Decimal(str(abs(delta))),
                strike=None if strike is None else Decimal(str(strike)),
            )
            return await trade_tools.propose(chat, spec, phrase)

        return await _run(ctx, tool)

    @agent.tool
    async def list_proposals(ctx: RunContext[Deps]) -> str:
        """List the proposals waiting for approval, numbered."""
        return await _run(ctx, lambda: trade_tools.proposals(ctx.deps.runner.ctx))

    @agent.tool
    async def explain_proposal(ctx: RunContext[Deps], reference: str) -> str:
        """Explain a proposal (number as listed, id prefix, or words like 'AAPL put')."""
        return await _run(ctx, lambda: trade_tools.explain(ctx.deps.runner.ctx, reference))

    @agent.tool
    async def request_approval(ctx: RunContext[Deps], reference: str) -> str:
        """Ask the person to approve a proposal; it is approved only if they reply 'yes'."""
        chat = ctx.deps.runner.ctx

        async def tool() -> ToolResult:
            found = await trade_tools.resolve(chat, reference)
            if isinstance(found, ToolResult):
                return found
            ctx.deps.pending = {"action": "approve", "trade_id": str(found.id)}
            return ToolResult(
                f"Approval of {found.underlying} {found.strategy or 'trade'} (id {str(found.id)[:8]}) is waiting "
                "for the person: they must reply 'yes' to confirm.",
                trades=[found],
            )

        return await _run(ctx, tool)

    @agent.tool
    async def reject_proposal(ctx: RunContext[Deps], reference: str) -> str:
        """Reject a proposal the person asked to reject."""
        return await _run(ctx, lambda: trade_tools.reject(ctx.deps.runner.ctx, reference))

    @agent.tool
    async def set_mode(ctx: RunContext[Deps], mode: Literal["manual", "approval", "autonomous"]) -> str:
        """Switch mode; autonomous (the agent approving its own trades) waits for the person's 'yes'."""
        if mode == "autonomous":
            ctx.deps.pending = {"action": "mode", "mode": mode}
            return "Switching to autonomous waits for the person: they must reply 'yes' to confirm."
        return await _run(ctx, lambda: settings_tools.set_mode(ctx.deps.runner.ctx, mode))

    @agent.tool
    async def set_parameter(ctx: RunContext[Deps], name: str, value: str) -> str:
        """Change a parameter by its everyday name, e.g. ('max daily loss', '2000'), ('target delta', '0.2-0.3')."""
        found = find_setting(name.lower())
        if found is None:
            return f"'{name}' is not a setting I know."
        try:
            change, flat = read_change(found[0], value.lower())
        except UnreadableValue as exc:
            return str(exc)
        return await _run(ctx, lambda: settings_tools.set_parameters(ctx.deps.runner.ctx, change, flat))

    @agent.tool
    async def pause_agent(ctx: RunContext[Deps]) -> str:
        """Pause the agent's own decisions."""
        return await _run(ctx, lambda: settings_tools.pause(ctx.deps.runner.ctx))

    @agent.tool
    async def resume_agent(ctx: RunContext[Deps]) -> str:
        """Resume the agent's own decisions."""
        return await _run(ctx, lambda: settings_tools.resume(ctx.deps.runner.ctx))

    return agent


def _history(messages: list[ChatMessage]) -> list[ModelMessage]:
    history: list[ModelMessage] = []
    for message in messages:
        if message.role == "user":
            history.append(ModelRequest(parts=[UserPromptPart(content=message.text)]))
        else:
            history.append(ModelResponse(parts=[TextPart(content=message.text)]))
    return history


class PydanticAIChat:
    """The chat answered by a pydantic-ai agent on the parser's tools."""

    def __init__(self, model: Model, timeout_seconds: float = 60.0) -> None:
        self._agent = build_agent(model)
        self._settings = ModelSettings(timeout=timeout_seconds)

    async def answer(self, runner: ToolRunner, message: str, history: list[ChatMessage]) -> ToolResult:
        """Run the model with the tools for the runner's client; an approval it asks for waits as pending."""
        deps = Deps(runner)
        result = await self._agent.run(
            message, deps=deps, message_history=_history(history), model_settings=self._settings
        )
        return ToolResult(result.output, {"tools": len(runner.results)}, pending=deps.pending)


def model_for(settings: Settings) -> Model | None:
    """Build the configured model: an OpenAI-compatible endpoint or Anthropic; None when the parser answers."""
    if settings.chat_llm_provider == "none":
        return None
    name = settings.chat_llm_model or _DEFAULT_MODELS[settings.chat_llm_provider]
    key = settings.chat_llm_api_key.get_secret_value() if settings.chat_llm_api_key else None
    if settings.chat_llm_provider == "anthropic":
        from pydantic_ai.models.anthropic import AnthropicModel
        from pydantic_ai.providers.anthropic import AnthropicProvider

        return AnthropicModel(
            name, provider=AnthropicProvider(api_key=key, base_url=settings.chat_llm_base_url)
        )
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    # A local server (Ollama, vLLM) needs no key; the client library wants a non-empty one anyway.
    return OpenAIChatModel(
        name, provider=OpenAIProvider(base_url=settings.chat_llm_base_url, api_key=key or "not-needed")
    )


_DEFAULT_MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-sonnet-4-5"}
_CACHE: dict[tuple[str, str | None, str | None, str | None, float], PydanticAIChat] = {}


def llm_for(settings: Settings) -> PydanticAIChat | None:
    """Return the chat model for these settings (built once per configuration), or None for the parser."""
    if settings.chat_llm_provider == "none":
        return None
    secret = settings.chat_llm_api_key.get_secret_value() if settings.chat_llm_api_key else None
    key = (
        settings.chat_llm_provider,
        settings.chat_llm_model,
        settings.chat_llm_base_url,
        secret,
        settings.chat_llm_timeout_seconds,
    )
    if key not in _CACHE:
        model = model_for(settings)
        assert model is not None
        _CACHE[key] = PydanticAIChat(model, settings.chat_llm_timeout_seconds)
    return _CACHE[key]
