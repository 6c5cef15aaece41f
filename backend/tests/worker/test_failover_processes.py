"""Two API processes, two workers, one PostgreSQL and Redis: kill -9 a worker and nothing is lost.

Real `greekdesk api` / `greekdesk worker` processes on free ports. Trades are placed through API
#1; a worker is killed; its clients must move to the other worker within the lease time (plus one
renewal round), every order must exist exactly once at the simulator and in our rows, and sockets
on both API processes must keep receiving their clients' events.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from backend.audit.service import Actor, open_cross_tenant
from backend.clients import service as clients
from backend.config import Settings
from backend.kit import migrations
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, scoped_session
from backend.tests.cli.test_cli import REPO_ROOT, _free_port
from backend.tests.conftest import (
    TEST_PASSWORD,
    MigratedDatabase,
    create_postgres_database,
    drop_postgres_database,
    key_ring,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
TTL = 3.0
CLIENTS = 4
ORIGIN = "http://localhost:5173"


@dataclass
class Cluster:
    """The processes and what the test needs to reach them."""

    db: MigratedDatabase
    apis: list[str]
    workers: dict[str, subprocess.Popen[bytes]]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _settings(db: MigratedDatabase, data_dir: Path, jwt: str, keys: str) -> dict[str, str]:
    return {
        "APP_ENV": "test",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": db.app_url,
        "MIGRATION_DATABASE_URL": db.owner_url,
        "DB_APP_ROLE": db.app_role,
        "REDIS_URL": os.environ["TEST_REDIS_URL"],
        "JWT_SECRET": jwt,
        "CREDENTIAL_KEYS": keys,
        "PASSWORD_HASH_TIME_COST": "2",
        "PASSWORD_HASH_MEMORY_KIB": "19456",
        "PASSWORD_HASH_PARALLELISM": "1",
        "SIMULATOR_ALWAYS_OPEN": "true",
        "AGENT_ENABLED": "false",
        "LEASE_TTL_SECONDS": str(TTL),
        "REMOTE_CALL_TIMEOUT_SECONDS": "3",
        "CORS_ORIGINS": ORIGIN,
        "LOG_LEVEL": "WARNING",
    }


def _spawn(command: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "backend.cli", command, "--port", str(port)],
        env=env,
        cwd=log.parent,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def _wait_ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{base} exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{base} never became ready:\n{log.read_text()[-3000:]}")


async def _create_clients(settings: Settings) -> list[tuple[uuid.UUID, str]]:
    container = Container.build(settings)
    created = []
    try:
        for index in range(CLIENTS):
            email = f"failover-{index}-{uuid.uuid4().hex[:6]}@example.com"
            async with scoped_session(container.sessions, NO_TENANT) as db:
                await open_cross_tenant(db, actor=Actor.system("tests"), reason="test factory")
                made = await clients.create_client(
                    db,
                    name=f"Failover {index}",
                    email=email,
                    password=TEST_PASSWORD,
                    passwords=container.passwords,
                    actor=Actor.system("tests"),
                )
            created.append((made.client.id, email))
    finally:
        await container.close()
    return created


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[Cluster, list[tuple[uuid.UUID, str]]]]:
    name = f"greekdesk_failover_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    db = create_postgres_database(name)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        migrations.upgrade(db.owner_url, app_role=db.app_role)
        jwt, keys = secrets.token_urlsafe(48), key_ring(1)
        values = _settings(db, tmp_path / "data", jwt, keys)
        settings = Settings.model_validate({k.lower(): v for k, v in values.items()})
        created = asyncio.run(_create_clients(settings))
        env = {k: v for k, v in os.environ.items() if k not in values} | values
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        started: list[tuple[str, subprocess.Popen[bytes], Path]] = []
        workers: dict[str, subprocess.Popen[bytes]] = {}
        apis: list[str] = []
        for worker_id in ("w1", "w2"):
            port, log = _free_port(), tmp_path / f"{worker_id}.log"
            process = _spawn("worker", port, env | {"WORKER_ID": worker_id}, log)
            workers[worker_id] = process
            started.append((f"http://127.0.0.1:{port}", process, log))
        for index in (1, 2):
            port, log = _free_port(), tmp_path / f"api{index}.log"
            process = _spawn("api", port, env, log)
            apis.append(f"http://127.0.0.1:{port}")
            started.append((apis[-1], process, log))
        processes = [process for _, process, _ in started]
        for base, process, log in started:
            _wait_ready(base, process, log)
        yield Cluster(db, apis, workers, processes), created
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)
        drop_postgres_database(name)


async def _leases(db: MigratedDatabase) -> dict[uuid.UUID, tuple[str, int]]:
    conn = await asyncpg.connect(_dsn(db.owner_url))
    try:
        rows = await conn.fetch("SELECT client_id, holder, token FROM client_lease WHERE expires_at > now()")
    finally:
        await conn.close()
    return {row["client_id"]: (row["holder"], row["token"]) for row in rows}


async def _until_leased(db: MigratedDatabase, done: Any, within: float) -> dict[uuid.UUID, tuple[str, int]]:
    deadline = time.monotonic() + within
    while True:
        leases = await _leases(db)
        if done(leases):
            return leases
        if time.monotonic() > deadline:
            pytest.fail(f"leases never settled: {leases}")
        await asyncio.sleep(0.1)


async def _trade(api: httpx.AsyncClient, client_id: uuid.UUID, headers: dict[str, str]) -> dict[str, Any]:
    """Buy one SPY at a marketable price through the API, retrying while the client changes hands."""
    for _ in range(40):
        quote = await api.get(f"/clients/{client_id}/market/quote?symbols=SPY", headers=headers)
        if quote.status_code == 200:
            ask = Decimal(quote.json()["quotes"][0]["ask"])
            ticket = {
                "legs": [{"sec_type": "stock", "symbol": "SPY", "side": "buy"}],
                "quantity": 1,
                "order_type": "limit",
                "limit_price": str(ask + 1),
            }
            response = await api.post(f"/clients/{client_id}/trades", headers=headers, json=ticket)
            if response.status_code == 201:
                body: dict[str, Any] = response.json()
                return body
            assert response.status_code in (502, 503, 504), response.text
        else:
            assert quote.status_code in (502, 503, 504), quote.text
        await asyncio.sleep(0.25)
    pytest.fail(f"no trade could be placed for {client_id}")


async def _read(socket: ClientConnection, into: list[dict[str, Any]]) -> None:
    async for raw in socket:
        message = json.loads(raw)
        if message.get("type") != "heartbeat":
            into.append(message)


async def _until(check: Any, within: float) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            pytest.fail("events never arrived")
        await asyncio.sleep(0.05)


async def _books(db: MigratedDatabase) -> tuple[dict[str, str], list[str]]:
    conn = await asyncpg.connect(_dsn(db.owner_url))
    try:
        await conn.execute("SET app.cross_tenant = 'on'")
        orders = {r["client_order_id"]: r["status"] for r in await conn.fetch("SELECT * FROM broker_order")}
        at_simulator = []
        for row in await conn.fetch("SELECT snapshot FROM simulator_account"):
            snapshot = json.loads(row["snapshot"]) if isinstance(row["snapshot"], str) else row["snapshot"]
            at_simulator += [o["request"]["client_order_id"] for o in snapshot["orders"]]
    finally:
        await conn.close()
    return orders, at_simulator


async def test_killing_a_worker_moves_its_clients_and_loses_or_duplicates_no_order(
    cluster: tuple[Cluster, list[tuple[uuid.UUID, str]]],
) -> None:
    setup, created = cluster
    ids = {client_id for client_id, _ in created}
    # Both workers share the clients.
    leases = await _until_leased(
        setup.db,
        lambda ls: ids <= set(ls) and {ls[c][0] for c in ids} == {"w1", "w2"},
        within=20,
    )
    events: dict[tuple[int, uuid.UUID], list[dict[str, Any]]] = {}
    readers: list[asyncio.Task[None]] = []
    sockets: list[ClientConnection] = []
    async with httpx.AsyncClient(base_url=setup.apis[0], timeout=15) as api:
        headers: dict[uuid.UUID, dict[str, str]] = {}
        for client_id, email in created:
            tokens = (
                await api.post("/auth/login", json={"username": email, "password": TEST_PASSWORD})
            ).json()
            headers[client_id] = {"Authorization": f"Bearer {tokens['access_token']}"}
            for index, base in enumerate(setup.apis):
                url = (
                    f"{base.replace('http', 'ws')}/clients/{client_id}/stream?token={tokens['access_token']}"
                )
                socket = await connect(url, origin=ORIGIN, open_timeout=5)  # type: ignore[arg-type]
                sockets.append(socket)
                events[(index, client_id)] = []
                readers.append(asyncio.create_task(_read(socket, events[(index, client_id)])))
        try:
            placed = [await _trade(api, c, headers[c]) for c in ids for _ in range(2)]
            assert all(t["status"] == "filled" for t in placed), [
                (t["status"], t["denial_reasons"]) for t in placed
            ]
            await asyncio.sleep(0.5)  # the fills' events reach the workers' books and saves

            victim = leases[next(iter(ids))][0]
            survivor = "w2" if victim == "w1" else "w1"
            moved = {c for c in ids if leases[c][0] == victim}
            setup.workers[victim].send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            after = await _until_leased(
                setup.db, lambda ls: ids <= set(ls) and all(ls[c][0] == survivor for c in ids), within=TTL * 3
            )
            took = time.monotonic() - killed_at
            assert took <= TTL + TTL / 3 + 1.0, f"takeover took {took:.1f}s"
            assert all(after[c][1] > leases[c][1] for c in moved), "a takeover must raise the fencing token"

            for stream in events.values():
                stream.clear()
            placed += [await _trade(api, c, headers[c]) for c in ids]
            # Every socket, on both API processes, hears of its client's new trade.
            await _until(
                lambda: all(
                    any(e["type"] in ("order.updated", "trade.updated") for e in stream)
                    for stream in events.values()
                ),
                within=15,
            )
        finally:
            for task in readers:
                task.cancel()
            for socket in sockets:
                await socket.close()

    # A graceful stop saves the surviving worker's simulated accounts.
    setup.workers[survivor].send_signal(signal.SIGTERM)
    setup.workers[survivor].wait(timeout=30)
    ours, theirs = await _books(setup.db)
    assert len(theirs) == len(set(theirs)), "an order reached the simulator twice"
    sent = {coid for coid, status in ours.items() if status != "rejected"}
    assert set(theirs) == sent, f"simulator {sorted(theirs)} vs ours {sorted(ours.items())}"
    assert {t["orders"][0]["client_order_id"] for t in placed if t["status"] == "filled"} <= set(theirs)
