"""The client half of Redis's wire protocol as a stand-in server reads it."""

from __future__ import annotations

import asyncio


async def read_command(reader: asyncio.StreamReader) -> list[bytes]:
    """Read one RESP command (an array of bulk strings) as a client sends it."""
    count = int((await reader.readuntil(b"\r\n"))[1:-2])
    parts = []
    for _ in range(count):
        size = int((await reader.readuntil(b"\r\n"))[1:-2])
        parts.append((await reader.readexactly(size + 2))[:-2])
    return parts
