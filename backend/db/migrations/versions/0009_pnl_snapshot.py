"""P&L over time: each client's account values recorded at intervals by the process holding its broker

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from backend.db.migration_support import app_role, tenant_match

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money(name: str) -> sa.Column[Decimal]:
    return sa.Column(name, sa.Numeric(20, 6).with_variant(sa.String(23), "sqlite"), nullable=False)


def upgrade() -> None:
    """Create pnl_snapshot; on PostgreSQL confine it to its tenant, read and append only."""
    op.create_table(
        "pnl_snapshot",
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _money("net_liquidation"),
        _money("realized"),
        _money("unrealized"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_pnl_snapshot_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pnl_snapshot")),
    )
    with op.batch_alter_table("pnl_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pnl_snapshot_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_pnl_snapshot_client_id_at", ["client_id", "at"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    match = tenant_match("client_id")
    op.execute('ALTER TABLE "pnl_snapshot" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "pnl_snapshot" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY tenant_isolation ON "pnl_snapshot" USING {match} WITH CHECK {match}')
    # A history that could be rewritten could hide a loss: read and append only.
    op.execute(f'GRANT SELECT, INSERT ON "pnl_snapshot" TO {role}')


def downgrade() -> None:
    """Drop the table."""
    with op.batch_alter_table("pnl_snapshot", schema=None) as batch_op:
        batch_op.drop_index("ix_pnl_snapshot_client_id_at")
        batch_op.drop_index(batch_op.f("ix_pnl_snapshot_client_id"))
    op.drop_table("pnl_snapshot")
