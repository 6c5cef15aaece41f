"""Exact wire requests the adapter sends, as the fake gateway recorded them."""

from __future__ import annotations

from decimal import Decimal

from backend.brokers.ibkr.fake_gateway.contracts import con_id_of
from backend.domain.instruments import Combo, ComboLeg, Option, Side
from backend.domain.orders import OrderRequest
from backend.domain.values import NetPrice, Quantity
from backend.tests.brokers.contract_suite import near_money_option, new_order_id
from backend.tests.brokers.ibkr.harness import ACCOUNT, running_rig


async def test_combo_order_goes_out_as_a_bag_with_its_legs() -> None:
    async with running_rig() as rig:
        long_leg = await near_money_option(rig.broker, "SPY")
        chain = await rig.broker.option_chain("SPY")
        higher = [s for s in chain.strikes_for(long_leg.expiry) if s > long_leg.strike][1]
        short_leg = Option("SPY", long_leg.expiry, higher, long_leg.right)
        combo = Combo((ComboLeg(long_leg, 1, Side.BUY), ComboLeg(short_leg, 1, Side.SELL)))
        cid = new_order_id()
        await rig.broker.place_order(
            OrderRequest(cid, combo, Side.BUY, Quantity.of(1), limit_price=NetPrice(Decimal("0.01")))
        )
        (frame,) = [f for f in rig.gateway.frames_of(3) if f.fields[26] == cid]
        fields = frame.fields
        assert (fields[4], fields[16], fields[18], fields[19], fields[21], fields[23]) == (
            "BAG", "BUY", "LMT", "0.01", "DAY", ACCOUNT,
        )  # fmt: skip
        assert fields[35] == "2"
        legs = [(int(fields[36 + 8 * i]), fields[37 + 8 * i], fields[38 + 8 * i]) for i in range(2)]
        assert legs == [(con_id_of(long_leg), "1", "BUY"), (con_id_of(short_leg), "1", "SELL")]
