"""The `greekdesk` command: run the embedded product, migrate, create clients and operators, rotate keys."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select

from backend.audit.service import Actor, open_cross_tenant, verify_chains
from backend.clients import service as clients
from backend.config import ConfigurationError, Settings, load_settings
from backend.credentials.service import rotate_all
from backend.kit import migrations
from backend.kit.container import Container
from backend.kit.db import NO_TENANT, scoped_session
from backend.kit.errors import AppError
from backend.models import User

T = TypeVar("T")
CREDENTIALS_FILE = "first-run-credentials.txt"
DEMO_OPERATOR = "operator@example.com"
DEMO_CLIENT = "demo@example.com"
CLI_ACTOR = Actor.system("cli")


def _with_container(settings: Settings, work: Callable[[Container], Awaitable[T]]) -> T:
    async def runner() -> T:
        container = Container.build(settings)
        try:
            return await work(container)
        finally:
            await container.close()

    return asyncio.run(runner())


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    """Migrate the database to the newest revision."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrations.upgrade(settings.resolved_migration_url, app_role=settings.db_app_role)
    print("database migrated to head")
    return 0


def cmd_create_client(settings: Settings, args: argparse.Namespace) -> int:
    """Create a client and its first user; print the client id."""

    async def work(container: Container) -> str:
        async with scoped_session(container.sessions, NO_TENANT) as session:
            await open_cross_tenant(session, actor=CLI_ACTOR, reason="create-client")
            created = await clients.create_client(
                session,
                name=args.name,
                email=args.email,
                password=args.password,
                passwords=container.passwords,
                actor=CLI_ACTOR,
            )
            return str(created.client.id)

    print(_with_container(settings, work))
    return 0


def cmd_create_operator(settings: Settings, args: argparse.Namespace) -> int:
    """Create an operator; print the user id."""

    async def work(container: Container) -> str:
        async with scoped_session(container.sessions, NO_TENANT) as session:
            await open_cross_tenant(session, actor=CLI_ACTOR, reason="create-operator")
            user = await clients.create_operator(
                session,
                email=args.email,
                password=args.password,
                passwords=container.passwords,
                actor=CLI_ACTOR,
            )
            return str(user.id)

    print(_with_container(settings, work))
    return 0


def cmd_rotate_keys(settings: Settings, _args: argparse.Namespace) -> int:
    """Re-encrypt every stored credential under the newest key."""

    async def work(container: Container) -> str:
        async with scoped_session(container.sessions, NO_TENANT) as session:
            report = await rotate_all(session, container.cipher, CLI_ACTOR)
        return (
            f"rotated {report.rotated} of {report.examined} credentials to key version {report.key_version}"
        )

    print(_with_container(settings, work))
    return 0


def cmd_audit_verify(settings: Settings, _args: argparse.Namespace) -> int:
    """Verify every audit hash chain; exit non-zero naming the first bad record."""

    async def work(container: Container) -> int:
        async with scoped_session(container.sessions, NO_TENANT) as session:
            await open_cross_tenant(session, actor=CLI_ACTOR, reason="audit-verify")
            breaks = await verify_chains(session)
        for item in breaks:
            print(
                f"chain {item.chain}: record {item.record_id} (seq {item.seq}): {item.problem}",
                file=sys.stderr,
            )
        if not breaks:
            print("audit chains verify")
        return 1 if breaks else 0

    return _with_container(settings, work)


def _first_run(settings: Settings) -> None:
    """On the first start, create a demo operator and client with generated passwords, shown once."""

    async def work(container: Container) -> list[tuple[str, str, str]]:
        async with scoped_session(container.sessions, NO_TENANT) as session:
            await open_cross_tenant(session, actor=CLI_ACTOR, reason="first-run check")
            if (await session.execute(select(func.count()).select_from(User))).scalar_one() > 0:
                return []
            operator_password, client_password = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
            await clients.create_operator(
                session,
                email=DEMO_OPERATOR,
                password=operator_password,
                passwords=container.passwords,
                actor=CLI_ACTOR,
            )
            await clients.create_client(
                session,
                name="Demo client",
                email=DEMO_CLIENT,
                password=client_password,
                passwords=container.passwords,
                actor=CLI_ACTOR,
            )
            return [("operator", DEMO_OPERATOR, operator_password), ("client", DEMO_CLIENT, client_password)]

    created = _with_container(settings, work)
    if not created:
        return
    path = settings.data_dir / CREDENTIALS_FILE
    lines = [f"{role}: username={email} password={password}" for role, email, password in created]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    print("First start: demo accounts created (shown once, also saved to " + str(path) + "):")
    for line in lines:
        print("  " + line)


