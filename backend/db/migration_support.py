"""Helpers the migrations share: the application role and the tenant predicate of the RLS policies."""

from __future__ import annotations

from alembic import context

from backend.config import load_settings


def app_role() -> str:
    """Return the application role the migrations grant to (checked to be a plain identifier)."""
    role = context.config.attributes.get("app_role") or load_settings().db_app_role
    if not role.replace("_", "").isalnum():
        raise ValueError(f"unsafe role name {role!r}")
    return str(role)


def tenant_match(column: str) -> str:
    """Return the policy predicate: the row's tenant is this transaction's, or the audited cross-tenant path."""
    # NULLIF keeps an unset scope from failing the uuid cast; the column stays uncast so its
    # index still serves the predicate.
    return (
        f"({column} = NULLIF(current_setting('app.client_id', true), '')::uuid "
        "OR current_setting('app.cross_tenant', true) = 'on')"
    )
