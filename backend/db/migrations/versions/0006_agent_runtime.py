"""The agent: runtime columns on agent_settings, parameter history, chat messages (tenant-owned, RLS)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from backend.db.migration_support import app_role, tenant_match

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _client_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["client_id"], ["client.id"], name=op.f(f"fk_{table}_client_id_client"), ondelete="CASCADE"
    )


def upgrade() -> None:
    """Add the agent's runtime columns and its two append-only tables."""
    with op.batch_alter_table("agent_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("paused_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("last_scan_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_scan_summary", sa.JSON(), nullable=True))
    with op.batch_alter_table("trade", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_trade_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_trade_parent_trade_id"), ["parent_trade_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_trade_parent_trade_id_trade"),
            "trade",
            ["parent_trade_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "agent_parameters_version",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("risk_profile", sa.String(length=20), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        _client_fk("agent_parameters_version"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_parameters_version")),
        sa.UniqueConstraint(
            "client_id", "version", name=op.f("uq_agent_parameters_version_client_id_version")
        ),
    )
    op.create_table(
        "chat_message",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("role IN ('user', 'agent')", name=op.f("ck_chat_message_role")),
        _client_fk("chat_message"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_message")),
    )
    for table in ("agent_parameters_version", "chat_message"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_client_id"), ["client_id"], unique=False)
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_chat_message_conversation", ["client_id", "conversation_id", "created_at"], unique=False
        )
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    match = tenant_match("client_id")
    for table in ("agent_parameters_version", "chat_message"):
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY tenant_isolation ON "{table}" USING {match} WITH CHECK {match}')
        # History and conversations are evidence: read and append, never rewrite.
        op.execute(f'GRANT SELECT, INSERT ON "{table}" TO {role}')


def downgrade() -> None:
    """Drop the agent's tables and columns."""
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_message_conversation")
        batch_op.drop_index(batch_op.f("ix_chat_message_client_id"))
    op.drop_table("chat_message")
    with op.batch_alter_table("agent_parameters_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_parameters_version_client_id"))
    op.drop_table("agent_parameters_version")
    with op.batch_alter_table("trade", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_trade_parent_trade_id_trade"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_trade_parent_trade_id"))
        batch_op.drop_column("parent_trade_id")
    with op.batch_alter_table("agent_settings", schema=None) as batch_op:
        batch_op.drop_column("last_scan_summary")
        batch_op.drop_column("last_scan_at")
        batch_op.drop_column("paused_reason")
        batch_op.drop_column("paused")
