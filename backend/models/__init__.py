"""ORM tables; importing this module registers every table on `Base.metadata`."""

from backend.models.agent_settings import AgentParametersVersion, AgentSettings
from backend.models.audit_log import AuditRecord
from backend.models.base import Base
from backend.models.broker_account import BrokerAccount
from backend.models.broker_oauth_state import BrokerOAuthState
from backend.models.chat_message import ChatMessage
from backend.models.client import Client
from backend.models.client_lease import ClientLease
from backend.models.day_baseline import DayBaseline
from backend.models.order import Fill, Order
from backend.models.pnl_snapshot import PnlSnapshot
from backend.models.position import Position
from backend.models.refresh_token import RefreshToken
from backend.models.simulator_state import SimulatorAccountState, SimulatorMarketState
from backend.models.trade import Trade, TradeLeg
from backend.models.trading_state import TradingState, TradingStateChange
from backend.models.user import User

__all__ = [
    "AgentParametersVersion",
    "AgentSettings",
    "AuditRecord",
    "Base",
    "BrokerAccount",
    "BrokerOAuthState",
    "ChatMessage",
    "Client",
    "ClientLease",
    "DayBaseline",
    "Fill",
    "Order",
    "PnlSnapshot",
    "Position",
    "RefreshToken",
    "SimulatorAccountState",
    "SimulatorMarketState",
    "Trade",
    "TradeLeg",
    "TradingState",
    "TradingStateChange",
    "User",
]

# Tables whose rows belong to a client; each gets FORCE row-level security on PostgreSQL.
TENANT_TABLES = (
    "client",
    "user_account",
    "refresh_token",
    "broker_account",
    "broker_oauth_state",
    "agent_settings",
    "agent_parameters_version",
    "chat_message",
    "day_baseline",
    "pnl_snapshot",
    "trade",
    "trade_leg",
    "broker_order",
    "fill",
    "position",
    "trading_state",
    "trading_state_change",
    "audit_log",
    "simulator_account",
)

# Tables with a client_id that hold no tenant data: a worker's lease on a client (see migration 0007).
# Workers read every row to find free clients, so these have grants but no row-level security.
SYSTEM_TABLES = ("client_lease",)
