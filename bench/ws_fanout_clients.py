"""The readers of bench/ws_fanout.py: many WebSocket clients in one asyncio process.

stdin: a first line of JSON `{"base": "ws://host:port", "paths": [...]}` (one socket per path), then
commands: `mark` (forget what was read so far), `report` (print what was read since the mark).
stdout: `BENCH ready OPEN`, then one `BENCH report {json}` per `report`: quote frames read, their
event-to-socket latencies in ms (receive wall clock minus the frame's `ts`, both taken on this
machine's clock), and how many sockets are open and were closed by the server.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ws_fanout_servers import raise_file_limit, say, stdin_lines  # noqa: E402

CONNECT_AT_ONCE = 50
_TS = '"ts":"'
_QUOTE = '"type":"quote"'


class Readings:
    """What the readers saw since the last mark."""

    def __init__(self) -> None:
        self.latencies_ms: list[float] = []
        self.open = 0
        self.closed_by_server: dict[int, int] = {}

    def mark(self) -> None:
        """Start a new step."""
        self.latencies_ms = []


async def read(url: str, readings: Readings, gate: asyncio.Semaphore) -> None:
    """Hold one socket open and time every quote frame on it."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    async with gate:
        ws = await connect(url, open_timeout=60, max_size=2**20, ping_interval=None)
    readings.open += 1
    try:
        async for message in ws:
            now = time.time()
            assert isinstance(message, str)
            if _QUOTE not in message:
                continue  # hello and heartbeats
            start = message.index(_TS) + len(_TS)
            sent = datetime.fromisoformat(message[start : message.index('"', start)]).timestamp()
            readings.latencies_ms.append((now - sent) * 1000)
    except ConnectionClosed:
        pass
    finally:
        readings.open -= 1
        code = ws.close_code or 0
        readings.closed_by_server[code] = readings.closed_by_server.get(code, 0) + 1


async def main() -> None:
    """Open every socket, then answer mark/report until stdin closes."""
    raise_file_limit()
    lines = await stdin_lines()
    spec = json.loads(await lines.readline())
    readings = Readings()
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    tasks = [asyncio.create_task(read(spec["base"] + path, readings, gate)) for path in spec["paths"]]
    while readings.open < len(tasks):
        failed = [t for t in tasks if t.done() and t.exception() is not None]
        if failed:
            raise RuntimeError(f"{len(failed)} sockets failed to open") from failed[0].exception()
        await asyncio.sleep(0.05)
    say(f"ready {readings.open}")
    while command := (await lines.readline()).decode().strip():
        if command == "mark":
            readings.mark()
        elif command == "report":
            body = {
                "latencies_ms": [round(v, 3) for v in readings.latencies_ms],
                "open": readings.open,
                "closed": readings.closed_by_server,
            }
            say("report " + json.dumps(body))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
