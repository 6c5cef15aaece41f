"""Stream frames written straight to a socket's transport, the way `websockets.broadcast()` writes.

Through ASGI, every frame to every socket costs a queue hand-off, a task wake-up and the
framework's send layers; at thousands of frames a second that was most of the fan-out's CPU
(bench/ws_fanout.py). uvicorn's sans-I/O websocket protocol frames and writes without awaiting, so
`DirectWriteProtocol` offers the stream a `FrameWriter` through the scope's `extensions`. Under any
other server (or protocol) the extension is absent and the stream uses its queue and sender task.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

EXTENSION = "greekdesk.frame_writer"
"""The scope's `extensions` key under which the protocol offers `{"writer": FrameWriter}`."""


class FrameWriter:
    """Writes whole encoded frames to one accepted websocket at once, without awaiting.

    Offered only where no extension was negotiated, so a frame's bytes are the same for every
    socket: the hub encodes each event once (backend/realtime/hub.py text_frame).
    """

    __slots__ = ("_ends", "_high_water", "_protocol", "_written")

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self._protocol = protocol
        self._high_water = protocol.transport.get_write_buffer_limits()[1]
        self._written = 0
        self._ends: deque[int] = deque()
        """Where each frame that reached past the buffer's high-water mark ends, in bytes written."""

    def backlog(self) -> int:
        """Count the frames that wait in the send buffer beyond its high-water mark."""
        # As on the queued path, where frames queue only once the buffer is past its high-water
        # mark: the buffer's first high-water-mark bytes are the transport's, not the reader's lag.
        ends = self._ends
        if ends:
            # The buffer drains from the front, so a frame once within the mark stays within it.
            within = self._written - self._protocol.transport.get_write_buffer_size() + self._high_water
            while ends and ends[0] <= within:
                ends.popleft()
        return len(ends)

    def write(self, frame: bytes) -> bool:
        """Write one encoded frame now; False (nothing written) once the socket is closing."""
        protocol = self._protocol
        transport = protocol.transport
        # uvicorn closes the transport once it answers a reader's close frame or loses the socket.
        if protocol.close_sent or transport.is_closing():
            return False
        # uvicorn flushes whatever its protocol object frames as soon as it frames it, so nothing of
        # the connection's own waits unsent to be overtaken by this write.
        transport.write(frame)
        self._written += len(frame)
        if transport.get_write_buffer_size() > self._high_water:  # the buffer's tail is this frame's end
            self._ends.append(self._written)
        return True


class DirectWriteProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websocket protocol that also offers the application a `FrameWriter`."""

    async def run_asgi(self) -> None:
        """Add the writer to the scope's extensions, then run the application as uvicorn does."""
        extensions = self.scope.setdefault("extensions", {})
        if extensions is not None and not self.conn.extensions:
            extensions[EXTENSION] = {"writer": FrameWriter(self)}
        await super().run_asgi()


def writer_of(scope: Mapping[str, Any]) -> FrameWriter | None:
    """Return the socket's `FrameWriter` when the server offers one."""
    offered = (scope.get("extensions") or {}).get(EXTENSION)
    writer = offered.get("writer") if isinstance(offered, Mapping) else None
    return writer if isinstance(writer, FrameWriter) else None
