/** Every admin route, its auth, and malformed input — against a real registry and real isolates. */
import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadRuntimeSnapshot } from "@nano/worker/isolate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminApi } from "./admin-api.js";
import { checkApp } from "./app-check.js";
import { LogRing } from "./log-ring.js";
import { createLogger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { asyncStore } from "./registry/async-store.js";
import { SecretBox } from "./registry/secret-box.js";
import { SqliteStore } from "./registry/sqlite-store.js";
import { listen } from "./server.js";
import { ServingState } from "./serving-state.js";

const TOKEN = "test-token-0123456789";
const app = (body: string) => `__nano_define(function (module) { ${body} });`;
const ok = (text: string) =>
  app(`module.exports = { default: { fetch() { return new Response(${JSON.stringify(text)}) } } };`);

let api: ReturnType<typeof createAdminApi>;
let state: ServingState;
let logs: LogRing;
let store: SqliteStore;
const lifted: string[] = [];

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "nano-api-"));
  store = new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key")));
  state = new ServingState(store);
  const snapshot = loadRuntimeSnapshot();
  logs = new LogRing();
  const sink = new Writable({ write: (_c, _e, done) => done() });
  api = createAdminApi({
    store: asyncStore(store),
    reader: store,
    changed: async () => {
      state.refresh();
    },
    onLift: (app) => lifted.push(app),
    metrics: new Metrics(),
    logs,
    token: TOKEN,
    logger: createLogger({ destination: sink }),
    deploy: {
      store: asyncStore(store),
      check: async (code, o) => checkApp(snapshot, code, o),
      reservedPorts: [8080, 8788],
    },
  });
});

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${TOKEN}`, ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  return api.request(path, init);
}

async function expectError(res: Response | Promise<Response>, status: number, code: string, message?: RegExp) {
  const r = await res;
  expect(r.status).toBe(status);
  const body = (await r.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  if (message) expect(body.error.message).toMatch(message);
}

describe("health and auth", () => {
  it("serves /healthz and /readyz without a token", async () => {
    expect(await (await api.request("/healthz")).json()).toEqual({ status: "ok" });
    expect((await api.request("/readyz")).status).toBe(200);
  });

  it.each([
    ["no header", {}],
    ["wrong token", { authorization: "Bearer nope" }],
    ["token plus a character", { authorization: `Bearer ${TOKEN}x` }],
    ["Basic scheme", { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` }],
    ["empty bearer", { authorization: "Bearer " }],
  ])("refuses %s with 401", async (_label, headers) => {
    await expectError(api.request("/v1/apps", { headers }), 401, "NANO_ERR_UNAUTHORIZED");
    await expectError(api.request("/metrics", { headers }), 401, "NANO_ERR_UNAUTHORIZED");
  });

  it("serves Prometheus metrics with the token", async () => {
    const r = await call("GET", "/metrics");
    expect(r.headers.get("content-type")).toContain("text/plain");
    expect(await r.text()).toContain("nano_deploys_total");
  });
});

