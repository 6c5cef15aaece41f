"""Queries on the audit log; the session's tenant scope applies on top."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select

from backend.models import AuditRecord


def chain_of(client_id: uuid.UUID, action: str | None = None) -> Select[Any]:
    """Select one client's chain, newest first, optionally only actions starting with `action`."""
    statement = _with_action(select(AuditRecord).where(AuditRecord.chain == str(client_id)), action)
    return statement.order_by(AuditRecord.seq.desc())


def all_records(client_id: uuid.UUID | None = None, action: str | None = None) -> Select[Any]:
    """Select every chain's records, newest first, optionally one client's and by action prefix."""
    statement = select(AuditRecord)
    if client_id is not None:
        statement = statement.where(AuditRecord.client_id == client_id)
    return _with_action(statement, action).order_by(AuditRecord.id.desc())


def _with_action(statement: Select[Any], action: str | None) -> Select[Any]:
    if not action:
        return statement
    # autoescape: '%' and '_' in a prefix are literal characters, not wildcards.
    return statement.where(AuditRecord.action.startswith(action, autoescape=True))
