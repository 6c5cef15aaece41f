import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { act, render, screen, waitFor } from "@testing-library/react";
import { vi } from "vitest";

import { StreamIndicator } from "@/features/stream/components/StreamIndicator";
import { useClientStream } from "@/features/stream/hooks/use-client-stream";
import { isStreamLive } from "@/lib/live";
import { CLIENT_ID, json, mockApi, signIn } from "@/test/fetch-mock";
import { testQueryClient } from "@/test/render";

class FakeWebSocket {
  static opened: FakeWebSocket[] = [];
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeWebSocket.opened.push(this);
  }
  send(message: unknown) {
    act(() => this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) })));
  }
  close() {
    this.closed = true;
  }
}

function Probe({ fetches }: { fetches: { trades: number; broker: number } }) {
  const status = useClientStream(CLIENT_ID);
  useQuery({ queryKey: ["clients", CLIENT_ID, "trades", {}], queryFn: () => ++fetches.trades });
  useQuery({ queryKey: ["clients", CLIENT_ID, "broker"], queryFn: () => ++fetches.broker });
  return <StreamIndicator status={status} />;
}

describe("useClientStream", () => {
  beforeEach(() => {
    signIn();
    FakeWebSocket.opened = [];
    vi.stubGlobal("WebSocket", FakeWebSocket);
  });

  it("opens with a ticket, shows Live, and refreshes the reads an event touches", async () => {
    const api = mockApi({
      [`POST /clients/${CLIENT_ID}/stream-ticket`]: () => json({ ticket: "tk-1", expires_at: "2026-06-01T14:30:00Z" }, 201),
    });
    const fetches = { trades: 0, broker: 0 };
    const queryClient = testQueryClient();
    const view = render(
      <QueryClientProvider client={queryClient}>
        <Probe fetches={fetches} />
      </QueryClientProvider>,
    );
    await waitFor(() => expect(FakeWebSocket.opened).toHaveLength(1));
    const socket = FakeWebSocket.opened[0]!;
    expect(socket.url).toBe(`ws://${window.location.host}/clients/${CLIENT_ID}/stream?ticket=tk-1`);
    expect(api.count(`POST /clients/${CLIENT_ID}/stream-ticket`)).toBe(1);
    socket.send({ type: "hello", seq: 3, heartbeat_seconds: 15 });
    expect(screen.getByTestId("stream-status")).toHaveTextContent("Live");
    expect(isStreamLive()).toBe(true);
    await waitFor(() => expect(fetches.trades).toBe(1));

    socket.send({
      type: "trade.updated",
      seq: 4,
      ts: "2026-06-01T14:30:00Z",
      client_id: CLIENT_ID,
      data: { trade_id: "t1", status: "submitted", underlying: "SPY", origin: "agent", quantity: 1, strategy: null, limit_price: null },
    });
    await waitFor(() => expect(fetches.trades).toBe(2));
    expect(fetches.broker).toBe(1);

    // A new P&L point moves the account values the broker read shows, and no trade.
    socket.send({
      type: "pnl.updated",
      seq: 5,
      ts: "2026-06-01T14:35:00Z",
      client_id: CLIENT_ID,
      data: {
        at: "2026-06-01T14:35:00Z",
        net_liquidation: "100250.00",
        realized: "0.00",
        unrealized: "250.00",
        currency: "USD",
      },
    });
    await waitFor(() => expect(fetches.broker).toBe(2));
    expect(fetches.trades).toBe(2);

    view.unmount();
    expect(socket.closed).toBe(true);
    expect(isStreamLive()).toBe(false);
  });
});
