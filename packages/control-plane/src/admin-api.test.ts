/** Every admin route, its auth, and malformed input — against a real registry and real isolates. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadRuntimeSnapshot } from "@nano/worker/isolate";
import { beforeAll, describe, expect, it } from "vitest";
import { createAdminApi } from "./admin-api.js";
import { checkApp } from "./app-check.js";
import { LogRing } from "./log-ring.js";
import { createLogger } from "./logger.js";
import { Metrics } from "./metrics.js";
import { SecretBox } from "./registry/secret-box.js";
import { SqliteStore } from "./registry/sqlite-store.js";
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
    store,
    changed: async () => {
      state.refresh();
    },
    onLift: (app) => lifted.push(app),
    metrics: new Metrics(),
    logs,
    token: TOKEN,
    logger: createLogger({ destination: sink }),
    deploy: {
      store,
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
