"""The two servers of bench/ws_fanout.py, each in its own process, driven over stdin/stdout.

`ours`: the Greekdesk app (create_app, its lifespan, `WS /clients/{id}/stream?token=`) under uvicorn
in this process, on SQLite with the in-process bus, or the Redis bus when `--redis-url` is given.
`peer`: a plain `websockets` server whose publisher calls `websockets.broadcast()` on the sockets of
each topic. Both publish the same events in-process (the frame carries its send time in `ts`).

Protocol: the server prints `BENCH ready {json}` once listening (the JSON lists one stream path per
socket to open); then for each stdin line `run EVENTS_PER_S SECONDS` it publishes at that rate,
round-robin over the topics, waits until its bus has handed everything on, and prints `BENCH done N`.
Lines on stdout that do not start with `BENCH ` are not part of the protocol.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the peer's process imports nothing of ours
    from backend.realtime.schemas import QuoteData

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Padding that brings both servers' quote frames to FRAME_BYTES (our envelope, seq 1).
FRAME_BYTES = 300
_SYMBOL = "SPY"


def raise_file_limit() -> None:
    """Allow as many open sockets as the hard limit permits (1,000 streams need more than 1,024 fds)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def say(line: str) -> None:
    """Write one protocol line."""
    sys.stdout.write(f"BENCH {line}\n")
    sys.stdout.flush()


