/**
 * The Piscina worker: one IsolateHost per thread. Imports only the contract and the isolate code,
 * never the pool side. The response body is transferred back, not copied.
 */
import { Piscina } from "piscina";
import type { FetchResult, FetchTask, ThreadData } from "../contract.js";
import { snapshotCopy } from "../isolate/snapshot.js";
import { IsolateHost } from "./isolate-host.js";

function createHandler(): (task: FetchTask) => Promise<unknown> {
  const data = Piscina.workerData as ThreadData;
  const host = new IsolateHost(snapshotCopy(data.snapshot), data.maxWarmIsolates, data.spareIsolates, data.outbound);
  return async function handle(task: FetchTask) {
    const result: FetchResult = await host.fetch(task);
    const body = result.response?.body;
    if (!body) return result;
    const movable = { [Piscina.transferableSymbol]: [body], [Piscina.valueSymbol]: result };
    return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]);
  };
}

export default createHandler();
