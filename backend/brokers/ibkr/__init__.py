"""Interactive Brokers through IB Gateway or TWS, on ib_async: config, parsing, errors, adapter."""

from backend.brokers.ibkr.adapter import IbkrBroker
from backend.brokers.ibkr.config import IbkrSettings, IbkrTuning

__all__ = ["IbkrBroker", "IbkrSettings", "IbkrTuning"]
