"""``greekdesk dev fake-poems``: run the POEMS stand-in on a loopback port."""

from __future__ import annotations

import argparse

import uvicorn

from backend.brokers.phillip.fake_poems.app import ROOT, create_app
from backend.brokers.phillip.fake_poems.state import FakePoems, FakePoemsConfig


def main(argv: list[str] | None = None) -> int:
    """Run the stand-in until interrupted; print the settings a client needs to reach it."""
    parser = argparse.ArgumentParser(prog="greekdesk dev fake-poems", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (loopback by default)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7, help="seed of the simulated price paths")
    parser.add_argument("--user", action="append", dest="users", help="stand-in POEMS user (repeatable)")
    parser.add_argument(
        "--redirect-uri", action="append", dest="redirect_uris", help="registered redirect URI"
    )
    parser.add_argument(
        "--market-hours", action="store_true", help="trade only in SGX hours (default: always open)"
    )
    args = parser.parse_args(argv)
    defaults = FakePoemsConfig()
    config = FakePoemsConfig(
        users=tuple(args.users or defaults.users),
        redirect_uris=tuple(args.redirect_uris or defaults.redirect_uris),
        seed=args.seed,
        always_open=not args.market_hours,
    )
    base_url = f"http://{args.host}:{args.port}{ROOT}"
    print(f"POEMS stand-in at {base_url}")
    print(f"  client_id={config.client_id} client_secret={config.client_secret} api_key={config.api_key}")
    print(f"  users={', '.join(config.users)} redirect_uris={', '.join(config.redirect_uris)}")
    uvicorn.run(
        create_app(FakePoems(config), tick_interval=1.0), host=args.host, port=args.port, log_level="info"
    )
    return 0
