"""The default gate: every rule present, ordinary trades pass, any reason denies, crashes deny."""

from decimal import Decimal
from pathlib import Path

from backend.risk import default_gate
from backend.risk import rules as rules_package
from backend.risk.context import GateContext, RiskLimits, TradingMode, TradingStatus
from backend.risk.gate import RiskGate
from backend.risk.rule import Denial
from backend.risk.rules import default_rules
from backend.tests.risk.factories import context, held, leg, option, quote, stock, trade


def test_default_rules_cover_every_rule_once() -> None:
    names = [r.name for r in default_rules()]
    # One rule a file: every public module of the rules package must be in the gate, once.
    modules = {p.stem for p in Path(rules_package.__file__).parent.glob("*.py") if not p.stem.startswith("_")}
    assert len(names) == len(set(names))
    assert set(names) == modules
    assert names[0] == "trade_shape"


def test_ordinary_put_credit_spread_passes_default_limits() -> None:
    short, long = option(500, "P"), option(495, "P")
    t = trade(
        leg(short, "SELL", market=quote(short, "3.00", "3.20")),
        leg(long, market=quote(long, "2.00", "2.20")),
        limit="-1.00",
    )
    decision = default_gate().check(context(t, limits=RiskLimits(), buying_power=10_000))
    assert decision.allowed, decision.denials


def test_covered_call_against_held_stock_passes_naked_rule_but_estimate_needs_power() -> None:
    t = trade(leg(option(510), "SELL"), limit="-1.05")
    ctx = context(t, positions=(held(stock(), 100),), limits=RiskLimits(), buying_power=100_000)
    assert default_gate().check(ctx).allowed


def test_several_breaches_are_all_reported() -> None:
    t = trade(leg(option(500), "SELL", market=None), limit="-1.05")
    ctx = context(t, limits=RiskLimits(), orders_last_minute=99, daily_pnl=-10_000)
    rules = {d.rule for d in default_gate().check(ctx).denials}
    assert {"order_rate", "daily_loss", "price_collar", "liquidity", "naked_options"} <= rules


def test_halted_state_denies_an_opening_trade() -> None:
    halted = TradingStatus(global_state=TradingMode.HALTED)
    [denial] = default_gate().check(context(trading=halted)).denials
    assert denial.code == "trading_halted"


class Exploding:
    name = "exploding"

    def check(self, ctx: GateContext) -> list[Denial]:
        raise ZeroDivisionError


def test_rule_that_raises_denies_instead() -> None:
    [denial] = RiskGate([Exploding()]).check(context()).denials
    assert (denial.rule, denial.code) == ("exploding", "rule_error")


def test_naive_clock_fails_closed_without_raising() -> None:
    ctx = context()
    naive = GateContext(
        **{**{f: getattr(ctx, f) for f in ctx.__dataclass_fields__}, "now": ctx.now.replace(tzinfo=None)}
    )
    decision = default_gate().check(naive)
    assert not decision.allowed
    assert {d.code for d in decision.denials} == {"rule_error"}


def test_denials_serialise_with_exact_numbers() -> None:
    t = trade(leg(option()), quantity=10, limit="1.05")
    ctx = context(t, limits=RiskLimits(max_premium_per_order=Decimal("1049.99")))
    [denial] = [d for d in default_gate().check(ctx).denials if d.rule == "premium_per_order"]
    assert denial.as_dict()["details"] == {"premium": "1050.00", "limit": "1049.99"}
