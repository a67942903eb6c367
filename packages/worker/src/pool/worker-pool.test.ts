/** The pool with real threads and isolates. */
import { afterAll, describe, expect, it } from "vitest";
import { loadRuntimeSnapshot } from "../../dist/isolate/snapshot.js";
// Threads load compiled JavaScript, so this test drives the built pool (the test command builds first).
import { prepareVersion, WorkerPool } from "../../dist/pool/worker-pool.js";

const pool = new WorkerPool({ threads: 2, snapshot: loadRuntimeSnapshot() });
afterAll(() => pool.close());

const wrap = (body: string) => `__nano_define(function (module, exports) { ${body} });`;
const hello = (name: string) =>
  prepareVersion({
    app: name,
    version: "1",
    code: wrap(
      `module.exports = { default: { fetch(r, env) { return new Response(env.WHO + " " + new URL(r.url).pathname) } } };`,
    ),
    vars: { WHO: name },
  });
const request = (path: string, body: ArrayBuffer | null = null) => ({
  requestId: path,
  method: body ? "POST" : "GET",
  url: `http://t${path}`,
  headers: [],
  body,
});
const text = (b: ArrayBuffer | null | undefined) => Buffer.from(b as ArrayBuffer).toString();

describe("WorkerPool", () => {
  it("runs requests for several apps concurrently, each with its own env", async () => {
    const a = hello("alpha");
    const b = hello("beta");
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => pool.fetch(i % 2 ? a : b, request(`/${i}`))),
    );
    results.forEach((r, i) => {
      expect(r.error).toBeNull();
      expect(text(r.response?.body)).toBe(`${i % 2 ? "alpha" : "beta"} /${i}`);
    });
  });

  it("answers each request of a batch as it is ready: a slow one does not hold back the others", async () => {
    const v = prepareVersion({
      app: "mixed",
      version: "1",
      code: wrap(
        `module.exports = { default: { async fetch(r) {
          if (r.url.endsWith("/slow")) await new Promise((done) => setTimeout(done, 1500));
          return new Response(r.url.slice(8)) } } };`,
      ),
    });
    await pool.fetch(v, request("/warm"));
    const started = Date.now();
    const done: Record<string, number> = {};
    // Sent in one turn, so they cross to the thread together.
    await Promise.all(
      ["/slow", "/a", "/b", "/c"].map((path) =>
        pool.fetch(v, request(path)).then((r) => {
          expect(text(r.response?.body)).toBe(path);
          done[path] = Date.now() - started;
        }),
      ),
    );
    expect(done["/slow"]).toBeGreaterThanOrEqual(1400);
    for (const path of ["/a", "/b", "/c"]) expect(done[path]).toBeLessThan(1000);
  });

  it("keeps an app warm on its thread: one cold start for sequential requests", async () => {
    const v = hello("warm");
    const colds: boolean[] = [];
    for (let i = 0; i < 10; i++) colds.push((await pool.fetch(v, request("/"))).coldStart);
    expect(colds).toEqual([true, ...Array(9).fill(false)]);
  });

  it("transfers request and response bodies", async () => {
    const v = prepareVersion({
      app: "echo",
      version: "1",
      code: wrap(`module.exports = { default: { async fetch(r) { return new Response(await r.arrayBuffer()) } } };`),
    });
    const big = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const r = await pool.fetch(v, request("/", big.slice().buffer));
    expect(Buffer.from(r.response?.body as ArrayBuffer).equals(Buffer.from(big))).toBe(true);
  });

  it("answers an app fault as a coded error and restarts a killed isolate on the next request", async () => {
    const v = prepareVersion({
      app: "spin",
      version: "1",
      code: wrap(
        `module.exports = { default: { fetch(r) { if (r.url.endsWith("/spin")) while (true) {} return new Response("ok") } } };`,
      ),
      limits: { cpuMs: 30 },
    });
    expect((await pool.fetch(v, request("/"))).response?.status).toBe(200);
    const killed = await pool.fetch(v, request("/spin"));
    expect(killed.error?.code).toBe("NANO_ERR_CPU_LIMIT");
    const after = await pool.fetch(v, request("/"));
    expect(after.coldStart).toBe(true);
    expect(text(after.response?.body)).toBe("ok");
  });

  it("sends a never-seen app to a thread with a spare ready, not to one busy making its spare", async () => {
    const spares = new WorkerPool({ threads: 2, spareIsolates: 1, snapshot: loadRuntimeSnapshot() });
    try {
      // At rest: both threads connected, each with its spare made.
      for (let waited = 0; waited < 20_000; waited += 50) {
        if (spares.channelCount === 2 && spares.isolateStats().spare === 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect([spares.channelCount, spares.isolateStats().spare]).toEqual([2, 2]);
      // Two apps whose ids hash to the same thread (FNV-1a, as the pool places them by default).
      const fnv = (s: string) => {
        let h = 2166136261;
        for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
        return h >>> 0;
      };
      const names = Array.from({ length: 16 }, (_, i) => `fresh${i}`);
      const first = names[0] as string;
      const second = names.find((n) => n !== first && fnv(`${n}@1`) % 2 === fnv(`${first}@1`) % 2) as string;
      // Back to back: the first's thread is then making its replacement spare (or has none yet).
      for (const name of [first, second]) {
        const r = await spares.fetch(hello(name), request("/"));
        expect([r.coldStart, text(r.response?.body)]).toEqual([true, `${name} /`]);
      }
      for (let waited = 0; waited < 5_000; waited += 50) {
        const s = spares.isolateStats().starts;
        if (s.spare + s.fresh >= 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const starts = spares.isolateStats().starts;
      expect({ spare: starts.spare, fresh: starts.fresh }).toEqual({ spare: 2, fresh: 0 });
    } finally {
      await spares.close();
    }
  });
});
