"""Client bodies."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backend.models.client import ClientStatus

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MIN_PASSWORD_LENGTH = 12


def normalise_email(value: str) -> str:
    """Lower-case and check the shape of an email used as a username."""
    email = value.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise ValueError("must be an email address")
    return email


class ClientCreate(BaseModel):
    """A new client and its first user."""

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(description="The first user's email, used to log in")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)

    @field_validator("email")
    @classmethod
    def _normalise_email(cls, value: str) -> str:
        return normalise_email(value)


class ClientRead(BaseModel):
    """A client as operators see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: ClientStatus
    created_at: datetime
