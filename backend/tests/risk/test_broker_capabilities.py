"""A broker's missing capabilities are denied with the reason, before anything reaches it."""

from dataclasses import replace

from backend.brokers.base import Capabilities
from backend.domain.orders import OrderType, TimeInForce
from backend.risk.rules.broker_capabilities import BrokerCapabilitiesRule
from backend.tests.risk.factories import context, leg, option, stock, trade

RULE = BrokerCapabilitiesRule()
STOCKS_ONLY = Capabilities(options=False, combos=False, market_orders=False, gtc=False)


def test_a_stock_limit_day_order_passes_on_a_stocks_only_broker() -> None:
    ctx = replace(context(trade(leg(stock()), quantity=100, limit="30")), capabilities=STOCKS_ONLY)
    assert RULE.check(ctx) == []


def test_each_missing_capability_is_named() -> None:
    spread = replace(
        trade(leg(option(500)), leg(option(510), "SELL"), limit="2"), time_in_force=TimeInForce.GTC
    )
    codes = {d.code for d in RULE.check(replace(context(spread), capabilities=STOCKS_ONLY))}
    assert codes == {"options_not_supported", "combos_not_supported", "gtc_not_supported"}
    market = trade(leg(stock()), quantity=1, order_type=OrderType.MARKET)
    assert [d.code for d in RULE.check(replace(context(market), capabilities=STOCKS_ONLY))] == [
        "market_orders_not_supported"
    ]


def test_unknown_capabilities_leave_the_decision_to_the_other_rules() -> None:
    assert RULE.check(context(trade(leg(option(500)), limit="2"))) == []
