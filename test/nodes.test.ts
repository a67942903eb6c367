/**
 * Several nodes on one PostgreSQL registry (README "Several nodes"): two real `nano start` processes
 * with their own data directories and ports, the same NANO_DATABASE_URL and NANO_SECRET_KEY, on a
 * real PostgreSQL server this file starts (test/support/postgres.ts).
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cli, type Server, startServer, tryGet, until } from "./start-helpers.js";
import { startPostgres, type TestPostgres } from "./support/postgres.js";

/** Coarse bound for a change to be served by the other node (the target is 1 s; the machine is loaded). */
const PROPAGATION_MS = 5_000;
const KEY = randomBytes(32).toString("hex");

let pg: TestPostgres;
const running: Server[] = [];

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.close();
});
/** Nodes started by a test stop after it (the machine is small). */
async function stopAll() {
  await Promise.all(running.splice(0).map((s) => s.stop()));
}

async function node(url: string, key = KEY, env: Record<string, string> = {}): Promise<Server> {
  const s = await startServer(undefined, {
    args: ["--processes", "1", "--threads", "1"],
    env: { NANO_DATABASE_URL: url, NANO_SECRET_KEY: key, ...env },
  });
  running.push(s);
  return s;
}

/** A ready bundle (what the CLI uploads) whose handler answers `text` and shows its env at /env. */
const bundle = (text: string) =>
  `__nano_define(function (module) { module.exports = { default: { fetch(request, env) {
    if (new URL(request.url).pathname === "/env") return Response.json(env);
    return new Response(${JSON.stringify(text)});
  } } } });`;

async function admin(s: Server, method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
}

const deploy = (s: Server, app: string, text: string) =>
  admin(s, "POST", `/v1/apps/${app}/versions`, { bundle: bundle(text) });

/** Waits until `s` answers `expected` for the app, and returns how long that took. */
async function servedWithin(s: Server, app: string, expected: string, path = "/"): Promise<number> {
  const t0 = Date.now();
  let last = "";
  await until(
    async () => {
      const r = await tryGet(`${s.url}${path}`, `${app}.localhost`);
      last = "error" in r ? r.error : `${r.status} ${r.body}`;
      return last === expected;
    },
    `${s.url} to answer "${expected}" for ${app} (last: ${last})`,
    PROPAGATION_MS,
  );
  return Date.now() - t0;
}

describe("two nodes on one PostgreSQL registry", () => {
  let a: Server;
  let b: Server;
  beforeAll(async () => {
    const url = await pg.createDatabase();
    [a, b] = await Promise.all([node(url), node(url)]);
  });
  afterAll(stopAll);

  it("a deploy, a rollback, a secret and a removal on one node are served by the other", async () => {
    expect((await deploy(a, "hello", "v1")).status).toBe(201);
    // The node that took the write serves it when the write returns.
    expect(await tryGet(a.url, "hello.localhost")).toMatchObject({ status: 200, body: "v1" });
    await servedWithin(b, "hello", "200 v1");
    expect((await deploy(b, "hello", "v2")).body).toMatchObject({ version: 2, created: true });
    await servedWithin(a, "hello", "200 v2");
    expect((await admin(a, "POST", "/v1/apps/hello/rollback", {})).body).toMatchObject({ version: 1, previous: 2 });
    await servedWithin(b, "hello", "200 v1");
    expect((await admin(b, "PUT", "/v1/apps/hello/secrets/TOKEN", { value: "s3cr3t" })).status).toBe(200);
    await servedWithin(a, "hello", '200 {"TOKEN":"s3cr3t"}', "/env");
    expect((await admin(a, "GET", "/v1/apps/hello")).body).toMatchObject({ activeVersion: 1, secrets: ["TOKEN"] });
    expect((await admin(a, "DELETE", "/v1/apps/hello")).status).toBe(200);
    await until(
      async () => {
        const r = await tryGet(b.url, "hello.localhost");
        return "status" in r && r.status === 404;
      },
      "the removed app to be gone from the other node",
      PROPAGATION_MS,
    );
  });

  it("concurrent deploys through both nodes give consecutive versions, one active, served alike", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => deploy(i % 2 === 0 ? a : b, "race", `r${i}`)),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(results.map((r) => r.body.version as number).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const [va, vb] = await Promise.all([a, b].map((s) => admin(s, "GET", "/v1/apps/race/versions")));
    expect(va?.body).toEqual(vb?.body);
    const versions = va?.body.versions as { version: number; active: boolean }[];
    expect(versions.map((v) => v.version)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    const active = versions.filter((v) => v.active);
    expect(active).toHaveLength(1);
    const text = `r${results.findIndex((r) => r.body.version === active[0]?.version)}`;
    await servedWithin(a, "race", `200 ${text}`);
    await servedWithin(b, "race", `200 ${text}`);
  });
});

