"""Pending broker OAuth authorisations (tenant-owned, under RLS)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.migration_support import app_role, tenant_match

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create broker_oauth_state; on PostgreSQL confine it to its tenant."""
    op.create_table(
        "broker_oauth_state",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state_digest", sa.String(length=64), nullable=False),
        sa.Column("payload_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_broker_oauth_state_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broker_oauth_state")),
        sa.UniqueConstraint("state_digest", name=op.f("uq_broker_oauth_state_state_digest")),
    )
    with op.batch_alter_table("broker_oauth_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broker_oauth_state_client_id"), ["client_id"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    match = tenant_match("client_id")
    op.execute('ALTER TABLE "broker_oauth_state" ENABLE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE "broker_oauth_state" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY tenant_isolation ON "broker_oauth_state" USING {match} WITH CHECK {match}')
    # Written once, read and deleted by its callback: never updated.
    op.execute(f'GRANT SELECT, INSERT, DELETE ON "broker_oauth_state" TO {role}')


def downgrade() -> None:
    """Drop the table (its policy and grants go with it)."""
    with op.batch_alter_table("broker_oauth_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broker_oauth_state_client_id"))
    op.drop_table("broker_oauth_state")
