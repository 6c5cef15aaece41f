"""Structured JSON logs carrying the request and client ids, with secrets redacted."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from backend.kit.request_context import current_client_id, current_request_id

_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
_SECRET_KEY = re.compile(
    r"pass(word)?|secret|token|authorization|api[_-]?key|credential|cookie", re.IGNORECASE
)
# A bearer token or JWT that slipped into a free-text message.
_SECRET_TEXT = re.compile(
    r"(bearer\s+)[A-Za-z0-9._~+/=-]+|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*", re.IGNORECASE
)
REDACTED = "[redacted]"


def redact(value: Any, key: str | None = None) -> Any:
    """Return `value` with anything under a secret-looking key, or shaped like a token, replaced."""
    if key is not None and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return _SECRET_TEXT.sub(lambda m: (m.group(1) or "") + REDACTED, value)
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": current_request_id(),
            "client_id": current_client_id(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(redact(payload), default=str)


class TextFormatter(logging.Formatter):
    """Readable lines for a terminal, still redacted and carrying the request id."""

    def format(self, record: logging.LogRecord) -> str:
        base = f"{record.levelname:<7} {record.name}: {record.getMessage()}"
        rid = current_request_id()
        text = f"{base} [rid={rid}]" if rid else base
        return str(redact(text))


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    """Send every log record, uvicorn's included, through one redacting formatter on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lg = logging.getLogger(name)
        lg.handlers = []
        lg.propagate = True
    # Our access log replaces uvicorn's, which would print query strings (a stream token among them).
    logging.getLogger("uvicorn.access").disabled = True
