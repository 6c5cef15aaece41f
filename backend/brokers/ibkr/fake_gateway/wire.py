"""The TWS socket framing: a 4-byte big-endian length, then NUL-terminated text fields.

The session opens with ``API\\0`` and one framed ``v<min>..<max>`` version range from the client;
the server answers with a framed ``[server_version, connection_time]``. Everything after that is a
framed message whose first field is the message id. Server versions 176-178 use this text framing
throughout (protobuf framing starts far above them).
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Sequence
from decimal import Decimal

API_SIGN = b"API\0"
MAX_FRAME = 16 * 1024 * 1024
"""A frame longer than this is garbage, not a message: the session is dropped."""

Field = str | int | float | Decimal | bool | None


class ProtocolError(Exception):
    """The peer sent something the TWS protocol does not allow."""


def encode_field(value: Field) -> str:
    """Render one field as TWS text: bools as 1/0, ``None`` as empty, numbers plainly."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # repr keeps the shortest round-tripping form, the same text the reference API writes.
        return repr(value)
    return str(value)


def frame(payload: bytes) -> bytes:
    """Prefix ``payload`` with its length."""
    return struct.pack(">I", len(payload)) + payload


def encode(fields: Sequence[Field]) -> bytes:
    """Frame one message: every field followed by a NUL."""
    return frame("".join(encode_field(f) + "\0" for f in fields).encode())


def split_fields(payload: bytes) -> list[str]:
    """Split a frame's payload into its text fields (dropping the empty tail after the last NUL)."""
    fields = payload.decode(errors="backslashreplace").split("\0")
    if fields and fields[-1] == "":
        fields.pop()
    return fields


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    """Read one length-prefixed frame; raise ``asyncio.IncompleteReadError`` at end of stream."""
    header = await reader.readexactly(4)
    (length,) = struct.unpack(">I", header)
    if length > MAX_FRAME:
        raise ProtocolError(f"frame of {length} bytes is too long")
    return await reader.readexactly(length)


async def read_handshake(reader: asyncio.StreamReader) -> tuple[int, int]:
    """Read ``API\\0`` and the client's version range; return ``(min_version, max_version)``."""
    sign = await reader.readexactly(len(API_SIGN))
    if sign != API_SIGN:
        raise ProtocolError(f"expected the API sign, got {sign!r}")
    text = (await read_frame(reader)).decode(errors="replace")
    head = text.split(" ", 1)[0]
    if not head.startswith("v") or ".." not in head:
        raise ProtocolError(f"bad version range {text!r}")
    low, high = head[1:].split("..", 1)
    return int(low), int(high)
