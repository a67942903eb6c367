/**
 * A request in flight in an isolate (a fetch, a scheduled run, an evaluation): how it is answered,
 * its CPU budget and use (entry-runner.ts), its console output (isolate-logs.ts) and its wall limit.
 */

import type { LogRecord } from "../contract.js";
import type { NanoError } from "../errors.js";
import { type ChargedRequest, NS_PER_MS } from "./entry-runner.js";
import { type RequestLogs, withDropNotice } from "./isolate-logs.js";
import type { Answerable } from "./response-bridge.js";

export interface Pending extends Answerable, ChargedRequest, RequestLogs {
  wall: NodeJS.Timeout | null;
}

/** What a settled request resolves with: its answer, its console output and its CPU. */
export type Settled = Parameters<Answerable["resolve"]>[0] & {
  logs: LogRecord[];
  logsDropped: number;
  /** Read after the entry that settled the request has been charged. */
  cpuMs: () => number;
};

/**
 * A new pending request and the promise it settles. `onWall` runs when its wall limit passes; a
 * rejection carries the request's logs and CPU along.
 */
export function pendingRequest(
  cpuMs: number,
  wallMs: number,
  onWall: () => void,
): { entry: Pending; promise: Promise<Settled> } {
  let entry: Pending | undefined;
  const promise = new Promise<Settled>((resolve, reject) => {
    const p: Pending = {
      budgetNs: BigInt(Math.ceil(cpuMs)) * NS_PER_MS,
      cpuNs: 0n,
      logs: [],
      logChars: 0,
      logsDropped: 0,
      wall: null,
      resolve: (v) =>
        resolve({
          ...v,
          logs: withDropNotice(p),
          logsDropped: p.logsDropped,
          cpuMs: () => Number(p.cpuNs) / 1e6,
        }),
      reject: (err: NanoError) =>
        reject(
          Object.assign(err, {
            logs: withDropNotice(p),
            logsDropped: p.logsDropped,
            cpuMs: Number(p.cpuNs) / 1e6,
          }),
        ),
    };
    p.wall = setTimeout(onWall, wallMs);
    entry = p;
  });
  return { entry: entry as Pending, promise };
}
