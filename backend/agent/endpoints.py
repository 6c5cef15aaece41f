"""The agent: parameters, mode, pause, status, and a scan on demand."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter

from backend.agent import settings_service
from backend.agent.parameters import RANGES, RiskProfile
from backend.agent.runtime import TickReport
from backend.agent.schemas import (
    AgentParametersRead,
    AgentParametersUpdate,
    AgentParametersVersionRead,
    AgentStatusRead,
    FieldRange,
    ModeUpdate,
    PauseUpdate,
    ScanResult,
)
from backend.agent.status import agent_status
from backend.auth.dependencies import ClientDep
from backend.kit.deps import ContainerDep
from backend.kit.errors import Conflict
from backend.models import AgentSettings

router = APIRouter(prefix="/clients/{client_id}/agent", tags=["agent"])
_RANGES = {path: FieldRange(**bounds) for path, bounds in RANGES.items()}


def _parameters_read(settings: AgentSettings) -> AgentParametersRead:
    return AgentParametersRead(
        version=settings.version,
        risk_profile=cast(RiskProfile, settings.risk_profile),
        parameters=settings_service.effective_parameters(settings),
        ranges=_RANGES,
        updated_at=settings.updated_at,
    )


@router.get("/parameters", response_model=AgentParametersRead)
async def get_parameters(caller: ClientDep) -> AgentParametersRead:
    """Show the parameters in force, their version and profile, and every field's allowed range."""
    return _parameters_read(await settings_service.settings_of(caller.session, caller.client_id))


@router.post("/parameters", response_model=AgentParametersRead)
async def update_parameters(body: AgentParametersUpdate, caller: ClientDep) -> AgentParametersRead:
    """Save a new version (audited; the previous one is kept); 422 names each field out of range."""
    settings = await settings_service.update_parameters(
        caller.session,
        caller.client_id,
        actor=caller.actor,
        change=body.parameters,
        risk_profile=body.risk_profile,
        expected_version=body.expected_version,
    )
    return _parameters_read(settings)


@router.get("/parameters/history", response_model=list[AgentParametersVersionRead])
async def parameters_history(caller: ClientDep) -> list[AgentParametersVersionRead]:
    """List the saved versions of the parameters, newest first."""
    rows = await settings_service.history(caller.session, caller.client_id)
    return [AgentParametersVersionRead.model_validate(row, from_attributes=True) for row in rows]


@router.post("/mode", response_model=AgentStatusRead)
async def set_mode(body: ModeUpdate, caller: ClientDep, container: ContainerDep) -> AgentStatusRead:
    """Choose manual, approval or autonomous; the status says which mode is in force and why."""
    await settings_service.set_mode(caller.session, caller.client_id, body.mode, actor=caller.actor)
    return await agent_status(caller.session, container, caller.client_id)


@router.post("/pause", response_model=AgentStatusRead)
async def pause(
    caller: ClientDep, container: ContainerDep, body: PauseUpdate | None = None
) -> AgentStatusRead:
    """Stop the agent's own decisions (scans, exits, self-approval); a person can still act."""
    reason = body.reason if body else None
    await settings_service.set_paused(
        caller.session, caller.client_id, True, actor=caller.actor, reason=reason
    )
    return await agent_status(caller.session, container, caller.client_id)


@router.post("/resume", response_model=AgentStatusRead)
async def resume(caller: ClientDep, container: ContainerDep) -> AgentStatusRead:
    """Let the agent decide again."""
    await settings_service.set_paused(caller.session, caller.client_id, False, actor=caller.actor)
    return await agent_status(caller.session, container, caller.client_id)


@router.get("/status", response_model=AgentStatusRead)
async def status(caller: ClientDep, container: ContainerDep) -> AgentStatusRead:
    """Show mode, effective mode and why, state, last and next scan, open proposals and P&L."""
    return await agent_status(caller.session, container, caller.client_id)


@router.post("/scan", response_model=ScanResult)
async def scan_now(caller: ClientDep, container: ContainerDep) -> ScanResult:
    """Run a tick with a scan now, in the process that holds the client's broker session."""
    await caller.session.commit()
    remote = container.brokers.remote
    if remote is not None:
        # An API process holds no broker session: the worker that leases the client scans.
        report = TickReport(**await remote.call(caller.client_id, "scan"))
    else:
        # Opening the session (if it is not open) is what starts the agent for this client.
        await container.brokers.session_for(caller.client_id)
        report = TickReport(**await container.agent.scan_now(caller.client_id))
    if report.state not in ("running",):
        raise Conflict(
            f"The agent cannot scan now: it is {report.state.replace('_', ' ')}",
            code="agent_not_running",
            details={"state": report.state},
        )
    settings = await settings_service.settings_of(caller.session, caller.client_id)
    return ScanResult(
        state="running",
        proposed=report.proposed,
        exits=report.exits,
        approved=report.approved,
        last_scan=settings.last_scan_summary,
    )
