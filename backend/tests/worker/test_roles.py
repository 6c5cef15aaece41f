"""Process roles: what each role requires, serves and wires."""

from __future__ import annotations

import secrets

import pytest

from backend.config import ConfigurationError, Settings
from backend.runtime.broker_runtime import BrokerRuntime
from backend.tests.conftest import AppFactory, api_client
from backend.worker.remote import RemoteChannel


def _settings(**overrides: object) -> Settings:
    return Settings.model_validate({"app_env": "test", "jwt_secret": secrets.token_urlsafe(48), **overrides})


def test_a_split_role_without_redis_is_refused() -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        _settings(process_role="worker")


def test_the_frame_key_is_derived_apart_from_the_jwt_secret_and_a_short_one_is_refused() -> None:
    settings = _settings()
    assert settings.cluster_signing_key != settings.jwt_signing_key.encode()
    assert len(settings.cluster_signing_key) == 32
    with pytest.raises(ConfigurationError, match="CLUSTER_SECRET"):
        _ = _settings(cluster_secret="too-short").cluster_signing_key


@pytest.mark.redis
async def test_a_worker_serves_only_health_and_metrics(app_factory: AppFactory) -> None:
    app = app_factory(process_role="worker")
    async with api_client(app) as http:
        assert (await http.get("/health")).status_code == 200
        assert (await http.get("/metrics")).status_code == 200
        assert (await http.post("/auth/login", json={})).status_code == 404
    assert app.state.container.execution.fence is not None


@pytest.mark.redis
async def test_an_api_process_forwards_broker_calls_and_fences_nothing_itself(
    app_factory: AppFactory,
) -> None:
    app = app_factory(process_role="api")
    brokers: BrokerRuntime = app.state.container.brokers
    assert isinstance(brokers.remote, RemoteChannel)
    assert app.state.container.execution.fence is None
    async with api_client(app) as http:
        assert (await http.post("/auth/login", json={})).status_code == 422
