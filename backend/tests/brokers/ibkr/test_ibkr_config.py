"""Validation of a client's IBKR settings."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from backend.brokers.ibkr import IbkrSettings


def test_valid_settings_are_accepted() -> None:
    settings = IbkrSettings(
        host="gw.internal", port=4001, client_id=0, account_code="U1234567", accept_delayed_data=True
    )
    assert not settings.is_paper
    assert IbkrSettings(account_code="DU1234567").is_paper


@pytest.mark.parametrize(
    "bad",
    [
        {"port": 0},
        {"port": 65536},
        {"client_id": -1},
        {"client_id": 2**31},
        {"account_code": "du123"},
        {"account_code": "U12"},
        {"host": "bad host!"},
        {"extra": 1},
    ],
)
def test_invalid_settings_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        IbkrSettings(**{"account_code": "DU1234567", **bad})
