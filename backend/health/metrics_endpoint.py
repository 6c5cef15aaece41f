"""GET /metrics: this process's Prometheus metrics, behind a bearer token when METRICS_TOKEN is set.

Without METRICS_TOKEN the endpoint is open, as Prometheus targets usually are: production keeps it
reachable only from the monitoring network (see docs). The figures hold no tenant data either way.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

from backend.kit.deps import ContainerDep
from backend.kit.errors import Unauthorized
from backend.kit.metrics import BrokerSessionsCollector, ScrapeSet

router = APIRouter(tags=["health"])
_BEARER = {"WWW-Authenticate": "Bearer"}


def _check_token(request: Request, expected: str) -> None:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Unauthorized(
            "A valid metrics bearer token is required", code="metrics_token_required", headers=_BEARER
        )


# Not in the OpenAPI schema: it is for the monitoring system, not for the UI's generated client.
@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, container: ContainerDep) -> Response:
    """Expose request latency, orders, gate denials, broker sessions and the process's resources."""
    token = container.settings.metrics_token
    if token is not None:
        _check_token(request, token.get_secret_value())
    body = generate_latest(ScrapeSet(BrokerSessionsCollector(container.brokers.registry)))
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)
