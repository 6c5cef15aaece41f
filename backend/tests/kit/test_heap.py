"""The server's collector settings: young objects get room to die before a collection looks at them."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from backend.kit.heap import YOUNG_COLLECTION_THRESHOLD, collect_less_often


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


@pytest.mark.usefixtures("default_thresholds")
def test_the_young_generation_waits_longer_and_the_older_keep_their_ratios() -> None:
    collect_less_often()
    assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, 10, 10)
    assert YOUNG_COLLECTION_THRESHOLD > 700 * 10
