"""Append-only history of trading-state changes (tenant-owned, under RLS, read and append only)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.migration_support import app_role, tenant_match

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create trading_state_change; on PostgreSQL force RLS and grant read and append only."""
    op.create_table(
        "trading_state_change",
        sa.Column("scope", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("from_state", sa.String(length=10), nullable=False),
        sa.Column("to_state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("allow_reduce_only", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "from_state IN ('ACTIVE', 'REDUCING', 'HALTED')", name=op.f("ck_trading_state_change_from_state")
        ),
        sa.CheckConstraint(
            "to_state IN ('ACTIVE', 'REDUCING', 'HALTED')", name=op.f("ck_trading_state_change_to_state")
        ),
        sa.CheckConstraint(
            "(scope = 'global' AND client_id IS NULL) OR (scope <> 'global' AND client_id IS NOT NULL)",
            name=op.f("ck_trading_state_change_scope_client"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_trading_state_change_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_state_change")),
    )
    with op.batch_alter_table("trading_state_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trading_state_change_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trading_state_change_changed_at"), ["changed_at"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    match = tenant_match("client_id")
    op.execute('ALTER TABLE "trading_state_change" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "trading_state_change" FORCE ROW LEVEL SECURITY')
    # As for trading_state: every tenant reads the global history (it explains its own halts),
    # but only the cross-tenant path may append to it.
    op.execute(
        f'CREATE POLICY tenant_isolation ON "trading_state_change" '
        f"USING ({match} OR client_id IS NULL) WITH CHECK {match}"
    )
    # History is evidence: the application may read and append, never rewrite.
    op.execute(f'GRANT SELECT, INSERT ON "trading_state_change" TO {role}')


def downgrade() -> None:
    """Drop the table (its policy and grants go with it)."""
    with op.batch_alter_table("trading_state_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_state_change_changed_at"))
        batch_op.drop_index(batch_op.f("ix_trading_state_change_client_id"))
    op.drop_table("trading_state_change")
