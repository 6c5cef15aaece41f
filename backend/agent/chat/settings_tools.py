"""Chat tools that change how the agent works: mode, parameters, pause and resume (all audited)."""

from __future__ import annotations

from typing import Any

from backend.agent import settings_service
from backend.agent.chat.context import ChatContext, ToolResult
from backend.agent.parameters import RANGES
from backend.agent.settings_service import InvalidParameters
from backend.agent.status import agent_status

MODES = ("manual", "approval", "autonomous")


async def set_mode(ctx: ChatContext, mode: str) -> ToolResult:
    """Switch the agent's mode and say which mode is in force, and why."""
    if mode not in MODES:
        return ToolResult(f"'{mode}' is not a mode; choose manual, approval or autonomous.")
    await settings_service.set_mode(ctx.db, ctx.client_id, mode, actor=ctx.actor)
    status = await agent_status(ctx.db, ctx.container, ctx.client_id)
    text = f"Mode set to {mode}."
    if status.effective_mode != mode:
        text += f" In force: {status.effective_mode}, because " + "; ".join(status.effective_reasons) + "."
    return ToolResult(
        text, {"mode": mode, "effective_mode": status.effective_mode, "reasons": status.effective_reasons}
    )


def _range_text(path: str) -> str:
    bounds = RANGES.get(path)
    if not bounds:
        return ""
    unit = f" ({bounds['unit']})" if bounds.get("unit") else ""
    return f"{bounds.get('min', '-inf')} to {bounds.get('max', 'inf')}{unit}"


async def set_parameters(ctx: ChatContext, change: dict[str, Any], flat: dict[str, Any]) -> ToolResult:
    """Change parameters through the validated, versioned, audited path; name the allowed range when refused."""
    try:
        settings = await settings_service.update_parameters(
            ctx.db, ctx.client_id, actor=ctx.actor, change=change
        )
    except InvalidParameters as exc:
        problems = exc.details if isinstance(exc.details, list) else []
        lines = []
        for problem in problems:
            field = problem.get("field") or "parameters"
            allowed = problem.get("allowed")
            where = f"; allowed {allowed.get('min')} to {allowed.get('max')}" if allowed else ""
            if not allowed and field in RANGES:
                where = f"; allowed {_range_text(field)}"
            lines.append(f"- {field}: {problem.get('message')}{where}")
        return ToolResult(
            "I did not change anything: the value is out of range.\n" + "\n".join(lines),
            {"refused": flat, "problems": problems},
        )
    effective = settings_service.effective_parameters(settings).model_dump(mode="json")
    now = {path: _lookup(effective, path) for path in flat}
    shown = ", ".join(f"{path} = {value}" for path, value in now.items())
    return ToolResult(
        f"Done: {shown} (parameters version {settings.version}).",
        {"changed": now, "version": settings.version},
    )


def _lookup(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


async def pause(ctx: ChatContext) -> ToolResult:
    """Pause the agent's own decisions; a person's approvals still work."""
    await settings_service.set_paused(ctx.db, ctx.client_id, True, actor=ctx.actor, reason="Paused from chat")
    return ToolResult(
        "Paused: the agent makes no scans, exits or self-approvals until you say 'resume'. You can still approve.",
        {"paused": True},
    )


async def resume(ctx: ChatContext) -> ToolResult:
    """Let the agent decide again."""
    await settings_service.set_paused(ctx.db, ctx.client_id, False, actor=ctx.actor)
    return ToolResult("Resumed: the agent decides again on its next tick.", {"paused": False})