describe("deploys, versions and rollback", () => {
  it("creates version 1, is idempotent by content, creates version 2 and lists both", async () => {
    const first = await call("POST", "/v1/apps/alpha/versions", { bundle: ok("v1"), manifest: { vars: { A: "1" } } });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ app: "alpha", version: 1, created: true, active: true });
    const again = await call("POST", "/v1/apps/alpha/versions", { bundle: ok("v1"), manifest: { vars: { A: "1" } } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ version: 1, created: false });
    expect((await call("POST", "/v1/apps/alpha/versions", { bundle: ok("v2") })).status).toBe(201);
    const versions = (await (await call("GET", "/v1/apps/alpha/versions")).json()) as {
      versions: { version: number; active: boolean }[];
    };
    expect(versions.versions.map((v) => [v.version, v.active])).toEqual([
      [2, true],
      [1, false],
    ]);
    const apps = (await (await call("GET", "/v1/apps")).json()) as { apps: { name: string; activeVersion: number }[] };
    expect(apps.apps.find((a) => a.name === "alpha")?.activeVersion).toBe(2);
  });

  it("rolls back to the previous version, and to a named one", async () => {
    expect(await (await call("POST", "/v1/apps/alpha/rollback")).json()).toEqual({
      app: "alpha",
      version: 1,
      previous: 2,
    });
    expect(await (await call("POST", "/v1/apps/alpha/rollback", { version: 2 })).json()).toEqual({
      app: "alpha",
      version: 2,
      previous: 1,
    });
  });

  it("refuses with 409 a rollback to routes another app has claimed since, and keeps the active version", async () => {
    const deployRoutes = (name: string, text: string, routes: string[]) =>
      call("POST", `/v1/apps/${name}/versions`, { bundle: ok(text), manifest: { routes } });
    expect((await deployRoutes("gamma", "g1", ["gamma.example.com/*"])).status).toBe(201);
    expect((await deployRoutes("gamma", "g2", ["gamma2.example.com"])).status).toBe(201);
    expect((await deployRoutes("delta", "d1", ["gamma.example.com/shop"])).status).toBe(201);
    await expectError(
      call("POST", "/v1/apps/gamma/rollback"),
      409,
      "NANO_ERR_ROUTE_CONFLICT",
      /^route "gamma\.example\.com\/\*" overlaps route "gamma\.example\.com\/shop", already served by app "delta"$/,
    );
    expect(await (await call("GET", "/v1/apps/gamma")).json()).toMatchObject({ activeVersion: 2 });
    expect((await call("DELETE", "/v1/apps/delta")).status).toBe(200);
    expect(await (await call("POST", "/v1/apps/gamma/rollback")).json()).toEqual({
      app: "gamma",
      version: 1,
      previous: 2,
    });
    expect((await call("DELETE", "/v1/apps/gamma")).status).toBe(200);
  });

  it("reports app details without secret values", async () => {
    expect((await call("PUT", "/v1/apps/alpha/secrets/API_KEY", { value: "hunter2" })).status).toBe(200);
    const r = await call("GET", "/v1/apps/alpha");
    const text = await r.text();
    expect(text).not.toContain("hunter2");
    expect(JSON.parse(text)).toMatchObject({ name: "alpha", activeVersion: 2, secrets: ["API_KEY"] });
    expect(await (await call("GET", "/v1/apps/alpha/secrets")).json()).toEqual({ secrets: ["API_KEY"] });
    expect(await (await call("DELETE", "/v1/apps/alpha/secrets/API_KEY")).json()).toEqual({
      app: "alpha",
      deleted: "API_KEY",
    });
  });

  it("a failed deploy leaves the previous version active", async () => {
    await expectError(call("POST", "/v1/apps/alpha/versions", { bundle: "let x = ;" }), 400, "NANO_ERR_APP_LOAD");
    const info = (await (await call("GET", "/v1/apps/alpha")).json()) as { activeVersion: number };
    expect(info.activeVersion).toBe(2);
    expect(state.wireFor("alpha")).toMatchObject({ app: "alpha", id: expect.stringMatching(/^alpha@2:/) });
  });

  it("returns recent logs", async () => {
    logs.add({ time: 1, app: "alpha", level: "info", msg: "GET / 200" });
    expect(await (await call("GET", "/v1/apps/alpha/logs?limit=5")).json()).toEqual({
      logs: [{ time: 1, app: "alpha", level: "info", msg: "GET / 200" }],
    });
  });

  it("follows logs as server-sent events", async () => {
    const res = await call("GET", "/v1/apps/alpha/logs?follow=1&limit=1");
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) text += decoder.decode((await reader.read()).value, { stream: true });
    };
    await readUntil('"msg":"GET / 200"');
    logs.add({ time: 2, app: "alpha", level: "warn", msg: "live record" });
    await readUntil('"msg":"live record"');
    expect(text).toMatch(/event: log\ndata: \{"time":2,"app":"alpha","level":"warn","msg":"live record"\}/);
    await reader.cancel();
  });

  it("shows a quarantine in force, answers it at the ingress, and lifts it on request", async () => {
    store.quarantine("alpha", { untilMs: Date.now() + 60_000, level: 1, reason: "3 crashes" });
    state.refresh();
    const quarantined = state.wireFor("alpha");
    expect(quarantined).toMatchObject({ code: "NANO_ERR_APP_QUARANTINED", status: 503 });
    expect((quarantined as { retryAfter: number }).retryAfter).toBeGreaterThan(55);
    const listed = (await (await call("GET", "/v1/apps")).json()) as { apps: { name: string; quarantine: unknown }[] };
    expect(listed.apps.find((a) => a.name === "alpha")?.quarantine).toMatchObject({
      reason: "3 crashes",
      level: 1,
      until: expect.stringMatching(/^\d{4}-/),
    });
    expect(await (await call("POST", "/v1/apps/alpha/unquarantine")).json()).toEqual({ app: "alpha", lifted: true });
    expect(lifted).toContain("alpha");
    expect(state.wireFor("alpha")).toMatchObject({ app: "alpha" });
    expect(((await (await call("GET", "/v1/apps/alpha")).json()) as { quarantine: unknown }).quarantine).toBeNull();
    expect(await (await call("POST", "/v1/apps/alpha/unquarantine")).json()).toEqual({ app: "alpha", lifted: false });
    await expectError(call("POST", "/v1/apps/nobody/unquarantine"), 404, "NANO_ERR_NOT_FOUND");
  });

  it("a quarantine whose cool-off has ended is not in force", async () => {
    store.quarantine("alpha", { untilMs: Date.now() - 1, level: 1, reason: "old" });
    state.refresh();
    expect(state.wireFor("alpha")).toMatchObject({ app: "alpha" });
    expect(((await (await call("GET", "/v1/apps/alpha")).json()) as { quarantine: unknown }).quarantine).toBeNull();
  });

  it("deletes an app", async () => {
    await call("POST", "/v1/apps/doomed/versions", { bundle: ok("x") });
    expect(await (await call("DELETE", "/v1/apps/doomed")).json()).toEqual({ deleted: "doomed" });
    await expectError(call("GET", "/v1/apps/doomed"), 404, "NANO_ERR_NOT_FOUND");
    expect(state.resolve("doomed.localhost", "/")).toBeNull();
  });
});

