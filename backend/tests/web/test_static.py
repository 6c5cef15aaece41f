"""The built web app is served at `/` without shadowing any API path."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI

from backend.tests.conftest import AppFactory, api_client
from backend.web.static import FRONTEND_DIST, IMMUTABLE, NO_CACHE, SpaRoute, mount_frontend

INDEX = "<!doctype html><title>Greekdesk</title><div id=root></div>"
SCRIPT = "console.log('greekdesk');"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def build_dist(root: Path) -> Path:
    """Write a minimal build: index.html, one hashed asset, one root file."""
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX, encoding="utf-8")
    (dist / "assets" / "index-abc123.js").write_text(SCRIPT, encoding="utf-8")
    (dist / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    return dist


@pytest.fixture
def web_app(app_factory: AppFactory, tmp_path: Path) -> FastAPI:
    """An app serving a temporary build."""
    app = app_factory()
    mount_frontend(app, build_dist(tmp_path))
    return app


async def test_root_serves_index_html_uncached(web_app: FastAPI) -> None:
    async with api_client(web_app) as api:
        response = await api.get("/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == NO_CACHE


async def test_client_side_route_in_a_browser_gets_index_html(web_app: FastAPI) -> None:
    async with api_client(web_app) as api:
        for path in ("/dashboard", "/operator", "/login", "/some/deep/link"):
            response = await api.get(path, headers=BROWSER)
            assert response.status_code == 200, path
            assert response.text == INDEX, path


async def test_hashed_asset_is_served_with_a_long_cache(web_app: FastAPI) -> None:
    async with api_client(web_app) as api:
        response = await api.get("/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.text == SCRIPT
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == IMMUTABLE


async def test_unhashed_root_file_is_served_but_revalidated(web_app: FastAPI) -> None:
    async with api_client(web_app) as api:
        response = await api.get("/favicon.svg")
    assert response.status_code == 200
    assert response.headers["cache-control"] == NO_CACHE


async def test_head_request_gets_headers_of_index(web_app: FastAPI) -> None:
    async with api_client(web_app) as api:
        response = await api.head("/dashboard", headers=BROWSER)
    assert response.status_code == 200
    assert response.content == b""


async def test_missing_asset_is_a_json_404_not_html(web_app: FastAPI) -> None:
    async with api_client(web_app) as api:
        for path in ("/assets/gone-123.js", "/robots.txt"):
            response = await api.get(path, headers=BROWSER)
            assert response.status_code == 404, path
            assert response.json()["error"]["code"] == "not_found", path


@pytest.mark.parametrize(
    "path",
    ["/auth/nope", "/clients/unknown/nothing", "/admin/nothing", "/health/nothing", "/market/x", "/docs/x"],
)
async def test_unknown_api_path_keeps_the_json_404_even_for_a_browser(web_app: FastAPI, path: str) -> None:
    async with api_client(web_app) as api:
        response = await api.get(path, headers=BROWSER)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["request_id"] == response.headers["x-request-id"]


async def test_non_browser_request_for_unknown_path_gets_the_json_404(web_app: FastAPI) -> None:
    async with api_client(web_app) as api:
        response = await api.get("/no/such/route", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_api_routes_still_answer_with_the_app_mounted(web_app: FastAPI) -> None:
    async with api_client(web_app) as api:
        schema = await api.get("/openapi.json", headers=BROWSER)
        wrong_method = await api.get("/auth/login", headers=BROWSER)
        unauthenticated = await api.get("/admin/clients", headers=BROWSER)
    assert schema.status_code == 200
    assert "/{path}" not in schema.json()["paths"]
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"].startswith("application/json")


async def test_non_get_on_an_app_path_is_not_answered_with_html(web_app: FastAPI) -> None:
    async with api_client(web_app) as api:
        response = await api.post("/dashboard", headers=BROWSER)
    assert response.status_code in (404, 405)
    assert response.json()["error"]["code"] in ("not_found", "method_not_allowed")


async def test_routes_added_after_mounting_are_not_shadowed(web_app: FastAPI) -> None:
    @web_app.get("/late-router-for-test/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    async with api_client(web_app) as api:
        response = await api.get("/late-router-for-test/ping", headers=BROWSER)
    assert response.json() == {"pong": "yes"}


async def test_path_traversal_never_leaves_dist(web_app: FastAPI, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    async with api_client(web_app) as api:
        for path in ("/..%2fsecret.txt", "/assets/..%2f..%2fsecret.txt", "/%2e%2e/secret.txt"):
            response = await api.get(path, headers=BROWSER)
            assert "outside" not in response.text, path


async def test_missing_dist_mounts_nothing(app_factory: AppFactory, tmp_path: Path) -> None:
    app = app_factory()
    mount_frontend(app, tmp_path / "not-built")
    assert not any(isinstance(route, SpaRoute) for route in app.router.routes)
    async with api_client(app) as api:
        response = await api.get("/", headers=BROWSER)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_mounting_again_replaces_the_earlier_build(app_factory: AppFactory, tmp_path: Path) -> None:
    app = app_factory()
    mount_frontend(app, build_dist(tmp_path / "one"))
    second = build_dist(tmp_path / "two")
    (second / "index.html").write_text("second build", encoding="utf-8")
    mount_frontend(app, second)
    assert sum(isinstance(route, SpaRoute) for route in app.router.routes) == 1
    async with api_client(app) as api:
        assert (await api.get("/")).text == "second build"


def test_default_dist_is_the_frontend_build_folder() -> None:
    assert FRONTEND_DIST.parts[-2:] == ("frontend", "dist")
