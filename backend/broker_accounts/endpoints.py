"""GET/PUT /clients/{client_id}/broker, .../broker/test, .../broker/reconnect and Phillip's OAuth onboarding."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.dependencies import ClientDep
from backend.broker_accounts import phillip_oauth, service
from backend.broker_accounts.phillip_oauth import PhillipAuthorizeBody, PhillipAuthorizeRead
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
    await container.brokers.factory.check_endpoint(spec)  # refused before anything is saved
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


@router.post("/phillip/authorize", response_model=PhillipAuthorizeRead)
async def authorize_phillip(
    body: PhillipAuthorizeBody, caller: ClientDep, container: ContainerDep
) -> PhillipAuthorizeRead:
    """Start onboarding to Phillip: keep a pending authorisation and return POEMS's authorise URL."""
    if phillip_oauth.KIND not in container.brokers.factory.kinds:
        raise service.BrokerKindNotOffered("Phillip is not available in this build")
    await container.brokers.factory.check_phillip(body.settings)
    return await phillip_oauth.start(
        caller.session, caller.client_id, body, cipher=container.cipher, actor=caller.actor
    )


@router.get("/phillip/callback", response_model=BrokerStatusRead)
async def phillip_callback(
    caller: ClientDep,
    container: ContainerDep,
    state: Annotated[str, Query(min_length=1, max_length=512, description="The state POEMS sent back")],
    code: Annotated[str | None, Query(min_length=1, max_length=2048)] = None,
    error: Annotated[str | None, Query(max_length=100, description="POEMS's refusal, if any")] = None,
    error_description: Annotated[str | None, Query(max_length=500)] = None,
) -> BrokerStatusRead:
    """Finish onboarding to Phillip: check the state, exchange the code, store the grant sealed."""
    pending = await phillip_oauth.claim(caller.session, caller.client_id, state, cipher=container.cipher)
    # The attempt is spent before POEMS hears of the code (codes are single use too), and no
    # transaction stays open while POEMS answers.
    await caller.session.commit()
    if code is None:
        raise phillip_oauth.refuse(error or "no_code", error_description)
    await container.brokers.factory.check_phillip(pending.settings)  # the policy may have tightened since
    tokens = await phillip_oauth.exchange(pending, code, container.brokers.factory.http_transport())
    await phillip_oauth.connect_account(
        caller.session, caller.client_id, pending, tokens, cipher=container.cipher, actor=caller.actor
    )
    # The new account must be committed before the session is rebuilt from it.
    await caller.session.commit()
    await container.brokers.rebuild(caller.client_id)
    return await service.status(caller.session, caller.client_id, container.brokers)
