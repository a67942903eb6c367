/** The thread's isolate cache: warm reuse, spares for cold apps, LRU eviction, restart after a kill. */
import { afterEach, describe, expect, it } from "vitest";
import type { FetchTask } from "../contract.js";
import { loadRuntimeSnapshot, snapshotCopy } from "../isolate/snapshot.js";
import { prepareVersion } from "../pool/worker-pool.js";
import { IsolateHost } from "./isolate-host.js";

const snapshot = snapshotCopy(loadRuntimeSnapshot());
const hosts: IsolateHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.close();
});
const host = (maxWarm: number, spares: number) => {
  const h = new IsolateHost(snapshot, maxWarm, spares);
  hosts.push(h);
  return h;
};
/** Waits (at most 10 s) until the host has `n` spares: making one takes ~25 ms, more on a busy machine. */
async function sparesReach(h: IsolateHost, n: number): Promise<number> {
  for (let waited = 0; h.spareCount < n && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  return h.spareCount;
}

const task = (
  app: string,
  body = "module.exports = { default: { fetch: () => new Response('ok') } };",
  memoryMb?: number,
) =>
  ({
    kind: "fetch",
    version: prepareVersion({
      app,
      version: "1",
      code: `__nano_define(function (module) { ${body} });`,
      ...(memoryMb ? { limits: { memoryMb } } : {}),
    }),
    request: { requestId: "r", method: "GET", url: "http://x/", headers: [], body: null },
  }) as FetchTask;

describe("IsolateHost", () => {
  it("keeps spare isolates ready and refills them after a cold app takes one", async () => {
    const h = host(8, 2);
    expect(await sparesReach(h, 2)).toBe(2);
    const r = await h.fetch(task("a"));
    expect([r.coldStart, r.response?.status]).toEqual([true, 200]);
    expect(h.spareCount).toBe(1);
    expect(await sparesReach(h, 2)).toBe(2);
  });

  it("does not give a spare to an app with its own heap limit", async () => {
    const h = host(8, 1);
    expect(await sparesReach(h, 1)).toBe(1);
    expect((await h.fetch(task("big", undefined, 256))).response?.status).toBe(200);
    expect(h.spareCount).toBe(1);
  });

  it("evicts the least recently used isolate past its bound", async () => {
    const h = host(2, 0);
    for (const app of ["a", "b", "a", "c"]) await h.fetch(task(app));
    expect(h.warmCount).toBe(2);
    expect((await h.fetch(task("a"))).coldStart).toBe(false);
    expect((await h.fetch(task("b"))).coldStart).toBe(true);
  });

  it("delivers console output from the app's top level with its first response", async () => {
    const h = host(2, 1);
    await sparesReach(h, 1);
    const r = await h.fetch(
      task("chatty", "console.log('starting'); module.exports = { default: { fetch: () => new Response('ok') } };"),
    );
    expect(r.logs.map((l) => l.msg)).toEqual(["starting"]);
  });
});
