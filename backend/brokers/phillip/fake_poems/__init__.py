"""A local stand-in for the POEMS API gateway, driven by the simulator (see docs/brokers/phillip.md)."""

from backend.brokers.phillip.fake_poems.app import ROOT, create_app
from backend.brokers.phillip.fake_poems.cli import main
from backend.brokers.phillip.fake_poems.state import FakePoems, FakePoemsConfig

__all__ = ["ROOT", "FakePoems", "FakePoemsConfig", "create_app", "main"]
