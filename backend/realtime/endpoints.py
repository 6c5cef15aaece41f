"""WS /clients/{id}/stream, POST /clients/{id}/stream-ticket and GET /clients/{id}/events (replay)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket
from starlette.responses import JSONResponse

from backend.auth.dependencies import ClaimsDep, ClientDep
from backend.auth.repository import Standing
from backend.kit.container import Container
from backend.kit.deps import ContainerDep
from backend.kit.error_body import error_body
from backend.realtime import access
from backend.realtime.schemas import EVENT_ADAPTER, EventPage, StreamTicketRead
from backend.realtime.stream import StreamLimits, serve

router = APIRouter(prefix="/clients/{client_id}", tags=["stream"])


@router.post("/stream-ticket", response_model=StreamTicketRead, status_code=201)
async def issue_stream_ticket(
    caller: ClientDep, claims: ClaimsDep, container: ContainerDep
) -> StreamTicketRead:
    """Issue a single-use ticket (about 30 seconds) for opening the stream as `?ticket=`."""
    issued = await container.stream_tickets.issue(claims)
    return StreamTicketRead(ticket=issued.ticket, expires_at=issued.expires_at)


@router.get("/events", response_model=EventPage)
async def replay_events(
    caller: ClientDep,
    container: ContainerDep,
    after: Annotated[int, Query(ge=0, description="The last seq the reader has")] = 0,
) -> EventPage:
    """Return the events after `after` that the replay buffer still holds; `complete` says if any are gone."""
    replay = await container.events.replay(caller.client_id, after)
    return EventPage(
        events=[EVENT_ADAPTER.validate_json(text) for text in replay.events],
        after=after,
        current_seq=replay.current_seq,
        oldest_seq=replay.oldest_seq,
        complete=replay.complete(after),
    )


@router.websocket("/stream")
async def stream(
    websocket: WebSocket, client_id: uuid.UUID, token: str | None = None, ticket: str | None = None
) -> None:
    """Stream the client's events: hello, then typed events in seq order, with heartbeats."""
    container: Container = websocket.app.state.container
    settings = container.settings
    try:
        if not access.origin_allowed(
            websocket.headers.get("origin"), websocket.headers.get("host"), settings.cors_origins
        ):
            raise access.StreamRefused(403, "origin_forbidden", "This origin may not open the stream")
        claims = await access.claims_from(
            container.tokens, container.stream_tickets, token=token, ticket=ticket
        )
        grant = await access.admit(container.sessions, client_id, claims)
    except access.StreamRefused as refused:
        await _refuse(websocket, refused)
        return

    async def standing() -> Standing:
        return await access.standing_of(container.sessions, grant)

    limits = StreamLimits(settings.stream_heartbeat_seconds, settings.stream_recheck_seconds)
    await serve(websocket, container.events, grant, limits, standing)


async def _refuse(websocket: WebSocket, refused: access.StreamRefused) -> None:
    body = error_body(refused.code, refused.message)
    try:
        # The handshake answered as HTTP, with the API's error body, where the server allows it.
        await websocket.send_denial_response(JSONResponse(body, status_code=refused.status))
    except RuntimeError:
        await websocket.close(code=1008, reason=refused.code)