# Our logging config, not uvicorn's; client addresses from the proxy. No per-message deflate on
# streams: their frames are small JSON, and compressing each socket's copy of every event was most
# of the fan-out's CPU (bench/ws_fanout.py). Streams write their frames straight to the socket
# through uvicorn's sans-I/O websocket protocol (backend/realtime/frame_writer.py).
SERVER_OPTIONS: dict[str, Any] = {
    "log_config": None,
    "proxy_headers": True,
    "ws": "backend.realtime.frame_writer:DirectWriteProtocol",
    "ws_per_message_deflate": False,
}


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Migrate, create the demo accounts on first start, and serve the embedded product."""
    import uvicorn

    from backend.main import create_app

    cmd_migrate(settings, args)
    _first_run(settings)
    print(f"Greekdesk is serving on http://{args.host}:{args.port}  (API docs at /docs)", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, **SERVER_OPTIONS)
    return 0


def _serve_role(settings: Settings, args: argparse.Namespace, role: str, what: str) -> int:
    import uvicorn

    from backend.main import create_app

    # Migrations run once per release (`greekdesk migrate`), not in each of many processes.
    role_settings = Settings(**{**settings.model_dump(), "process_role": role})
    print(f"Greekdesk {what} on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(create_app(role_settings), host=args.host, port=args.port, **SERVER_OPTIONS)
    return 0


def cmd_api(settings: Settings, args: argparse.Namespace) -> int:
    """Serve the HTTP API and streams only; broker calls go to the workers that hold the clients."""
    return _serve_role(settings, args, "api", "API process serving")


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    """Lease clients and run their broker sessions, order sync and agents; serve health and metrics."""
    return _serve_role(settings, args, "worker", "worker: health and metrics")


def cmd_openapi(settings: Settings, args: argparse.Namespace) -> int:
    """Print the OpenAPI document (the UI's generated client is built from it)."""
    from backend.main import create_app

    document = create_app(settings, configure_logs=False).openapi()
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _fake_tws(argv: list[str]) -> int:
    from backend.brokers.ibkr.fake_gateway import main as fake_tws

    return fake_tws(argv)


def _fake_poems(argv: list[str]) -> int:
    from backend.brokers.phillip.fake_poems import main as fake_poems

    return fake_poems(argv)


DEV_TOOLS: dict[str, Callable[[list[str]], int]] = {"fake-tws": _fake_tws, "fake-poems": _fake_poems}


def cmd_dev(_settings: Settings, args: argparse.Namespace) -> int:
    """Run a broker stand-in (its own arguments follow its name)."""
    return DEV_TOOLS[args.tool](list(args.rest))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="greekdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the embedded product (API, UI, agent, simulator)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.set_defaults(handler=cmd_run)
    api = sub.add_parser("api", help="serve the API only (production; needs REDIS_URL and workers)")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    api.set_defaults(handler=cmd_api)
    worker = sub.add_parser("worker", help="lease clients and run their brokers and agents (production)")
    worker.add_argument("--host", default="127.0.0.1")
    worker.add_argument("--port", type=int, default=8001, help="health and metrics port")
    worker.set_defaults(handler=cmd_worker)
    sub.add_parser("migrate", help="migrate the database to head").set_defaults(handler=cmd_migrate)
    create_client = sub.add_parser("create-client", help="create a client and its first user")
    create_client.add_argument("name")
    create_client.add_argument("--email", required=True)
    create_client.add_argument("--password", required=True)
    create_client.set_defaults(handler=cmd_create_client)
    create_operator = sub.add_parser("create-operator", help="create an operator")
    create_operator.add_argument("--email", required=True)
    create_operator.add_argument("--password", required=True)
    create_operator.set_defaults(handler=cmd_create_operator)
    sub.add_parser("rotate-keys", help="re-encrypt credentials under the newest key").set_defaults(
        handler=cmd_rotate_keys
    )
    sub.add_parser("audit-verify", help="verify the audit hash chains").set_defaults(handler=cmd_audit_verify)
    dev = sub.add_parser("dev", help="local stand-ins of the brokers, for development and tests")
    dev.add_argument("tool", choices=sorted(DEV_TOOLS), help="which stand-in to run")
    dev.add_argument(
        "rest", nargs=argparse.REMAINDER, help="its own options (see: greekdesk dev TOOL --help)"
    )
    dev.set_defaults(handler=cmd_dev)
    openapi = sub.add_parser("openapi", help="print the OpenAPI document")
    openapi.add_argument("--output", help="write to this file instead of standard output")
    openapi.set_defaults(handler=cmd_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `greekdesk` console script."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        settings.check_secrets()
        code: int = args.handler(settings, args)
        return code
    except (ConfigurationError, ValueError) as exc:
        print(f"greekdesk: configuration error: {exc}", file=sys.stderr)
        return 2
    except AppError as exc:
        print(f"greekdesk: {exc.code}: {exc.message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
