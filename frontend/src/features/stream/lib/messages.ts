/**
 * The stream's messages, checked at runtime against the generated event union before anything reads
 * them. `hello` and `heartbeat` are control frames the OpenAPI document does not describe (they never
 * appear in the replay page), so they are typed here after `backend/realtime/schemas.py`.
 */
import type { components } from "@/client/schema";

export type StreamEvent = components["schemas"]["EventPage"]["events"][number];
export type StreamEventType = StreamEvent["type"];
export type EventPage = components["schemas"]["EventPage"];

export interface HelloMessage {
  type: "hello";
  seq: number;
  heartbeat_seconds?: number;
  expires_at?: string;
}

export interface HeartbeatMessage {
  type: "heartbeat";
  seq: number;
  ts?: string;
}

export type StreamMessage = HelloMessage | HeartbeatMessage | StreamEvent;

/** Every event type; the type check fails if the API's union gains or loses one. */
export const EVENT_TYPES = [
  "quote",
  "trade.updated",
  "order.updated",
  "fill",
  "portfolio.updated",
  "pnl.updated",
  "agent.status",
  "trading.state",
  "broker.status",
  "chat.message",
  "access.revoked",
] as const satisfies readonly StreamEventType[];
type Missing = Exclude<StreamEventType, (typeof EVENT_TYPES)[number]>;
const everyTypeListed: [Missing] extends [never] ? true : Missing = true;
void everyTypeListed;

const KNOWN = new Set<string>(EVENT_TYPES);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

/** The message as one of the known shapes, or null (unknown type or malformed: ignored, never guessed at). */
export function parseStreamMessage(raw: unknown): StreamMessage | null {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (!isRecord(value) || typeof value.type !== "string" || !isSeq(value.seq)) return null;
  if (value.type === "hello") return value as unknown as HelloMessage;
  if (value.type === "heartbeat") return value as unknown as HeartbeatMessage;
  if (!KNOWN.has(value.type) || typeof value.ts !== "string" || !isRecord(value.data)) return null;
  return value as unknown as StreamEvent;
}

/** Only the events of a replay page that pass the same check. */
export function validEvents(page: EventPage): StreamEvent[] {
  return page.events.filter((event): event is StreamEvent => {
    const parsed = parseStreamMessage(event);
    return parsed !== null && parsed.type !== "hello" && parsed.type !== "heartbeat";
  });
}
