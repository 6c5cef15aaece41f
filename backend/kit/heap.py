"""The server's heap: what start-up built lives as long as the process, so the collector skips it."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Move every object alive now out of the cyclic collector's reach (the lifespan calls it once)."""
    # Modules, schemas and the container stay for the process's life. Full collections walked all of
    # them and paused the event loop for 100-200 ms at a time under load (bench/ws_fanout.py).
    gc.collect()
    gc.freeze()
