"""ORM tables; importing this module registers every table on `Base.metadata`."""

from backend.models.agent_settings import AgentSettings
from backend.models.audit_log import AuditRecord
from backend.models.base import Base
from backend.models.broker_account import BrokerAccount
from backend.models.broker_oauth_state import BrokerOAuthState
from backend.models.client import Client
from backend.models.order import Fill, Order
from backend.models.position import Position
from backend.models.refresh_token import RefreshToken
from backend.models.simulator_state import SimulatorAccountState, SimulatorMarketState
from backend.models.trade import Trade, TradeLeg
from backend.models.trading_state import TradingState, TradingStateChange
from backend.models.user import User

__all__ = [
    "AgentSettings",
    "AuditRecord",
    "Base",
    "BrokerAccount",
    "BrokerOAuthState",
    "Client",
    "Fill",
    "Order",
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
