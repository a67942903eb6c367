/** The ingress over a real socket and a real pool: the HTTP mapping of requests and results. */
import { request as httpRequest } from "node:http";
import { Writable } from "node:stream";
import { prepareVersion, type VersionWire, WorkerPool } from "@nano/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngress } from "./ingress.js";
import { createLogger } from "./logger.js";
import { type Listening, listen } from "./server.js";

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(...String(chunk).trim().split("\n"));
    done();
  },
});

const version = prepareVersion({
  app: "mirror",
  version: "1",
  code: `__nano_define(function (module) { module.exports = { default: { async fetch(r) {
    const u = new URL(r.url);
    if (u.pathname === "/boom") throw new Error("boom");
    if (u.pathname === "/empty") return new Response(null, { status: 204 });
    return Response.json({ method: r.method, url: r.url, host: r.headers.get("host"), body: await r.text() },
      { headers: { "set-cookie": "x=1", "X-Custom": "yes" } });
  } } } });`,
});

let pool: WorkerPool;
let server: Listening;
beforeAll(async () => {
  pool = new WorkerPool({ threads: 1 });
  const ingress = createIngress({
    pool,
    logger: createLogger({ destination: sink }),
    resolve: (host): VersionWire | null => (host === "unknown.test" ? null : version),
  });
  server = await listen(ingress, { port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await server.close();
  await pool.close();
});

/** node:http, because fetch may not set Host. */
function send(path: string, opts: { method?: string; host: string; body?: string }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        `${server.url}${path}`,
        { method: opts.method ?? "GET", headers: { host: opts.host } },
        (res) => {
          let body = "";
          res.on("data", (d) => {
            body += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on("error", reject);
      req.end(opts.body);
    },
  );
}

describe("ingress", () => {
  it("passes method, URL with query, Host and body; returns status, headers and body", async () => {
    const res = await send("/a/b?c=d", { method: "PATCH", body: "payload", host: "app.test" });
    expect(res.status).toBe(200);
    expect(res.headers["x-custom"]).toBe("yes");
    expect(res.headers["set-cookie"]).toEqual(["x=1"]);
    expect(JSON.parse(res.body)).toEqual({
      method: "PATCH",
      url: "http://app.test/a/b?c=d",
      host: "app.test",
      body: "payload",
    });
  });

  it("answers 204 without a body", async () => {
    const res = await fetch(`${server.url}/empty`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
  });

  it("answers 404 with a JSON error for a host no app serves", async () => {
    const res = await send("/", { host: "unknown.test" });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: "NANO_ERR_APP_NOT_FOUND", message: "no app serves unknown.test/" },
    });
  });

  it("answers 500 with a request id when the app throws, and logs it", async () => {
    const res = await fetch(`${server.url}/boom`, { headers: { "x-request-id": "req-123" } });
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBe("req-123");
    const logged = lines.map((l) => JSON.parse(l)).filter((r) => r.requestId === "req-123");
    expect(logged.map((r) => r.code ?? r.status)).toEqual(["NANO_ERR_APP_EXCEPTION", 500]);
  });
});
