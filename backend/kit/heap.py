"""The server's heap: what start-up built lives as long as the process, so the collector skips it."""

from __future__ import annotations

import gc

YOUNG_COLLECTION_THRESHOLD = 50_000
"""Allocations (net of frees) between collections of the youngest generation; Python's default is 700."""


def freeze_startup_heap() -> None:
    """Move every object alive now out of the cyclic collector's reach (the lifespan calls it once)."""
    # Modules, schemas and the container stay for the process's life. Full collections walked all of
    # them and paused the event loop for 100-200 ms at a time under load (bench/ws_fanout.py).
    gc.collect()
    gc.freeze()


def collect_less_often() -> None:
    """Let the young generation grow before it is collected (the lifespan calls it once)."""
    # A scan allocates hundreds of thousands of short-lived objects. At the default threshold the
    # collector ran every 700 of them, promoting what was merely still in use, and that promotion
    # set off a full collection every few seconds: 40-130 ms pauses of the event loop with 25
    # clients (bench/tenant_density.py). Objects mostly die young, by reference counting, once
    # the collector waits longer; the older generations keep their ratios to this one.
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)
