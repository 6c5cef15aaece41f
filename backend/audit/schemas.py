"""Audit trail bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backend.kit.pagination import Page


class AuditRecordRead(BaseModel):
    """One audit record, with the hashes that chain it to the one before."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    chain: str = Field(description="'global' or the client id")
    seq: int
    occurred_at: datetime
    client_id: uuid.UUID | None
    actor_type: str
    actor_id: str | None
    action: str
    subject: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str


class ChainBreakRead(BaseModel):
    """The first record of a chain that does not verify."""

    model_config = ConfigDict(from_attributes=True)

    chain: str
    seq: int
    record_id: int
    problem: str


class ChainVerification(BaseModel):
    """Whether every hash chain verifies, and where each broken one first breaks."""

    ok: bool
    breaks: list[ChainBreakRead]


class AdminAuditPage(Page[AuditRecordRead]):
    """One page of every chain's records, and the verification of all chains."""

    verification: ChainVerification | None = Field(description="Null when verify=false was asked")
