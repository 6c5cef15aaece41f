"""Row-level security on every tenant-owned table, and the application role's grants

On PostgreSQL every tenant-owned table gets ENABLE + FORCE row-level security with one policy
(USING and WITH CHECK) on `current_setting('app.client_id', true)`, which the application sets
per transaction. `app.cross_tenant = 'on'` is the one audited path across tenants. The
application connects as DB_APP_ROLE, which owns nothing, has no BYPASSRLS, and may only read and
append the audit log. SQLite has no row-level security: there the application layer's scoping
is the only layer (embedded, single-tenant-per-machine use).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

from backend.db.migration_support import app_role, tenant_match

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the column naming its tenant. Kept literal here (not imported) so this revision
# stays what it was when it ran, whatever the models become.
TENANT_COLUMNS = {
    "client": "id",
    "user_account": "client_id",
    "refresh_token": "client_id",
    "broker_account": "client_id",
    "agent_settings": "client_id",
    "trade": "client_id",
    "trade_leg": "client_id",
    "broker_order": "client_id",
    "fill": "client_id",
    "position": "client_id",
    "trading_state": "client_id",
    "audit_log": "client_id",
}
APPEND_ONLY = {"audit_log"}
POLICY = "tenant_isolation"


def upgrade() -> None:
    """Enable and force row-level security; grant the application role what it needs."""
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE {role} NOLOGIN;
            END IF;
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}' AND (rolsuper OR rolbypassrls)) THEN
                RAISE EXCEPTION 'application role {role} must not be a superuser or have BYPASSRLS';
            END IF;
        END
        $$;
        """
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    for table, column in TENANT_COLUMNS.items():
        match = tenant_match(column)
        # Every client's gate must read the global trading state; only the cross-tenant path writes it.
        using = f"({match} OR client_id IS NULL)" if table == "trading_state" else match
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY {POLICY} ON "{table}" USING {using} WITH CHECK {match}')
        privileges = "SELECT, INSERT" if table in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
        op.execute(f'GRANT {privileges} ON "{table}" TO {role}')
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE audit_log_id_seq TO {role}")


def downgrade() -> None:
    """Drop the policies and revoke the grants (the role itself is left to the DBA)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    op.execute(f"REVOKE ALL ON SEQUENCE audit_log_id_seq FROM {role}")
    for table in TENANT_COLUMNS:
        op.execute(f'REVOKE ALL ON "{table}" FROM {role}')
        op.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {role}")
