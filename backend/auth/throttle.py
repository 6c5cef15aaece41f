"""Failed-login throttling per account, per address, and per account-and-address pair."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from backend.config import Settings
from backend.kit.errors import TooManyRequests
from backend.kit.rate_limit import WindowCounter

HOUR = 3600


@dataclass(frozen=True, slots=True)
class _Rule:
    key: str
    limit: int
    window: int


class LoginThrottle:
    """Block guessing without letting an attacker lock a user out for long.

    The tight limit is on the (account, address) pair, so it blocks the guesser's address only;
    the account-wide cap (at most 100 an hour) bounds distributed guessing, and the per-address
    limit stops one address spraying many accounts. Windows slide, so nothing stays locked
    past its window.
    """

    def __init__(self, counter: WindowCounter, settings: Settings) -> None:
        self._counter = counter
        self._settings = settings

    def _rules(self, username: str, address: str) -> list[_Rule]:
        s = self._settings
        account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        return [
            _Rule(
                f"login:pair:{account}:{address}",
                s.login_max_failures_per_account_address,
                s.login_window_seconds,
            ),
            _Rule(f"login:addr:{address}", s.login_max_failures_per_address, s.login_window_seconds),
            _Rule(f"login:acct:{account}", s.login_max_failures_per_account_hour, HOUR),
        ]

    async def check(self, username: str, address: str) -> None:
        """Raise 429 with Retry-After when any limit is reached."""
        for rule in self._rules(username, address):
            if await self._counter.count(rule.key, rule.window) >= rule.limit:
                age = await self._counter.oldest_age(rule.key, rule.window)
                retry_after = max(1, math.ceil(rule.window - age))
                raise TooManyRequests(
                    "Too many failed logins; try again later",
                    code="login_throttled",
                    details={"retry_after_seconds": retry_after},
                    headers={"Retry-After": str(retry_after)},
                )

    async def record_failure(self, username: str, address: str) -> None:
        """Count one failed login against every rule."""
        for rule in self._rules(username, address):
            await self._counter.add(rule.key, rule.window)

    async def record_success(self, username: str, address: str) -> None:
        """Clear the pair counter: the person at this address knows the password."""
        await self._counter.clear(self._rules(username, address)[0].key)
