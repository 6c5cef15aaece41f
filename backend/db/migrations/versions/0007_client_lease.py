"""Client leases for workers: who runs each client, until when, under which fencing token

`client_lease` is a system table: a row names a client id, a worker and a lease, no tenant data.
It has no row-level security because a worker must see every client's lease to find free ones,
and going through the audited cross-tenant path on every renewal would flood the audit log. The
application role may SELECT, INSERT and UPDATE it, never DELETE: a released lease keeps its row
(expired) so the next token is still higher than every earlier one, which is what fencing needs.

Workers find the clients to lease through `leasable_clients()`, which returns only the ids of
clients with an active broker account: it lifts tenant scoping for that one query and restores
it, so this unaudited cross-tenant read is confined to ids, in one place in the schema.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.migration_support import app_role

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create client_lease; on PostgreSQL grant the app role what leasing needs, and the lookup function."""
    op.create_table(
        "client_lease",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_lease_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_lease")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON "client_lease" TO {role}')
    # Lifts tenant scoping for this one query only, and restores the caller's scope before returning.
    op.execute(
        """
        CREATE FUNCTION leasable_clients() RETURNS SETOF uuid
        LANGUAGE plpgsql VOLATILE
        SET search_path = public, pg_temp
        AS $$
        DECLARE
            previous text := current_setting('app.cross_tenant', true);
            ids uuid[];
        BEGIN
            PERFORM set_config('app.cross_tenant', 'on', true);
            SELECT array_agg(b.client_id) INTO ids FROM broker_account b WHERE b.is_active;
            PERFORM set_config('app.cross_tenant', coalesce(previous, ''), true);
            RETURN QUERY SELECT unnest(coalesce(ids, '{}'::uuid[]));
        END
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION leasable_clients() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION leasable_clients() TO {role}")


def downgrade() -> None:
    """Drop the lookup function and the table."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS leasable_clients()")
    op.drop_table("client_lease")
