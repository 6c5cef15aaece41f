"""Which network addresses a client-entered broker endpoint may reach.

Clients type their IBKR gateway's host and their POEMS gateway's URL, and our processes connect
there. Unchecked, a client could point them at the platform's own network (the database, Redis, a
cloud metadata service) and read the answers back through error messages or timings. Outside
development every address the name resolves to must be public, unless the deployment lists the
host or its network in `BROKER_ALLOWED_ENDPOINTS` (an operator-run gateway on a private network).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

from backend.brokers.errors import PermanentBrokerError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_DEFAULT_PORTS = {"http": 80, "https": 443}
Pin = Callable[[str, int], Awaitable[str]]
"""Resolves and checks a host, returning the address to connect to (`EndpointGuard.pin`)."""


class BrokerEndpointRefused(PermanentBrokerError):
    """The broker endpoint resolves to an address this deployment does not let clients reach."""

    http_status = 422
    code = "broker_endpoint_refused"


def url_endpoint(url: str) -> tuple[str, int]:
    """Return the host and port a URL connects to."""
    parts = urlsplit(url)
    if not parts.hostname:
        raise BrokerEndpointRefused(f"{url!r} names no host")
    return parts.hostname, parts.port or _DEFAULT_PORTS.get(parts.scheme, 443)


class EndpointGuard:
    """Refuses broker endpoints outside the public internet unless allowed by name or network."""

    def __init__(self, *, allow_private: bool, allowed: Iterable[str] = ()) -> None:
        self._allow_private = allow_private
        self._names: set[str] = set()
        self._networks: list[Network] = []
        for entry in allowed:
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self._names.add(entry.lower().rstrip("."))

    async def check_url(self, url: str) -> None:
        """Refuse an HTTP endpoint that is not https (unless listed or private ones are allowed), then check its host."""
        host, port = url_endpoint(url)
        if urlsplit(url).scheme != "https" and not self._allow_private and not self._listed(host):
            # The API key, the OAuth grant and every order would cross the internet in the clear.
            raise BrokerEndpointRefused(f"{url} is not an https address; a broker gateway must use TLS")
        await self.check(host, port)

    def _listed(self, host: str) -> bool:
        if host.lower().rstrip(".") in self._names:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self._networks)

    async def check(self, host: str, port: int) -> None:
        """Raise `BrokerEndpointRefused` unless every address of `host` may be reached."""
        await self.pin(host, port)

    async def pin(self, host: str, port: int) -> str:
        """Resolve `host` once, check every address, and return the one to connect to.

        Connecting to the returned address, not the name, is what makes the check hold: a name
        looked up again at connect time could answer differently (DNS rebinding).
        """
        if self._allow_private or host.lower().rstrip(".") in self._names:
            return host
        addresses = await _addresses(host, port)
        for address in addresses:
            if not address.is_global and not any(address in network for network in self._networks):
                raise BrokerEndpointRefused(
                    f"{host} resolves to {address}, which is not a public address; an operator can allow "
                    "it with BROKER_ALLOWED_ENDPOINTS"
                )
        return str(addresses[0])


async def _addresses(host: str, port: int) -> list[Address]:
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise BrokerEndpointRefused(f"{host} does not resolve: {exc.strerror or exc}") from exc
    # An IPv6 scope ("fe80::1%eth0") is not part of the address.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
