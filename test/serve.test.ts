/** `./nano serve` as a real process, spoken to over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningNano, runNano, startServe } from "./helpers.js";

/** The server's log line containing `needle`, waiting (at most 5 s) for it to be written. */
async function logLine(nano: RunningNano, needle: string): Promise<string | undefined> {
  for (let waited = 0; waited < 5_000; waited += 25) {
    const line = nano
      .output()
      .split("\n")
      .find((l) => l.includes(needle));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}

describe("nano serve examples/hello", () => {
  let nano: RunningNano;
  beforeAll(async () => {
    nano = await startServe("examples/hello");
  });
  afterAll(async () => {
    expect(await nano.stop()).toBe(0);
  });

  it("answers with status, headers and body", async () => {
    const res = await fetch(`${nano.url}/some/path`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await res.text()).toBe("Hello from NANO! You asked for /some/path\n");
  });

  it("passes the manifest's vars as env and serves JSON", async () => {
    const res = await fetch(`${nano.url}/json`, { method: "POST", body: "x" });
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ hello: "nano", method: "POST" });
  });

  it("serves concurrent requests", async () => {
    const paths = Array.from({ length: 64 }, (_, i) => `/c/${i}`);
    const bodies = await Promise.all(paths.map((p) => fetch(nano.url + p).then((r) => r.text())));
    expect(bodies).toEqual(paths.map((p) => `Hello from NANO! You asked for ${p}\n`));
  });

  it("logs each request as a JSON line with app, status and cpu time", async () => {
    await fetch(`${nano.url}/logged`);
    const line = await logLine(nano, '"path":"/logged"');
    expect(line).toBeDefined();
    const rec = JSON.parse(line as string);
    expect(rec).toMatchObject({ app: "hello", status: 200, method: "GET", msg: "request" });
    expect(typeof rec.cpuMs).toBe("number");
  });
});

describe("nano serve with failing handlers", () => {
  let nano: RunningNano;
  beforeAll(async () => {
    nano = await startServe("test/fixtures/throws");
  });
  afterAll(async () => {
    await nano.stop();
  });

  it("answers 500 with a coded error when the handler throws, and keeps serving", async () => {
    const res = await fetch(`${nano.url}/throw`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { code: "NANO_ERR_APP_EXCEPTION", message: expect.stringContaining("handler exploded") },
    });
    const ok = await fetch(`${nano.url}/fine`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("still serving");
  });

  it("answers 500 for a rejected promise and for a non-Response", async () => {
    expect((await fetch(`${nano.url}/reject`)).status).toBe(500);
    const res = await fetch(`${nano.url}/not-a-response`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("NANO_ERR_BAD_RESPONSE");
    expect(body.error.message).toContain("must return a Response");
  });

  it("stops a runaway loop within seconds with 503 and serves the next request", async () => {
    const started = Date.now();
    const res = await fetch(`${nano.url}/loop`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NANO_ERR_CPU_LIMIT");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await (await fetch(`${nano.url}/after`)).text()).toBe("still serving");
  });

  it("captures the app's console output as log records", async () => {
    await fetch(`${nano.url}/log`);
    const line = await logLine(nano, "logged from /log");
    expect(line).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({ app: "throws", source: "app", msg: "logged from /log" });
  });
});

describe("nano serve app formats", () => {
  it("serves a TypeScript app with local imports, env, timers, status text and request bodies", async () => {
    const nano = await startServe("test/fixtures/ts-app");
    try {
      const res = await fetch(nano.url, { method: "POST", body: "data" });
      expect(res.status).toBe(201);
      expect(res.statusText).toBe("Made");
      expect(res.headers.get("x-app")).toBe("ts-app");
      expect(await res.text()).toBe("hello, typescript got data");
    } finally {
      await nano.stop();
    }
  });

  it("serves the service-worker form", async () => {
    const nano = await startServe("test/fixtures/service-worker");
    try {
      expect(await (await fetch(`${nano.url}/sw`, { method: "PUT" })).text()).toBe("service worker saw PUT /sw");
    } finally {
      await nano.stop();
    }
  });

  it("serves the Hono example unchanged: routes, params, JSON bodies, several Set-Cookie", async () => {
    const nano = await startServe("examples/hono");
    try {
      expect(await (await fetch(nano.url)).text()).toBe("Hello from hono-example on Hono!");
      expect(await (await fetch(`${nano.url}/users/42?q=x`)).json()).toEqual({ id: "42", query: "x" });
      const echo = await fetch(`${nano.url}/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ a: [1, 2] }),
      });
      expect(echo.status).toBe(201);
      expect(await echo.json()).toEqual({ received: { a: [1, 2] } });
      const cookies = await fetch(`${nano.url}/cookies`);
      expect(cookies.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
      const missing = await fetch(`${nano.url}/nope`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: "not found", path: "/nope" });
    } finally {
      await nano.stop();
    }
  });

  it("refuses an app without a fetch handler at bundle time with a clear error", async () => {
    const r = await runNano(["serve", "test/fixtures/no-handler", "--port", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("NANO_ERR_NO_FETCH_HANDLER");
    expect(r.stderr).toContain("no `fetch(request, env, ctx)` method");
  });

  it("refuses a syntax error at bundle time naming file and line", async () => {
    const r = await runNano(["serve", "test/fixtures/syntax-error", "--port", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/index\.js:3:\d+: Expected "\)" but found ";"/);
    expect(r.stderr).toContain("NANO_ERR_BUNDLE");
  });
});
