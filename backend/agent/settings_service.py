"""Read and change a client's agent settings: parameters (validated, versioned, audited), mode, pause."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.agent.parameters import RANGES, AgentParameters, RiskProfile
from backend.agent.profiles import profile_defaults
from backend.audit.service import Actor, record
from backend.kit.errors import AppError, Conflict, NotFound
from backend.models import AgentParametersVersion, AgentSettings
from backend.risk.context import RiskLimits

logger = logging.getLogger("greekdesk.agent")


class InvalidParameters(AppError):
    """Parameters outside their allowed ranges; `details` names each field and its range."""

    status_code = 422
    code = "invalid_parameters"


class StaleParameters(Conflict):
    """The parameters changed since the caller read them."""

    code = "parameters_version_conflict"


def _baseline_risk() -> dict[str, Any]:
    # Until a profile is chosen, the gate's built-in limits are the ones in force: show those.
    values = {f.name: getattr(RiskLimits(), f.name) for f in dataclasses.fields(RiskLimits)}
    values["allowed_underlyings"] = None
    return values


def merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """Return `base` with `change` laid over it, section by section."""
    merged = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def baseline(profile: str) -> dict[str, Any]:
    """Return what a client with nothing saved runs on: its profile's strategy rules, the gate's limits."""
    document = profile_defaults(profile).model_dump(mode="json")
    document["risk"] = AgentParameters.model_validate(document | {"risk": _baseline_risk()}).risk.model_dump(
        mode="json"
    )
    return document


def effective_parameters(settings: AgentSettings) -> AgentParameters:
    """Return the parameters in force: the saved document over the baseline of its profile."""
    return parameters_in_force(settings.risk_profile, settings.parameters)


def parameters_in_force(risk_profile: str, saved: dict[str, Any] | None) -> AgentParameters:
    """Return the parameters in force for a saved profile and document (see `effective_parameters`)."""
    # Every agent tick asks: a document is merged and validated once, not once a second a client.
    return _parameters(risk_profile, json.dumps(saved or {}, sort_keys=True))


@functools.lru_cache(maxsize=1024)
def _parameters(risk_profile: str, saved: str) -> AgentParameters:
    document = merge(baseline(risk_profile), json.loads(saved))
    try:
        return AgentParameters.model_validate(document)
    except ValidationError:
        # Saved documents are validated; one that no longer is falls back to the safe baseline.
        logger.warning("stored agent parameters are invalid; using the profile baseline")
        return AgentParameters.model_validate(baseline(risk_profile))


def _problems(exc: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        field = prefix + ".".join(str(part) for part in error["loc"])
        problem: dict[str, Any] = {"field": field or None, "message": error["msg"]}
        if field in RANGES:
            problem["allowed"] = {k: str(v) for k, v in RANGES[field].items()}
        problems.append(problem)
    return problems


def validate(document: dict[str, Any]) -> AgentParameters:
    """Validate a whole parameters document, or raise a 422 naming every field and its range."""
    try:
        return AgentParameters.model_validate(document)
    except ValidationError as exc:
        problems = _problems(exc)
        first = problems[0]
        where = f" ({first['field']})" if first["field"] else ""
        raise InvalidParameters(
            f"Invalid agent parameters{where}: {first['message']}", details=problems
        ) from exc


async def settings_of(db: AsyncSession, client_id: uuid.UUID) -> AgentSettings:
    """Return the client's agent settings row."""
    row = (
        await db.execute(
            select(AgentSettings)
            .where(AgentSettings.client_id == client_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("The client has no agent settings", code="agent_settings_not_found")
    return row


def _changed(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            paths += _changed(old, new, f"{prefix}{key}.")
        elif old != new:
            paths.append(f"{prefix}{key}")
    return paths


async def update_parameters(
    db: AsyncSession,
    client_id: uuid.UUID,
    *,
    actor: Actor,
    change: dict[str, Any] | None = None,
    risk_profile: RiskProfile | None = None,
    expected_version: int | None = None,
) -> AgentSettings:
    """Save a new version: a new profile resets to its defaults, then `change` is laid over and validated."""
    settings = await settings_of(db, client_id)
    if expected_version is not None and expected_version != settings.version:
        raise StaleParameters(
            "The parameters changed since you read them; reload and try again",
            details={"version": settings.version},
        )
    before = effective_parameters(settings).model_dump(mode="json")
    profile = risk_profile or settings.risk_profile
    start = profile_defaults(profile).model_dump(mode="json") if risk_profile else before
    after = validate(merge(start, change or {})).model_dump(mode="json")
    changed = _changed(before, after)
    if not changed and profile == settings.risk_profile:
        return settings
    has_history = (
        await db.execute(
            select(AgentParametersVersion.id).where(AgentParametersVersion.client_id == client_id).limit(1)
        )
    ).first()
    if has_history is None:
        # The version being replaced is kept too, so the first change can be undone.
        db.add(_version_row(client_id, settings.version, settings.risk_profile, before, "system:initial"))
    settings.version += 1
    settings.parameters, settings.risk_profile = after, profile
    db.add(_version_row(client_id, settings.version, profile, after, f"{actor.type}:{actor.id}"))
    await db.flush()
    await record(
        db,
        actor=actor,
        action="agent.parameters_changed",
        client_id=client_id,
        subject=f"agent_parameters:{settings.version}",
        data={"version": settings.version, "risk_profile": profile, "changed": changed},
    )
    return settings


def _version_row(
    client_id: uuid.UUID, version: int, profile: str, document: dict[str, Any], by: str
) -> AgentParametersVersion:
    return AgentParametersVersion(
        client_id=client_id, version=version, risk_profile=profile, parameters=document, changed_by=by
    )


async def history(db: AsyncSession, client_id: uuid.UUID, limit: int = 50) -> list[AgentParametersVersion]:
    """Return the saved versions, newest first."""
    rows = await db.execute(
        select(AgentParametersVersion)
        .where(AgentParametersVersion.client_id == client_id)
        .order_by(AgentParametersVersion.version.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def set_mode(db: AsyncSession, client_id: uuid.UUID, mode: str, *, actor: Actor) -> AgentSettings:
    """Change the agent's mode (audited)."""
    settings = await settings_of(db, client_id)
    if settings.mode != mode:
        previous, settings.mode = settings.mode, mode
        await db.flush()
        await record(
            db,
            actor=actor,
            action="agent.mode_changed",
            client_id=client_id,
            subject=f"client:{client_id}",
            data={"from": previous, "to": mode},
        )
    return settings


async def set_paused(
    db: AsyncSession, client_id: uuid.UUID, paused: bool, *, actor: Actor, reason: str | None = None
) -> AgentSettings:
    """Pause or resume the agent's own decisions (audited); a person's approvals still work."""
    settings = await settings_of(db, client_id)
    if settings.paused != paused:
        settings.paused, settings.paused_reason = paused, (reason if paused else None)
        await db.flush()
        await record(
            db,
            actor=actor,
            action="agent.paused" if paused else "agent.resumed",
            client_id=client_id,
            subject=f"client:{client_id}",
            data={"reason": reason},
        )
    return settings
