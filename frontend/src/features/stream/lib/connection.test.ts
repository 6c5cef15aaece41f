import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import {
  BACKOFF_BASE_MS,
  CLOSE_ACCOUNT_DISABLED,
  CLOSE_CREDENTIAL_EXPIRED,
  CLOSE_TOO_SLOW,
  type SocketLike,
  StreamConnection,
  type StreamStatus,
} from "./connection";
import type { EventPage, StreamEvent } from "./messages";

const CLIENT = "7b0c3a52-5d3e-4b55-9a59-2f4f7d1c9e10";

class FakeSocket implements SocketLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed: number | null = null;
  constructor(readonly ticket: string) {}
  send(message: unknown) {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) }));
  }
  drop(code: number) {
    this.onclose?.(new CloseEvent("close", { code, reason: "" }));
  }
  close(code = 1000) {
    this.closed = code;
  }
}

function event(seq: number, type: StreamEvent["type"] = "trade.updated"): StreamEvent {
  return {
    type,
    seq,
    ts: "2026-06-19T14:00:00Z",
    client_id: CLIENT,
    data: { trade_id: `t${seq}`, status: "filled", underlying: "SPY", origin: "agent", quantity: 1, strategy: null, limit_price: null },
  } as StreamEvent;
}

function page(after: number, events: StreamEvent[], complete = true, current = events.at(-1)?.seq ?? after): EventPage {
  return { after, events, complete, current_seq: current, oldest_seq: complete ? 0 : current };
}

function harness(replay: (after: number) => Promise<EventPage> = async (after) => page(after, [])) {
  const sockets: FakeSocket[] = [];
  const delivered: number[] = [];
  const statuses: StreamStatus[] = [];
  let tickets = 0;
  const deps = {
    ticket: vi.fn(async () => `ticket-${++tickets}`),
    open: vi.fn((ticket: string) => {
      const socket = new FakeSocket(ticket);
      sockets.push(socket);
      return socket;
    }),
    replay: vi.fn(replay),
    onEvent: vi.fn((e: StreamEvent) => delivered.push(e.seq)),
    onResync: vi.fn(),
    onStatus: (s: StreamStatus) => statuses.push(s),
    onDisabled: vi.fn(),
    random: () => 1,
  };
  const connection = new StreamConnection(deps);
  return { connection, deps, sockets, delivered, statuses, last: () => sockets.at(-1)! };
}

async function settle() {
  await vi.advanceTimersByTimeAsync(0);
}

