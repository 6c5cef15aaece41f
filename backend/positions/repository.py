"""Queries on positions, always scoped to the caller's client."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BindParameter, Select, select

from backend.models import Position


def positions_of(client_id: uuid.UUID | BindParameter[Any]) -> Select[Any]:
    """Select the client's open positions, newest first."""
    return (
        select(Position)
        .where(Position.client_id == client_id, Position.quantity != 0)
        .order_by(Position.opened_at.desc(), Position.id)
    )
