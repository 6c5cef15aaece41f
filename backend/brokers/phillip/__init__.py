"""Phillip Securities (POEMS Singapore) behind the broker port, over the POEMS REST API."""

from backend.brokers.phillip.adapter import PhillipBroker
from backend.brokers.phillip.auth import AuthorizationRequest, PhillipOAuth, states_match
from backend.brokers.phillip.config import (
    PhillipAppSecrets,
    PhillipCredentials,
    PhillipSettings,
    PhillipTokens,
)

__all__ = [
    "AuthorizationRequest",
    "PhillipAppSecrets",
    "PhillipBroker",
    "PhillipCredentials",
    "PhillipOAuth",
    "PhillipSettings",
    "PhillipTokens",
    "states_match",
]
