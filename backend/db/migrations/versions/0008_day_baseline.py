"""Daily-loss baselines kept in the database, so every process and every restart counts from the same point

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.migration_support import app_role, tenant_match

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create day_baseline; on PostgreSQL confine it to its tenant, read and append only."""
    op.create_table(
        "day_baseline",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("net_liquidation", sa.Numeric(20, 6).with_variant(sa.String(23), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_day_baseline_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_baseline")),
        sa.UniqueConstraint("client_id", "day", name=op.f("uq_day_baseline_client_id_day")),
    )
    with op.batch_alter_table("day_baseline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_day_baseline_client_id"), ["client_id"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    match = tenant_match("client_id")
    op.execute('ALTER TABLE "day_baseline" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "day_baseline" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY tenant_isolation ON "day_baseline" USING {match} WITH CHECK {match}')
    # A baseline that could be rewritten would let a loss be forgotten: read and append only.
    op.execute(f'GRANT SELECT, INSERT ON "day_baseline" TO {role}')


def downgrade() -> None:
    """Drop the table."""
    with op.batch_alter_table("day_baseline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_day_baseline_client_id"))
    op.drop_table("day_baseline")