describe("malformed input answers 4xx with a coded error and changes nothing", () => {
  const deploy = (name: string, body: unknown) => call("POST", `/v1/apps/${name}/versions`, body);

  it.each([
    ["body is not JSON", "beta", "{ nope", 400, "NANO_ERR_BAD_REQUEST"],
    ["body is an array", "beta", "[1,2]", 400, "NANO_ERR_BAD_REQUEST"],
    ["body is a string", "beta", '"bundle"', 400, "NANO_ERR_BAD_REQUEST"],
    ["bundle missing", "beta", { manifest: {} }, 400, "NANO_ERR_BAD_REQUEST"],
    ["bundle is a number", "beta", { bundle: 42 }, 400, "NANO_ERR_BAD_REQUEST"],
    ["bundle is empty", "beta", { bundle: "" }, 400, "NANO_ERR_BAD_REQUEST"],
    ["unknown top-level field", "beta", { bundle: ok("x"), extra: 1 }, 400, "NANO_ERR_BAD_REQUEST"],
    ["manifest is an array", "beta", { bundle: ok("x"), manifest: [] }, 400, "NANO_ERR_MANIFEST"],
    ["manifest has an unknown field", "beta", { bundle: ok("x"), manifest: { rutes: [] } }, 400, "NANO_ERR_MANIFEST"],
    ["manifest names another app", "beta", { bundle: ok("x"), manifest: { name: "gamma" } }, 400, "NANO_ERR_MANIFEST"],
    ["a var is not a string", "beta", { bundle: ok("x"), manifest: { vars: { A: 1 } } }, 400, "NANO_ERR_MANIFEST"],
    [
      "a limit out of range",
      "beta",
      { bundle: ok("x"), manifest: { limits: { memoryMb: 1 } } },
      400,
      "NANO_ERR_MANIFEST",
    ],
    ["port is a string", "beta", { bundle: ok("x"), manifest: { port: "9000" } }, 400, "NANO_ERR_MANIFEST"],
    ["a route is malformed", "beta", { bundle: ok("x"), manifest: { routes: ["bad host"] } }, 400, "NANO_ERR_MANIFEST"],
    ["upper-case name", "Beta", { bundle: ok("x") }, 400, "NANO_ERR_BAD_REQUEST"],
    ["name with a dot", "be.ta", { bundle: ok("x") }, 400, "NANO_ERR_BAD_REQUEST"],
    ["64-character name", "a".repeat(64), { bundle: ok("x") }, 400, "NANO_ERR_BAD_REQUEST"],
    ["10,000-character name", "a".repeat(10_000), { bundle: ok("x") }, 400, "NANO_ERR_BAD_REQUEST"],
    ["path traversal in the name", "..%2F..%2Fetc", { bundle: ok("x") }, 400, "NANO_ERR_BAD_REQUEST"],
    ["syntax error in the bundle", "beta", { bundle: "function (" }, 400, "NANO_ERR_APP_LOAD"],
    [
      "no fetch handler",
      "beta",
      { bundle: app("module.exports = { default: {} };") },
      400,
      "NANO_ERR_NO_FETCH_HANDLER",
    ],
    ["top-level throw", "beta", { bundle: app('throw new Error("at load")') }, 400, "NANO_ERR_APP_LOAD"],
    ["top-level endless loop", "beta", { bundle: app("while (true) {}") }, 400, "NANO_ERR_APP_LOAD"],
    [
      "port reserved by the server",
      "beta",
      { bundle: ok("x"), manifest: { port: 8788 } },
      409,
      "NANO_ERR_ROUTE_CONFLICT",
    ],
  ])("%s", async (_label, name, body, status, code) => {
    await expectError(deploy(name, body), status, code);
    await expectError(call("GET", "/v1/apps/beta"), 404, "NANO_ERR_NOT_FOUND");
  });

  it("an oversized bundle answers 413", async () => {
    await expectError(
      deploy("beta", { bundle: `// ${"x".repeat(11 * 1024 * 1024)}` }),
      413,
      "NANO_ERR_PAYLOAD_TOO_LARGE",
    );
  });

  it("a route another app serves answers 409", async () => {
    expect((await deploy("owner", { bundle: ok("o"), manifest: { routes: ["owned.example.com"] } })).status).toBe(201);
    await expectError(
      deploy("beta", { bundle: ok("x"), manifest: { routes: ["owned.example.com"] } }),
      409,
      "NANO_ERR_ROUTE_CONFLICT",
      /already served by app "owner"/,
    );
  });

  it.each([
    ["rollback of an unknown app", "POST", "/v1/apps/nobody/rollback", {}, 404, "NANO_ERR_NOT_FOUND"],
    ["rollback to a non-integer", "POST", "/v1/apps/alpha/rollback", { version: "1" }, 400, "NANO_ERR_BAD_REQUEST"],
    ["rollback to version 0", "POST", "/v1/apps/alpha/rollback", { version: 0 }, 400, "NANO_ERR_BAD_REQUEST"],
    [
      "rollback to a missing version",
      "POST",
      "/v1/apps/alpha/rollback",
      { version: 99 },
      404,
      "NANO_ERR_VERSION_NOT_FOUND",
    ],
    ["rollback with an unknown field", "POST", "/v1/apps/alpha/rollback", { to: 1 }, 400, "NANO_ERR_BAD_REQUEST"],
    ["rollback with no earlier version", "POST", "/v1/apps/owner/rollback", {}, 404, "NANO_ERR_VERSION_NOT_FOUND"],
    [
      "secret with an invalid name",
      "PUT",
      "/v1/apps/alpha/secrets/bad-name",
      { value: "v" },
      400,
      "NANO_ERR_BAD_REQUEST",
    ],
    ["secret value not a string", "PUT", "/v1/apps/alpha/secrets/GOOD", { value: 5 }, 400, "NANO_ERR_BAD_REQUEST"],
    [
      "secret with an unknown field",
      "PUT",
      "/v1/apps/alpha/secrets/GOOD",
      { value: "v", x: 1 },
      400,
      "NANO_ERR_BAD_REQUEST",
    ],
    ["secret for an unknown app", "PUT", "/v1/apps/nobody/secrets/GOOD", { value: "v" }, 404, "NANO_ERR_NOT_FOUND"],
    ["delete a missing secret", "DELETE", "/v1/apps/alpha/secrets/MISSING", undefined, 404, "NANO_ERR_NOT_FOUND"],
    ["delete an unknown app", "DELETE", "/v1/apps/nobody", undefined, 404, "NANO_ERR_NOT_FOUND"],
    ["an unknown route", "GET", "/v1/nothing-here", undefined, 404, "NANO_ERR_NOT_FOUND"],
    ["logs of an unknown app", "GET", "/v1/apps/nobody/logs", undefined, 404, "NANO_ERR_NOT_FOUND"],
  ])("%s", async (_label, method, path, body, status, code) => {
    await expectError(call(method, path, body), status, code);
  });

  it("an oversized secret answers 413", async () => {
    await expectError(
      call("PUT", "/v1/apps/alpha/secrets/BIG", { value: "x".repeat(65 * 1024) }),
      413,
      "NANO_ERR_PAYLOAD_TOO_LARGE",
    );
  });
});

