"""Prometheus metrics: one registry per process and the metric objects every module counts into.

Labels carry only bounded, tenant-free values (route templates, outcomes, rule names, states):
never a client id, a raw path or a symbol, so a scrape leaks no tenant data and series do not grow
with clients. Each process exposes its own figures at GET /metrics; Prometheus scrapes every process
(one target per API or worker process) and sums them.
"""

from __future__ import annotations

import logging
from collections import Counter as Tally
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from backend.brokers.base import ConnectionState

logger = logging.getLogger("greekdesk.metrics")
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

# Latency buckets around the API's targets (p99 < 50 ms for reads, < 200 ms under load).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUEST_SECONDS = Histogram(
    "greekdesk_http_request_duration_seconds",
    "Time from a request's arrival to its last response byte, by route template and status class.",
    ("method", "route", "status_class"),
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)

ORDER_OUTCOMES = ("submitted", "filled", "rejected", "unknown", "not_sent", "cancelled")
ORDERS = Counter(
    "greekdesk_orders",
    "Orders by outcome: sent to the broker (submitted), then filled, rejected, cancelled, ambiguous "
    "(unknown, left to reconciliation), or never sent (not_sent).",
    ("outcome",),
    registry=REGISTRY,
)

GATE_DENIALS = Counter(
    "greekdesk_gate_denials",
    "Reasons the pre-trade gate denied a trade, by rule and code (a trade denied by two rules counts twice; "
    "the gate runs at proposal and again at submission).",
    ("rule", "code"),
    registry=REGISTRY,
)

WS_OPEN_SOCKETS = Gauge(
    "greekdesk_ws_open_sockets",
    "Client event-stream WebSockets open in this process (incremented on accept, decremented on close).",
    registry=REGISTRY,
)

EVENT_LAG_SECONDS = Histogram(
    "greekdesk_event_lag_seconds",
    "Time from an event's creation (its ts) to its hand-off to a socket in this process.",
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)

CLIENT_LEASES = Gauge(
    "greekdesk_client_leases",
    "Client leases this worker process holds (it runs those clients' broker sessions and agents).",
    registry=REGISTRY,
)

# Our order statuses that end an order and are outcomes of the same name.
_FINAL_OUTCOMES = frozenset({"filled", "rejected", "cancelled"})

for _outcome in ORDER_OUTCOMES:
    # Every series exists from the start, so rate() and absent() work before the first order.
    ORDERS.labels(outcome=_outcome)


def count_order_outcome(outcome: str) -> None:
    """Count one order outcome; a name outside ORDER_OUTCOMES is logged, never a new series."""
    if outcome not in ORDER_OUTCOMES:
        # Counting must never break the order path it observes.
        logger.warning("order outcome not counted", extra={"outcome": outcome})
        return
    ORDERS.labels(outcome=outcome).inc()


# The place_order reply and the broker's event stream both report an order, through two sessions
# that each saw it in its earlier state; remembering what was counted keeps each outcome to once.
_COUNTED: OrderedDict[tuple[str, str], None] = OrderedDict()
_COUNTED_MAX = 100_000


def _first_time(order_key: str, outcome: str) -> bool:
    key = (order_key, outcome)
    if key in _COUNTED:
        return False
    _COUNTED[key] = None
    if len(_COUNTED) > _COUNTED_MAX:
        _COUNTED.popitem(last=False)
    return True


def count_order_transition(order_key: str, before: str, after: str) -> None:
    """Count what a broker report did to an order (sent, then final state), once per order and outcome."""
    if before == after:
        return
    outcomes: list[str] = []
    if before == "pending_submit":
        outcomes.append("submitted")
    if after in _FINAL_OUTCOMES:
        outcomes.append(after)
    for outcome in outcomes:
        if _first_time(order_key, outcome):
            count_order_outcome(outcome)


class _Denial(Protocol):
    @property
    def rule(self) -> str: ...

    @property
    def code(self) -> str: ...


def count_denials(denials: Iterable[_Denial]) -> None:
    """Count each denial of one gate decision by its rule and code."""
    for denial in denials:
        GATE_DENIALS.labels(rule=denial.rule, code=denial.code).inc()


class _HasState(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def state(self) -> str: ...


class _Sessions(Protocol):
    def all(self) -> Sequence[_HasState]: ...


class BrokerSessionsCollector(Collector):
    """Counts this process's broker sessions by broker kind and connection state at scrape time."""

    def __init__(self, sessions: _Sessions) -> None:
        self._sessions = sessions

    def collect(self) -> Iterator[Metric]:
        """Yield one gauge: sessions per (broker, state), zero for states no session is in."""
        family = GaugeMetricFamily(
            "greekdesk_broker_sessions",
            "Broker sessions held by this process, by broker kind and connection state.",
            labels=("broker", "state"),
        )
        tally = Tally((s.kind, s.state) for s in self._sessions.all())
        for kind in sorted({kind for kind, _ in tally}):
            for state in ConnectionState:
                family.add_metric((kind, state.value), tally.get((kind, state.value), 0))
        yield family


class ScrapeSet(Collector):
    """The process registry plus per-app collectors, exposed together."""

    def __init__(self, *collectors: Collector) -> None:
        self._collectors = (REGISTRY, *collectors)

    def collect(self) -> Iterator[Metric]:
        """Yield every metric of every member."""
        for collector in self._collectors:
            yield from collector.collect()
