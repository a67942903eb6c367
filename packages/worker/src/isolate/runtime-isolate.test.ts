/** One isolate from the runtime snapshot: evaluation, app loading, requests, limits, isolation. */
import { afterEach, describe, expect, it } from "vitest";
import type { LogRecord, RequestWire } from "../contract.js";
import { CpuShare } from "./cpu-share.js";
import { RuntimeIsolate } from "./runtime-isolate.js";
import { loadRuntimeSnapshot, snapshotCopy } from "./snapshot.js";

const snapshot = loadRuntimeSnapshot();
const live: RuntimeIsolate[] = [];
afterEach(() => {
  for (const i of live.splice(0)) i.dispose();
});

function isolate(memoryMb = 64, onLog?: (r: LogRecord) => void): RuntimeIsolate {
  const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb, ...(onLog ? { onLog } : {}) });
  live.push(iso);
  return iso;
}

function app(body: string): string {
  return `__nano_define(function (module, exports) { ${body} });`;
}

const req = (over: Partial<RequestWire> = {}): RequestWire => ({
  requestId: "r",
  method: "GET",
  url: "http://example.test/path?q=1",
  headers: ["Host", "example.test", "X-Multi", "a", "X-Multi", "b"],
  body: null,
  ...over,
});

const limits = { cpuMs: 200, wallMs: 5_000 };

describe("evaluate", () => {
  it("returns inspected values and awaits promises resolved by host timers", async () => {
    const iso = isolate();
    expect((await iso.evaluate("1 + 1")).text).toBe("2");
    expect((await iso.evaluate("({ a: 'x', b: [1, 2] })")).text).toBe("{ a: 'x', b: [ 1, 2 ] }");
    expect((await iso.evaluate("new Promise(r => setTimeout(() => r('late'), 30))")).text).toBe("late");
  });

  it("keeps global state between evaluations (REPL semantics)", async () => {
    const iso = isolate();
    await iso.evaluate("var counter = 40");
    expect((await iso.evaluate("counter + 2")).text).toBe("42");
  });

  it("runs setInterval until cleared", async () => {
    const iso = isolate();
    const r = await iso.evaluate(
      "new Promise(r => { let n = 0; const t = setInterval(() => { if (++n === 3) { clearInterval(t); r(n) } }, 5) })",
    );
    expect(r.text).toBe("3");
  });
});

describe("isolation from the host", () => {
  it("leaves no bridge, init function or isolated-vm object reachable from the global scope", async () => {
    const iso = isolate();
    const r = await iso.evaluate(`(() => {
      const found = [];
      const seen = new Set();
      const visit = (v, path, depth) => {
        if (v === null || (typeof v !== "object" && typeof v !== "function") || seen.has(v) || depth > 3) return;
        seen.add(v);
        for (const k of Reflect.ownKeys(v)) {
          let d; try { d = Object.getOwnPropertyDescriptor(v, k); } catch { continue; }
          if (!d || !("value" in d)) continue;
          const name = String(k);
          if (/^(applySync|applySyncPromise|derefInto|copySync|getSync|setSync)$/.test(name)) found.push(path + "." + name);
          visit(d.value, path + "." + name, depth + 1);
        }
      };
      visit(globalThis, "globalThis", 0);
      return JSON.stringify({ found, init: "__nano_init" in globalThis });
    })()`);
    expect(JSON.parse(r.text)).toEqual({ found: [], init: false });
  });
});

