"""Robustness against the fake gateway's injected faults: drops, 1100/1101/1102, delayed data, pacing."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from backend.brokers.base import ConnectionState, DataSource, PlacedOrder
from backend.brokers.errors import (
    BrokerDisconnected,
    DuplicateClientOrderId,
    MarketDataUnavailable,
)
from backend.brokers.ibkr.adapter import IbkrBroker
from backend.domain.instruments import Side, Stock
from backend.domain.orders import OrderRequest, OrderStatus
from backend.domain.values import NetPrice, Quantity
from backend.tests.brokers.contract_suite import near_money_option, new_order_id
from backend.tests.brokers.ibkr.harness import FAST, running_rig, until, with_tuning


async def wait_connected(broker: IbkrBroker, within: float = 5.0) -> None:
    """Wait until the adapter has reconnected."""
    await until(lambda: broker.state is ConnectionState.CONNECTED and broker.conn.ib is not None, within)


async def test_disconnect_mid_order_finds_the_order_by_order_ref_without_resending() -> None:
    async with running_rig() as rig:
        broker, gateway = rig.broker, rig.gateway
        option = await near_money_option(broker, "SPY")
        gateway.faults.drop_after_place = True
        cid = new_order_id()
        request = OrderRequest(cid, option, Side.BUY, Quantity.of(1), limit_price=NetPrice(Decimal("0.05")))
        with pytest.raises(BrokerDisconnected) as raised:
            await broker.place_order(request)
        assert raised.value.ambiguous
        await wait_connected(broker)
        state = await broker.order_status(cid)
        assert state.status is OrderStatus.WORKING
        with pytest.raises(DuplicateClientOrderId):
            await broker.place_order(request)
        sent = [f for f in gateway.frames_of(3) if f.fields[26] == cid]
        assert len(sent) == 1
        assert broker.conn.reconnects == 1


async def test_order_lost_before_reaching_ib_is_rejected_after_reconnect_not_resent() -> None:
    async with running_rig() as rig:
        broker, gateway = rig.broker, rig.gateway
        stock = Stock("SPY")
        await broker.resolve_instrument(stock)
        gateway.silence_sessions()
        cid = new_order_id()
        with pytest.raises(BrokerDisconnected) as raised:
            await broker.place_order(
                OrderRequest(cid, stock, Side.BUY, Quantity.of(1), limit_price=NetPrice(Decimal("1.00")))
            )
        assert raised.value.ambiguous or broker.state is not ConnectionState.CONNECTED
        await wait_connected(broker)
        assert (await broker.order_status(cid)).status is OrderStatus.REJECTED
        assert not [f for f in gateway.frames_of(3) if f.fields[26] == cid][1:], "sent once, never again"


async def test_silent_socket_is_detected_by_heartbeat_and_reconnected() -> None:
    async with running_rig(tuning=with_tuning(heartbeat_interval=0.2, heartbeat_timeout=0.2)) as rig:
        rig.gateway.silence_sessions()
        await until(lambda: rig.broker.conn.reconnects > 0)
        await wait_connected(rig.broker)
        assert (await rig.broker.quotes([Stock("SPY")]))[0].bid is not None


async def test_1100_blocks_orders_and_1102_restores_them() -> None:
    async with running_rig() as rig:
        broker = rig.broker
        rig.gateway.connectivity_lost()
        await broker.conn.round_trip()
        assert broker.state is ConnectionState.DISCONNECTED
        with pytest.raises(BrokerDisconnected):
            await broker.positions()
        rig.gateway.connectivity_restored(data_lost=False)
        await wait_connected(broker)
        assert await broker.positions() == []


async def test_1101_resubscribes_market_data() -> None:
    async with running_rig() as rig:
        broker, gateway = rig.broker, rig.gateway
        await broker.quotes([Stock("SPY")])
        before = len(gateway.frames_of(1))
        gateway.connectivity_restored(data_lost=True)
        await until(lambda: len(gateway.frames_of(1)) > before)
        assert broker.resubscriptions == 1
        assert gateway.sessions[0].subscriptions, "the gateway streams again after resubscription"


async def test_without_live_permissions_delayed_data_is_used_when_accepted() -> None:
    async with running_rig(accept_delayed_data=True) as rig:
        rig.gateway.faults.live_market_data = False
        (quote,) = await rig.broker.quotes([Stock("SPY")])
        assert quote.data_source is DataSource.DELAYED
        assert quote.bid is not None
        assert [f.fields[2] for f in rig.gateway.frames_of(59)] == ["3"]


async def test_without_live_permissions_and_no_delayed_consent_quotes_fail() -> None:
    async with running_rig(accept_delayed_data=False) as rig:
        rig.gateway.faults.live_market_data = False
        with pytest.raises(MarketDataUnavailable):
            await rig.broker.quotes([Stock("SPY")])


async def test_missing_greeks_are_computed_locally_and_marked_computed() -> None:
    async with running_rig() as rig:
        rig.gateway.faults.send_greeks = False
        option = await near_money_option(rig.broker, "SPY")
        await rig.broker.quotes([Stock("SPY")])
        (quote,) = await rig.broker.quotes([option])
        assert quote.data_source is DataSource.COMPUTED
        assert quote.greeks is not None
        assert 0 < quote.greeks.delta < 1


async def test_unset_and_nan_ticks_do_not_break_quotes() -> None:
    async with running_rig() as rig:
        rig.gateway.faults.garbage_ticks = True
        (quote,) = await rig.broker.quotes([Stock("SPY")])
        assert quote.bid is not None
        assert quote.volume is None or quote.volume.value >= 0


async def test_burst_of_requests_stays_under_the_pacing_limit() -> None:
    async with running_rig() as rig:
        broker, gateway = rig.broker, rig.gateway
        start = len(gateway.frames)
        await asyncio.gather(*(broker.conn.round_trip(5.0) for _ in range(60)))
        stamps = [f.at for f in gateway.frames[start:]]
        busiest = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
        assert busiest <= 45
        assert broker.conn.bucket.waited > 0


async def test_duplicate_order_id_is_retried_once_under_a_new_id() -> None:
    async with running_rig() as rig:
        broker, gateway = rig.broker, rig.gateway
        option = await near_money_option(broker, "SPY")
        gateway.faults.duplicate_order_ids = 1
        cid = new_order_id()
        state = await broker.place_order(
            OrderRequest(cid, option, Side.BUY, Quantity.of(1), limit_price=NetPrice(Decimal("0.05")))
        )
        assert state.status is OrderStatus.WORKING
        ids = [int(f.fields[1]) for f in gateway.frames_of(3) if f.fields[26] == cid]
        assert len(ids) == 2
        assert ids[1] > ids[0]


async def test_pacing_error_100_surfaces_as_broker_pacing() -> None:
    from backend.brokers.errors import BrokerPacing

    async with running_rig() as rig:
        rig.gateway.faults.pacing_errors = 1
        with pytest.raises(BrokerPacing):
            await rig.broker.resolve_instrument(Stock("QQQ"))


async def test_a_new_session_resumes_an_order_the_earlier_one_placed_by_its_order_ref() -> None:
    async with running_rig() as rig:
        option = await near_money_option(rig.broker, "SPY")
        cid = new_order_id()
        request = OrderRequest(cid, option, Side.BUY, Quantity.of(1), limit_price=NetPrice(Decimal("0.05")))
        placed = await rig.broker.place_order(request)
        await rig.broker.close()  # the worker is gone; IB keeps the order, with our id as its orderRef
        later = IbkrBroker(rig.broker.settings, FAST, clock=rig.gateway.market.now)
        await later.connect()
        try:
            booked = PlacedOrder(request, placed.broker_order_id, Quantity.of(0), None, placed.updated_at)
            state = await later.resume_order(booked)
            await later.cancel_order(cid)  # followed: it can be cancelled from here
            async with asyncio.timeout(5):
                while (await later.order_status(cid)).status is not OrderStatus.CANCELLED:  # noqa: ASYNC110 - IB confirms by callback
                    await asyncio.sleep(0.02)
        finally:
            await later.close()
    assert state.broker_order_id == placed.broker_order_id
    assert state.status is OrderStatus.WORKING
