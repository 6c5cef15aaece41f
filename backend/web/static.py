"""Serve the built single-page app at `/` without ever shadowing an API path.

Registered after the API routers. A GET whose first path segment belongs to no API route gets a
file from the build (hashed assets cached for a year) or, for a browser navigating to a client-side
route, `index.html` (never cached, so a deploy is picked up at the next load). Everything else falls
through to the API's own routing, so unknown API paths keep their JSON 404 and wrong methods their 405.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope

from backend.kit.errors import NotFound

logger = logging.getLogger("greekdesk.web")

FRONTEND_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"
ASSETS_DIR = "assets"
# First path segments that belong to the API even before their routers exist (later issues add
# them); the segments of every registered route are added at request time.
RESERVED_SEGMENTS = frozenset(
    {"auth", "clients", "admin", "health", "market", "docs", "redoc", "openapi.json", "ws", "api"}
)
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _api_segments(routes: list[BaseRoute]) -> set[str]:
    segments = set(RESERVED_SEGMENTS)
    for route in routes:
        if isinstance(route, SpaRoute):
            continue
        path = getattr(route, "path", None)
        if isinstance(path, str):
            segment = _first_segment(path)
            if segment and "{" not in segment:
                segments.add(segment)
    return segments


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


class SpaRoute(Route):
    """A catch-all GET/HEAD route that never matches an API path, so API routing stays intact."""

    def __init__(self, dist: Path, routes: list[BaseRoute]) -> None:
        self.dist = dist.resolve()
        self._routes = routes
        super().__init__("/{path:path}", self.serve, methods=["GET", "HEAD"], include_in_schema=False)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Match only GET/HEAD requests outside every API prefix."""
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        if _first_segment(scope["path"]) in _api_segments(self._routes):
            return Match.NONE, {}
        return super().matches(scope)

    def _file(self, relative: str) -> Path | None:
        if not relative:
            return None
        candidate = (self.dist / relative).resolve()
        if not candidate.is_relative_to(self.dist) or not candidate.is_file():
            return None
        return candidate

    async def serve(self, request: Request) -> Response:
        """Serve a built file, or index.html for a browser on a client-side route."""
        relative = request.path_params.get("path", "")
        found = self._file(relative)
        if found is not None:
            hashed = relative.startswith(ASSETS_DIR + "/")
            return FileResponse(found, headers={"Cache-Control": IMMUTABLE if hashed else NO_CACHE})
        last = relative.rsplit("/", 1)[-1]
        # A missing asset or file-like path is a 404, never HTML a script tag would try to run;
        # deep links serve the app only to browsers (API clients asking for JSON get the JSON 404).
        if relative.startswith(ASSETS_DIR + "/") or "." in last or (relative and not _wants_html(request)):
            raise NotFound("Not found")
        return FileResponse(
            self.dist / "index.html",
            media_type="text/html",
            headers={"Cache-Control": NO_CACHE, "X-Content-Type-Options": "nosniff"},
        )


def mount_frontend(app: FastAPI, dist: Path) -> None:
    """Serve the built UI in `dist` at `/`, replacing any earlier mount; nothing if it is not built."""
    routes: list[Any] = app.router.routes
    routes[:] = [route for route in routes if not isinstance(route, SpaRoute)]
    if not (dist / "index.html").is_file():
        logger.info(
            "web app not built (%s missing): serving the API only; "
            "`make run`, or `npm ci && npm run build` in frontend/, builds it",
            dist / "index.html",
        )
        return
    routes.append(SpaRoute(dist, app.router.routes))
    logger.info("serving the web app from %s at /", dist)
