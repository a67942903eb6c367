/**
 * Outbound fetch end to end: `./nano serve` runs test/fixtures/fetch-app, which fetches an upstream
 * node:http server this test starts on 127.0.0.1 (loopback only: `--allow-private-fetch`). A second
 * server without the flag shows the default policy refusing loopback in its several spellings.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningNano, startServe } from "./helpers.js";

const APP = "test/fixtures/fetch-app";
let upstream: Server;
let base = "";
let port = 0;
const seen: { path: string; method: string; fromApp?: string; contentType?: string; body: string }[] = [];
let release: (() => void) | null = null;

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const path = (req.url ?? "/").split("?")[0];
  const query = new URL(req.url ?? "/", "http://x").searchParams;
  if (path === "/hello") {
    // No content-length: chunked, so the passthrough must not forward transfer-encoding as it is.
    res.writeHead(201, "Made", { "content-type": "text/plain", "x-upstream": "yes", "set-cookie": ["a=1", "b=2"] });
    res.write("hello ");
    res.end("from upstream");
  } else if (path === "/gzip") {
    res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
    res.end(gzipSync("unzipped by the host\n".repeat(100)));
  } else if (path === "/cache-headers") {
    res.end(`pragma=${req.headers.pragma ?? ""} cache-control=${req.headers["cache-control"] ?? ""}`);
  } else if (path === "/echo") {
    res.end(`${req.method} ${req.headers["content-type"]} ${body}`);
  } else if (path === "/chunks") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("first\n");
    release = () => {
      res.write("second\n");
      setTimeout(() => res.end("third\n"), 20);
    };
  } else if (path === "/release") {
    release?.();
    res.end("released");
  } else if (path === "/slow") {
    const timer = setTimeout(() => res.end("too late"), 5_000);
    res.on("close", () => clearTimeout(timer));
  } else if (path === "/drip") {
    res.write("drop 1\n");
    const timer = setInterval(() => res.write("drop\n"), 50);
    res.on("close", () => clearInterval(timer));
    setTimeout(() => res.end(), 3_000);
  } else if (path === "/redirect") {
    res.writeHead(Number(query.get("s") ?? 302), { location: query.get("to") ?? "/hello" });
    res.end();
  } else {
    res.writeHead(404).end("no such upstream route");
  }
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if ((req.url ?? "").startsWith("/upload")) {
      // Reports when each piece of the request body arrived: a streamed upload arrives over time.
      const arrivals: number[] = [];
      let text = "";
      req.on("data", (d) => {
        arrivals.push(Date.now());
        text += d;
      });
      req.on("end", () => {
        res.end(JSON.stringify({ text, spanMs: (arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0) }));
      });
      return;
    }
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const fromApp = req.headers["x-from-app"] as string | undefined;
      seen.push({
        path: req.url ?? "",
        method: req.method ?? "",
        fromApp,
        contentType: req.headers["content-type"],
        body,
      });
      route(req, res, body);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  port = (upstream.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe("fetch from an app (nano serve --allow-private-fetch)", () => {
  let nano: RunningNano;
  const get = (path: string, u: string, more = "") => fetch(`${nano.url}${path}?u=${encodeURIComponent(u)}${more}`);
  beforeAll(async () => {
    nano = await startServe(APP, ["--allow-private-fetch"]);
  });
  afterAll(async () => {
    expect(await nano.stop()).toBe(0);
  });

  it("passes the upstream status, headers and body through", async () => {
    const res = await get("/pass", `${base}/hello`);
    expect([res.status, res.statusText]).toEqual([201, "Made"]);
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.text()).toBe("hello from upstream");
    expect(seen.at(-1)).toMatchObject({ path: "/hello", method: "GET", fromApp: "yes" });
  });

  it("decodes a gzip body on the host, and the head no longer claims gzip", async () => {
    const res = await get("/pass", `${base}/gzip`);
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(await res.text()).toBe("unzipped by the host\n".repeat(100));
  });

  it("sends the headers a cache mode implies, so caches on the way honour it", async () => {
    const text = async (cache: string) => (await get("/cache", `${base}/cache-headers`, `&cache=${cache}`)).text();
    expect(await text("default")).toBe("pragma= cache-control=");
    expect(await text("no-store")).toBe("pragma=no-cache cache-control=no-cache");
    expect(await text("reload")).toBe("pragma=no-cache cache-control=no-cache");
    expect(await text("no-cache")).toBe("pragma= cache-control=max-age=0");
  });

  it("sends a POST body to the upstream", async () => {
    const res = await fetch(`${nano.url}/post?u=${encodeURIComponent(`${base}/echo`)}`, {
      method: "POST",
      body: "pay",
    });
    expect(await res.text()).toBe("POST text/x-test pay");
  });

  it("streams the response body: the first chunk arrives while the upstream is still sending", async () => {
    const res = await get("/stream", `${base}/chunks`, `&release=${encodeURIComponent(`${base}/release`)}`);
    expect(await json(res)).toEqual({ first: "first\n", rest: "second\nthird\n", firstMs: expect.any(Number) });
  });

  it("streams a request body to the upstream as the app produces it", async () => {
    const res = await get("/upload", `${base}/upload`);
    const got = await json(res);
    expect(got.text).toBe("part 1\npart 2\npart 3\n");
    expect(got.spanMs).toBeGreaterThanOrEqual(200);
  });

  it("streams the incoming request's body on to the upstream", async () => {
    const res = await fetch(`${nano.url}/proxy-upload?u=${encodeURIComponent(`${base}/upload`)}`, {
      method: "POST",
      body: "x".repeat(300_000),
    });
    const got = await json(res);
    expect(got.text).toBe("x".repeat(300_000));
  });

  it("refuses to follow a 307 redirect with a streamed request body", async () => {
    const res = await get("/upload", `${base}/redirect?s=307&to=/echo`);
    expect(res.status).toBe(502);
    expect(await json(res)).toEqual({
      name: "TypeError",
      message: expect.stringContaining("the request body was a stream"),
    });
  });

  it("aborts a slow upstream with AbortSignal.timeout", async () => {
    const body = await json(await get("/timeout", `${base}/slow`, "&ms=100"));
    expect(body).toMatchObject({ name: "TimeoutError", message: "signal timed out" });
    expect(body.ms).toBeLessThan(2_000);
  });

  it("errors a body being read when its signal aborts", async () => {
    expect(await json(await get("/abort-body", `${base}/drip`))).toMatchObject({ name: "AbortError" });
  });

  it("follows redirects, or not, as the redirect mode says", async () => {
    const to = `${base}/redirect?to=${encodeURIComponent("/hello")}`;
    expect(await json(await get("/redirect", to))).toEqual({
      status: 201,
      url: `${base}/hello`,
      redirected: true,
      body: "hello from upstream",
    });
    expect(await json(await get("/redirect", to, "&mode=manual"))).toMatchObject({ status: 302, redirected: false });
    const refused = await json(await get("/try", `${base}/redirect?to=${encodeURIComponent("ftp://x/")}`));
    expect(refused).toMatchObject({ name: "TypeError", message: expect.stringContaining("ftp") });
  });

  it("allows limits.subrequests fetches per request (3 here): the 4th rejects", async () => {
    const results = (await (await get("/many", `${base}/echo`, "&n=4")).json()) as unknown[];
    expect(results.slice(0, 3)).toEqual([200, 200, 200]);
    expect(results[3]).toEqual({ name: "TypeError", message: "too many subrequests: the limit is 3 per request" });
    // The count is per request.
    expect(await (await get("/many", `${base}/echo`, "&n=1")).json()).toEqual([200]);
  });

  it("reports an unreachable upstream as a TypeError", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const body = await json(await get("/try", `http://127.0.0.1:${deadPort}/`));
    expect(body).toMatchObject({ name: "TypeError", message: expect.stringMatching(/ECONNREFUSED/) });
  });
});

describe("fetch from an app under the default policy (no --allow-private-fetch)", () => {
  let nano: RunningNano;
  const attempt = async (u: string) => json(await fetch(`${nano.url}/try?u=${encodeURIComponent(u)}`));
  beforeAll(async () => {
    nano = await startServe(APP);
  });
  afterAll(async () => {
    expect(await nano.stop()).toBe(0);
  });

  it("refuses loopback literals in any spelling, before connecting", async () => {
    const before = seen.length;
    for (const [u, host] of [
      [`${base}/hello`, "127.0.0.1"],
      [`http://2130706433:${port}/hello`, "127.0.0.1"],
      [`http://0x7f.1:${port}/hello`, "127.0.0.1"],
      [`http://[::1]:${port}/hello`, "::1"],
      [`http://[::ffff:127.0.0.1]:${port}/hello`, "::ffff:7f00:1"],
    ]) {
      expect(await attempt(u as string)).toEqual({
        name: "TypeError",
        message: `fetch to ${host} refused: private/loopback addresses are not allowed`,
      });
    }
    expect(seen.length).toBe(before);
  });

  it("refuses a name that resolves to loopback, at connect", async () => {
    const before = seen.length;
    const body = await attempt(`http://localhost:${port}/hello`);
    expect(body).toMatchObject({
      name: "TypeError",
      message: expect.stringMatching(/^fetch to localhost \((127\.0\.0\.1|::1)\) refused: private\/loopback/),
    });
    expect(seen.length).toBe(before);
  });
});
