/**
 * KV namespaces under a real `nano start`, driven through apps and the real CLI: the Workers KV API's
 * return shapes, binary and stream values, list pagination, metadata, expiry, the limits and the
 * operation limit, ownership, the admin routes behind `nano kv`, metrics, and a count that survives a
 * restart of the server.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startServe } from "./helpers.js";
import { cli, get, type Server, startServer } from "./start-helpers.js";

let server: Server;

/** An app whose routes each exercise part of the KV API on `env.STORE` and answer JSON. */
const KV_APP = `
const text = (s) => new Response(JSON.stringify(s));
async function readStream(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(...c);
  return chunks;
}
const routes = {
  async "/count"(env) {
    const n = Number((await env.STORE.get("count")) ?? 0) + 1;
    await env.STORE.put("count", String(n));
    return n;
  },
  async "/shapes"(env) {
    const KV = env.STORE;
    await KV.put("greeting", JSON.stringify({ hello: "wörld" }), { metadata: { by: "test", n: 1 } });
    const streamed = await KV.get("greeting", "stream");
    return {
      text: await KV.get("greeting"),
      textOpt: await KV.get("greeting", { type: "text", cacheTtl: 60 }),
      json: await KV.get("greeting", "json"),
      arrayBuffer: Array.from(new Uint8Array(await KV.get("greeting", "arrayBuffer"))).length,
      isArrayBuffer: (await KV.get("greeting", { type: "arrayBuffer" })) instanceof ArrayBuffer,
      stream: new TextDecoder().decode(new Uint8Array(await readStream(streamed))),
      withMeta: await KV.getWithMetadata("greeting", "json"),
      missing: await KV.get("nope"),
      missingMeta: await KV.getWithMetadata("nope"),
      deleted: [await KV.delete("greeting"), await KV.get("greeting"), await KV.delete("greeting")],
      tag: Object.prototype.toString.call(KV),
    };
  },
  async "/binary"(env) {
    const bytes = new Uint8Array(256).map((_, i) => i);
    await env.STORE.put("bytes", bytes);
    await env.STORE.put("view", new DataView(bytes.buffer, 10, 5));
    await env.STORE.put("stream", new Blob(["chunk-1,", "chunk-2"]).stream());
    const back = new Uint8Array(await env.STORE.get("bytes", "arrayBuffer"));
    return {
      same: back.length === 256 && back.every((b, i) => b === i),
      view: Array.from(new Uint8Array(await env.STORE.get("view", "arrayBuffer"))),
      stream: await env.STORE.get("stream"),
    };
  },
  async "/fill"(env) {
    for (let i = 0; i < 25; i++) await env.STORE.put("k" + String(i).padStart(2, "0"), "v" + i, i === 3 ? { metadata: { i } } : undefined);
    await env.STORE.put("other", "x");
    return "ok";
  },
  async "/list"(env, q) {
    const opts = {};
    if (q.has("prefix")) opts.prefix = q.get("prefix");
    if (q.has("limit")) opts.limit = Number(q.get("limit"));
    if (q.has("cursor")) opts.cursor = q.get("cursor");
    return env.STORE.list(opts);
  },
  async "/ttl"(env) {
    await env.STORE.put("short", "lived", { expirationTtl: 120 });
    const at = Math.floor(Date.now() / 1000) + 3600;
    await env.STORE.put("until", "then", { expiration: at });
    const listed = await env.STORE.list({ prefix: "short" });
    return { listed: listed.keys, at, until: (await env.STORE.list({ prefix: "until" })).keys[0].expiration };
  },
  async "/get"(env, q) {
    return { value: await env.STORE.get(q.get("key")) };
  },
  async "/errors"(env) {
    const KV = env.STORE;
    const out = {};
    const attempt = async (name, fn) => {
      try {
        await fn();
        out[name] = "resolved";
      } catch (e) {
        out[name] = e.name + ": " + e.message;
      }
    };
    await attempt("longKey", () => KV.put("x".repeat(513), "v"));
    await attempt("maxKey", () => KV.put("é".repeat(256), "v"));
    await attempt("emptyKey", () => KV.get(""));
    await attempt("dotKey", () => KV.put("..", "v"));
    await attempt("bigMeta", () => KV.put("m", "v", { metadata: { pad: "x".repeat(1020) } }));
    await attempt("shortTtl", () => KV.put("t", "v", { expirationTtl: 30 }));
    await attempt("pastExpiration", () => KV.put("t", "v", { expiration: Math.floor(Date.now() / 1000) + 10 }));
    await attempt("badValue", () => KV.put("t", 42));
    await attempt("badType", () => KV.get("t", "blob"));
    await attempt("badCacheTtl", () => KV.get("t", { cacheTtl: 5 }));
    await attempt("listLimit", () => KV.list({ limit: 1001 }));
    await attempt("badCursor", () => KV.list({ cursor: "not a cursor!" }));
    await attempt("bigValue", () => KV.put("big", new Uint8Array(25 * 1024 * 1024 + 1)));
    await attempt("fullValue", () => KV.put("big", new Uint8Array(25 * 1024 * 1024)));
    await KV.delete("big");
    return out;
  },
  async "/ops"(env) {
    const out = [];
    for (let i = 0; i < 7; i++) {
      try {
        await env.STORE.get("k" + i);
        out.push("ok");
      } catch (e) {
        out.push(e.name + ": " + e.message);
      }
    }
    return out;
  },
  async "/tamper"(env) {
    // The app replaces built-ins the runtime must not rely on; KV keeps working.
    JSON.stringify = () => "{}";
    JSON.parse = () => ({ m: null, keys: [] });
    Uint8Array.prototype.set = () => {};
    await env.STORE.put("tamper", "still-right", { metadata: { ok: true } });
    return env.STORE.getWithMetadata("tamper");
  },
};
export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    const route = routes[u.pathname];
    if (!route) return new Response("no route", { status: 404 });
    try {
      const out = await route(env, u.searchParams);
      return u.pathname === "/tamper" ? new Response(out.value + " " + out.metadata.ok) : text(out);
    } catch (e) {
      return new Response(e.name + ": " + e.message, { status: 500 });
    }
  },
};
`;