describe("apps", () => {
  it("serves a module app: env, method, URL, headers with duplicates, several Set-Cookie", async () => {
    const iso = isolate();
    const loaded = iso.loadApp(
      app(`module.exports = { default: { async fetch(request, env) {
        return new Response(JSON.stringify({ env: env.NAME, m: request.method, u: request.url, x: request.headers.get("x-multi") }), {
          status: 202, headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"], ["content-type", "application/json"]],
        });
      } } };`),
      { filename: "app:t", vars: { NAME: "nano" } },
    );
    expect(loaded.kind).toBe("module");
    expect(loaded.cachedData?.byteLength).toBeGreaterThan(0);
    const out = await iso.fetch(req(), limits);
    expect(out.response.status).toBe(202);
    expect(out.response.headers).toEqual([
      "set-cookie",
      "a=1",
      "set-cookie",
      "b=2",
      "content-type",
      "application/json",
    ]);
    expect(JSON.parse(Buffer.from(out.response.body as ArrayBuffer).toString())).toEqual({
      env: "nano",
      m: "GET",
      u: "http://example.test/path?q=1",
      x: "a, b",
    });
  });

  it("serves a service-worker app and reads request bodies", async () => {
    const iso = isolate();
    expect(
      iso.loadApp(
        app(
          `addEventListener("fetch", (e) => e.respondWith(e.request.text().then((t) => new Response(t.toUpperCase()))));`,
        ),
        { filename: "app:sw" },
      ).kind,
    ).toBe("service-worker");
    const out = await iso.fetch(
      req({ method: "POST", body: new TextEncoder().encode("shout").buffer as ArrayBuffer }),
      limits,
    );
    expect(Buffer.from(out.response.body as ArrayBuffer).toString()).toBe("SHOUT");
  });

  it("interleaves concurrent requests awaiting timers in one isolate", async () => {
    const iso = isolate();
    iso.loadApp(
      app(`module.exports = { default: { async fetch(request) {
        const ms = Number(new URL(request.url).searchParams.get("ms"));
        await new Promise((r) => setTimeout(r, ms));
        return new Response(String(ms));
      } } };`),
      { filename: "app:t" },
    );
    const order: string[] = [];
    const runs = [60, 10, 30].map((ms) =>
      iso.fetch(req({ url: `http://x/?ms=${ms}` }), limits).then((o) => {
        order.push(Buffer.from(o.response.body as ArrayBuffer).toString());
      }),
    );
    await Promise.all(runs);
    expect(order).toEqual(["10", "30", "60"]);
  });

  it("attributes console output to the request that produced it, even after a timer", async () => {
    const stray: LogRecord[] = [];
    const iso = isolate(64, (r) => stray.push(r));
    iso.loadApp(
      app(`console.info("top level"); module.exports = { default: { async fetch(request) {
        console.log("before", request.method);
        await new Promise((r) => setTimeout(r, 5));
        console.warn("after");
        return new Response("ok");
      } } };`),
      { filename: "app:t" },
    );
    const out = await iso.fetch(req(), limits);
    expect(out.logs.map((l) => [l.level, l.msg])).toEqual([
      ["log", "before GET"],
      ["warn", "after"],
    ]);
    expect(stray.map((l) => l.msg)).toEqual(["top level"]);
    expect(out.cpuMs).toBeGreaterThan(0);
  });

  it("rejects with NANO_ERR_APP_EXCEPTION when the handler throws", async () => {
    const iso = isolate();
    iso.loadApp(app(`module.exports = { default: { fetch() { throw new RangeError("nope") } } };`), {
      filename: "app:t",
    });
    await expect(iso.fetch(req(), limits)).rejects.toMatchObject({
      code: "NANO_ERR_APP_EXCEPTION",
      message: expect.stringContaining("RangeError: nope"),
    });
    expect(iso.alive).toBe(true);
  });

  it("refuses apps without a fetch handler with NANO_ERR_NO_FETCH_HANDLER", () => {
    expect(() => isolate().loadApp(app(`module.exports = { default: { fetch: 1 } };`), { filename: "app:t" })).toThrow(
      expect.objectContaining({ code: "NANO_ERR_NO_FETCH_HANDLER" }),
    );
    expect(() => isolate().loadApp(app(`module.exports = {};`), { filename: "app:t" })).toThrow(
      expect.objectContaining({ code: "NANO_ERR_NO_FETCH_HANDLER" }),
    );
  });

  it("reports a syntax error with the file and line", () => {
    expect(() => isolate().loadApp("let x = ;", { filename: "app:broken" })).toThrow(/SyntaxError.*\[app:broken:1/);
  });
});

describe("limits", () => {
  it("kills an isolate whose request burns its CPU budget; the pending requests fail, nothing else", async () => {
    const iso = isolate();
    iso.loadApp(
      app(`module.exports = { default: { async fetch(request) {
        if (request.url.endsWith("/spin")) { while (true) {} }
        await new Promise((r) => setTimeout(r, 1000));
        return new Response("slow");
      } } };`),
      { filename: "app:t" },
    );
    const waiting = iso.fetch(req({ url: "http://x/wait" }), limits);
    const started = Date.now();
    await expect(iso.fetch(req({ url: "http://x/spin" }), { cpuMs: 50, wallMs: 5_000 })).rejects.toMatchObject({
      code: "NANO_ERR_CPU_LIMIT",
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(waiting).rejects.toMatchObject({ code: "NANO_ERR_CPU_LIMIT" });
    expect(iso.alive).toBe(false);
    const other = isolate();
    expect((await other.evaluate("'unaffected'")).text).toBe("unaffected");
  });

  it("fails only the request whose entry was held off its core, keeping the isolate and its state", async () => {
    // A share that expects a 3 ms wall guard: an entry doing 40 ms of work looks descheduled (it used
    // far less than its 1 s budget when the guard fired), as on a loaded machine.
    class HeldOff extends CpuShare {
      override timeoutFor(): number {
        return 3;
      }
    }
    const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 64, cpuShare: new HeldOff() });
    live.push(iso);
    iso.loadApp(
      app(`let n = 0; module.exports = { default: { fetch(request) {
        n++;
        if (request.url.endsWith("/busy")) { const end = Date.now() + 40; while (Date.now() < end) {} }
        return new Response("seen " + n);
      } } };`),
      { filename: "app:t" },
    );
    await expect(iso.fetch(req({ url: "http://x/busy" }), { cpuMs: 1_000, wallMs: 5_000 })).rejects.toMatchObject({
      code: "NANO_ERR_CPU_LIMIT",
    });
    expect(iso.alive).toBe(true);
    const next = await iso.fetch(req({ url: "http://x/" }), { cpuMs: 1_000, wallMs: 5_000 });
    expect(Buffer.from(next.response.body as ArrayBuffer).toString()).toBe("seen 2");
  });

  it("kills an isolate that allocates past its memory limit", async () => {
    const iso = isolate(16);
    iso.loadApp(
      app(
        `module.exports = { default: { fetch() { const a = []; while (true) a.push(new Array(1e4).fill("x")); } } };`,
      ),
      { filename: "app:t" },
    );
    await expect(iso.fetch(req(), { cpuMs: 10_000, wallMs: 10_000 })).rejects.toMatchObject({
      code: "NANO_ERR_MEMORY_LIMIT",
    });
    expect(iso.alive).toBe(false);
  });

  it("starts an isolate with a limit below the calling thread's heap (isolated-vm would abort the process)", async () => {
    let ballast: unknown[] | null = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `${"x".repeat(100)}${i}` }));
    const iso = isolate(16);
    expect((await iso.evaluate("[1, 2].length")).text).toBe("2");
    expect(ballast.length).toBe(400_000);
    ballast = null;
  });

  it("fails a request that never answers at its wall-clock limit, without killing the isolate", async () => {
    const iso = isolate();
    iso.loadApp(app(`module.exports = { default: { fetch() { return new Promise(() => {}) } } };`), {
      filename: "app:t",
    });
    await expect(iso.fetch(req(), { cpuMs: 50, wallMs: 100 })).rejects.toMatchObject({ code: "NANO_ERR_WALL_LIMIT" });
    expect(iso.alive).toBe(true);
  });
});
