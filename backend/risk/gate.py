"""The one pre-trade risk gate: every rule runs, every reason is kept, any reason denies."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from backend.kit.metrics import count_denials
from backend.risk.context import GateContext
from backend.risk.rule import Denial, Rule

logger = logging.getLogger("greekdesk.risk")
# Denials that say nothing about the trade itself: while one stands, no other trade that adds risk
# passes either (the order rate, the daily loss, a halted or reduce-only trading state).
_NO_NEW_RISK = frozenset({"order_rate", "daily_loss", "trading_halted", "reduce_only"})


@dataclass(frozen=True, slots=True)
class GateDecision:
    """The gate's verdict with all its reasons."""

    denials: tuple[Denial, ...]

    @property
    def allowed(self) -> bool:
        """Tell whether the trade may proceed."""
        return not self.denials

    @property
    def refuses_all_new_risk(self) -> bool:
        """Tell whether a reason would deny any other trade that adds risk now, not only this one."""
        return any(d.code in _NO_NEW_RISK for d in self.denials)


class RiskGate:
    """Runs every rule on a context; a rule that crashes denies (fail closed)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)

    def check(self, ctx: GateContext) -> GateDecision:
        """Run all rules and collect every denial."""
        denials: list[Denial] = []
        for rule in self.rules:
            try:
                denials.extend(rule.check(ctx))
            except Exception as exc:
                logger.exception("risk rule failed", extra={"rule": rule.name})
                denials.append(
                    Denial(
                        rule.name,
                        "rule_error",
                        f"The {rule.name} check could not run",
                        {"error": type(exc).__name__},
                    )
                )
        count_denials(denials)
        return GateDecision(tuple(denials))