describe("input that must be refused, not repaired", () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));
  const send = (method: string, path: string, body: Uint8Array | ReadableStream<Uint8Array>) =>
    api.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);

  it.each([
    ["a lone 0xff byte", [0xff]],
    ["a truncated sequence", [0xe2, 0x82]],
    ["an overlong encoding", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
  ])("a deploy whose bundle holds %s answers 400, nothing stored", async (_label, bad) => {
    const body = bytes(
      '{"bundle":"',
      `__nano_define(function (module) { module.exports = { default: { fetch() { return new Response("`,
      bad,
      '") } } }; });"}',
    );
    await expectError(send("POST", "/v1/apps/utf8/versions", body), 400, "NANO_ERR_BAD_REQUEST", /not valid UTF-8/);
    expect(store.getApp("utf8")).toBeNull();
  });

  it("a secret value with invalid UTF-8 answers 400 and is not stored; valid UTF-8 is kept as sent", async () => {
    await expectError(
      send("PUT", "/v1/apps/alpha/secrets/BYTES", bytes('{"value":"ab', [0xff, 0xfe], 'cd"}')),
      400,
      "NANO_ERR_BAD_REQUEST",
      /not valid UTF-8/,
    );
    expect(store.listSecretNames("alpha")).not.toContain("BYTES");
    expect((await send("PUT", "/v1/apps/alpha/secrets/BYTES", bytes('{"value":"é€😀"}'))).status).toBe(200);
    expect(store.getSecrets("alpha").BYTES).toBe("é€😀");
    await call("DELETE", "/v1/apps/alpha/secrets/BYTES");
  });

  it("a rollback body with invalid UTF-8 answers 400", async () => {
    await expectError(
      send("POST", "/v1/apps/alpha/rollback", bytes('{"version":1, "x":"', [0x80], '"}')),
      400,
      "NANO_ERR_BAD_REQUEST",
      /not valid UTF-8/,
    );
  });

  it("an impossible compatibilityDate answers 400", async () => {
    await expectError(
      call("POST", "/v1/apps/datey/versions", { bundle: ok("x"), manifest: { compatibilityDate: "2026-13-45" } }),
      400,
      "NANO_ERR_MANIFEST",
      /compatibilityDate/,
    );
    expect(store.getApp("datey")).toBeNull();
  });

  /** A 16 MiB body produced as it is read, counting what was read. */
  const endless = () => {
    const sent = { bytes: 0 };
    const chunk = new Uint8Array(4 * 1024).fill(0x61);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"value":"'));
      },
      pull(c) {
        if (sent.bytes >= 16 * 1024 * 1024) return c.close();
        sent.bytes += chunk.byteLength;
        c.enqueue(chunk);
      },
    });
    return { stream, sent };
  };

  it.each([
    ["PUT", "/v1/apps/alpha/secrets/BIG", 1024 * 1024],
    ["POST", "/v1/apps/alpha/rollback", 64 * 1024],
    ["POST", "/v1/apps/alpha/unquarantine", 64 * 1024],
    ["DELETE", "/v1/apps/alpha/secrets/BIG", 64 * 1024],
  ])("%s %s stops reading an oversized body and answers 413", async (method, path, most) => {
    const { stream, sent } = endless();
    await expectError(send(method, path, stream), 413, "NANO_ERR_PAYLOAD_TOO_LARGE");
    expect(sent.bytes).toBeLessThan(most);
    expect(store.getApp("alpha")?.activeVersion).toBe(2);
  });

  it("a 64 KiB secret whose every character JSON escapes (6 bytes each) still fits", async () => {
    const value = "\u0001".repeat(64 * 1024);
    const body = JSON.stringify({ value });
    expect(body.length).toBeGreaterThan(6 * 64 * 1024);
    expect((await call("PUT", "/v1/apps/alpha/secrets/ESCAPED", body)).status).toBe(200);
    expect(store.getSecrets("alpha").ESCAPED).toBe(value);
    await call("DELETE", "/v1/apps/alpha/secrets/ESCAPED");
  });

  describe("over a real socket", () => {
    let url: URL;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const l = await listen(api, { port: 0, host: "127.0.0.1" });
      url = new URL(l.url);
      close = () => l.close(1_000);
    });
    afterAll(() => close());

    /** Sends a head and part of a body, never the rest; resolves with the status line the server answers. */
    const partial = (head: string, body: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname);
        let got = "";
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no answer before the body ended; got ${JSON.stringify(got)}`));
        }, 5_000);
        socket.on("data", (d) => {
          got += d;
          if (got.includes("\r\n")) {
            clearTimeout(timer);
            socket.destroy();
            resolve(got.slice(0, got.indexOf("\r\n")));
          }
        });
        socket.on("error", reject);
        socket.write(`${head}\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n`);
        socket.write(body);
      });

    it.each([["PUT /v1/apps/alpha/secrets/BIG"], ["POST /v1/apps/alpha/rollback"]])(
      "%s with a 100 MiB Content-Length answers 413 before the body is sent",
      async (route) => {
        const status = await partial(`${route} HTTP/1.1`, `Content-Length: ${100 * 1024 * 1024}\r\n\r\n{"value":"`);
        expect(status).toBe("HTTP/1.1 413 Payload Too Large");
      },
    );

    it.each([["PUT /v1/apps/alpha/secrets/BIG"], ["POST /v1/apps/alpha/rollback"]])(
      "%s with a chunked body answers 413 once it passes the limit, without the rest",
      async (route) => {
        const chunk = "a".repeat(512 * 1024);
        const status = await partial(
          `${route} HTTP/1.1`,
          `Transfer-Encoding: chunked\r\n\r\na\r\n{"value":"\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n`,
        );
        expect(status).toBe("HTTP/1.1 413 Payload Too Large");
      },
    );
  });
});
