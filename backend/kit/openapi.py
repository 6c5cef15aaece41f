"""The OpenAPI document tells the truth about errors: one error body for every 4xx and 5xx."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

ERROR_REF = "#/components/schemas/ErrorResponse"


class ErrorDetail(BaseModel):
    """What went wrong, in words and as a stable code to branch on."""

    code: str = Field(description="Stable machine-readable code, e.g. validation_error, client_not_found")
    message: str
    details: Any = Field(
        default=None, description="Per-code data; for validation_error a list of {loc, msg, type}"
    )
    request_id: str | None = Field(default=None, description="Quote it when reporting a problem")


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx response."""

    error: ErrorDetail


def install_openapi(app: FastAPI) -> None:
    """Replace FastAPI's validation-error schema with the error body the API really sends."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        schemas.update(ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")["$defs"])
        schemas["ErrorResponse"] = {
            k: v
            for k, v in ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}").items()
            if k != "$defs"
        }
        error = {"description": "Error", "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}
        for path in document.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                responses["4XX"] = error
                responses["5XX"] = error
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
