"""GET /clients/{client_id}/risk/usage: how close the client is to each of its limits."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.dependencies import ClientDep
from backend.kit.deps import ContainerDep
from backend.risk.usage import limits_usage
from backend.risk.usage_schemas import RiskUsageRead

router = APIRouter(prefix="/clients/{client_id}/risk", tags=["risk"])


@router.get("/usage", response_model=RiskUsageRead)
async def risk_usage(caller: ClientDep, container: ContainerDep) -> RiskUsageRead:
    """Show each risk limit with its current usage (broker-derived usage is null while the broker is down)."""
    return await limits_usage(caller.session, container, caller.client_id)
