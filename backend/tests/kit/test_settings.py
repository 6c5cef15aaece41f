"""Settings: seed flags, defaults, and refusal to start with unsafe values outside development."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from backend.config import ConfigurationError, Settings
from backend.kit.container import Container
from backend.tests.conftest import key_ring


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)


def test_seed_flags_have_their_documented_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "USE_MOCK_BROKER",
        "AUTONOMOUS_ENABLED",
        "AUTO_CREATE_TABLES",
        "CORS_ORIGINS",
        "APP_ENV",
        "REDIS_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = _settings(tmp_path)
    assert settings.use_mock_broker is True
    assert settings.autonomous_enabled is False
    assert settings.auto_create_tables is False
    assert settings.redis_url is None
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{(tmp_path / 'greekdesk.db').resolve()}"


def test_cors_origins_read_as_a_comma_separated_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "http://localhost:3000, http://localhost:5173")
    assert _settings(tmp_path).cors_origins == ["http://localhost:3000", "http://localhost:5173"]


@pytest.mark.parametrize("env", ["production", "test"])
def test_missing_jwt_secret_refuses_to_start_naming_it(tmp_path: Path, env: str) -> None:
    settings = _settings(tmp_path, app_env=env, credential_keys=key_ring(1))
    with pytest.raises(ConfigurationError, match="JWT_SECRET"):
        Container.build(settings)


def test_placeholder_jwt_secret_refuses_to_start(tmp_path: Path) -> None:
    settings = _settings(tmp_path, app_env="production", jwt_secret="change-me", credential_keys=key_ring(1))
    with pytest.raises(ConfigurationError, match="JWT_SECRET"):
        settings.check_secrets()


def test_missing_credential_keys_refuse_to_start_naming_them(tmp_path: Path) -> None:
    settings = _settings(tmp_path, app_env="production", jwt_secret="x" * 48)
    with pytest.raises(ConfigurationError, match="CREDENTIAL_KEYS"):
        settings.check_secrets()


@pytest.mark.parametrize("ring", ["1:not-base64!", "1:" + "QUJD", "abc", "1:{k},1:{k}"])
def test_malformed_key_rings_are_refused(tmp_path: Path, ring: str) -> None:
    key = key_ring(1).split(":", 1)[1]
    settings = _settings(
        tmp_path, app_env="production", jwt_secret="x" * 48, credential_keys=ring.format(k=key)
    )
    with pytest.raises(ConfigurationError, match="CREDENTIAL_KEYS"):
        settings.check_secrets()


def test_short_jwt_secret_is_refused(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, app_env="production", jwt_secret="short-secret", credential_keys=key_ring(1)
    )
    with pytest.raises(ConfigurationError, match="at least 32"):
        settings.check_secrets()


def test_development_generates_and_keeps_secrets(tmp_path: Path) -> None:
    first = _settings(tmp_path, app_env="development")
    second = _settings(tmp_path, app_env="development")
    assert first.jwt_signing_key == second.jwt_signing_key
    assert first.credential_key_ring == second.credential_key_ring
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0


def test_auto_create_tables_is_refused_outside_development(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="AUTO_CREATE_TABLES"):
        _settings(tmp_path, app_env="production", auto_create_tables=True)


def test_password_hashing_below_owasp_minimum_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        _settings(tmp_path, password_hash_memory_kib=8192)


def test_the_documented_example_env_file_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    # Copying .env.example to .env must start: its blank values mean "unset", not "invalid".
    for name in list(os.environ):
        if name.isupper() and name not in ("PATH", "HOME"):
            monkeypatch.delenv(name, raising=False)
    example = Path(__file__).resolve().parents[3] / ".env.example"
    settings = Settings(_env_file=str(example))
    assert settings.database_url is None
    assert settings.simulator_always_open is None
    assert settings.redis_url is None
