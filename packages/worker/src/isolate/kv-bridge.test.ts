/**
 * The KV bridge inside a real isolate, over an in-memory store: what crosses is checked on the host,
 * host time is charged to the request, a store's quota error reaches the app as a RangeError, only
 * bound namespaces are reachable, and work outside a request has its own allowance.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { KvListPage, KvStore, KvValue } from "../kv/kv-store.js";
import { RuntimeIsolate } from "./runtime-isolate.js";
import { loadRuntimeSnapshot, snapshotCopy } from "./snapshot.js";

const snapshot = loadRuntimeSnapshot();
const live: RuntimeIsolate[] = [];
afterEach(() => {
  for (const i of live.splice(0)) i.dispose();
});

/** A Map per namespace; `put` refuses values over `quota` bytes the way a store's quota does. */
function memoryStore(quota = Number.POSITIVE_INFINITY, slowMs = 0) {
  const data = new Map<string, KvValue>();
  const calls: string[] = [];
  const store: KvStore = {
    get(ns, key) {
      calls.push(`get ${ns} ${key}`);
      const until = performance.now() + slowMs;
      while (performance.now() < until);
      return data.get(`${ns}\n${key}`) ?? null;
    },
    put(ns, key, value, metadata, expiration) {
      calls.push(`put ${ns} ${key}`);
      if (value.byteLength > quota)
        throw new RangeError(`KV put: namespace "${ns}" would be over its limit of ${quota}`);
      data.set(`${ns}\n${key}`, { value: new Uint8Array(value), metadata, expiration });
    },
    delete(ns, key) {
      calls.push(`delete ${ns} ${key}`);
      data.delete(`${ns}\n${key}`);
    },
    list(): KvListPage {
      return { keys: [], cursor: null };
    },
    close() {},
  };
  return { store, calls };
}

function loaded(store: KvStore, handler: string, kv: Record<string, string> = { KV: "space" }, kvOperations?: number) {
  const iso = new RuntimeIsolate({ snapshot: snapshotCopy(snapshot), memoryMb: 64, kv: store });
  live.push(iso);
  iso.loadApp(`__nano_define(function (module) { module.exports = { default: { ${handler} } }; });`, {
    filename: "app:t",
    kv,
    ...(kvOperations === undefined ? {} : { kvOperations }),
  });
  return iso;
}

const req = { requestId: "r", method: "GET", url: "http://t/", headers: ["host", "t"], body: null };
const text = async (iso: RuntimeIsolate, cpuMs = 500) => {
  const out = await iso.fetch(req, { cpuMs, wallMs: 5_000 });
  return { body: new TextDecoder().decode(out.response.body ?? new ArrayBuffer(0)), cpuMs: out.cpuMs };
};

describe("KV bridge", () => {
  it("maps a binding to its namespace and passes values both ways", async () => {
    const { store, calls } = memoryStore();
    const iso = loaded(
      store,
      `async fetch(r, env) { await env.KV.put("k", "v1"); return new Response(await env.KV.get("k") + " " + typeof env.OTHER); }`,
    );
    expect((await text(iso)).body).toBe("v1 undefined");
    expect(calls).toEqual(["put space k", "get space k"]);
    expect(iso.takeKvOps()).toEqual({ put: 1, get: 1 });
    expect(iso.takeKvOps()).toEqual({});
  });

  it("turns the store's quota error into a RangeError for the app", async () => {
    const { store } = memoryStore(3);
    const iso = loaded(
      store,
      `async fetch(r, env) { try { await env.KV.put("k", "four"); return new Response("stored"); } catch (e) { return new Response(e.name + ": " + e.message); } }`,
    );
    expect((await text(iso)).body).toBe('RangeError: KV put: namespace "space" would be over its limit of 3');
  });

  it("charges host time to the request's CPU", async () => {
    const { store } = memoryStore(Number.POSITIVE_INFINITY, 5);
    const iso = loaded(
      store,
      `async fetch(r, env) { for (let i = 0; i < 10; i++) await env.KV.get("k"); return new Response("ok"); }`,
    );
    const r = await text(iso);
    expect(r.body).toBe("ok");
    expect(r.cpuMs).toBeGreaterThanOrEqual(50);
  });

  it("refuses KV calls once the request's CPU budget is spent on them", async () => {
    const { store, calls } = memoryStore(Number.POSITIVE_INFINITY, 5);
    const iso = loaded(
      store,
      `async fetch(r, env) {
        let i = 0;
        try { for (; i < 50; i++) await env.KV.get("k"); return new Response("all"); }
        catch (e) { return new Response(e.name + ": " + e.message); }
      }`,
    );
    const r = await text(iso, 30);
    expect(r.body).toBe("RangeError: KV get: the CPU time limit was reached in KV operations");
    // 30 ms of budget at 5+ ms a call: the calls stop after about six, not fifty (fewer on a loaded
    // machine: host time is wall time, since a blocked thread holds every isolate on it).
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.length).toBeLessThanOrEqual(7);
  });

  it("gives timers outside a request their own allowance per second", async () => {
    const { store, calls } = memoryStore();
    const iso = loaded(
      store,
      `async fetch(r, env) {
        setTimeout(async () => {
          let n = 0;
          try { for (;;) { await env.KV.get("x"); n++; } } catch (e) { await env.KV; globalThis.result = n + " " + e.name; }
        }, 1);
        return new Response("ok");
      }`,
      { KV: "space" },
      3,
    );
    expect((await text(iso)).body).toBe("ok");
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.filter((c) => c.startsWith("get"))).toHaveLength(3);
    expect((await iso.evaluate("globalThis.result")).text).toBe("3 RangeError");
  });
});