/** GET `path` of `<app>.localhost` on a node, with its bytes and headers. */
function getAsset(
  s: Server,
  app: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const url = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, headers: { host: `${app}.localhost`, ...headers }, agent: false },
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

/** Waits until the node answers `path` with 200 and `body`, within the propagation bound. */
async function assetWithin(s: Server, app: string, path: string, body: string | Buffer): Promise<void> {
  let last = "";
  await until(
    async () => {
      const r = await getAsset(s, app, path).catch((e: Error) => ({ status: 0, body: Buffer.from(e.message) }));
      last = `${r.status} ${r.body.subarray(0, 80).toString()}`;
      return r.status === 200 && r.body.equals(Buffer.from(body));
    },
    `${s.url} to answer ${path} of ${app} (last: ${last})`,
    PROPAGATION_MS,
  );
}

describe("static assets on two nodes", () => {
  afterAll(stopAll);

  it("files deployed through one node are served by the other; a second deploy through it uploads only the changed file; rollback reaches both", {
    timeout: 180_000,
  }, async () => {
    const url = await pg.createDatabase();
    const [a, b] = await Promise.all([node(url), node(url)]);
    const css = "body { color: #333; margin: 0 auto; max-width: 40em; }\n".repeat(100);
    const png = randomBytes(5000);
    const dir = mkdtempSync(join(tmpdir(), "nano-nodes-assets-"));
    mkdirSync(join(dir, "public"));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "public", "index.html"), "<h1>home</h1>");
    writeFileSync(join(dir, "public", "style.css"), css);
    writeFileSync(join(dir, "public", "logo.png"), png);
    writeFileSync(join(dir, "src", "index.js"), 'export default { fetch() { return new Response("app"); } };');
    writeFileSync(
      join(dir, "nano.json"),
      JSON.stringify({ name: "site", assets: { directory: "./public" }, limits: { cpuMs: 1000 } }),
    );

    const first = await cli(a, ["deploy", dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/assets: 3 files, 3 uploaded/);
    // The shared store answers: node B already has what node A took.
    const sha = (x: string | Buffer) => createHash("sha256").update(x).digest("hex");
    const missing = await admin(b, "POST", "/v1/apps/site/assets/missing", { hashes: [sha(css), sha(png)] });
    expect(missing.body).toEqual({ missing: [] });

    await assetWithin(b, "site", "/logo.png", png);
    const logo = await getAsset(b, "site", "/logo.png");
    expect([logo.headers["content-type"], logo.headers.etag]).toEqual(["image/png", `"${sha(png)}"`]);
    const style = await getAsset(b, "site", "/style.css", { "accept-encoding": "br" });
    expect([style.status, style.headers["content-type"], style.headers["content-encoding"]]).toEqual([
      200,
      "text/css; charset=utf-8",
      "br",
    ]);
    expect(brotliDecompressSync(style.body).toString()).toBe(css);
    expect((await getAsset(b, "site", "/")).body.toString()).toBe("<h1>home</h1>");

    writeFileSync(join(dir, "public", "style.css"), `${css}/* v2 */\n`);
    const second = await cli(b, ["deploy", dir]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("deployed site version 2");
    expect(second.stdout).toMatch(/assets: 3 files, 1 uploaded/);
    await assetWithin(a, "site", "/style.css", `${css}/* v2 */\n`);
    expect((await getAsset(a, "site", "/style.css")).headers.etag).toBe(`"${sha(`${css}/* v2 */\n`)}"`);

    const back = await cli(a, ["apps", "rollback", "site"]);
    expect(back.code, back.stderr).toBe(0);
    await assetWithin(b, "site", "/style.css", css);
    await assetWithin(a, "site", "/style.css", css);
  });
});

