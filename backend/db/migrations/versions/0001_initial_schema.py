"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 23:05:38.349141
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _decimal(precision: int, scale: int) -> sa.types.TypeEngine[Decimal]:
    # Exact on both databases: NUMERIC on PostgreSQL, canonical text on SQLite (whose NUMERIC
    # affinity would store a binary float). Mirrors backend.models.types.ExactDecimal.
    return sa.Numeric(precision, scale).with_variant(sa.String(precision + 3), "sqlite")


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "client",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('active', 'suspended')", name=op.f("ck_client_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
    )
    op.create_table(
        "agent_settings",
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("risk_profile", sa.String(length=20), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "mode IN ('manual', 'approval', 'autonomous')", name=op.f("ck_agent_settings_mode")
        ),
        sa.CheckConstraint(
            "risk_profile IN ('conservative', 'moderate', 'aggressive')",
            name=op.f("ck_agent_settings_risk_profile"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_agent_settings_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_settings")),
        sa.UniqueConstraint("client_id", name=op.f("uq_agent_settings_client_id")),
    )
    with op.batch_alter_table("agent_settings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agent_settings_client_id"), ["client_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chain", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("actor_type", sa.String(length=10), nullable=False),
        sa.Column("actor_id", sa.String(length=100), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "actor_type IN ('user', 'operator', 'agent', 'system')", name=op.f("ck_audit_log_actor_type")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_audit_log_client_id_client"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("chain", "seq", name=op.f("uq_audit_log_chain_seq")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_client_id"), ["client_id"], unique=False)

    op.create_table(
        "broker_account",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("credentials_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("key_version", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('simulator', 'ibkr', 'phillip')", name=op.f("ck_broker_account_kind")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_broker_account_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broker_account")),
    )
    with op.batch_alter_table("broker_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broker_account_client_id"), ["client_id"], unique=False)

    op.create_table(
        "position",
        sa.Column("instrument_key", sa.String(length=64), nullable=False),
        sa.Column("sec_type", sa.String(length=10), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("underlying", sa.String(length=32), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("strike", _decimal(18, 6), nullable=True),
        sa.Column("option_right", sa.String(length=1), nullable=True),
        sa.Column("multiplier", sa.Integer(), nullable=False),
        sa.Column("quantity", _decimal(18, 4), nullable=False),
        sa.Column("average_cost", _decimal(18, 6), nullable=False),
        sa.Column("realized_pnl", _decimal(20, 6), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "option_right IS NULL OR option_right IN ('C', 'P')", name=op.f("ck_position_option_right")
        ),
        sa.CheckConstraint("sec_type IN ('stock', 'option')", name=op.f("ck_position_sec_type")),
        sa.CheckConstraint("multiplier > 0", name=op.f("ck_position_multiplier_positive")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_position_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position")),
        sa.UniqueConstraint("client_id", "instrument_key", name=op.f("uq_position_client_id_instrument_key")),
    )
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_position_client_id"), ["client_id"], unique=False)

    op.create_table(
        "trade",
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("strategy", sa.String(length=50), nullable=True),
        sa.Column("underlying", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("order_type", sa.String(length=10), nullable=False),
        sa.Column("time_in_force", sa.String(length=3), nullable=False),
        sa.Column("limit_price", _decimal(18, 6), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("denial_reasons", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("order_type IN ('limit', 'market')", name=op.f("ck_trade_order_type")),
        sa.CheckConstraint("origin IN ('agent', 'chat', 'user')", name=op.f("ck_trade_origin")),
        sa.CheckConstraint(
            "status IN ('proposed', 'denied', 'pending_approval', 'approved', 'submitted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired', 'unknown')",
            name=op.f("ck_trade_status"),
        ),
        sa.CheckConstraint("time_in_force IN ('DAY', 'GTC')", name=op.f("ck_trade_time_in_force")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_trade_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade")),
        sa.UniqueConstraint("client_id", "idempotency_key", name=op.f("uq_trade_client_id_idempotency_key")),
    )
    with op.batch_alter_table("trade", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trade_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trade_status"), ["status"], unique=False)

    op.create_table(
        "trading_state",
        sa.Column("scope", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("allow_reduce_only", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(scope = 'global' AND client_id IS NULL) OR (scope <> 'global' AND client_id IS NOT NULL)",
            name=op.f("ck_trading_state_scope_client"),
        ),
        sa.CheckConstraint("state IN ('ACTIVE', 'REDUCING', 'HALTED')", name=op.f("ck_trading_state_state")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_trading_state_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_state")),
        sa.UniqueConstraint("scope", name=op.f("uq_trading_state_scope")),
    )
    with op.batch_alter_table("trading_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trading_state_client_id"), ["client_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'client' AND client_id IS NOT NULL) OR (role = 'operator' AND client_id IS NULL)",
            name=op.f("ck_user_account_role_tenant"),
        ),
        sa.CheckConstraint("role IN ('client', 'operator')", name=op.f("ck_user_account_role")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_user_account_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_client_id"), ["client_id"], unique=False)

    op.create_table(
        "broker_order",
        sa.Column("trade_id", sa.Uuid(), nullable=False),
        sa.Column("client_order_id", sa.String(length=64), nullable=False),
        sa.Column("broker_order_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("quantity", _decimal(18, 4), nullable=False),
        sa.Column("filled_quantity", _decimal(18, 4), nullable=False),
        sa.Column("limit_price", _decimal(18, 6), nullable=True),
        sa.Column("average_fill_price", _decimal(18, 6), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending_submit', 'submitted', 'acknowledged', 'partially_filled', 'filled', 'cancel_requested', 'cancelled', 'rejected', 'unknown')",
            name=op.f("ck_broker_order_status"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_broker_order_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_broker_order_client_id_client"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["trade_id"], ["trade.id"], name=op.f("fk_broker_order_trade_id_trade"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broker_order")),
        sa.UniqueConstraint("client_order_id", name=op.f("uq_broker_order_client_order_id")),
    )
    with op.batch_alter_table("broker_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broker_order_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_broker_order_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_broker_order_trade_id"), ["trade_id"], unique=False)

    op.create_table(
        "refresh_token",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_refresh_token_client_id_client"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_refresh_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_token_token_hash")),
    )
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_token_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_token_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "trade_leg",
        sa.Column("trade_id", sa.Uuid(), nullable=False),
        sa.Column("leg_index", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("ratio", sa.Integer(), nullable=False),
        sa.Column("sec_type", sa.String(length=10), nullable=False),
        sa.Column("symbol", sa.String(length=32), nullable=False),
        sa.Column("instrument_key", sa.String(length=64), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("strike", _decimal(18, 6), nullable=True),
        sa.Column("option_right", sa.String(length=1), nullable=True),
        sa.Column("multiplier", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "option_right IS NULL OR option_right IN ('C', 'P')", name=op.f("ck_trade_leg_option_right")
        ),
        sa.CheckConstraint("sec_type IN ('stock', 'option')", name=op.f("ck_trade_leg_sec_type")),
        sa.CheckConstraint("side IN ('buy', 'sell')", name=op.f("ck_trade_leg_side")),
        sa.CheckConstraint("multiplier > 0", name=op.f("ck_trade_leg_multiplier_positive")),
        sa.CheckConstraint("ratio > 0", name=op.f("ck_trade_leg_ratio_positive")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_trade_leg_client_id_client"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["trade_id"], ["trade.id"], name=op.f("fk_trade_leg_trade_id_trade"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_leg")),
        sa.UniqueConstraint("trade_id", "leg_index", name=op.f("uq_trade_leg_trade_id_leg_index")),
    )
    with op.batch_alter_table("trade_leg", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trade_leg_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trade_leg_trade_id"), ["trade_id"], unique=False)

    op.create_table(
        "fill",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("execution_id", sa.String(length=128), nullable=False),
        sa.Column("instrument_key", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("quantity", _decimal(18, 4), nullable=False),
        sa.Column("price", _decimal(18, 6), nullable=False),
        sa.Column("commission", _decimal(18, 6), nullable=False),
        sa.Column("filled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("side IN ('buy', 'sell')", name=op.f("ck_fill_side")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_fill_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_fill_client_id_client"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["broker_order.id"], name=op.f("fk_fill_order_id_broker_order"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fill")),
        sa.UniqueConstraint("client_id", "execution_id", name=op.f("uq_fill_client_id_execution_id")),
    )
    with op.batch_alter_table("fill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fill_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fill_order_id"), ["order_id"], unique=False)

    # Every install starts with trading ACTIVE globally; operators change it with a reason.
    trading_state = sa.table(
        "trading_state",
        sa.column("id", sa.Uuid()),
        sa.column("scope", sa.String()),
        sa.column("client_id", sa.Uuid()),
        sa.column("state", sa.String()),
        sa.column("allow_reduce_only", sa.Boolean()),
        sa.column("changed_by", sa.String()),
        sa.column("changed_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        trading_state,
        [
            {
                "id": uuid.uuid4(),
                "scope": "global",
                "client_id": None,
                "state": "ACTIVE",
                "allow_reduce_only": True,
                "changed_by": "system",
                "changed_at": datetime.now(UTC),
            }
        ],
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("fill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fill_order_id"))
        batch_op.drop_index(batch_op.f("ix_fill_client_id"))

    op.drop_table("fill")
    with op.batch_alter_table("trade_leg", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trade_leg_trade_id"))
        batch_op.drop_index(batch_op.f("ix_trade_leg_client_id"))

    op.drop_table("trade_leg")
    with op.batch_alter_table("refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_token_family_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_token_client_id"))

    op.drop_table("refresh_token")
    with op.batch_alter_table("broker_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broker_order_trade_id"))
        batch_op.drop_index(batch_op.f("ix_broker_order_status"))
        batch_op.drop_index(batch_op.f("ix_broker_order_client_id"))

    op.drop_table("broker_order")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_client_id"))

    op.drop_table("user_account")
    with op.batch_alter_table("trading_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_state_client_id"))

    op.drop_table("trading_state")
    with op.batch_alter_table("trade", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trade_status"))
        batch_op.drop_index(batch_op.f("ix_trade_client_id"))

    op.drop_table("trade")
    with op.batch_alter_table("position", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_position_client_id"))

    op.drop_table("position")
    with op.batch_alter_table("broker_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broker_account_client_id"))

    op.drop_table("broker_account")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_client_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_action"))

    op.drop_table("audit_log")
    with op.batch_alter_table("agent_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_settings_client_id"))

    op.drop_table("agent_settings")
    op.drop_table("client")
