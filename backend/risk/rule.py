"""What a gate rule is, and what it says when it denies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from backend.risk.context import GateContext


@dataclass(frozen=True, slots=True)
class Denial:
    """One reason a trade may not go: the rule, a stable code, a sentence, and the numbers."""

    rule: str
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Return the denial as JSON-ready data (numbers as strings keep Decimals exact)."""
        return {
            "rule": self.rule,
            "code": self.code,
            "message": self.message,
            "details": {
                k: (str(v) if not isinstance(v, bool | int | str | None) else v)
                for k, v in self.details.items()
            },
        }


class Rule(Protocol):
    """A pre-trade check: every denial it finds, or none."""

    name: str

    def check(self, ctx: GateContext) -> list[Denial]:
        """Return every reason this rule refuses the trade (empty when it passes)."""
        ...
