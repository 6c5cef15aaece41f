"""The agent's loop per client, in the process that holds the client's broker session.

Every tick: expire stale proposals; unless paused, halted or disconnected, manage open structures
(exits), scan when the interval has passed or the underlying moved a lot, and approve its own
proposals only while the effective mode is autonomous. A broker disconnect stops decisions until
the session reconnects and the order sync has reconciled (its connect listener runs first).

In the loop a scan is split in two: its analysis (chains and the candidate search, a few hundred
milliseconds of broker reads and CPU) runs as a task of its own, and the tick that follows it,
woken as soon as it is done, decides on fresh quotes of the chosen legs. Meanwhile the client's
ticks keep their pace: exits are never held up by a search.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.agent.autopilot import approve_own, effective_mode, expire_proposals, pending_proposals
from backend.agent.manager import manage
from backend.agent.pacing import Pace, Pacer
from backend.agent.parameters import AgentParameters
from backend.agent.scanner import Analysis, ScanSummary, analyse, decide
from backend.agent.settings_service import effective_parameters, settings_of
from backend.audit.service import Actor, open_cross_tenant
from backend.brokers.base import BrokerPort, ConnectionState
from backend.brokers.errors import BrokerError
from backend.config import Settings
from backend.domain.instruments import Stock
from backend.execution.gate_inputs import EXCHANGE_TZ
from backend.execution.service import ExecutionService
from backend.kit.db import NO_TENANT, TenantScope, scoped_session
from backend.kit.errors import AppError
from backend.models import BrokerAccount
from backend.models.base import utcnow
from backend.pnl.recorder import PnlRecorder
from backend.realtime.bus import EventBus
from backend.realtime.schemas import AgentStatusData
from backend.risk.context import TradingMode
from backend.runtime.broker_runtime import BrokerRuntime
from backend.runtime.broker_sessions import ManagedSession
from backend.trading.service import TradingStateService

logger = logging.getLogger("greekdesk.agent")
_HUNDRED = Decimal(100)
SCAN_READY_SECONDS = 5.0
CLOSE_GRACE_SECONDS = 10.0
ANALYSIS_MAX_AGE = timedelta(seconds=30)
"""An analysis decided on later than this is dropped and the scan runs again: its picks (strikes by
delta) are re-priced, but not re-picked, at the decision."""
ANALYSIS_SLOTS = 1
"""Scans searching at once in this process. The search is Python on the event loop, in slices: more
at once finish no sooner in total, but each takes longer. Broker calls are not inside the slot, so
slow brokers still overlap. Background searches also give way to ticks under way (`Pacer`)."""


@dataclass(frozen=True, slots=True)
class _Scan:
    """What one tick knows when it considers a scan."""

    broker: BrokerPort
    client_id: uuid.UUID
    params: AgentParameters
    mode: str
    now: datetime
    today: date
    last_scan_at: datetime | None


@dataclass
class TickReport:
    """What one tick did for one client."""

    state: str
    expired: int = 0
    exits: list[str] = field(default_factory=list)
    scanned: bool = False
    proposed: list[str] = field(default_factory=list)
    approved: list[str] = field(default_factory=list)


class AgentRuntime:
    """Runs one loop per client whose broker session this process holds."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        brokers: BrokerRuntime,
        execution: ExecutionService,
        trading: TradingStateService,
        clock: Callable[[], datetime] = utcnow,
        events: EventBus | None = None,
    ) -> None:
        self._settings = settings
        self._events = events
        self._last_state: dict[uuid.UUID, str] = {}
        self._sessions = sessions
        self._brokers = brokers
        self._execution = execution
        self._trading = trading
        self._clock = clock
        self._loops: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._analyses: dict[uuid.UUID, asyncio.Task[Analysis]] = {}
        self._wakes: dict[uuid.UUID, asyncio.Event] = {}
        self._forced: set[uuid.UUID] = set()
        self._reconciled: set[uuid.UUID] = set()
        self._spots: dict[tuple[uuid.UUID, str], Decimal] = {}
        self._discovery: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()
        self._pacer = Pacer(ANALYSIS_SLOTS)
        self._scan_slots = asyncio.Semaphore(settings.agent_scan_slots)
        self._pnl = PnlRecorder(sessions, timedelta(seconds=settings.pnl_snapshot_seconds), clock)

    def is_running(self, client_id: uuid.UUID) -> bool:
        """Tell whether this process runs the client's loop."""
        task = self._loops.get(client_id)
        return task is not None and not task.done()

    async def on_connected(self, session: ManagedSession) -> None:
        """A session (re)connected and its orders were reconciled: decisions may resume."""
        self._reconciled.add(session.client_id)
        if self._settings.agent_enabled:
            self.ensure(session.client_id)

    async def wait_ready(self, client_id: uuid.UUID, within: float) -> bool:
        """Wait until the client's session is connected and reconciled (False when it is not in time)."""
        deadline = asyncio.get_running_loop().time() + within
        while self._broker(client_id) is None:
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    def ensure(self, client_id: uuid.UUID) -> None:
        """Start the client's loop if it is not running."""
        if not self.is_running(client_id) and not self._closing.is_set():
            self._loops[client_id] = asyncio.create_task(self._loop(client_id), name=f"agent:{client_id}")

    def start(self) -> None:
        """Open the broker sessions of every client with a broker, so their loops start when connected."""
        if self._settings.agent_enabled and self._discovery is None:
            self._discovery = asyncio.create_task(self._start_sessions(), name="agent-discovery")

    async def _start_sessions(self) -> None:
        async with scoped_session(self._sessions, NO_TENANT) as db:
            await open_cross_tenant(
                db, actor=Actor.system("agent"), reason="start the agents of this process"
            )
            clients = list(
                (await db.execute(select(BrokerAccount.client_id).where(BrokerAccount.is_active))).scalars()
            )
            await db.commit()
        for client_id in clients:
            if self._closing.is_set():
                return
            try:
                await self._brokers.session_for(client_id)
            except AppError as exc:
                logger.warning(
                    "could not open a broker session", extra={"client_id": str(client_id), "code": exc.code}
                )

    async def _loop(self, client_id: uuid.UUID) -> None:
        # Set by a finished analysis (its decision should not wait out a tick) and by close().
        wake = self._wakes.setdefault(client_id, asyncio.Event())
        while not self._closing.is_set():
            wake.clear()
            try:
                turn = self._pacer.turn_to_decide() if self._decides(client_id) else contextlib.nullcontext()
                async with turn:
                    await self.run_once(client_id, analyse_apart=True)
            except asyncio.CancelledError:
                raise
            except Exception:
                # One client's failure must not stop its loop for good, nor anyone else's.
                logger.exception("agent tick failed", extra={"client_id": str(client_id)})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self._settings.agent_tick_seconds)

    def _broker(self, client_id: uuid.UUID) -> BrokerPort | None:
        session = self._brokers.registry.get(client_id)
        if session is None or session.broker.state is not ConnectionState.CONNECTED:
            # Fail closed: nothing is decided until the session is back and reconciled.
            self._reconciled.discard(client_id)
            return None
        return session.broker if client_id in self._reconciled else None

    async def scan_now(self, client_id: uuid.UUID) -> dict[str, Any]:
        """Run a tick with a scan as soon as the session is ready; return the report (the worker's `scan`)."""
        await self.wait_ready(client_id, SCAN_READY_SECONDS)
        async with self._pacer.turn_to_decide():
            report = await self.run_once(client_id, force_scan=True)
        return dataclasses.asdict(report)

    async def run_once(
        self, client_id: uuid.UUID, *, force_scan: bool = False, analyse_apart: bool = False
    ) -> TickReport:
        """Run one tick for one client (the loop calls this; tests call it with a simulated clock).

        `analyse_apart` (the loop): a due scan's analysis starts as a task of its own and a later
        tick decides on it. Otherwise, and always for `force_scan`, the scan runs whole in this tick.
        """
        with self._pacer.foreground(deciding=force_scan or self._decides(client_id)):
            report = await self._tick(client_id, force_scan, analyse_apart)
        self._announce(client_id, report)
        return report

    def _decides(self, client_id: uuid.UUID) -> bool:
        """Tell whether the client's next tick decides on a finished analysis (and may send orders)."""
        analysis = self._analyses.get(client_id)
        return analysis is not None and analysis.done()

    def _announce(self, client_id: uuid.UUID, report: TickReport) -> None:
        # Readers hear of a change of state or of something done, not of every quiet tick.
        changed = self._last_state.get(client_id) != report.state
        self._last_state[client_id] = report.state
        did = report.scanned or report.proposed or report.exits or report.approved or report.expired
        if self._events is not None and (changed or did):
            self._events.publish(
                client_id,
                AgentStatusData(
                    state=report.state,
                    scanned=report.scanned,
                    proposed=report.proposed,
                    exits=report.exits,
                    approved=report.approved,
                    expired=report.expired,
                ),
            )

    async def _tick(self, client_id: uuid.UUID, force_scan: bool, analyse_apart: bool) -> TickReport:
        broker = self._broker(client_id)
        now = self._clock()
        if broker is not None:
            # Before the tick's session opens: the broker call must not hold a pooled connection.
            await self._pnl.record_quietly(client_id, broker)
        async with scoped_session(self._sessions, TenantScope.for_client(client_id)) as db:
            pending = await pending_proposals(db, client_id)
            expired = await expire_proposals(db, client_id, now, pending)
            settings = await settings_of(db, client_id)
            mode, paused = settings.mode, settings.paused
            if expired:
                await db.commit()
            # Else nothing was written: the reads go on in this transaction rather than paying a
            # commit, a checkout, a BEGIN and the tenant scope again on every idle tick. `manage`
            # ends it before the tick's first broker call.
            if broker is None:
                return TickReport("broker_disconnected", expired=len(expired))
            if paused:
                return TickReport("paused", expired=len(expired))
            trading = (await self._trading.status(client_id)).effective
            if trading is TradingMode.HALTED:
                return TickReport("halted", expired=len(expired))
            params = effective_parameters(settings)
            report = TickReport("running", expired=len(expired))
            # What the agent may approve itself this tick: read above, plus what this tick proposes.
            its_own = [p.id for p in pending if p.origin == "agent" and p.id not in expired]
            today = now.astimezone(EXCHANGE_TZ).date()
            try:
                exits = await manage(
                    db, self._execution, broker, client_id, params=params, mode=mode, now=now, today=today
                )
                report.exits = [str(trade.id) for trade, _ in exits]
                its_own += [trade.id for trade, _ in exits if trade.status == "pending_approval"]
                await db.commit()
                summary = None
                if trading is TradingMode.ACTIVE:
                    scan = _Scan(broker, client_id, params, mode, now, today, settings.last_scan_at)
                    summary = await self._scan(db, scan, force_scan, analyse_apart)
                if summary is not None:
                    # The row read at the start of the tick: the UPDATE sets these two columns alone.
                    settings.last_scan_at, settings.last_scan_summary = summary.at, summary.as_dict()
                    report.scanned, report.proposed = True, summary.proposed
                    its_own += [uuid.UUID(trade_id) for trade_id in summary.proposed]
                    await db.commit()
            except (BrokerError, AppError) as exc:
                await db.rollback()
                logger.info("agent tick stopped early", extra={"client_id": str(client_id), "code": exc.code})
                return report
            effective = effective_mode(
                mode, autonomous_enabled=self._settings.autonomous_enabled, trading=trading, paused=paused
            )
            if effective.approves_itself and its_own:
                approved = await approve_own(db, self._execution, client_id, its_own)
                report.approved = [str(trade.id) for trade in approved]
            return report

    async def _scan(self, db: AsyncSession, scan: _Scan, force: bool, apart: bool) -> ScanSummary | None:
        """Decide on a finished analysis, or start one when a scan is due; None when nothing was decided."""
        if scan.client_id in self._forced and not force:
            return None  # a forced scan is under way: it alone decides this time
        running = self._analyses.get(scan.client_id)
        if running is not None and not running.done():
            if not force:
                return None
            # A forced scan (the worker's `scan`) analyses at once rather than wait for this one,
            # which gives way to every tick under way, the forced one included.
            running.cancel()
            del self._analyses[scan.client_id]
        elif running is not None:
            # Done: taken and decided on in one step (no await between), so only one tick can.
            del self._analyses[scan.client_id]
            found = running.result()
            # Settings changed meanwhile (other strategies, limits or watchlist), or it waited too
            # long: the scan is still due, so a later tick analyses again.
            if found.params == scan.params and scan.now - found.at <= ANALYSIS_MAX_AGE:
                return await self._decide(db, scan, found)
            if not force:
                return None
        # A due scan waits for a free slot on a later tick rather than queueing in this one: the
        # client's exits and approvals keep their pace when many clients come due at once (a worker
        # starting or taking over), and a scan starts from fresh quotes.
        if not force and (self._scan_slots.locked() or not await self._scan_due(scan)):
            return None
        if apart and not force:
            task = asyncio.create_task(
                self._analyse(scan, self._pacer), name=f"agent-analysis:{scan.client_id}"
            )
            task.add_done_callback(lambda _: self._wake(scan.client_id))
            self._analyses[scan.client_id] = task
            return None
        with self._alone(scan.client_id, force):
            return await self._decide(db, scan, await self._analyse(scan, self._pacer.inline()))

    @contextlib.contextmanager
    def _alone(self, client_id: uuid.UUID, forced: bool) -> Iterator[None]:
        # While a forced scan runs, the client's loop neither starts an analysis nor decides one.
        if not forced:
            yield
            return
        self._forced.add(client_id)
        try:
            yield
        finally:
            self._forced.discard(client_id)

    def _wake(self, client_id: uuid.UUID) -> None:
        wake = self._wakes.get(client_id)
        if wake is not None:
            wake.set()

    async def _analyse(self, scan: _Scan, pace: Pace) -> Analysis:
        async with self._scan_slots:
            return await analyse(
                scan.broker,
                params=scan.params,
                now=scan.now,
                today=scan.today,
                rate=self._settings.risk_free_rate,
                pace=pace,
            )

    async def _decide(self, db: AsyncSession, scan: _Scan, found: Analysis) -> ScanSummary:
        return await decide(
            db,
            self._execution,
            scan.broker,
            scan.client_id,
            found,
            mode=scan.mode,
            now=scan.now,
            today=scan.today,
            rate=self._settings.risk_free_rate,
        )

    async def _scan_due(self, scan: _Scan) -> bool:
        broker, client_id, params, now = scan.broker, scan.client_id, scan.params, scan.now
        last_scan_at = scan.last_scan_at
        due = last_scan_at is None or now - last_scan_at >= timedelta(seconds=params.scan_interval_seconds)
        quotes = await broker.quotes([Stock(symbol) for symbol in params.watchlist])
        moved = False
        for symbol, quote in zip(params.watchlist, quotes, strict=True):
            spot = quote.mid
            if spot is None:
                continue
            before = self._spots.get((client_id, symbol))
            if before and abs(spot / before - 1) * _HUNDRED >= params.management.large_move_pct:
                moved = True
            if due or moved or before is None:
                # The reference is the spot at the last scan: a move is measured from there.
                self._spots[(client_id, symbol)] = spot
        return due or moved

    async def stop(self, client_id: uuid.UUID) -> None:
        """Stop one client's loop (its lease moved, or its broker was replaced)."""
        self._wakes.pop(client_id, None)
        for task in (self._loops.pop(client_id, None), self._analyses.pop(client_id, None)):
            if task is not None:
                task.cancel()
                # The analysis's own failure no longer matters: nothing will decide on it.
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def close(self) -> None:
        """Stop every loop: let a tick in progress finish (briefly), then cancel what is left."""
        # Cancelling a tick halfway through a database write can leave SQLite's write lock held by
        # a connection nobody closes, and then the simulator's final save waits on it.
        self._closing.set()
        for wake in self._wakes.values():
            wake.set()
        running = [t for t in (self._discovery, *self._loops.values()) if t is not None and not t.done()]
        if running:
            await asyncio.wait(running, timeout=CLOSE_GRACE_SECONDS)
        if self._discovery is not None:
            self._discovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._discovery
        for client_id in {*self._loops, *self._analyses}:
            await self.stop(client_id)