async def stdin_lines() -> asyncio.StreamReader:
    """Return an asyncio reader of this process's stdin."""
    reader = asyncio.StreamReader(limit=2**24)  # the readers' first line lists every socket
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def publish_at(rate: float, seconds: float, publish: Callable[[int], None]) -> int:
    """Call `publish(i)` `rate` times a second for `seconds`, in 5 ms slices; return the count."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = 0
    while (elapsed := loop.time() - start) < seconds:
        due = int(elapsed * rate) - sent
        for i in range(sent, sent + due):
            publish(i)
        sent += due
        await asyncio.sleep(0.005)
    return sent


async def control(run: Callable[[float, float], Awaitable[int]]) -> None:
    """Serve `run EVENTS_PER_S SECONDS` commands from stdin until it closes."""
    reader = await stdin_lines()
    while line := (await reader.readline()).decode().split():
        if line[0] == "run":
            count = await run(float(line[1]), float(line[2]))
            say(f"done {count}")


# ---- ours -------------------------------------------------------------------------------------------


def _instrument_key() -> str:
    # Sized once so that our first frame is FRAME_BYTES long (seq grows by a few digits later).
    from backend.realtime.bus import outgoing, with_seq

    base = "SPY   261218C00600000"
    probe = outgoing(uuid.uuid4(), _quote(base, datetime.now(UTC)))
    return base + "X" * max(0, FRAME_BYTES - len(with_seq(1, probe.body())))


def _quote(instrument_key: str, now: datetime) -> QuoteData:
    from backend.realtime.schemas import QuoteData

    return QuoteData(
        instrument_key=instrument_key,
        symbol=_SYMBOL,
        bid=Decimal("12.35"),
        ask=Decimal("12.45"),
        last=Decimal("12.40"),
        underlying_price=Decimal("600.12"),
        data_source="simulator",
        quoted_at=now,
    )


async def _seed(container: object, clients: int) -> list[tuple[uuid.UUID, str]]:
    from backend.audit.service import Actor, open_cross_tenant
    from backend.clients import service as client_service
    from backend.kit.container import Container
    from backend.kit.db import NO_TENANT, scoped_session
    from backend.models.user import ROLE_CLIENT

    assert isinstance(container, Container)
    out = []
    for i in range(clients):
        async with scoped_session(container.sessions, NO_TENANT) as session:
            await open_cross_tenant(session, actor=Actor.system("bench"), reason="ws_fanout seed")
            created = await client_service.create_client(
                session,
                name=f"Fanout {i}",
                email=f"fanout-{uuid.uuid4().hex[:10]}@example.com",
                password="bench-password-" + uuid.uuid4().hex,
                passwords=container.passwords,
                actor=Actor.system("bench"),
                with_simulator=False,
            )
        token = container.tokens.issue_access(
            created.user.id, ROLE_CLIENT, created.client.id, session_id=uuid.uuid4()
        )
        out.append((created.client.id, token))
    return out


async def serve_ours(clients: int, sockets_per_client: int, redis_url: str | None) -> None:
    """Serve the Greekdesk app and publish quotes through `container.events.publish`."""
    import uvicorn

    from backend.cli import SERVER_OPTIONS
    from backend.config import Settings
    from backend.main import create_app

    data_dir = tempfile.mkdtemp(prefix="greekdesk-fanout-")
    settings = Settings(
        _env_file=None,
        app_env="development",
        data_dir=Path(data_dir),
        auto_create_tables=True,
        redis_url=redis_url,
        agent_enabled=False,
        log_level="WARNING",
        access_token_ttl_seconds=3600,
        password_hash_time_cost=2,
        password_hash_memory_kib=19 * 1024,
    )
    app = create_app(settings)
    container = app.state.container
    server = uvicorn.Server(
        # As `greekdesk run` serves: the same websocket protocol, no per-message deflate.
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False, **SERVER_OPTIONS)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    seeded = await _seed(container, clients)
    paths = [
        f"/clients/{cid}/stream?token={token}" for cid, token in seeded for _ in range(sockets_per_client)
    ]
    say("ready " + json.dumps({"port": port, "paths": paths}))
    key = _instrument_key()
    bus = container.events

    async def run(rate: float, seconds: float) -> int:
        def publish(i: int) -> None:
            bus.publish(seeded[i % len(seeded)][0], _quote(key, datetime.now(UTC)))

        count = await publish_at(rate, seconds, publish)
        await bus.flush()
        return count

    try:
        await control(run)
    finally:
        server.should_exit = True
        await task


# ---- peer -------------------------------------------------------------------------------------------


def _peer_frame(seq: int, topic: str, now: datetime, key: str) -> str:
    return json.dumps(
        {
            "seq": seq,
            "type": "quote",
            "ts": now.isoformat(),
            "client_id": topic,
            "data": {
                "instrument_key": key,
                "symbol": _SYMBOL,
                "bid": "12.35",
                "ask": "12.45",
                "last": "12.40",
                "underlying_price": "600.12",
                "data_source": "simulator",
                "quoted_at": now.isoformat(),
            },
        },
        separators=(",", ":"),
    )


async def serve_peer(clients: int, sockets_per_client: int) -> None:
    """Serve plain `websockets` and publish with `broadcast()` to each topic's sockets."""
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    topics = [str(uuid.uuid4()) for _ in range(clients)]
    groups: dict[str, set[ServerConnection]] = {topic: set() for topic in topics}
    seqs = dict.fromkeys(topics, 0)

    async def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        topic = ws.request.path.split("/")[2]
        groups[topic].add(ws)
        try:
            await ws.wait_closed()
        finally:
            groups[topic].discard(ws)

    key = "SPY   261218C00600000"
    key += "X" * max(0, FRAME_BYTES - len(_peer_frame(1, topics[0], datetime.now(UTC), key)))
    # Uncompressed like ours (websockets compresses by default): the same bytes on the wire.
    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        paths = [f"/clients/{topic}/stream" for topic in topics for _ in range(sockets_per_client)]
        say("ready " + json.dumps({"port": port, "paths": paths}))

        async def run(rate: float, seconds: float) -> int:
            def publish(i: int) -> None:
                topic = topics[i % len(topics)]
                seqs[topic] += 1
                broadcast(groups[topic], _peer_frame(seqs[topic], topic, datetime.now(UTC), key))

            return await publish_at(rate, seconds, publish)

        await control(run)


def main() -> None:
    """Run the server named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("server", choices=["ours", "peer"])
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--sockets-per-client", type=int, required=True)
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    raise_file_limit()
    if args.server == "ours":
        coroutine = serve_ours(args.clients, args.sockets_per_client, args.redis_url)
    else:
        coroutine = serve_peer(args.clients, args.sockets_per_client)
    try:
        import uvloop
    except ImportError:
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)


if __name__ == "__main__":
    main()
