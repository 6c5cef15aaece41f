"""One error taxonomy for the API: domain errors carry their status; one handler renders all."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.brokers.errors import BrokerError
from backend.kit.error_body import error_body

logger = logging.getLogger("greekdesk.errors")


class AppError(Exception):
    """An error a client can act on: HTTP status, stable machine code, message, details."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        details: Any = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers
        if code is not None:
            self.code = code


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse(
        error_body(exc.code, exc.message, jsonable_encoder(exc.details)), exc.status_code, headers=exc.headers
    )


async def _broker_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BrokerError)
    # The broker's message is kept (it tells the user what to fix); adapters never put secrets in it.
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(max(1, round(retry_after)))} if retry_after else None
    return JSONResponse(
        error_body(exc.code, exc.message, {"temporary": exc.temporary}), exc.http_status, headers=headers
    )


async def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    # Contention (SQLite's single writer) or an unreachable database: try again shortly, not a 500.
    busy = "locked" in str(exc).lower() or "busy" in str(exc).lower()
    logger.warning("database unavailable for a request", extra={"busy": busy, "error": type(exc).__name__})
    code, message = (
        ("database_busy", "The database is busy; retry in a moment")
        if busy
        else ("database_unavailable", "The database is unavailable; retry in a moment")
    )
    return JSONResponse(error_body(code, message), 503, headers={"Retry-After": "1"})


async def _driver_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    # A connection cut mid-request (a database restart, a proxy's idle timeout) is invalidated by the
    # pool, so a retry gets a fresh one: the caller is told to retry, not handed a 500.
    if exc.connection_invalidated:
        return await _database_error(request, exc)
    return await _unhandled_error(request, exc)


async def _connection_error(_request: Request, exc: Exception) -> JSONResponse:
    # A dependency (database, Redis, broker) refused or dropped the connection: retry, not a 500.
    logger.warning("a dependency is unreachable", extra={"error": type(exc).__name__})
    return JSONResponse(
        error_body(
            "dependency_unavailable", "A service Greekdesk depends on is unreachable; retry in a moment"
        ),
        503,
        headers={"Retry-After": "1"},
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Echoing `input` could hand a password back into a response or a log; keep where and why only.
    details = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    return JSONResponse(error_body("validation_error", "The request is not valid", details), 422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return JSONResponse(error_body(code, message), exc.status_code, headers=getattr(exc, "headers", None))


async def _unhandled_error(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    return JSONResponse(error_body("internal_error", "An internal error occurred; quote the request id"), 500)


def install_error_handlers(app: FastAPI) -> None:
    """Render every error, validation and routing ones included, as the one error body."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(BrokerError, _broker_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(DBAPIError, _driver_error)
    app.add_exception_handler(ConnectionError, _connection_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled_error)
