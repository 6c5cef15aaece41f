"""Chat bodies: a message in, the reply with any trades it proposed or decided, and the history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.trades.schemas import TradeDetailRead


class ChatRequest(BaseModel):
    """A message to the agent; omit `conversation_id` to start a new conversation."""

    message: str = Field(min_length=1, max_length=2000)
    conversation_id: uuid.UUID | None = None


class ChatMessageRead(BaseModel):
    """One stored message."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    conversation_id: uuid.UUID
    role: Literal["user", "agent"]
    author: str
    text: str
    data: dict[str, Any]
    created_at: datetime


class ChatReply(BaseModel):
    """The agent's answer: its text, what it understood, the trades it proposed or decided, both messages."""

    conversation_id: uuid.UUID
    reply: str
    intent: str
    proposals: list[TradeDetailRead]
    pending_confirmation: dict[str, Any] | None = Field(
        default=None, description="An action waiting for the person's 'yes' in their next message"
    )
    messages: list[ChatMessageRead]
