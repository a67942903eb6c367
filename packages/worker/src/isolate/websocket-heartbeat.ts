/**
 * Pings WebSocket peers: a peer that vanished without a FIN never produces `close`, and would hold its
 * app's socket slot and keep its isolate busy (never evicted, a retired version alive) forever. Every
 * interval each open socket is pinged; one that did not answer the previous ping is terminate()d, so
 * the app hears close 1006. A socket whose reading is paused cannot see its pong: it is spared while the
 * pause is the isolate's (nothing waits to be written) or its peer read something since the last ping.
 */
import type { WebSocket } from "ws";

/** NANO_WS_PING_MS overrides it (tests use a short one). */
export const PING_INTERVAL_MS = Number(process.env.NANO_WS_PING_MS) > 0 ? Number(process.env.NANO_WS_PING_MS) : 30_000;

interface Watched {
  answered: boolean;
  buffered: number;
  paused: () => boolean;
}

export class WebSocketHeartbeat {
  readonly #intervalMs: number;
  readonly #sockets = new Map<WebSocket, Watched>();
  #timer: NodeJS.Timeout | null = null;

  constructor(intervalMs = PING_INTERVAL_MS) {
    this.#intervalMs = intervalMs;
  }

  /** Watches an open socket until its `close`; `paused`: whether its reading is paused now. */
  watch(ws: WebSocket, paused: () => boolean = () => false): void {
    const watched: Watched = { answered: true, buffered: 0, paused };
    this.#sockets.set(ws, watched);
    ws.on("pong", () => {
      watched.answered = true;
    });
    ws.once("close", () => {
      this.#sockets.delete(ws);
      if (this.#sockets.size === 0 && this.#timer) {
        clearInterval(this.#timer);
        this.#timer = null;
      }
    });
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
      this.#timer.unref();
    }
  }

  #tick(): void {
    for (const [ws, w] of this.#sockets) {
      const spared = w.paused() && (ws.bufferedAmount === 0 || ws.bufferedAmount < w.buffered);
      if (!w.answered && !spared) {
        ws.terminate();
        continue;
      }
      w.answered = false;
      w.buffered = ws.bufferedAmount;
      try {
        ws.ping();
      } catch {
        // Not open any more: its close is on the way.
      }
    }
  }
}
