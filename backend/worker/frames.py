"""Signed frames between API processes and workers: pickled domain values under an HMAC-SHA256 tag.

Why pickle: the broker port speaks in many nested frozen dataclasses (quotes with greeks, option
chains with tick schedules, order states with their requests and executions); pickle carries them
exactly, Decimals and aware datetimes included, where hand-written codecs for each would be a lot
of code to keep in step. Unpickling runs code, so a frame is unpickled only after its tag verifies
under the cluster key: only a process holding that key can make a frame another will open. Every
frame also carries its deadline, so a late or replayed one is dropped rather than acted on.
"""

from __future__ import annotations

import hashlib
import hmac
import pickle
import time
from dataclasses import dataclass
from typing import Any

TAG_BYTES = 32


class FrameRejected(Exception):
    """A frame whose tag does not verify, or that is malformed or past its deadline."""


@dataclass(frozen=True, slots=True)
class Request:
    """A call on one client's broker (or a command to its session) sent to the worker holding it."""

    request_id: str
    client_id: str
    method: str
    args: tuple[Any, ...]
    deadline: float  # wall-clock seconds; the worker drops the request after it


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer: a value, or the broker error's class name, message and whether it is ambiguous."""

    value: Any = None
    error: str | None = None
    message: str = ""
    ambiguous: bool = False
    client_order_id: str | None = None


def seal(key: bytes, payload: Request | Reply) -> bytes:
    """Serialise and sign a payload."""
    body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return hmac.new(key, body, hashlib.sha256).digest() + body


def open_frame(key: bytes, frame: bytes) -> Request | Reply:
    """Verify a frame's tag, then unpickle it; refuse anything unsigned, forged or of another kind."""
    tag, body = frame[:TAG_BYTES], frame[TAG_BYTES:]
    if len(tag) != TAG_BYTES or not hmac.compare_digest(tag, hmac.new(key, body, hashlib.sha256).digest()):
        raise FrameRejected("frame signature does not verify")
    payload = pickle.loads(body)  # noqa: S301 - authenticated above
    if not isinstance(payload, Request | Reply):
        raise FrameRejected(f"unexpected frame payload {type(payload).__name__}")
    return payload


def expired(request: Request) -> bool:
    """Tell whether the caller has stopped waiting for this request."""
    return time.time() > request.deadline
