"""Persisted simulator accounts (tenant-owned, under RLS) and the shared simulated market

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.migration_support import app_role, tenant_match

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the two tables; on PostgreSQL confine simulator_account to its tenant."""
    op.create_table(
        "simulator_account",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_simulator_account_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_simulator_account")),
    )
    op.create_table(
        "simulator_market",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_simulator_market")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    match = tenant_match("client_id")
    op.execute('ALTER TABLE "simulator_account" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "simulator_account" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY tenant_isolation ON "simulator_account" USING {match} WITH CHECK {match}')
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "simulator_account" TO {role}')
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON "simulator_market" TO {role}')


def downgrade() -> None:
    """Drop both tables (their grants and policy go with them)."""
    op.drop_table("simulator_market")
    op.drop_table("simulator_account")
