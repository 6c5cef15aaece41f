"""POST /clients/{id}/agent/chat and its history: the agent's console."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.agent.chat import service, store
from backend.agent.chat.schemas import ChatMessageRead, ChatReply, ChatRequest
from backend.auth.dependencies import ClientDep
from backend.kit.deps import ContainerDep
from backend.kit.pagination import Page, PageDep, paginate

router = APIRouter(prefix="/clients/{client_id}/agent", tags=["agent"])


async def get_chat_llm(container: ContainerDep) -> service.ChatLLM | None:
    """Return the configured language model, or None for the built-in parser (the default)."""
    if container.settings.chat_llm_provider == "none":
        return None
    # Imported only when configured: the library takes seconds to import, and most deployments go without.
    from backend.agent.chat.llm import llm_for

    return llm_for(container.settings)


ChatLLMDep = Annotated[service.ChatLLM | None, Depends(get_chat_llm)]


@router.post("/chat", response_model=ChatReply)
async def chat(body: ChatRequest, caller: ClientDep, container: ContainerDep, llm: ChatLLMDep) -> ChatReply:
    """Talk to the agent: ask about the book and the market, propose, approve, change settings."""
    return await service.handle(caller.session, container, caller.client_id, caller.actor, body, llm)


@router.get("/chat", response_model=Page[ChatMessageRead])
async def chat_history(
    caller: ClientDep,
    page: PageDep,
    conversation_id: Annotated[uuid.UUID | None, Query(description="One conversation; omit for all")] = None,
) -> Page[ChatMessageRead]:
    """List the client's chat messages, newest first (one conversation's, or all)."""
    if conversation_id is not None:
        await store.require_conversation(caller.session, caller.client_id, conversation_id)
    rows, total = await paginate(caller.session, store.messages_of(caller.client_id, conversation_id), page)
    items = [ChatMessageRead.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)
