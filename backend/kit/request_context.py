"""Per-request context (request id, client id) that logs and error bodies read."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_client_id: ContextVar[str | None] = ContextVar("client_id", default=None)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REQUEST_ID_HEADER = "x-request-id"
access_logger = logging.getLogger("greekdesk.access")


def current_request_id() -> str | None:
    """Return the request id of the request being served, if any."""
    return _request_id.get()


def current_client_id() -> str | None:
    """Return the client id the request acts for, once authentication knows it."""
    return _client_id.get()


def bind_client_id(client_id: uuid.UUID | str | None) -> None:
    """Attach the client id to the rest of this request's logs."""
    _client_id.set(str(client_id) if client_id else None)


class RequestContextMiddleware:
    """Give every request an id (kept from a sane inbound header), echo it, and log the outcome."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        inbound = _header(scope, REQUEST_ID_HEADER)
        request_id = inbound if inbound and _VALID_REQUEST_ID.match(inbound) else uuid.uuid4().hex
        rid_token = _request_id.set(request_id)
        cid_token = _client_id.set(None)
        started = time.perf_counter()
        status: dict[str, Any] = {"code": None}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            # A socket's frames skip the wrapper: it only acts on an HTTP response's start.
            await self.app(scope, receive, send_with_id if scope["type"] == "http" else send)
        except Exception:
            # Rendered here, inside the request's context, so the 500 body and its log line
            # carry the request id (Starlette's outermost handler runs after it is gone).
            access_logger.exception("unhandled error")
            if status["code"] is not None or scope["type"] != "http":
                raise
            from backend.kit.error_body import error_body

            response = JSONResponse(
                error_body("internal_error", "An internal error occurred; quote the request id"), 500
            )
            await response(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                access_logger.info(
                    "request",
                    extra={
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status["code"] or 500,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            _client_id.reset(cid_token)
            _request_id.reset(rid_token)


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            decoded: str = value.decode("latin-1")
            return decoded
    return None
