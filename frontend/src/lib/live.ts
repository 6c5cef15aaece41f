/**
 * How often "live" reads poll. While the realtime stream is connected its events refresh the caches,
 * so polling drops to a slow fallback; while it is down, reads poll quickly as before.
 */
export const LIVE_POLL_MS = 5_000;
/** The fallback interval while the stream is connected (it only covers an event we somehow missed). */
export const STREAM_FALLBACK_POLL_MS = 60_000;

let streamLive = false;

/** Record whether the stream is connected (set by the stream hook). */
export function setStreamLive(live: boolean): void {
  streamLive = live;
}

export function isStreamLive(): boolean {
  return streamLive;
}

/** A `refetchInterval` for live reads: slow while the stream is connected, quick while it is not. */
export function liveRefetchInterval(): number {
  return streamLive ? STREAM_FALLBACK_POLL_MS : LIVE_POLL_MS;
}
