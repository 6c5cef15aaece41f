"""An httpx transport whose every connection goes to an address the endpoint guard checked.

httpx resolves a URL's host when it opens a connection, after and apart from any check made on
the name before. Here the guard resolves the host once, checks every address, and the connection
is opened to the checked address; TLS still verifies the certificate for the URL's host name.
"""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from backend.runtime.endpoint_guard import BrokerEndpointRefused, Pin


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections to the address `pin` returns for the requested host."""

    def __init__(self, pin: Pin) -> None:
        self._pin = pin
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve and check `host`, then connect to that address."""
        address = await self._pin(host, port)
        return await self._inner.connect_tcp(
            address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse: a broker endpoint is a network address."""
        raise BrokerEndpointRefused("a broker endpoint cannot be a local socket")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the default backend does."""
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's default transport (TLS verified, no proxy from the environment) over pinned connections."""

    def __init__(self, pin: Pin) -> None:
        super().__init__(trust_env=False)
        # httpx offers no way to hand its pool a network backend: the pool is rebuilt as httpx builds
        # it (default TLS context and limits), with one. An environment proxy would connect for us,
        # unchecked, hence trust_env=False.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_PinnedBackend(pin),
        )
