"""Canonical hashing of audit records (pure)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Serialise with sorted keys and no whitespace, so equal records hash equally."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def record_hash(
    *,
    chain: str,
    seq: int,
    occurred_at: datetime,
    client_id: str | None,
    actor_type: str,
    actor_id: str | None,
    action: str,
    subject: str | None,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    """Return the SHA-256 of a record's canonical JSON, including the previous hash."""
    body = {
        "chain": chain,
        "seq": seq,
        "occurred_at": occurred_at.isoformat(),
        "client_id": client_id,
        "actor_type": actor_type,
        "actor_id": actor_id,
        "action": action,
        "subject": subject,
        "data": data,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()
