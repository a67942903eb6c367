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
});
