/** Posts what a thread's IsolateHost holds to the pool, whenever it changed, a few times a second. */
import { type MessagePort, threadId } from "node:worker_threads";
import { ISOLATE_STATS_EVERY_MS, type IsolateStatsMessage } from "../contract.js";
import type { IsolateHost } from "./isolate-host.js";

export function reportStats(host: IsolateHost, port: MessagePort | null): void {
  if (!port) return;
  let last = "";
  setInterval(() => {
    const message: IsolateStatsMessage = { isolateStats: { thread: threadId, ...host.stats() } };
    const text = JSON.stringify(message);
    if (text === last) return;
    last = text;
    port.postMessage(message);
  }, ISOLATE_STATS_EVERY_MS).unref();
}
