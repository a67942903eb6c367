/**
 * Static assets under a real `nano start`, deployed with the real CLI: files answered by the runtime
 * processes before the isolate (content types, ETag/304, ranges, HEAD, index.html, compression, SPA
 * navigations), the app's fetch for everything else, the content-addressed upload (a second deploy
 * sends only the changed file), rollback, and refused traversal paths.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startServe } from "./helpers.js";
import { cli, type Server, startServer, until } from "./start-helpers.js";

let server: Server;

/** Paths that try to climb out of the assets folder or hide a separator. */
const TRAVERSALS = [
  "/../nano.json",
  "/docs/../../nano.json",
  "/%2e%2e/nano.json",
  "/%2E%2E/%2e%2e/src/index.js",
  "/docs/%2e%2e%2fnano.json",
  "/docs%2findex.html",
  "/docs%5cindex.html",
  "/index.html%00.png",
  "/./index.html",
  "/%c0%ae%c0%ae/nano.json",
];

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path sent exactly as written (no URL normalisation), to `<app>.localhost`. */
function raw(
  app: string,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
  base?: string,
): Promise<Raw> {
  const url = new URL(base ?? server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method,
        headers: { host: `${app}.localhost`, ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const CSS = `${"body { color: #333; margin: 0 auto; max-width: 40em; }\n".repeat(200)}`;
const PNG = randomBytes(3000);
const BIG = randomBytes(3 * 1024 * 1024 + 7);
/** Over the 4 MiB a thread's asset cache keeps: env.ASSETS streams it from the store piece by piece. */
const HUGE = randomBytes(4 * 1024 * 1024 + 64 * 1024 + 3);

function site(files: Record<string, string | Buffer>, manifest: Record<string, unknown>, script: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-assets-app-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  writeFileSync(join(dir, "nano.json"), JSON.stringify(manifest));
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src", "index.js"), script);
  return dir;
}

const SCRIPT = `export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    return new Response("app " + request.method + " " + u.pathname, { headers: { "x-from": "app" } });
  },
};`;

// CPU room for the first request's isolate start on a loaded machine: these tests are about assets.
const SITE_MANIFEST = {
  name: "site",
  assets: { directory: "./public", notFound: "single-page-application" },
  limits: { cpuMs: 1000 },
};

const FILES = {
  "public/index.html": "<!doctype html><h1>home</h1>",
  "public/style.css": CSS,
  "public/app.js": `console.log(${JSON.stringify("x".repeat(500))});`,
  "public/data.json": JSON.stringify({ list: Array.from({ length: 100 }, (_, i) => i) }),
  "public/logo.png": PNG,
  "public/docs/index.html": "<h1>docs</h1>",
  "public/about.html": "<h1>about</h1>",
  "public/ünï côdé.txt": "unicode name",
  "public/digits.txt": "0123456789",
};

let v1Output = "";

beforeAll(async () => {
  server = await startServer();
  const dir = site(FILES, SITE_MANIFEST, SCRIPT);
  const r = await cli(server, ["deploy", dir]);
  expect(r.code, r.stderr).toBe(0);
  v1Output = r.stdout;
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("serving", () => {
  it("the first deploy uploads every file and says so", () => {
    expect(v1Output).toContain("deployed site version 1");
    expect(v1Output).toMatch(/assets: 9 files, 9 uploaded/);
  });

  it("answers files with their content types, never entering the app", async () => {
    const cases: [string, string, string | Buffer][] = [
      ["/index.html", "text/html; charset=utf-8", FILES["public/index.html"]],
      ["/style.css", "text/css; charset=utf-8", CSS],
      ["/app.js", "text/javascript; charset=utf-8", FILES["public/app.js"]],
      ["/data.json", "application/json; charset=utf-8", FILES["public/data.json"]],
      ["/logo.png", "image/png", PNG],
      ["/%C3%BCn%C3%AF%20c%C3%B4d%C3%A9.txt", "text/plain; charset=utf-8", "unicode name"],
    ];
    for (const [path, type, body] of cases) {
      const r = await raw("site", path);
      expect([path, r.status, r.headers["content-type"]]).toEqual([path, 200, type]);
      expect(r.body.equals(Buffer.from(body))).toBe(true);
      expect(r.headers["x-from"]).toBeUndefined();
      expect(r.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
      expect(r.headers["accept-ranges"]).toBe("bytes");
    }
  });

  it("serves index.html for / and for folders, redirects a folder without its slash, and *.html without its extension", async () => {
    expect((await raw("site", "/")).body.toString()).toBe(FILES["public/index.html"]);
    expect((await raw("site", "/docs/")).body.toString()).toBe("<h1>docs</h1>");
    const bare = await raw("site", "/docs?x=1");
    expect([bare.status, bare.headers.location]).toEqual([307, "/docs/?x=1"]);
    expect((await raw("site", "/about")).body.toString()).toBe("<h1>about</h1>");
  });

  it("HEAD answers the headers with no body", async () => {
    const r = await raw("site", "/logo.png", {}, "HEAD");
    expect(r.status).toBe(200);
    expect(r.headers["content-length"]).toBe(String(PNG.length));
    expect(r.headers["content-type"]).toBe("image/png");
    expect(r.body.length).toBe(0);
  });

  it("answers 304 to If-None-Match with the file's ETag, and 200 to another tag", async () => {
    const first = await raw("site", "/logo.png");
    const tag = first.headers.etag as string;
    const again = await raw("site", "/logo.png", { "if-none-match": tag });
    expect([again.status, again.body.length, again.headers.etag]).toEqual([304, 0, tag]);
    expect((await raw("site", "/logo.png", { "if-none-match": `W/${tag}` })).status).toBe(304);
    expect((await raw("site", "/logo.png", { "if-none-match": `"${"0".repeat(64)}"` })).status).toBe(200);
  });

  it("answers a single range with 206 and an unsatisfiable one with 416", async () => {
    const r = await raw("site", "/digits.txt", { range: "bytes=2-5" });
    expect([r.status, r.body.toString(), r.headers["content-range"]]).toEqual([206, "2345", "bytes 2-5/10"]);
    const open = await raw("site", "/digits.txt", { range: "bytes=7-" });
    expect([open.status, open.body.toString()]).toEqual([206, "789"]);
    const suffix = await raw("site", "/digits.txt", { range: "bytes=-3" });
    expect([suffix.status, suffix.body.toString(), suffix.headers["content-range"]]).toEqual([
      206,
      "789",
      "bytes 7-9/10",
    ]);
    const bad = await raw("site", "/digits.txt", { range: "bytes=10-20" });
    expect([bad.status, bad.headers["content-range"]]).toEqual([416, "bytes */10"]);
    // Several ranges are not supported: the whole file, as RFC 9110 allows.
    const multi = await raw("site", "/digits.txt", { range: "bytes=0-1,4-5" });
    expect([multi.status, multi.body.toString()]).toEqual([200, "0123456789"]);
  });

  it("sends br or gzip, precompressed, when the client accepts them, and identity otherwise", async () => {
    const br = await raw("site", "/style.css", { "accept-encoding": "gzip, deflate, br" });
    expect([br.status, br.headers["content-encoding"], br.headers.vary]).toEqual([200, "br", "Accept-Encoding"]);
    expect(br.body.length).toBeLessThan(CSS.length / 5);
    expect(brotliDecompressSync(br.body).toString()).toBe(CSS);
    const gz = await raw("site", "/style.css", { "accept-encoding": "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).toString()).toBe(CSS);
    expect(gz.headers.etag).not.toBe(br.headers.etag);
    const none = await raw("site", "/style.css", { "accept-encoding": "br;q=0, gzip;q=0" });
    expect([none.headers["content-encoding"], none.body.toString()]).toEqual([undefined, CSS]);
    // An image is not compressible: sent as it is whatever the client accepts.
    const png = await raw("site", "/logo.png", { "accept-encoding": "br, gzip" });
    expect([png.headers["content-encoding"], png.headers.vary]).toEqual([undefined, undefined]);
  });

  it("other paths and methods reach the app's fetch", async () => {
    const r = await raw("site", "/api/users");
    expect([r.status, r.body.toString(), r.headers["x-from"]], r.body.toString()).toEqual([
      200,
      "app GET /api/users",
      "app",
    ]);
    const post = await raw("site", "/index.html", {}, "POST");
    expect(post.body.toString()).toBe("app POST /index.html");
  });

  it("single-page-application: a navigation to an unknown path gets index.html; a fetch() call reaches the app", async () => {
    const nav = await raw("site", "/some/client/route", { "sec-fetch-mode": "navigate" });
    expect([nav.status, nav.body.toString()]).toEqual([200, FILES["public/index.html"]]);
    const api = await raw("site", "/some/client/route", { "sec-fetch-mode": "cors" });
    expect(api.body.toString()).toBe("app GET /some/client/route");
  });

  it("counts asset requests in nano_asset_requests_total and nano_requests_total", async () => {
    const scrape = async () =>
      (
        await (
          await fetch(`${server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })
        ).text()
      )
        .split("\n")
        .filter((l) => l.startsWith('nano_asset_requests_total{app="site"}'))
        .map((l) => Number(l.split(" ")[1]))[0] ?? 0;
    const before = await scrape();
    for (let i = 0; i < 3; i++) await raw("site", "/digits.txt");
    await until(async () => (await scrape()) >= before + 3, "the asset requests to reach /metrics");
  });

  it("passes traversal attempts and encoded separators to the app, never answering a file", async () => {
    for (const path of TRAVERSALS) {
      const r = await raw("site", path);
      // The app's own answer (it echoes the path), as on Workers: no asset has such a path.
      expect([path, r.status, r.headers["x-from"]]).toEqual([path, 200, "app"]);
      expect(r.body.toString()).toMatch(/^app GET \//);
    }
    // A raw backslash is not a valid request target: the HTTP parser refuses it before any app.
    const backslash = await raw("site", "/docs\\index.html");
    expect([backslash.status, backslash.headers["x-from"]]).toEqual([400, undefined]);
    // An API path with an encoded slash or a bare % is the app's, not a 400.
    for (const path of ["/api/items/a%2Fb", "/api/discount/50%"]) {
      const r = await raw("site", path);
      expect([r.status, r.body.toString()]).toEqual([200, `app GET ${path}`]);
    }
  });
});

describe("deploys", () => {
  it("a second deploy uploads only the changed file; rollback serves the old files", async () => {
    const dir = site({ ...FILES, "public/style.css": `${CSS}/* v2 */\n` }, SITE_MANIFEST, SCRIPT);
    const r = await cli(server, ["deploy", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("deployed site version 2");
    expect(r.stdout).toMatch(/assets: 9 files, 1 uploaded/);
    expect((await raw("site", "/style.css")).body.toString()).toBe(`${CSS}/* v2 */\n`);

    const same = await cli(server, ["deploy", dir]);
    expect(same.stdout).toMatch(/already has this content/);
    expect(same.stdout).toMatch(/assets: 9 files, 0 uploaded/);

    const back = await cli(server, ["apps", "rollback", "site"]);
    expect(back.code, back.stderr).toBe(0);
    expect((await raw("site", "/style.css")).body.toString()).toBe(CSS);
  }, 120_000);

  it("refuses a version that names a file the server does not have", async () => {
    const res = await fetch(`${server.adminUrl}/v1/apps/site/versions`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        bundle: 'export default { fetch() { return new Response("x") } }',
        manifest: { assets: "./public" },
        assets: { "/x.txt": "f".repeat(64) },
      }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NANO_ERR_ASSET_MISSING");
  });

  it("refuses an upload whose bytes do not match its hash, and asks for a token", async () => {
    const put = (auth: boolean) =>
      fetch(`${server.adminUrl}/v1/apps/site/assets/${"a".repeat(64)}`, {
        method: "PUT",
        headers: auth ? { authorization: `Bearer ${server.token}` } : {},
        body: "not that",
      });
    expect((await put(false)).status).toBe(401);
    const r = await put(true);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/hash to/);
  });
});

/** An app that serves its pages through `env.ASSETS.fetch`, with a 404.html for unknown paths. */
const BINDING_SCRIPT = `export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    if (u.pathname === "/api/tag") return new Response(Object.prototype.toString.call(env.ASSETS) + " " + typeof env.ASSETS.fetch);
    if (u.pathname === "/api/asset") {
      const r = await env.ASSETS.fetch("http://any.host" + u.searchParams.get("path"));
      return new Response(r.status + " " + r.headers.get("content-type") + " " + (await r.text()));
    }
    if (u.pathname === "/api/digest") {
      const r = await env.ASSETS.fetch(new URL(u.searchParams.get("path") ?? "/big.bin", request.url));
      const bytes = await r.arrayBuffer();
      const hex = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
      return new Response(bytes.byteLength + " " + hex);
    }
    if (u.pathname === "/api/hoard") {
      // Fetches the 3 MiB file again and again without reading it, until the isolate's bound refuses.
      const held = [];
      let error = "none";
      try {
        for (let i = 0; i < 40; i++) held.push(await env.ASSETS.fetch(new URL("/big.bin", request.url)));
      } catch (e) {
        error = e.name + ": " + e.message;
      }
      await Promise.all(held.map((r) => r.body.cancel()));
      const again = await env.ASSETS.fetch(new URL("/big.bin", request.url));
      return new Response(held.length + " " + (await again.arrayBuffer()).byteLength + " " + error);
    }
    if (u.pathname === "/api/range") {
      const r = await env.ASSETS.fetch(new Request(new URL("/hello.txt", request.url), { headers: { range: "bytes=0-4" } }));
      return new Response(r.status + " " + r.headers.get("content-range") + " " + (await r.text()));
    }
    if (u.pathname === "/api/post") {
      const r = await env.ASSETS.fetch(new URL("/hello.txt", request.url), { method: "POST", body: "x" });
      return new Response(String(r.status));
    }
    if (u.pathname === "/api/forged") {
      try {
        Object.getPrototypeOf(env.ASSETS).fetch.call({}, "http://x/hello.txt");
        return new Response("no error");
      } catch (e) {
        return new Response(e.name);
      }
    }
    const page = await env.ASSETS.fetch(request);
    return new Response(page.body, { status: page.status, headers: { "content-type": page.headers.get("content-type"), "x-via": "binding" } });
  },
};`;

/**
 * Traversals whose dot segments the URL parser resolves (request.url in the isolate, as on Workers)
 * before the app passes the request to env.ASSETS, which then sees a plain path inside the folder.
 */
const RESOLVED_BY_URL = [
  "/../nano.json",
  "/docs/../../nano.json",
  "/%2e%2e/nano.json",
  "/%2E%2E/%2e%2e/src/index.js",
  "/./index.html",
];

describe("env.ASSETS", () => {
  beforeAll(async () => {
    const dir = site(
      {
        "public/hello.txt": "hello world",
        "public/404.html": "<h1>not here</h1>",
        "public/blog/404.html": "no post",
        "public/big.bin": BIG,
        "public/huge.bin": HUGE,
        "public/empty.txt": "",
      },
      // Room for hashing 3 MiB on a loaded machine: the test is about the bytes, not the CPU limit.
      { name: "pages", assets: { directory: "./public", notFound: "404.html" }, limits: { cpuMs: 2000 } },
      BINDING_SCRIPT,
    );
    const r = await cli(server, ["deploy", dir]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it("is a Fetcher whose fetch answers the app's assets", async () => {
    expect((await raw("pages", "/api/tag")).body.toString()).toBe("[object Fetcher] function");
    expect((await raw("pages", "/api/asset?path=/hello.txt")).body.toString()).toBe(
      "200 text/plain; charset=utf-8 hello world",
    );
    expect((await raw("pages", "/api/range")).body.toString()).toBe("206 bytes 0-4/11 hello");
    expect((await raw("pages", "/api/post")).body.toString()).toBe("405");
    expect((await raw("pages", "/api/forged")).body.toString()).toBe("TypeError");
    // A large file reaches the app whole (it crosses in 64 KiB chunks).
    expect((await raw("pages", "/api/digest")).body.toString()).toBe(
      `${BIG.length} ${createHash("sha256").update(BIG).digest("hex")}`,
    );
    // One too large for the thread's cache is streamed from the store as the app reads it.
    expect((await raw("pages", "/api/digest?path=/huge.bin")).body.toString()).toBe(
      `${HUGE.length} ${createHash("sha256").update(HUGE).digest("hex")}`,
    );
  });

  it("refuses traversal attempts the app passes to env.ASSETS, never answering a file", async () => {
    for (const path of TRAVERSALS) {
      const r = await raw("pages", path);
      const resolved = RESOLVED_BY_URL.includes(path);
      // A resolved path names no file of this app: its 404 page. Every other one is refused with 400.
      expect([path, r.status, r.headers["x-via"], r.body.toString()]).toEqual(
        resolved ? [path, 404, "binding", "<h1>not here</h1>"] : [path, 400, "binding", ""],
      );
    }
  });

  it("bounds the bytes of asset bodies an isolate holds unread (64 MiB); canceled ones free theirs", async () => {
    const r = await raw("pages", "/api/hoard");
    // Each response's stream has pulled its first 64 KiB chunk into the isolate: the rest waits on the host.
    const unread = BIG.length - 64 * 1024;
    const held = Math.floor((64 * 1024 * 1024 - BIG.length) / unread) + 1;
    expect(r.body.toString()).toBe(
      `${held} ${BIG.length} TypeError: fetch failed: env.ASSETS: ${held * unread} bytes of asset responses ` +
        `are not read yet, and this one has ${BIG.length}; an isolate may hold ${64 * 1024 * 1024} (read or cancel the bodies first)`,
    );
  });

  it("applies 404.html (the nearest one up the path, with status 404) to unmatched paths the app passes on", async () => {
    const r = await raw("pages", "/nothing/here");
    expect([r.status, r.body.toString(), r.headers["x-via"]]).toEqual([404, "<h1>not here</h1>", "binding"]);
    const post = await raw("pages", "/blog/missing-post");
    expect([post.status, post.body.toString()]).toEqual([404, "no post"]);
    const empty = await raw("pages", "/empty.txt");
    expect([empty.status, empty.body.length, empty.headers["content-length"]]).toEqual([200, 0, "0"]);
    // A file that exists is still answered by the ingress, before the app.
    const file = await raw("pages", "/hello.txt");
    expect([file.status, file.body.toString(), file.headers["x-via"]]).toEqual([200, "hello world", undefined]);
  });
});

describe("nano serve", () => {
  it("serves the folder's assets and env.ASSETS in one process", async () => {
    const dir = site(
      { "public/hello.txt": "hello world", "public/404.html": "<h1>not here</h1>", "public/blog/404.html": "no post" },
      { name: "pages", assets: { directory: "./public", notFound: "404.html" } },
      BINDING_SCRIPT,
    );
    const serve = await startServe(dir);
    try {
      const file = await raw("pages", "/hello.txt", { range: "bytes=6-" }, "GET", serve.url);
      expect([file.status, file.body.toString()]).toEqual([206, "world"]);
      const missing = await raw("pages", "/nope", {}, "GET", serve.url);
      expect([missing.status, missing.body.toString()]).toEqual([404, "<h1>not here</h1>"]);
      expect((await raw("pages", "/api/asset?path=/hello.txt", {}, "GET", serve.url)).body.toString()).toBe(
        "200 text/plain; charset=utf-8 hello world",
      );
    } finally {
      await serve.stop();
    }
  }, 90_000);
});

describe("limits", () => {
  it("a file over 25 MiB is refused before anything is uploaded; the server's file count is enforced at deploy", async () => {
    const big = site(
      { "public/big.bin": Buffer.alloc(25 * 1024 * 1024 + 1) },
      { name: "big", assets: "./public" },
      SCRIPT,
    );
    const r = await cli(server, ["deploy", big]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/big\.bin is 25\.0 MiB; a file may be at most 25 MiB/);

    // A 1 MiB cache: files over 256 KiB are streamed from the store, ranges read only their pieces.
    const small = await startServer(undefined, { env: { NANO_ASSET_MAX_FILES: "2", NANO_ASSET_CACHE_MB: "1" } });
    try {
      const large = randomBytes(1024 * 1024 + 5);
      const two = site({ "public/large.bin": large }, { name: "large", assets: "./public" }, SCRIPT);
      const deployed = await cli(small, ["deploy", two]);
      expect(deployed.code, deployed.stderr).toBe(0);
      const base = small.url;
      const whole = await raw("large", "/large.bin", {}, "GET", base);
      expect([whole.status, whole.headers["content-length"], whole.body.equals(large)]).toEqual([
        200,
        String(large.length),
        true,
      ]);
      const first = await raw("large", "/large.bin", { range: "bytes=0-0" }, "GET", base);
      expect([first.status, first.headers["content-range"], first.body.equals(large.subarray(0, 1))]).toEqual([
        206,
        `bytes 0-0/${large.length}`,
        true,
      ]);
      const across = await raw("large", "/large.bin", { range: "bytes=65530-65545" }, "GET", base);
      expect([across.status, across.body.equals(large.subarray(65530, 65546))]).toEqual([206, true]);

      const three = site(
        { "public/a.txt": "a", "public/b.txt": "b", "public/c.txt": "c" },
        { name: "three", assets: "./public" },
        SCRIPT,
      );
      const refused = await cli(small, ["deploy", three]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/NANO_ERR_ASSET_LIMIT|at most 2 asset files/);
    } finally {
      await small.stop();
    }
  }, 120_000);
});

describe("examples/site", () => {
  it("deploys unchanged and serves its pages, its API, its WebSocket route and its 404 page", async () => {
    const r = await cli(server, ["deploy", "examples/site", "--name", "example-site"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/assets: 5 files/);
    expect((await raw("example-site", "/css/site.css")).headers["content-type"]).toBe("text/css; charset=utf-8");
    expect((await raw("example-site", "/docs/")).body.toString()).toContain("<h1>Docs</h1>");
    expect((await raw("example-site", "/api/greeting")).body.toString()).toBe("hello from the app");
    const missing = await raw("example-site", "/no/such/page");
    expect([missing.status, missing.body.toString().includes("Nothing here")]).toEqual([404, true]);
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/chat`, {
      headers: { host: "example-site.localhost" },
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("hi"));
      ws.once("message", (data) => resolve(String(data)));
      ws.once("error", reject);
    });
    ws.close(1000);
    expect(reply).toBe("you said: hi");
  }, 120_000);
});

describe("an assets-only app (no script)", () => {
  it("serves its files, and its not-found handling answers every other path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nano-assets-only-"));
    mkdirSync(join(dir, "public"));
    writeFileSync(join(dir, "public", "index.html"), "<h1>spa</h1>");
    writeFileSync(join(dir, "public", "app.css"), "body{}");
    writeFileSync(
      join(dir, "nano.json"),
      JSON.stringify({
        name: "spa",
        assets: { directory: "./public", notFound: "single-page-application" },
        limits: { cpuMs: 1000 },
      }),
    );
    const r = await cli(server, ["deploy", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect((await raw("spa", "/app.css")).body.toString()).toBe("body{}");
    // Without a script, every unmatched path gets index.html, navigation or not (as on Workers).
    const route = await raw("spa", "/client/route");
    expect([route.status, route.body.toString()]).toEqual([200, "<h1>spa</h1>"]);
    expect((await raw("spa", "/client/route", {}, "POST")).status).toBe(405);
    // Its built-in script passes every request to env.ASSETS, which refuses an encoded separator.
    expect((await raw("spa", "/docs%2fapp.css")).status).toBe(400);
  }, 120_000);
});
