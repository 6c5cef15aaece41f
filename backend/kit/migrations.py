"""Run Alembic migrations from code (the CLI and the tests), same as `alembic -c backend/db/alembic.ini`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "db" / "alembic.ini"


def alembic_config(url: str | None = None, *, app_role: str | None = None) -> Config:
    """Return the Alembic config, optionally pinned to a database URL and application role."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logger"] = False
    if url:
        config.attributes["url"] = url
    if app_role:
        config.attributes["app_role"] = app_role
    return config


def upgrade(url: str | None = None, *, revision: str = "head", app_role: str | None = None) -> None:
    """Migrate the database up to `revision`."""
    command.upgrade(alembic_config(url, app_role=app_role), revision)


def downgrade(url: str | None = None, *, revision: str = "base", app_role: str | None = None) -> None:
    """Migrate the database down to `revision`."""
    command.downgrade(alembic_config(url, app_role=app_role), revision)
