"""GET /health (liveness) and GET /health/ready (readiness)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from backend.health.service import readiness
from backend.kit.deps import ContainerDep
from backend.kit.errors import ServiceUnavailable

router = APIRouter(prefix="/health", tags=["health"])


@router.get("")
async def health() -> dict[str, str]:
    """Answer while the process is alive."""
    return {"status": "ok"}


@router.get("/ready")
async def ready(container: ContainerDep) -> dict[str, Any]:
    """Answer 200 when every dependency answers, else 503 naming the failing components."""
    components = await readiness(container)
    body = {name: asdict(status) for name, status in components.items()}
    failing = sorted(name for name, status in components.items() if not status.ok)
    if failing:
        raise ServiceUnavailable(
            f"Not ready: {', '.join(failing)} unavailable",
            code="not_ready",
            details={"failing": failing, "components": body},
        )
    return {"status": "ready", "components": body}
