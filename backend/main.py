"""create_app(): routers, middleware and lifespan; no logic. `uvicorn backend.main:app` serves it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from backend.admin.client_endpoints import router as admin_client_router
from backend.admin.endpoints import router as admin_router
from backend.agent.chat.endpoints import router as chat_router
from backend.agent.endpoints import router as agent_router
from backend.audit.endpoints import router as audit_router
from backend.auth.endpoints import router as auth_router
from backend.broker_accounts.endpoints import router as broker_router
from backend.brokers.simulator.clock import Clock
from backend.config import Settings, load_settings
from backend.domain.option_math import active_kernel
from backend.execution.endpoints import router as execution_router
from backend.health.endpoints import router as health_router
from backend.health.metrics_endpoint import router as metrics_router
from backend.kit.container import Container
from backend.kit.errors import install_error_handlers
from backend.kit.heap import collect_less_often, freeze_startup_heap
from backend.kit.lifecycle import prepare_database
from backend.kit.logging import configure_logging
from backend.kit.metrics_middleware import MetricsMiddleware
from backend.kit.openapi import install_openapi
from backend.kit.request_context import REQUEST_ID_HEADER, RequestContextMiddleware
from backend.market.calculator_endpoints import router as calculator_router
from backend.market.endpoints import router as market_router
from backend.pnl.endpoints import router as pnl_router
from backend.positions.endpoints import router as positions_router
from backend.realtime.endpoints import router as realtime_router
from backend.risk.usage_endpoints import router as risk_usage_router
from backend.trades.endpoints import router as trades_router
from backend.trading.endpoints import router as trading_router
from backend.web.static import FRONTEND_DIST, mount_frontend


def create_app(
    settings: Settings | None = None, *, configure_logs: bool = True, clock: Clock | None = None
) -> FastAPI:
    """Build the API application from settings (the environment's when not given)."""
    settings = settings or load_settings()
    if configure_logs:
        configure_logging(settings.log_level, json_lines=settings.log_json)
    container = Container.build(settings, clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await prepare_database(container)
        # The compiled option maths loads in about a second (its first compilation takes about 15):
        # in a thread before serving, not on the event loop at the first quote or chain.
        await asyncio.to_thread(active_kernel)
        if settings.process_role != "api":
            # Broker sessions, order sync and quotes run where clients are held (never in an API process).
            container.brokers.start()
            container.order_sync.start()
            container.quotes.start()
        if settings.process_role == "all":
            container.agent.start()  # a worker opens only the sessions of the clients it leases
        if container.role is not None:
            container.role.start()
        freeze_startup_heap()
        collect_less_often()
        try:
            yield
        finally:
            await container.close()

    app = FastAPI(
        title="Greekdesk",
        version="0.1.0",
        summary="An options-trading agent for each client, on the client's own broker account.",
        lifespan=lifespan,
    )
    app.state.container = container
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        expose_headers=[REQUEST_ID_HEADER, "Retry-After"],
    )
    app.add_middleware(RequestContextMiddleware)
    # Outermost, so the latency it records includes every other middleware.
    app.add_middleware(MetricsMiddleware)
    for router in (
        health_router,
        metrics_router,
        auth_router,
        positions_router,
        risk_usage_router,
        pnl_router,
        trades_router,
        execution_router,
        broker_router,
        market_router,
        calculator_router,
        admin_router,
        admin_client_router,
        trading_router,
        audit_router,
        realtime_router,
        agent_router,
        chat_router,
    ):
        # A worker serves only its health and metrics; the API lives in API processes.
        if settings.process_role != "worker" or router in (health_router, metrics_router):
            app.include_router(router)
    if settings.process_role != "worker":
        mount_frontend(app, FRONTEND_DIST)
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn backend.main:app` (the seed's runbook) builds the app on first access, so importing
    # this module for create_app() never needs a configured environment.
    if name == "app":
        application = create_app()
        globals()["app"] = application
        return application
    raise AttributeError(name)
