"""The pre-trade risk gate: one gate, one rule a file, every order through it."""

from __future__ import annotations

from backend.risk.gate import GateDecision, RiskGate
from backend.risk.rules import default_rules


def default_gate() -> RiskGate:
    """Build the gate with every default rule."""
    return RiskGate(default_rules())


__all__ = ["GateDecision", "RiskGate", "default_gate", "default_rules"]