describe("StreamConnection", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("opens with a fresh ticket, goes live on hello and delivers events in order", async () => {
    const h = harness();
    h.connection.start();
    await settle();
    expect(h.last().ticket).toBe("ticket-1");
    h.last().send({ type: "hello", seq: 4, heartbeat_seconds: 15 });
    h.last().send(event(5));
    h.last().send(event(5)); // a duplicate is dropped
    h.last().send(event(6));
    expect(h.delivered).toEqual([5, 6]);
    expect(h.statuses).toEqual(["connecting", "live"]);
    expect(h.deps.replay).not.toHaveBeenCalled();
  });

  it("ignores malformed messages and unknown event types", async () => {
    const h = harness();
    h.connection.start();
    await settle();
    h.last().send({ type: "hello", seq: 0 });
    h.last().onmessage?.(new MessageEvent("message", { data: "not json" }));
    h.last().send({ type: "made.up", seq: 1, ts: "x", data: {} });
    h.last().send({ type: "fill", seq: "1", ts: "x", data: {} });
    expect(h.delivered).toEqual([]);
    expect(h.connection.seq).toBe(0);
  });

  it("fills a gap between two events from the replay before delivering the later one", async () => {
    const h = harness(async (after) => page(after, [event(2), event(3), event(4)]));
    h.connection.start();
    await settle();
    h.last().send({ type: "hello", seq: 0 });
    h.last().send(event(1));
    h.last().send(event(4)); // 2 and 3 were missed
    h.last().send(event(5)); // arrives while the replay is in flight
    await settle();
    expect(h.deps.replay).toHaveBeenCalledWith(1);
    expect(h.delivered).toEqual([1, 2, 3, 4, 5]);
  });

  it("reconnects with backoff after a drop and replays what the hello says was missed", async () => {
    const h = harness(async (after) => page(after, [event(8), event(9)]));
    h.connection.start();
    await settle();
    h.last().send({ type: "hello", seq: 7 });
    h.last().drop(1006);
    expect(h.statuses.at(-1)).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(BACKOFF_BASE_MS - 1);
    expect(h.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sockets).toHaveLength(2);
    expect(h.last().ticket).toBe("ticket-2");
    h.last().drop(1006); // fails again: the wait doubles
    await vi.advanceTimersByTimeAsync(2 * BACKOFF_BASE_MS - 1);
    expect(h.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sockets).toHaveLength(3);
    h.last().send({ type: "hello", seq: 9 });
    await settle();
    expect(h.deps.replay).toHaveBeenCalledWith(7);
    expect(h.delivered).toEqual([8, 9]);
    expect(h.statuses.at(-1)).toBe("live");
  });

  it("reconnects at once with a new ticket on 4401 and 4408", async () => {
    const h = harness();
    h.connection.start();
    await settle();
    h.last().send({ type: "hello", seq: 1 });
    h.last().drop(CLOSE_CREDENTIAL_EXPIRED);
    await settle();
    expect(h.sockets).toHaveLength(2);
    h.last().send({ type: "hello", seq: 1 });
    h.last().drop(CLOSE_TOO_SLOW);
    await settle();
    expect(h.sockets.map((s) => s.ticket)).toEqual(["ticket-1", "ticket-2", "ticket-3"]);
  });

  it("asks for a full reload when the replay buffer no longer reaches back", async () => {
    const h = harness(async (after) => page(after, [event(40)], false, 40));
    h.connection.start();
    await settle();
    h.last().send({ type: "hello", seq: 2 });
    h.last().drop(1006);
    await vi.advanceTimersByTimeAsync(BACKOFF_BASE_MS);
    h.last().send({ type: "hello", seq: 40 });
    await settle();
    expect(h.deps.onResync).toHaveBeenCalledTimes(1);
    expect(h.connection.seq).toBe(40);
    h.last().send(event(41));
    expect(h.delivered).toEqual([40, 41]);
  });

  it("reloads and carries on when the replay itself fails", async () => {
    const h = harness(async () => {
      throw new Error("down");
    });
    h.connection.start();
    await settle();
    h.last().send({ type: "hello", seq: 0 });
    h.last().send(event(3));
    await settle();
    expect(h.deps.onResync).toHaveBeenCalledTimes(1);
    expect(h.connection.seq).toBe(3);
  });

  it("retries the ticket with backoff and treats a silent stream as dead", async () => {
    const h = harness();
    h.deps.ticket.mockRejectedValueOnce(new Error("503"));
    h.connection.start();
    await settle();
    expect(h.sockets).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(BACKOFF_BASE_MS);
    expect(h.sockets).toHaveLength(1);
    h.last().send({ type: "hello", seq: 0, heartbeat_seconds: 1 });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(h.sockets[0]!.closed).toBe(4000);
    expect(h.statuses.at(-1)).toBe("reconnecting");
  });

  it("stops for good: no reconnect and late messages are ignored", async () => {
    const h = harness();
    h.connection.start();
    await settle();
    const socket = h.last();
    socket.send({ type: "hello", seq: 0 });
    h.connection.stop();
    expect(socket.closed).toBe(1000);
    socket.send(event(1));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.delivered).toEqual([]);
    expect(h.statuses.at(-1)).toBe("stopped");
  });

  it("stays closed and says so when the account is disabled", async () => {
    const h = harness();
    h.connection.start();
    await settle();
    h.last().send({ type: "hello", seq: 0 });
    h.last().drop(CLOSE_ACCOUNT_DISABLED);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.sockets).toHaveLength(1);
    expect(h.statuses.at(-1)).toBe("stopped");
    expect(h.deps.onDisabled).toHaveBeenCalledTimes(1);
  });
});
