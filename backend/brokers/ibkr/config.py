"""Settings of one client's Interactive Brokers connection, and the adapter's timing knobs.

``IbkrSettings`` is what a client enters at onboarding (stored encrypted by the caller);
``IbkrTuning`` is ours, the same for every client unless a test or an operator changes it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator

_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
ACCOUNT_CODE_PATTERN = r"^[A-Z]{1,3}[0-9]{4,10}$"
"""U1234567 (individual), DU1234567 (paper), F1234567 (advisor master), I/DI... (introducing broker)."""

GATEWAY_LIVE_PORT = 4001
GATEWAY_PAPER_PORT = 4002
TWS_LIVE_PORT = 7496
TWS_PAPER_PORT = 7497


class IbkrSettings(BaseModel):
    """Where a client's IB Gateway or TWS listens, and which account Greekdesk trades in it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    host: str = Field(default="127.0.0.1", description="Host name or IP address of the gateway")
    port: int = Field(
        default=GATEWAY_PAPER_PORT,
        ge=1,
        le=65535,
        description="API port: 4001/4002 for IB Gateway live/paper, 7496/7497 for TWS live/paper",
    )
    client_id: int = Field(default=1, ge=0, le=2**31 - 1, description="API client id, unique per gateway")
    account_code: str = Field(pattern=ACCOUNT_CODE_PATTERN, description="IB account code, e.g. DU1234567")
    accept_delayed_data: bool = Field(
        default=False, description="Use 15-minute delayed quotes when the account has no live subscription"
    )

    @field_validator("host")
    @classmethod
    def _valid_host(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if not _HOSTNAME.match(value):
                raise ValueError(f"not a host name or IP address: {value!r}") from None
        return value

    @property
    def is_paper(self) -> bool:
        """Tell whether the account code is a paper-trading one (``D`` prefix)."""
        return self.account_code.startswith("D")


@dataclass(frozen=True, slots=True)
class IbkrTuning:
    """Timeouts, heartbeat, reconnect backoff and pacing of the adapter (seconds and rates)."""

    connect_timeout: float = 10.0
    request_timeout: float = 15.0
    order_ack_timeout: float = 10.0
    quote_wait: float = 3.0
    """How long ``quotes`` waits for a first two-sided market before answering with what it has."""
    heartbeat_interval: float = 15.0
    heartbeat_timeout: float = 5.0
    reconnect_base_delay: float = 0.5
    reconnect_max_delay: float = 30.0
    max_requests_per_second: float = 35.0
    request_burst: int = 10
    """Burst plus rate stays under IB's 50 messages a second (and ib_async's 45) in any second."""
    chain_ttl: float = 300.0
    max_market_data_lines: int = 90
    """IB's default allowance is 100 simultaneous lines; older idle lines are cancelled first."""
