"""The one JSON body of every 4xx/5xx response."""

from __future__ import annotations

from typing import Any

from backend.kit.request_context import current_request_id


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """Build `{"error": {code, message, details, request_id}}`."""
    return {
        "error": {"code": code, "message": message, "details": details, "request_id": current_request_id()}
    }
