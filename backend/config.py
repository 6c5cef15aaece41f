"""Settings from the environment (the seed's flags included), validated once at start-up."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Values that appear in docs and examples; a deployment that still carries one is refused.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development"})
MIN_JWT_SECRET_LENGTH = 32
OWASP_MIN_ARGON2_MEMORY_KIB = 19 * 1024
DEV_SECRETS_FILE = "dev-secrets.json"


class AppEnv(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    """A setting that makes the process refuse to start; the message names the setting."""


class Settings(BaseSettings):
    """Every knob Greekdesk reads from the environment or `.env`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    app_env: AppEnv = AppEnv.DEVELOPMENT
    data_dir: Path = Path("./data")
    database_url: str | None = None
    migration_database_url: str | None = Field(
        default=None, description="Owner connection for migrations; defaults to DATABASE_URL."
    )
    db_app_role: str = Field(default="greekdesk_app", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    redis_url: str | None = None

    use_mock_broker: bool = True
    autonomous_enabled: bool = False
    auto_create_tables: bool = False
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://localhost:5173"]
    )
    broker_private_endpoints: bool | None = Field(
        default=None,
        description="Let clients point IBKR and Phillip at private, loopback or link-local addresses "
        "(default: yes, except when APP_ENV=production)",
    )
    broker_allowed_endpoints: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names or CIDR networks clients may use for IBKR and Phillip in any case, comma-separated",
    )

    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "greekdesk"
    jwt_audience: str = "greekdesk-api"
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=3600)
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=3600)
    credential_keys: SecretStr | None = Field(
        default=None, description="Key ring 'VERSION:BASE64KEY,...' of 32-byte AES keys; newest = highest."
    )

    password_hash_time_cost: int = Field(default=3, ge=2)
    password_hash_memory_kib: int = Field(default=64 * 1024, ge=OWASP_MIN_ARGON2_MEMORY_KIB)
    password_hash_parallelism: int = Field(default=4, ge=1)

    login_max_failures_per_account_hour: int = Field(default=100, ge=1, le=100)
    login_max_failures_per_account_address: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=50, ge=1)
    login_window_seconds: int = Field(default=900, ge=60)

    simulator_seed: int = 7
    simulator_always_open: bool | None = Field(
        default=None, description="Accept orders at any hour; unset means on in development, off elsewhere."
    )
    simulator_step_seconds: int = Field(default=5, ge=1, le=3600, description="Price path grid step")
    simulator_tick_seconds: float = Field(default=1.0, gt=0, le=60, description="How often prices move")
    simulator_starting_cash: Decimal = Field(default=Decimal(100_000), gt=0, le=Decimal(10) ** 12)
    simulator_snapshot_seconds: int = Field(
        default=30, ge=1, description="How often simulated accounts are saved"
    )
    risk_free_rate: Decimal = Field(
        default=Decimal("0.043"),
        ge=-1,
        le=1,
        description="Continuous rate used by the option model and simulator",
    )
    daily_loss_state: Literal["REDUCING", "HALTED"] = Field(
        default="REDUCING", description="Where a client's trading goes when its daily loss limit is reached"
    )
    reconcile_interval_seconds: float = Field(
        default=60.0, ge=1, le=3600, description="How often open orders are checked against the broker"
    )
    broker_connect_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    agent_enabled: bool = Field(
        default=True,
        description="Run the agent's loop for the clients this process holds (off: suggestions only by chat)",
    )
    agent_tick_seconds: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="How often each client's agent looks at quotes, exits and scans due",
    )
    agent_scan_slots: int = Field(
        default=2,
        ge=1,
        le=64,
        description=(
            "Scans running at once in a process; a client whose scan comes due while all are busy keeps "
            "ticking (exits, approvals) and scans on a later tick"
        ),
    )
    pnl_snapshot_seconds: float = Field(
        default=300.0, ge=1, le=86400, description="Least time between two points of a client's P&L history"
    )
    process_role: Literal["all", "api", "worker"] = Field(
        default="all",
        description="all: one process does everything; api: HTTP/WS only; worker: leased broker sessions",
    )
    worker_id: str | None = Field(
        default=None, max_length=100, description="This worker's name in the lease table (default host:pid)"
    )
    lease_ttl_seconds: float = Field(
        default=15.0, ge=1, le=600, description="How long a client lease lasts without renewal"
    )
    worker_max_clients: int = Field(
        default=0, ge=0, description="Most clients one worker holds (0: its fair share, no fixed cap)"
    )
    remote_call_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="How long an API process waits for a worker's answer"
    )
    cluster_secret: SecretStr | None = Field(
        default=None,
        description="Signs frames between API processes and workers; derived from JWT_SECRET when unset",
    )

    stream_heartbeat_seconds: float = Field(
        default=15.0, gt=0, le=300, description="Stream heartbeat interval"
    )
    stream_recheck_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="How often an open stream re-checks its user is still active"
    )
    stream_queue_size: int = Field(
        default=256, ge=1, le=100_000, description="Events a socket may lag behind before it is dropped"
    )
    stream_replay_capacity: int = Field(
        default=1000, ge=1, le=100_000, description="Replay buffer per client"
    )
    stream_ticket_seconds: float = Field(default=30.0, gt=0, le=300, description="Stream ticket lifetime")
    quote_interval_seconds: float = Field(
        default=1.0, gt=0, le=60, description="Quotes on the stream: at most one per symbol per interval"
    )
    log_level: str = "INFO"
    log_json: bool = True
    metrics_token: SecretStr | None = Field(
        default=None,
        description="Bearer token GET /metrics requires; unset leaves it open (restrict it at the network)",
    )
    chat_llm_provider: Literal["none", "openai", "anthropic"] = Field(
        default="none",
        description="The chat's language model: none (the built-in parser), openai (any compatible URL), anthropic",
    )
    chat_llm_model: str | None = Field(
        default=None, max_length=200, description="e.g. gpt-4o-mini, llama3.1, claude-sonnet-4-5"
    )
    chat_llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL, e.g. http://localhost:11434/v1"
    )
    chat_llm_api_key: SecretStr | None = None
    chat_llm_timeout_seconds: float = Field(default=60.0, gt=0, le=600)

    @field_validator("cors_origins", "broker_allowed_endpoints", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator(
        "database_url",
        "migration_database_url",
        "redis_url",
        "simulator_always_open",
        "worker_id",
        "cluster_secret",
        "jwt_secret",
        "credential_keys",
        "metrics_token",
        "chat_llm_model",
        "chat_llm_base_url",
        "chat_llm_api_key",
        mode="before",
    )
    @classmethod
    def _blank_token_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _refuse_unsafe_outside_development(self) -> Settings:
        if self.auto_create_tables and self.app_env is not AppEnv.DEVELOPMENT:
            raise ValueError("AUTO_CREATE_TABLES is only allowed when APP_ENV=development; run migrations")
        return self

    @model_validator(mode="after")
    def _split_roles_need_redis(self) -> Settings:
        if self.process_role != "all" and not self.redis_url:
            raise ValueError("PROCESS_ROLE=api or worker needs REDIS_URL: commands and events travel over it")
        return self

    @property
    def is_development(self) -> bool:
        """Tell whether development conveniences (generated secrets, create_all) are allowed."""
        return self.app_env is AppEnv.DEVELOPMENT

    @property
    def private_broker_endpoints_allowed(self) -> bool:
        """Tell whether clients' broker endpoints may be private addresses (a gateway beside us)."""
        if self.broker_private_endpoints is None:
            return self.app_env is not AppEnv.PRODUCTION
        return self.broker_private_endpoints

    @property
    def simulator_is_always_open(self) -> bool:
        """Tell whether the simulator trades around the clock (a demo works at any hour)."""
        if self.simulator_always_open is None:
            return self.is_development
        return self.simulator_always_open

    @cached_property
    def resolved_database_url(self) -> str:
        """Return the application's database URL, defaulting to a SQLite file under DATA_DIR."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'greekdesk.db').resolve()}"

    @property
    def resolved_migration_url(self) -> str:
        """Return the owner URL migrations run with."""
        return self.migration_database_url or self.resolved_database_url

    @cached_property
    def jwt_signing_key(self) -> str:
        """Return the JWT signing secret, refusing placeholders outside development."""
        value = self.jwt_secret.get_secret_value() if self.jwt_secret else None
        if value is None or value.strip().lower() in PLACEHOLDER_SECRETS:
            if not self.is_development:
                raise ConfigurationError(
                    "JWT_SECRET is missing or still a placeholder; set a random value of 32+ characters"
                )
            value = self._dev_secrets()["jwt_secret"]
        if len(value) < MIN_JWT_SECRET_LENGTH:
            raise ConfigurationError(f"JWT_SECRET must be at least {MIN_JWT_SECRET_LENGTH} characters")
        return value

    @cached_property
    def credential_key_ring(self) -> dict[int, bytes]:
        """Return the credential key ring {version: 32-byte key}, refusing placeholders outside development."""
        raw = self.credential_keys.get_secret_value() if self.credential_keys else None
        if raw is None or raw.strip().lower() in PLACEHOLDER_SECRETS:
            if not self.is_development:
                raise ConfigurationError(
                    "CREDENTIAL_KEYS is missing or still a placeholder; "
                    "set 'VERSION:BASE64KEY' with a random 32-byte key"
                )
            raw = self._dev_secrets()["credential_keys"]
        return parse_key_ring(raw)

    @property
    def lease_renew_seconds(self) -> float:
        """Return how often a worker renews its leases: three times per time-to-live."""
        return self.lease_ttl_seconds / 3

    @cached_property
    def cluster_signing_key(self) -> bytes:
        """Return the key that signs frames between processes (its own, or one derived from JWT_SECRET)."""
        if self.cluster_secret is not None and self.cluster_secret.get_secret_value().strip():
            value = self.cluster_secret.get_secret_value()
            if value.strip().lower() in PLACEHOLDER_SECRETS or len(value) < MIN_JWT_SECRET_LENGTH:
                raise ConfigurationError(
                    f"CLUSTER_SECRET must be at least {MIN_JWT_SECRET_LENGTH} characters"
                )
            return value.encode()
        # Every process of a deployment already shares JWT_SECRET; a labelled derivation keeps the
        # two uses apart (a frame key never verifies a token, nor the reverse).
        return hmac.new(
            self.jwt_signing_key.encode(), b"greekdesk-cluster-frames-v1", hashlib.sha256
        ).digest()

    def check_secrets(self) -> None:
        """Resolve every secret now so a bad one stops start-up with a message naming it."""
        _ = self.jwt_signing_key
        _ = self.credential_key_ring

    def _dev_secrets(self) -> dict[str, str]:
        # Development still uses real crypto: generated once, kept beside the data so tokens and
        # stored credentials survive restarts, and never shipped as a constant in the code.
        path = self.data_dir / DEV_SECRETS_FILE
        if path.exists():
            stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
            return stored
        path.parent.mkdir(parents=True, exist_ok=True)
        generated = {
            "jwt_secret": secrets.token_urlsafe(48),
            "credential_keys": f"1:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(generated, handle)
        return generated


def parse_key_ring(raw: str) -> dict[int, bytes]:
    """Parse 'VERSION:BASE64KEY,...' into {version: key}; every key must be 32 bytes."""
    ring: dict[int, bytes] = {}
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        version_text, sep, key_text = entry.partition(":")
        if not sep or not version_text.strip().isdigit():
            raise ConfigurationError("CREDENTIAL_KEYS entries must look like 'VERSION:BASE64KEY'")
        try:
            key = base64.b64decode(key_text.strip(), validate=True)
        except binascii.Error as exc:
            raise ConfigurationError("CREDENTIAL_KEYS holds a key that is not valid base64") from exc
        if len(key) != 32:
            raise ConfigurationError("CREDENTIAL_KEYS keys must be 32 bytes (AES-256)")
        version = int(version_text)
        if version in ring:
            raise ConfigurationError(f"CREDENTIAL_KEYS lists version {version} twice")
        ring[version] = key
    if not ring:
        raise ConfigurationError("CREDENTIAL_KEYS holds no key")
    return ring


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with explicit overrides taking precedence."""
    return Settings(**overrides)
