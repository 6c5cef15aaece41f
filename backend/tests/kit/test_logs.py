"""Logs are structured, carry the request id, and never hold a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from backend.kit.container import Container
from backend.kit.logging import JsonFormatter, redact
from backend.tests.conftest import bearer, create_client_user, login


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Capture every log record, at every level, through the production formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


async def test_no_secret_appears_in_logs(
    api: httpx.AsyncClient, container: Container, captured_logs: io.StringIO
) -> None:
    user = await create_client_user(container)
    await api.post("/auth/login", json={"username": user.email, "password": "wrong-password-visible?"})
    tokens = await login(api, user.email)
    refreshed = (await api.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})).json()
    await api.get(f"/clients/{user.client_id}/positions", headers=bearer(refreshed["access_token"]))
    logging.getLogger("greekdesk.test").info("header was Bearer %s", refreshed["access_token"])
    output = captured_logs.getvalue()
    assert output, "nothing was logged; the test would prove nothing"
    secrets = [
        user.password,
        "wrong-password-visible?",
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed["access_token"],
        refreshed["refresh_token"],
        container.settings.jwt_signing_key,
    ]
    for secret in secrets:
        assert secret not in output


async def test_access_log_lines_are_json_with_request_and_client_ids(
    api: httpx.AsyncClient, container: Container, captured_logs: io.StringIO
) -> None:
    user = await create_client_user(container)
    tokens = await login(api, user.email)
    response = await api.get(f"/clients/{user.client_id}/positions", headers=bearer(tokens["access_token"]))
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    access = [r for r in lines if r["logger"] == "greekdesk.access" and r["path"].endswith("/positions")]
    assert access[-1]["request_id"] == response.headers["x-request-id"]
    assert access[-1]["client_id"] == str(user.client_id)
    assert access[-1]["status"] == 200


def test_redact_masks_secret_keys_and_token_shapes() -> None:
    record = {"password": "p", "nested": {"api_key": "k", "ok": "fine"}, "note": "Bearer abc.def.ghi"}
    assert redact(record) == {
        "password": "[redacted]",
        "nested": {"api_key": "[redacted]", "ok": "fine"},
        "note": "Bearer [redacted]",
    }
