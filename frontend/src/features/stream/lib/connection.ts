/**
 * One client's event stream kept open: a fresh ticket per connect, reconnect with capped exponential
 * backoff, and no lost events — a gap in `seq` (on a reconnect's hello, a heartbeat, or between two
 * events) is filled from the replay endpoint before later events are delivered; when the replay buffer
 * no longer reaches back, the owner is told to reload everything instead.
 * Free of React and of the browser's WebSocket so tests can drive it with a fake socket.
 */
import { type EventPage, parseStreamMessage, type StreamEvent, validEvents } from "./messages";

export type StreamStatus = "connecting" | "live" | "reconnecting" | "stopped";

/** The part of the browser's WebSocket this uses. */
export interface SocketLike {
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(code?: number, reason?: string): void;
}

export interface StreamDeps {
  ticket(): Promise<string>;
  open(ticket: string): SocketLike;
  replay(after: number): Promise<EventPage>;
  onEvent(event: StreamEvent): void;
  /** Events were lost beyond the replay buffer (or the replay failed): reload all state. */
  onResync(): void;
  onStatus(status: StreamStatus): void;
  /** The server closed the stream because the user's account is disabled: the stream stays closed. */
  onDisabled?(): void;
  random?: () => number;
}

/** Close codes the server uses (backend/realtime/stream.py). */
export const CLOSE_CREDENTIAL_EXPIRED = 4401;
export const CLOSE_ACCOUNT_DISABLED = 4403;
export const CLOSE_TOO_SLOW = 4408;

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 30_000;
const DEFAULT_HEARTBEAT_SECONDS = 15;
// A stream silent for this many heartbeats is presumed dead (a laptop lid, a proxy that dropped it).
const SILENT_HEARTBEATS = 3;

export class StreamConnection {
  private readonly deps: StreamDeps;
  private socket: SocketLike | null = null;
  private generation = 0;
  private attempt = 0;
  private stopped = true;
  private lastSeq: number | null = null;
  private replaying = false;
  // Bumped by stop(): a replay that answers after it is dropped.
  private replayRun = 0;
  private pending: StreamEvent[] = [];
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceMs = DEFAULT_HEARTBEAT_SECONDS * SILENT_HEARTBEATS * 1000;
  status: StreamStatus = "stopped";

  constructor(deps: StreamDeps) {
    this.deps = deps;
  }

  /** Open the stream (idempotent). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.setStatus("connecting");
    void this.connect();
  }

  /** Close the stream for good; late callbacks from the old socket are ignored. */
  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.replayRun += 1;
    this.replaying = false;
    this.pending = [];
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      detach(socket);
      socket.close(1000, "client left");
    }
    this.setStatus("stopped");
  }

  /** The last seq delivered (null before the first hello). */
  get seq(): number | null {
    return this.lastSeq;
  }

  private setStatus(status: StreamStatus) {
    if (this.status === status) return;
    this.status = status;
    this.deps.onStatus(status);
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    let ticket: string;
    try {
      ticket = await this.deps.ticket();
    } catch {
      if (generation === this.generation && !this.stopped) this.scheduleReconnect(this.backoff());
      return;
    }
    if (generation !== this.generation || this.stopped) return;
    const socket = this.deps.open(ticket);
    this.socket = socket;
    socket.onmessage = (event) => {
      if (generation === this.generation) this.onMessage(event.data);
    };
    socket.onclose = (event) => {
      if (generation === this.generation) this.onClose(event.code);
    };
    socket.onerror = () => {
      // A close always follows an error; the close decides what to do.
    };
    this.armSilenceTimer();
  }

  private onMessage(data: unknown) {
    this.armSilenceTimer();
    const message = parseStreamMessage(data);
    if (!message) return;
    if (message.type === "hello") {
      this.attempt = 0;
      if (message.heartbeat_seconds && message.heartbeat_seconds > 0) {
        this.silenceMs = message.heartbeat_seconds * SILENT_HEARTBEATS * 1000;
        this.armSilenceTimer();
      }
      this.setStatus("live");
      if (this.lastSeq === null) {
        this.lastSeq = message.seq;
      } else if (message.seq < this.lastSeq) {
        // The server's counter went back (its buffer was reset): what we hold may be stale.
        this.lastSeq = message.seq;
        this.deps.onResync();
      } else if (message.seq > this.lastSeq) {
        void this.catchUp();
      }
      return;
    }
    if (message.type === "heartbeat") {
      if (this.lastSeq !== null && message.seq > this.lastSeq && !this.replaying) void this.catchUp();
      return;
    }
    this.onEvent(message);
  }

  private onEvent(event: StreamEvent) {
    if (this.replaying) {
      this.pending.push(event);
      return;
    }
    if (this.lastSeq !== null && event.seq <= this.lastSeq) return; // a duplicate
    if (this.lastSeq === null || event.seq === this.lastSeq + 1) {
      this.deliver(event);
      return;
    }
    this.pending.push(event);
    void this.catchUp();
  }

  private deliver(event: StreamEvent) {
    if (this.lastSeq === null || event.seq > this.lastSeq) this.lastSeq = event.seq;
    this.deps.onEvent(event);
  }

  private async catchUp(): Promise<void> {
    if (this.replaying || this.lastSeq === null) return;
    this.replaying = true;
    const run = ++this.replayRun;
    const after = this.lastSeq;
    try {
      const page = await this.deps.replay(after);
      if (run !== this.replayRun) return;
      if (!page.complete) this.deps.onResync();
      for (const event of validEvents(page).sort((a, b) => a.seq - b.seq)) {
        if (event.seq > (this.lastSeq ?? -1)) this.deliver(event);
      }
      this.lastSeq = Math.max(this.lastSeq ?? 0, page.current_seq);
    } catch {
      if (run !== this.replayRun) return;
      // No replay: reload everything and carry on from the newest event we hold.
      this.deps.onResync();
      this.lastSeq = Math.max(after, ...this.pending.map((e) => e.seq));
    } finally {
      if (run === this.replayRun) {
        this.replaying = false;
        const queued = this.pending.sort((a, b) => a.seq - b.seq);
        this.pending = [];
        for (const event of queued) this.onEvent(event);
      }
    }
  }

  private onClose(code: number) {
    this.socket = null;
    this.clearTimers();
    if (this.stopped) return;
    if (code === CLOSE_ACCOUNT_DISABLED) {
      this.stop();
      this.deps.onDisabled?.();
      return;
    }
    this.setStatus("reconnecting");
    // An expired credential or a slow reader is routine: reconnect at once (the hello's seq replays).
    if (code === CLOSE_CREDENTIAL_EXPIRED || code === CLOSE_TOO_SLOW) {
      this.attempt = 0;
      this.scheduleReconnect(0);
      return;
    }
    this.scheduleReconnect(this.backoff());
  }

  /** The next wait: 0.5 s doubling to 30 s, with jitter so many tabs do not reconnect in step. */
  private backoff(): number {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt += 1;
    const random = this.deps.random ?? Math.random;
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  private scheduleReconnect(delayMs: number) {
    this.setStatus("reconnecting");
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) void this.connect();
    }, delayMs);
  }

  private armSilenceTimer() {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      const socket = this.socket;
      if (!socket || this.stopped) return;
      detach(socket);
      socket.close(4000, "silent");
      this.onClose(1006);
    }, this.silenceMs);
  }

  private clearTimers() {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.reconnectTimer = null;
    this.silenceTimer = null;
  }
}

function detach(socket: SocketLike) {
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = null;
}
