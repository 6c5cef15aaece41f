"""The conversation store: every message kept per client and conversation, each announced on the stream."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.kit.errors import NotFound
from backend.models.base import utcnow
from backend.models.chat_message import ChatMessage
from backend.realtime.publish import emit
from backend.realtime.schemas import ChatMessageData

Role = Literal["user", "agent"]


async def add_message(
    db: AsyncSession,
    client_id: uuid.UUID,
    conversation_id: uuid.UUID,
    *,
    role: Role,
    author: str,
    text: str,
    data: dict[str, Any] | None = None,
) -> ChatMessage:
    """Store one message and announce it (`chat.message`) once the transaction commits."""
    message = ChatMessage(
        client_id=client_id,
        conversation_id=conversation_id,
        role=role,
        author=author,
        text=text,
        data=data or {},
        created_at=utcnow(),
    )
    db.add(message)
    await db.flush()
    # The one call site that puts chat on the client's event stream.
    emit(db, client_id, ChatMessageData(message_id=message.id, role=role, text=text))
    return message


async def require_conversation(db: AsyncSession, client_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
    """Refuse a conversation id this client has no messages in (another client's looks the same: absent)."""
    found = await db.scalar(
        select(ChatMessage.id)
        .where(ChatMessage.client_id == client_id, ChatMessage.conversation_id == conversation_id)
        .limit(1)
    )
    if found is None:
        raise NotFound("No such conversation", code="conversation_not_found")


def messages_of(client_id: uuid.UUID, conversation_id: uuid.UUID | None = None) -> Select[Any]:
    """Select a client's messages, newest first: one conversation's, or every conversation's."""
    statement = select(ChatMessage).where(ChatMessage.client_id == client_id)
    if conversation_id is not None:
        statement = statement.where(ChatMessage.conversation_id == conversation_id)
    return statement.order_by(ChatMessage.created_at.desc(), ChatMessage.id)


async def recent(
    db: AsyncSession, client_id: uuid.UUID, conversation_id: uuid.UUID, limit: int
) -> list[ChatMessage]:
    """Return the last `limit` messages of a conversation, oldest first."""
    rows = await db.execute(messages_of(client_id, conversation_id).limit(limit))
    return list(reversed(rows.scalars().all()))


async def last_message(
    db: AsyncSession, client_id: uuid.UUID, conversation_id: uuid.UUID
) -> ChatMessage | None:
    """Return the latest message of a conversation."""
    found: ChatMessage | None = await db.scalar(messages_of(client_id, conversation_id).limit(1))
    return found


async def last_proposal_id(
    db: AsyncSession, client_id: uuid.UUID, conversation_id: uuid.UUID
) -> uuid.UUID | None:
    """Return the trade most recently proposed or decided in this conversation."""
    for message in reversed(await recent(db, client_id, conversation_id, 50)):
        ids = (message.data or {}).get("proposals") or []
        if ids:
            return uuid.UUID(str(ids[-1]))
    return None
