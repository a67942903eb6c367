/** The thread's isolate cache: warm reuse, spares for cold apps, LRU eviction, restart after a kill. */
import { afterEach, describe, expect, it } from "vitest";
import type { FetchTask } from "../contract.js";
import { loadRuntimeSnapshot, snapshotCopy } from "../isolate/snapshot.js";
import { prepareVersion } from "../pool/worker-pool.js";
import { IsolateHost, type WarmPolicy } from "./isolate-host.js";

const snapshot = snapshotCopy(loadRuntimeSnapshot());
const hosts: IsolateHost[] = [];
afterEach(() => {
  for (const h of hosts.splice(0)) h.close();
});
const host = (maxWarm: number, spares: number, policy: WarmPolicy = {}) => {
  const h = new IsolateHost(snapshot, maxWarm, spares, undefined, null, null, policy);
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
  version = "1",
) =>
  ({
    kind: "fetch",
    version: prepareVersion({
      app,
      version,
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

  it("keeps warm isolates under its memory budget, least recently used out first", async () => {
    // Each warm isolate holds ~3 MB of heap: a 7 MB budget keeps two.
    const h = host(64, 0, { memoryBytes: 7 * 1048576 });
    for (const app of ["a", "b", "c", "d"]) expect((await h.fetch(task(app))).response?.status).toBe(200);
    const stats = h.stats();
    expect(stats.warm).toBe(2);
    expect(stats.evictions.memory).toBe(2);
    expect(stats.heapBytes).toBeLessThanOrEqual(7 * 1048576);
    expect((await h.fetch(task("d"))).coldStart).toBe(false);
    // An evicted app answers again, from a fresh isolate.
    const again = await h.fetch(task("a"));
    expect([again.coldStart, again.response?.status]).toEqual([true, 200]);
  });

  it("answers every app under a budget smaller than one isolate, keeping only the one in use", async () => {
    const h = host(64, 1, { memoryBytes: 1 });
    for (let i = 0; i < 6; i++) {
      const r = await h.fetch(
        task(`tiny${i % 3}`, `module.exports = { default: { fetch: () => new Response('${i % 3}') } };`),
      );
      // The error's code, if any, says why (a CPU-limit kill on a loaded machine is not an eviction bug).
      expect([
        r.error?.code,
        r.response?.status,
        Buffer.from(r.response?.body ?? new ArrayBuffer(0)).toString(),
      ]).toEqual([undefined, 200, `${i % 3}`]);
    }
    expect(h.stats().warm).toBe(1);
  });

  it("disposes isolates idle past the timeout", async () => {
    const h = host(64, 0, { idleMs: 100 });
    await h.fetch(task("sleepy"));
    expect(h.warmCount).toBe(1);
    for (let waited = 0; h.warmCount > 0 && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect([h.warmCount, h.stats().evictions.idle]).toEqual([0, 1]);
    expect((await h.fetch(task("sleepy"))).coldStart).toBe(true);
  });

  it("retires an app's old version when its new version starts (a deploy drains it)", async () => {
    const h = host(64, 0);
    const v1 = "module.exports = { default: { fetch: () => new Response('v1') } };";
    const v2 = "module.exports = { default: { fetch: () => new Response('v2') } };";
    await h.fetch(task("app", v1, undefined, "1"));
    await h.fetch(task("other"));
    const r = await h.fetch(task("app", v2, undefined, "2"));
    expect(Buffer.from(r.response?.body ?? new ArrayBuffer(0)).toString()).toBe("v2");
    expect([h.warmCount, h.stats().evictions.replaced]).toEqual([2, 1]);
  });

  it("never lets a spare carry one app's state to the next", async () => {
    const h = host(1, 2);
    await sparesReach(h, 2);
    const leaky =
      "module.exports = { default: { fetch: () => { const seen = String(globalThis.secret); globalThis.secret = 'from-' + APP; Object.prototype.polluted = APP; return new Response(seen + ' ' + String(({}).polluted)) } } };";
    const first = await h.fetch(task("one", leaky.replaceAll("APP", "'one'")));
    expect(Buffer.from(first.response?.body ?? new ArrayBuffer(0)).toString()).toBe("undefined one");
    // "one" is evicted (count bound 1) and "two" starts from the other spare.
    const second = await h.fetch(task("two", leaky.replaceAll("APP", "'two'")));
    expect(second.coldStart).toBe(true);
    expect(Buffer.from(second.response?.body ?? new ArrayBuffer(0)).toString()).toBe("undefined two");
  });

  it("keeps more spares while cold starts come fast", async () => {
    const h = host(64, 1, { maxSpares: 4 });
    await sparesReach(h, 1);
    for (let i = 0; i < 4; i++) await h.fetch(task(`burst${i}`));
    expect(h.spareTarget).toBe(4);
    expect(await sparesReach(h, 4)).toBe(4);
  });
});
