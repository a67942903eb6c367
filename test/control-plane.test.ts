/**
 * `nano start` as a real process driven by the real CLI: deploys, routing by host, path and port,
 * a deploy under load, rollback, secrets, restart, and kill -9 during a deploy.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNano } from "./helpers.js";
import { appDir, cli, freePort, get, type Server, startServer } from "./start-helpers.js";

let server: Server;
let sitePort: number;
let apiDir: string;
let siteDir: string;

const setVersionText = (dir: string, text: string) => {
  const file = join(dir, "src", "index.js");
  writeFileSync(file, readFileSync(file, "utf8").replace(/"api v\d+"/, JSON.stringify(text)));
};

beforeAll(async () => {
  server = await startServer();
  sitePort = await freePort();
  apiDir = appDir({ name: "api", routes: ["api.test"], vars: { MODE: "prod" } }, "api v1");
  siteDir = appDir({ name: "site", routes: ["site.test/docs/*"], port: sitePort }, "site v1");
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("nano start with the CLI", () => {
  it("deploys two apps", async () => {
    const a = await cli(server, ["deploy", apiDir]);
    expect(a.stderr).toBe("");
    expect(a).toMatchObject({ code: 0, stdout: expect.stringMatching(/^deployed api version 1 \(\d+ ms\)\n$/) });
    const s = await cli(server, ["deploy", siteDir]);
    expect(s.stdout).toMatch(/^deployed site version 1/);
    const again = await cli(server, ["deploy", apiDir]);
    expect(again.stdout).toMatch(/^api version 1 already has this content/);
  });

  it("routes by host, by path on a host, by dedicated port and by <app>.localhost", async () => {
    expect(await get(`${server.url}/x`, "api.test")).toEqual({ status: 200, body: "api v1 /x" });
    expect(await get(`${server.url}/y`, "api.localhost")).toEqual({ status: 200, body: "api v1 /y" });
    expect(await get(`${server.url}/docs/a`, "site.test")).toEqual({ status: 200, body: "site v1 /docs/a" });
    expect((await get(`${server.url}/blog`, "site.test")).status).toBe(404);
    expect(await get(`http://127.0.0.1:${sitePort}/anything`)).toEqual({ status: 200, body: "site v1 /anything" });
    const unknown = await get(`${server.url}/`, "nobody.test");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe("NANO_ERR_APP_NOT_FOUND");
  });

  it("gives the app the original Host, the client address and a request id", async () => {
    const r = await get(`${server.url}/headers`, "api.test");
    const headers = JSON.parse(r.body) as Record<string, string>;
    expect(headers.host).toBe("api.test");
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("lists and describes apps", async () => {
    const ls = await cli(server, ["apps", "ls", "--json"]);
    const apps = JSON.parse(ls.stdout) as { name: string; activeVersion: number; port: number | null }[];
    expect(apps.map((a) => [a.name, a.activeVersion])).toEqual([
      ["api", 1],
      ["site", 1],
    ]);
    expect(apps.find((a) => a.name === "site")?.port).toBe(sitePort);
    const table = await cli(server, ["apps", "ls"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^NAME\s+VERSION\s+ROUTES\s+PORT\s+STATUS\s+UPDATED$/);
    const info = await cli(server, ["apps", "info", "api"]);
    expect(info.stdout).toContain("api: active version 1");
    expect(info.stdout).toMatch(/requests since start: 200: \d+/);
  });

  it("sets secrets from stdin; the app sees them in env, the API lists only names", async () => {
    const put = await cli(server, ["secrets", "put", "api", "DB_PASSWORD"], "s3cret-value\n");
    expect(put).toMatchObject({ code: 0, stdout: "set secret DB_PASSWORD of api\n" });
    expect(JSON.parse((await get(`${server.url}/env`, "api.test")).body)).toEqual({
      MODE: "prod",
      DB_PASSWORD: "s3cret-value",
    });
    expect((await cli(server, ["secrets", "ls", "api"])).stdout).toBe("DB_PASSWORD\n");
    const db = readFileSync(join(server.dataDir, "registry.db"));
    expect(db.includes("s3cret-value")).toBe(false);
  });

  it("deploys v2 under load with zero failed requests; requests after the deploy see v2", async () => {
    setVersionText(apiDir, "api v2");
    const seen: { start: number; status: number; body: string }[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const start = performance.now();
        const r = await get(`${server.url}/load`, "api.test");
        seen.push({ start, ...r });
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, worker));
    await new Promise((r) => setTimeout(r, 300));
    const d = await cli(server, ["deploy", apiDir]);
    const deployed = performance.now();
    expect(d.stdout).toMatch(/^deployed api version 2/);
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await load;
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.filter((s) => s.status !== 200)).toEqual([]);
    expect(seen.every((s) => s.body === "api v1 /load" || s.body === "api v2 /load")).toBe(true);
    expect(seen.filter((s) => s.start > deployed).every((s) => s.body === "api v2 /load")).toBe(true);
    expect(seen.some((s) => s.body === "api v1 /load")).toBe(true);
  });

  it("rolls back to the previous version", async () => {
    const r = await cli(server, ["apps", "rollback", "api"]);
    expect(r.stdout).toBe("api: version 1 is active (was 2)\n");
    expect((await get(`${server.url}/`, "api.test")).body).toBe("api v1 /");
    const to = await cli(server, ["apps", "rollback", "api", "--to", "2"]);
    expect(to.stdout).toBe("api: version 2 is active (was 1)\n");
    expect((await get(`${server.url}/`, "api.test")).body).toBe("api v2 /");
  });

  it("shows logs and metrics", async () => {
    const logs = await cli(server, ["logs", "api", "--limit", "500"]);
    expect(logs.stdout).toMatch(/info\s+GET \/load 200/);
    const metrics = await fetch(`${server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server.token}` } });
    expect(await metrics.text()).toMatch(/nano_requests_total\{app="api",status="200"\} \d+/);
    expect((await fetch(`${server.adminUrl}/metrics`)).status).toBe(401);
  });

  it("fails clearly: a bad token, a broken app, an unreachable server — one line, non-zero exit", async () => {
    const badToken = await runNano(["apps", "ls"], { env: { NANO_URL: server.adminUrl, NANO_TOKEN: "wrong" } });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toBe("nano: a valid admin token is required [NANO_ERR_UNAUTHORIZED]\n");
    const broken = await cli(server, ["deploy", "test/fixtures/no-handler", "--name", "api"]);
    expect(broken.code).toBe(1);
    expect(broken.stderr.trim().split("\n")).toHaveLength(1);
    expect(broken.stderr).toContain("NANO_ERR_NO_FETCH_HANDLER");
    expect((await get(`${server.url}/`, "api.test")).body).toBe("api v2 /");
    const down = await runNano(["apps", "ls"], { env: { NANO_URL: "http://127.0.0.1:9", NANO_TOKEN: "x" } });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^nano: cannot reach the NANO server at http:\/\/127\.0\.0\.1:9/);
  });

  it("remembers a server and token with nano login", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const home = mkdtempSync(join(tmpdir(), "nano-home-"));
    const env = { XDG_CONFIG_HOME: home, NANO_URL: "", NANO_TOKEN: "" };
    const bad = await runNano(["login", "--server", server.adminUrl, "--token", "wrong"], { env });
    expect(bad.code).toBe(1);
    const login = await runNano(["login", "--server", server.adminUrl, "--token", server.token], { env });
    expect(login.stdout).toBe(`logged in to ${server.adminUrl}; saved in ${join(home, "nano", "config.json")}\n`);
    const ls = await runNano(["apps", "ls", "--json"], { env });
    expect(JSON.parse(ls.stdout).map((a: { name: string }) => a.name)).toEqual(["api", "site"]);
  });

  it("serves everything again after a restart", async () => {
    expect(await server.stop()).toBe(0);
    server = await startServer(server.dataDir);
    expect((await get(`${server.url}/`, "api.test")).body).toBe("api v2 /");
    expect(JSON.parse((await get(`${server.url}/env`, "api.test")).body).DB_PASSWORD).toBe("s3cret-value");
    expect((await get(`http://127.0.0.1:${sitePort}/`)).body).toBe("site v1 /");
  });

  it("after kill -9 during a deploy, the old or the new version is active — never a broken one", async () => {
    for (const delayMs of [150, 600]) {
      const before = JSON.parse((await cli(server, ["apps", "info", "api", "--json"])).stdout).activeVersion as number;
      setVersionText(apiDir, `api v${before + 10 + delayMs}`);
      const deploying = cli(server, ["deploy", apiDir]);
      await new Promise((r) => setTimeout(r, delayMs));
      await server.stop("SIGKILL");
      await deploying;
      server = await startServer(server.dataDir);
      const info = JSON.parse((await cli(server, ["apps", "info", "api", "--json"])).stdout) as {
        activeVersion: number;
        versions: { version: number }[];
      };
      expect([before, Math.max(...info.versions.map((v) => v.version))]).toContain(info.activeVersion);
      const body = (await get(`${server.url}/`, "api.test")).body;
      expect(body).toMatch(/^api v\d+ \/$/);
    }
  });

  it("removes an app", async () => {
    expect((await cli(server, ["apps", "rm", "site"])).stdout).toBe("removed site\n");
    expect((await get(`${server.url}/docs/a`, "site.test")).status).toBe(404);
  });
});