function kvApp(manifest: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-kv-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "nano.json"), JSON.stringify(manifest));
  writeFileSync(join(dir, "src", "index.js"), KV_APP);
  return dir;
}

const call = async (app: string, path: string) => {
  const r = await get(`${server.url}${path}`, `${app}.localhost`);
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body);
};

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${server.adminUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${server.token}`, ...(init.headers ?? {}) },
  });

beforeAll(async () => {
  server = await startServer();
  const a = await cli(server, ["deploy", kvApp({ name: "kva", kv: { STORE: "shared" }, limits: { cpuMs: 2000 } })]);
  expect(a.stderr).toBe("");
  const b = await cli(server, ["deploy", kvApp({ name: "kvb", kv: { STORE: "shared" } })]);
  expect(b.code).toBe(0);
  const c = await cli(server, [
    "deploy",
    kvApp({ name: "kvc", kv: { STORE: "private" }, limits: { kvOperations: 5 } }),
  ]);
  expect(c.code).toBe(0);
}, 120_000);
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("KV namespaces", () => {
  it("answers get, getWithMetadata, put and delete in the Workers shapes", async () => {
    const r = await call("kva", "/shapes");
    expect(r).toEqual({
      text: '{"hello":"wörld"}',
      textOpt: '{"hello":"wörld"}',
      json: { hello: "wörld" },
      arrayBuffer: Buffer.byteLength('{"hello":"wörld"}'),
      isArrayBuffer: true,
      stream: '{"hello":"wörld"}',
      withMeta: { value: { hello: "wörld" }, metadata: { by: "test", n: 1 }, cacheStatus: null },
      missing: null,
      missingMeta: { value: null, metadata: null, cacheStatus: null },
      deleted: [null, null, null],
      tag: "[object KVNamespace]",
    });
  });

  it("stores binary values, views and streams byte for byte", async () => {
    expect(await call("kva", "/binary")).toEqual({ same: true, view: [10, 11, 12, 13, 14], stream: "chunk-1,chunk-2" });
  });

  it("lists keys in order by prefix, in pages with cursors, with metadata", async () => {
    await call("kva", "/fill");
    const first = await call("kva", "/list?prefix=k&limit=10");
    expect(first.keys.map((k: { name: string }) => k.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `k${String(i).padStart(2, "0")}`),
    );
    expect(first.keys[3]).toEqual({ name: "k03", metadata: { i: 3 } });
    expect(first.list_complete).toBe(false);
    expect(typeof first.cursor).toBe("string");
    const second = await call("kva", `/list?prefix=k&limit=10&cursor=${encodeURIComponent(first.cursor)}`);
    expect(second.keys.map((k: { name: string }) => k.name)[0]).toBe("k10");
    const third = await call("kva", `/list?prefix=k&limit=10&cursor=${encodeURIComponent(second.cursor)}`);
    expect(third.keys.map((k: { name: string }) => k.name)).toEqual(["k20", "k21", "k22", "k23", "k24"]);
    expect(third).toMatchObject({ list_complete: true, cacheStatus: null });
    expect(third.cursor).toBeUndefined();
    const all = await call("kva", "/list");
    expect(all.keys.map((k: { name: string }) => k.name)).toContain("other");
    expect(all.list_complete).toBe(true);
  });

  it("keeps an expiration, and an expired key is gone at once", async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await call("kva", "/ttl");
    expect(r.listed).toHaveLength(1);
    expect(r.listed[0].name).toBe("short");
    expect(r.listed[0].expiration).toBeGreaterThanOrEqual(before + 120);
    expect(r.listed[0].expiration).toBeLessThanOrEqual(before + 122);
    expect(r.until).toBe(r.at);
    expect(await call("kva", "/get?key=short")).toEqual({ value: "lived" });
    // Time passes for the row (the test cannot wait two minutes): its expiration is moved into the past.
    const Database = createRequire(join(ROOT, "packages/control-plane/package.json"))("better-sqlite3");
    const db = new Database(join(server.dataDir, "registry.db"));
    db.pragma("busy_timeout = 5000");
    db.prepare("UPDATE kv_entries SET expiration = ? WHERE key = ?").run(before - 1, Buffer.from("short"));
    db.close();
    expect(await call("kva", "/get?key=short")).toEqual({ value: null });
    expect((await call("kva", "/list?prefix=short")).keys).toEqual([]);
  });

  it("rejects calls over the limits with a TypeError or RangeError naming the limit", async () => {
    const r = await call("kva", "/errors");
    expect(r.longKey).toBe("RangeError: KV put: the key is 513 bytes in UTF-8, over the limit of 512");
    expect(r.maxKey).toBe("resolved");
    expect(r.emptyKey).toBe("TypeError: KV get: the key must not be empty");
    expect(r.dotKey).toBe('TypeError: KV put: ".." is not allowed as a key');
    expect(r.bigMeta).toMatch(/^RangeError: KV put: the metadata is 10\d\d bytes as JSON, over the limit of 1024$/);
    expect(r.shortTtl).toBe("RangeError: KV put: invalid expirationTtl 30: it must be at least 60 seconds");
    expect(r.pastExpiration).toMatch(/^RangeError: KV put: invalid expiration \d+: .*at least 60 seconds from now$/);
    expect(r.badValue).toMatch(/^TypeError: KV put\(\) accepts only strings/);
    expect(r.badType).toMatch(/^TypeError: KV get: unknown response type "blob"/);
    expect(r.badCacheTtl).toMatch(/^TypeError: KV get: invalid cacheTtl 5/);
    expect(r.listLimit).toBe("RangeError: KV list: the limit must be an integer from 1 to 1000, got 1001");
    expect(r.badCursor).toBe("TypeError: KV list: invalid cursor");
    expect(r.bigValue).toBe(
      `RangeError: KV put: the value is ${25 * 1024 * 1024 + 1} bytes, over the limit of ${25 * 1024 * 1024}`,
    );
    expect(r.fullValue).toBe("resolved");
  });

  it("counts operations against limits.kvOperations per invocation", async () => {
    const tooMany = "RangeError: KV: too many operations in one invocation (limits.kvOperations is 5)";
    const expected = ["ok", "ok", "ok", "ok", "ok", tooMany, tooMany];
    expect(await call("kvc", "/ops")).toEqual(expected);
    // The next request has its own allowance.
    expect(await call("kvc", "/ops")).toEqual(expected);
  });

  it("works when the app replaces JSON and typed-array methods", async () => {
    const r = await get(`${server.url}/tamper`, "kva.localhost");
    expect(r).toEqual({ status: 200, body: "still-right true" });
  });

  it("gives apps only the namespaces they bind: shared by name, separate otherwise", async () => {
    await call("kva", "/count");
    const seenByB = await call("kvb", "/get?key=count");
    expect(Number(seenByB.value)).toBeGreaterThan(0);
    expect(await call("kvc", "/get?key=count")).toEqual({ value: null });
  });

  it("manages keys with nano kv and the admin API", async () => {
    const put = await cli(server, ["kv", "put", "private", "a/b c", "hello"]);
    expect(put).toMatchObject({ code: 0, stdout: "put a/b c in private (5 bytes)\n" });
    expect(await call("kvc", `/get?key=${encodeURIComponent("a/b c")}`)).toEqual({ value: "hello" });
    const fromStdin = await cli(server, ["kv", "put", "private", "piped", "--ttl", "300"], "line 1\nline 2\n");
    expect(fromStdin.code).toBe(0);
    const got = await cli(server, ["kv", "get", "private", "piped"]);
    expect(got).toMatchObject({ code: 0, stdout: "line 1\nline 2\n" });
    const ls = await cli(server, ["kv", "ls", "private"]);
    expect(ls.stdout).toMatch(/^a\/b c\npiped\texpires \d{4}-\d\d-\d\dT/);
    const nsList = await cli(server, ["kv", "ls", "--json"]);
    const namespaces = JSON.parse(nsList.stdout) as { name: string; keys: number; bytes: number; apps: string[] }[];
    expect(namespaces.find((n) => n.name === "shared")).toMatchObject({ apps: ["kva", "kvb"] });
    expect(namespaces.find((n) => n.name === "private")).toMatchObject({ keys: 2, apps: ["kvc"] });
    const rm = await cli(server, ["kv", "rm", "private", "a/b c"]);
    expect(rm).toMatchObject({ code: 0, stdout: "removed a/b c from private\n" });
    const missing = await cli(server, ["kv", "get", "private", "a/b c"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('nano: namespace "private" has no key "a/b c" [NANO_ERR_KV_KEY_NOT_FOUND]\n');
    const shortTtl = await cli(server, ["kv", "put", "private", "x", "y", "--ttl", "5"]);
    expect(shortTtl.code).toBe(1);
    expect(shortTtl.stderr).toMatch(/"ttl" must be a whole number of seconds, at least 60 \[NANO_ERR_KV_INVALID\]/);
    const badNs = await admin("/v1/kv/bad%20name/keys");
    expect(badNs.status).toBe(400);
    expect(((await badNs.json()) as { error: { code: string } }).error.code).toBe("NANO_ERR_KV_INVALID");
    const tooBig = await admin("/v1/kv/private/values/big", {
      method: "PUT",
      body: new Uint8Array(25 * 1024 * 1024 + 1),
    });
    expect(tooBig.status).toBe(413);
  }, 90_000);

  it("gives the app's top level its bindings (cloudflare:workers env), at deploy and when serving", async () => {
    const dir = kvApp({ name: "kvtop", kv: { STORE: "shared" } });
    writeFileSync(
      join(dir, "src", "index.js"),
      `import { env } from "cloudflare:workers";
      if (typeof env.STORE?.get !== "function") throw new Error("no STORE binding at the top level");
      const store = env.STORE;
      export default { async fetch() { return new Response(String(await store.get("count"))); } };\n`,
    );
    const r = await cli(server, ["deploy", dir]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const res = await get(`${server.url}/`, "kvtop.localhost");
    expect(res.status).toBe(200);
    expect(Number(res.body)).toBeGreaterThan(0);
  });

  it("refuses a manifest with a malformed binding", async () => {
    const r = await cli(server, ["deploy", kvApp({ name: "kvbad", kv: { "not-an-identifier": "x" } })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/kv: the binding name "not-an-identifier" is not a JavaScript identifier/);
  });

  it("exports operation counts and namespace sizes as metrics", async () => {
    await call("kva", "/count");
    let text = "";
    // Requests reach the supervisor's counters in batches (every 100 ms).
    for (let i = 0; i < 40 && !/nano_kv_operations_total\{app="kva",op="put"\}/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await (await admin("/metrics")).text();
    }
    expect(text).toMatch(/nano_kv_operations_total\{app="kva",op="get"\} [1-9]\d*/);
    expect(text).toMatch(/nano_kv_operations_total\{app="kva",op="put"\} [1-9]\d*/);
    expect(text).toMatch(/nano_kv_operations_total\{app="kva",op="list"\} [1-9]\d*/);
    expect(text).toMatch(/nano_kv_bytes\{namespace="shared"\} [1-9]\d*/);
  });

  it("says under nano serve, which has no registry, that KV needs nano start", async () => {
    const serve = await startServe(kvApp({ name: "kvserve", kv: { STORE: "dev" } }));
    try {
      const r = await fetch(`${serve.url}/get?key=a`);
      expect(r.status).toBe(500);
      expect(await r.text()).toBe(
        "TypeError: KV get: no KV storage in this process (`nano serve` has none; use `nano start`)",
      );
    } finally {
      await serve.stop();
    }
    // Starting a second server (bundle, pool, spares) beside the first takes longer on a loaded machine.
  }, 60_000);

  it("keeps the values across a restart of the server", async () => {
    const before = Number((await call("kvb", "/count")) as number);
    await server.stop("SIGTERM");
    server = await startServer(server.dataDir);
    expect(await call("kvb", "/count")).toBe(before + 1);
  }, 60_000);
});
