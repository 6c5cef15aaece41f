"""Answer one chat message: keep it, settle a pending confirmation, else ask the parser (or the LLM), keep the reply."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any, Protocol

from backend.agent.chat import intents, settings_tools, store, trade_tools
from backend.agent.chat.context import ChatContext, ToolResult
from backend.agent.chat.dispatch import run_intent
from backend.agent.chat.runner import ToolRunner
from backend.agent.chat.schemas import ChatMessageRead, ChatReply, ChatRequest
from backend.audit.service import Actor
from backend.kit.container import Container
from backend.models.base import utcnow
from backend.models.chat_message import ChatMessage
from backend.trades.views import trade_detail

AGENT_AUTHOR = "agent"
PENDING_SECONDS = 600
HISTORY_FOR_LLM = 20
logger = logging.getLogger("greekdesk.chat")


class ChatLLM(Protocol):
    """A language model that answers with the same tools the parser uses, through `runner`."""

    async def answer(self, runner: ToolRunner, message: str, history: list[ChatMessage]) -> ToolResult:
        """Answer one message for the runner's client."""
        ...


def _pending_of(previous: ChatMessage | None) -> dict[str, Any] | None:
    """Return the action the last reply asked the person to confirm, if it still stands."""
    if previous is None or previous.role != "agent":
        return None
    pending = (previous.data or {}).get("pending")
    if not pending or utcnow() - previous.created_at > timedelta(seconds=PENDING_SECONDS):
        return None
    return dict(pending)


async def _confirm(ctx: ChatContext, pending: dict[str, Any]) -> ToolResult:
    # The person said yes in the message right after the request: the built-in path does it.
    if pending.get("action") == "approve":
        return await trade_tools.approve_trade(ctx, uuid.UUID(str(pending["trade_id"])))
    if pending.get("action") == "mode":
        return await settings_tools.set_mode(ctx, str(pending["mode"]))
    return ToolResult("That confirmation has lapsed; ask again.")


async def _answer(
    runner: ToolRunner, message: str, previous: ChatMessage | None, llm: ChatLLM | None
) -> tuple[str, ToolResult]:
    ctx = runner.ctx
    intent = intents.parse(message, ctx.today)
    pending = _pending_of(previous)
    if intent.name == "confirm" and pending is not None:
        return "confirm", await runner.run(lambda: _confirm(ctx, pending))
    if intent.name == "decline" and pending is not None:
        return "decline", ToolResult("OK, I did not do it.", {"declined": pending})
    if llm is not None:
        history = await store.recent(ctx.db, ctx.client_id, ctx.conversation_id, HISTORY_FOR_LLM)
        try:
            return "llm", await llm.answer(runner, message, history[:-1])
        except Exception as exc:
            # Whatever the external model did (down, timed out, malformed), the console still answers.
            logger.warning("the chat model failed", extra={"error": type(exc).__name__})
            if runner.results:
                # Tools already acted: answering again with the parser could repeat them, so report instead.
                done = "\n".join(f"- {r.text}" for r in runner.results)
                return "llm", ToolResult(f"The language model stopped before answering. What it did:\n{done}")
    return intent.name, await runner.run(lambda: run_intent(ctx, intent, message))


async def handle(
    db: Any, container: Container, client_id: uuid.UUID, actor: Actor, body: ChatRequest, llm: ChatLLM | None
) -> ChatReply:
    """Keep the message, answer it, keep the reply; return the reply with the trades it touched."""
    conversation_id = body.conversation_id or uuid.uuid4()
    previous = None
    if body.conversation_id is not None:
        await store.require_conversation(db, client_id, conversation_id)
        previous = await store.last_message(db, client_id, conversation_id)
    user = await store.add_message(
        db, client_id, conversation_id, role="user", author=f"{actor.type}:{actor.id}", text=body.message
    )
    user_read = ChatMessageRead.model_validate(user)
    # The person's words are kept whatever the tools do next.
    await db.commit()
    ctx = ChatContext(db, container, client_id, actor, conversation_id)
    runner = ToolRunner(ctx)
    intent, result = await _answer(runner, body.message, previous, llm)
    ids = list(dict.fromkeys(runner.trade_ids))
    trades = [await container.execution.trade(db, client_id, trade_id) for trade_id in ids]
    data = {
        "intent": intent,
        "proposals": [str(t.id) for t in trades],
        "pending": result.pending,
        "result": result.data,
    }
    reply = await store.add_message(
        db, client_id, conversation_id, role="agent", author=AGENT_AUTHOR, text=result.text, data=data
    )
    details = [await trade_detail(db, client_id, trade) for trade in trades]
    return ChatReply(
        conversation_id=conversation_id,
        reply=result.text,
        intent=intent,
        proposals=details,
        pending_confirmation=result.pending,
        messages=[user_read, ChatMessageRead.model_validate(reply)],
    )