describe("cron on two nodes", () => {
  afterAll(stopAll);

  it("an occurrence runs on one node only (claimed in PostgreSQL)", { timeout: 150_000 }, async () => {
    const url = await pg.createDatabase();
    const [a, b] = await Promise.all([node(url), node(url)]);
    const code = `__nano_define(function (module) { module.exports = { default: {
      fetch() { return new Response("ok"); },
      scheduled(event) { console.log("tick " + event.scheduledTime); },
    } } });`;
    const r = await admin(a, "POST", "/v1/apps/ticker/versions", {
      bundle: code,
      manifest: { triggers: { crons: ["* * * * *"] } },
    });
    expect(r.status).toBe(201);
    const ticks = async () => {
      const all = await Promise.all(
        [a, b].map(
          async (s) => (await admin(s, "GET", "/v1/apps/ticker/logs?limit=1000")).body.logs as { msg: string }[],
        ),
      );
      return all.flat().filter((l) => l.msg.startsWith("tick "));
    };
    // The next minute starts within 60 s; both nodes have the cron scheduled.
    await until(async () => (await ticks()).length > 0, "a scheduled run on either node", 90_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const seen = await ticks();
    expect(seen).toHaveLength(1);
  });
});

describe("faults", () => {
  afterEach(stopAll);

  it("a node killed with kill -9: the other keeps serving and taking deploys", async () => {
    const url = await pg.createDatabase();
    const [a, b] = await Promise.all([node(url), node(url)]);
    await deploy(a, "steady", "before");
    await servedWithin(b, "steady", "200 before");
    await a.stop("SIGKILL");
    for (let i = 0; i < 20; i++) expect(await tryGet(b.url, "steady.localhost")).toMatchObject({ status: 200 });
    expect((await deploy(b, "steady", "after")).status).toBe(201);
    expect(await tryGet(b.url, "steady.localhost")).toMatchObject({ status: 200, body: "after" });
    // A node started again on the same database catches up from it.
    const c = await node(url);
    expect(await tryGet(c.url, "steady.localhost")).toMatchObject({ status: 200, body: "after" });
  });

  it("PostgreSQL stopped: serving goes on, writes answer 503 NANO_ERR_REGISTRY_UNAVAILABLE, /readyz says why; started again: writes work and propagate", async () => {
    const url = await pg.createDatabase();
    const [a, b] = await Promise.all([node(url), node(url)]);
    await deploy(a, "cached", "v1");
    await servedWithin(b, "cached", "200 v1");
    await pg.stop();
    try {
      for (const s of [a, b])
        expect(await tryGet(s.url, "cached.localhost")).toMatchObject({ status: 200, body: "v1" });
      const write = await deploy(a, "cached", "v2");
      expect(write.status).toBe(503);
      expect(write.body.error?.code).toBe("NANO_ERR_REGISTRY_UNAVAILABLE");
      const secret = await admin(b, "PUT", "/v1/apps/cached/secrets/K", { value: "v" });
      expect(secret.status).toBe(503);
      expect(secret.body.error?.code).toBe("NANO_ERR_REGISTRY_UNAVAILABLE");
      let last = "";
      await until(async () => {
        last = await (await fetch(`${b.adminUrl}/readyz`)).text();
        return JSON.parse(last).status === "degraded";
      }, "/readyz to report the registry").catch((e) => {
        throw new Error(`${e.message}: ${last}\n${b.output().slice(-4000)}`);
      });
      const ready = (await (await fetch(`${b.adminUrl}/readyz`)).json()) as { reason: string };
      expect(ready.reason).toMatch(/registry database is unreachable/);
      // Still serving from the local copy after the failed writes.
      expect(await tryGet(b.url, "cached.localhost")).toMatchObject({ status: 200, body: "v1" });
      // A node does not start without the database (it could not check the key): one line, exit 1.
      const refused = await node(url).catch((e: Error) => e);
      expect((refused as Error).message).toMatch(
        /exited with 1:\nnano: the registry database is unreachable \(.*\) \[NANO_ERR_REGISTRY_UNAVAILABLE\]\n$/,
      );
    } finally {
      await pg.start();
    }
    let after = await deploy(a, "cached", "v2");
    // The pool's connections were dropped with the server: the first attempts may still fail cleanly.
    for (let i = 0; i < 50 && after.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await deploy(a, "cached", "v2");
    }
    expect(after.body).toMatchObject({ version: 2, created: true });
    await servedWithin(b, "cached", "200 v2");
    await until(
      async () => ((await (await fetch(`${b.adminUrl}/readyz`)).json()) as { status: string }).status === "ready",
      "/readyz to be ready again",
    );
  });

  it("PostgreSQL stopped: an app that crashes its runtime process is not quarantined, and the node says so, naming it", async () => {
    const url = await pg.createDatabase();
    // One crash is enough to quarantine (NANO_QUARANTINE_CRASHES=1).
    const a = await node(url, KEY, { NANO_QUARANTINE_CRASHES: "1" });
    const crasher = `__nano_define(function (module) { module.exports = { default: { fetch(request) {
      if (new URL(request.url).pathname === "/crash") return new Response(String("x".repeat(2 ** 27).split("").length));
      return new Response("alive");
    } } } });`;
    expect((await admin(a, "POST", "/v1/apps/crasher/versions", { bundle: crasher })).status).toBe(201);
    await pg.stop();
    try {
      // The process dies with the request in flight (a V8 fatal error).
      expect(await tryGet(`${a.url}/crash`, "crasher.localhost")).toHaveProperty("error");
      await until(
        async () => /"event":"quarantine-failed"/.test(a.output()),
        "the failed quarantine to be logged",
        20_000,
      );
      expect(a.output()).toMatch(
        /"msg":"app crasher NOT quarantined \(1 crashes of its runtime processes within 60 s\): the registry did not record it \(.+\); it keeps serving"/,
      );
      expect(a.output()).not.toMatch(/"event":"quarantine",/);
      // It keeps serving once its process is back.
      await servedWithin(a, "crasher", "200 alive");
    } finally {
      await pg.start();
    }
    // The app's own log says so too, and the registry has no quarantine for it.
    let logs = await admin(a, "GET", "/v1/apps/crasher/logs");
    for (let i = 0; i < 50 && logs.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 200));
      logs = await admin(a, "GET", "/v1/apps/crasher/logs");
    }
    expect(logs.body.logs).toContainEqual(
      expect.objectContaining({ level: "error", msg: expect.stringMatching(/^NOT quarantined \(1 crashes/) }),
    );
    expect((await admin(a, "GET", "/v1/apps/crasher")).body).toMatchObject({ quarantine: null });
  });

  it("a node with another secret key refuses to start, with one clear line", async () => {
    const url = await pg.createDatabase();
    await node(url);
    const err = await node(url, randomBytes(32).toString("hex")).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    // The launcher's line, then nano's one line.
    expect(message.trim().split("\n")).toHaveLength(2);
    expect(message).toMatch(/exited with 1/);
    expect(message).toMatch(/the secret key \(NANO_SECRET_KEY or --secret-key-file\) is not the key of the registry/);
    expect(message).not.toContain(KEY);
  });
});
