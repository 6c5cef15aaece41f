"""GET/PUT /clients/{client_id}/broker, POST .../broker/test and .../broker/reconnect."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.dependencies import ClientDep
from backend.broker_accounts import service
from backend.broker_accounts.schemas import BrokerAccountUpdate, BrokerStatusRead, BrokerTestResult
from backend.kit.deps import ContainerDep
from backend.runtime.broker_factory import BrokerKindUnavailable

router = APIRouter(prefix="/clients/{client_id}/broker", tags=["broker"])


@router.get("", response_model=BrokerStatusRead)
async def get_broker(caller: ClientDep, container: ContainerDep) -> BrokerStatusRead:
    """Show the client's broker: kind, connection state, capabilities and account (never secrets)."""
    return await service.status(caller.session, caller.client_id, container.brokers)


@router.put("", response_model=BrokerStatusRead)
async def put_broker(
    body: BrokerAccountUpdate, caller: ClientDep, container: ContainerDep
) -> BrokerStatusRead:
    """Choose the broker and store its settings (credentials encrypted); the session is rebuilt."""
    spec = service.validated_spec(body, container.brokers.factory.kinds)
    reset = body.reset_account and spec.kind == "simulator"
    if reset:
        # Drop the live paper account first, so a periodic save cannot resurrect what is reset.
        await container.brokers.discard(caller.client_id)
    await service.save_account(
        caller.session,
        caller.client_id,
        spec,
        reset_simulator=reset,
        cipher=container.cipher,
        actor=caller.actor,
    )
    # The new settings must be committed before the session is rebuilt from them.
    await caller.session.commit()
    await container.brokers.rebuild(caller.client_id)
    return await service.status(caller.session, caller.client_id, container.brokers)


@router.post("/test", response_model=BrokerTestResult)
async def test_broker(
    body: BrokerAccountUpdate, caller: ClientDep, container: ContainerDep
) -> BrokerTestResult:
    """Try a connection with these settings without saving them."""
    spec = service.validated_spec(body, container.brokers.factory.kinds)
    try:
        return await service.try_connection(
            caller.client_id, spec, container.brokers, container.settings.broker_connect_timeout_seconds
        )
    except BrokerKindUnavailable as exc:
        raise service.BrokerKindNotOffered(str(exc)) from exc


@router.post("/reconnect", response_model=BrokerStatusRead)
async def reconnect_broker(caller: ClientDep, container: ContainerDep) -> BrokerStatusRead:
    """Drop the client's broker session and connect again."""
    await container.brokers.rebuild(caller.client_id)
    return await service.status(caller.session, caller.client_id, container.brokers)
