/**
 * `nano start` as a supervisor over runtime processes, end to end with real processes: a fatal V8
 * error in one app costs the others nothing but the requests in flight on that process; a
 * crash-looping app is quarantined until a new version or the operator lifts it; deploy checks run
 * in a process of their own.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allReady, appDir, cli, runtimeProcesses, type Server, startServer, tryGet, until } from "./start-helpers.js";

/** An app whose /crash aborts V8 in the whole process ("Fatal JavaScript invalid size error"). */
function crasherDir(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-crasher-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "nano.json"), JSON.stringify({ name: "crasher" }));
  writeFileSync(
    join(dir, "src", "index.js"),
    `export default { fetch(request) {
      if (new URL(request.url).pathname === "/crash") return new Response(String("x".repeat(2 ** 27).split("").length));
      return new Response(${JSON.stringify(text)});
    } };\n`,
  );
  return dir;
}

let server: Server;
const metrics = async () =>
  (await fetch(`${server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();
const healthy = () => tryGet(`${server.url}/`, "healthy.localhost");

/** Crashes one runtime process through the crasher app and waits until it has been restarted. */
async function crashOnce(): Promise<void> {
  const before = (await runtimeProcesses(server)).reduce((n, p) => n + p.restarts, 0);
  const r = await tryGet(`${server.url}/crash`, "crasher.localhost");
  // The process died with the request in flight: the client sees the connection drop.
  expect(r).toHaveProperty("error");
  await until(
    async () => (await runtimeProcesses(server)).reduce((n, p) => n + p.restarts, 0) > before,
    "the crash to be noticed",
  );
  await allReady(server);
}

beforeAll(async () => {
  server = await startServer(undefined, { args: ["--processes", "2"] });
  expect((await cli(server, ["deploy", appDir({ name: "healthy" }, "healthy")])).code).toBe(0);
  expect((await cli(server, ["deploy", crasherDir("crasher v1")])).code).toBe(0);
  await allReady(server);
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("a fatal V8 error in one app", () => {
  it("keeps the server, the admin API and the other apps up; the dead process is restarted", async () => {
    const [first] = await runtimeProcesses(server);
    expect(first?.state).toBe("ready");
    // The admin API is polled throughout: it never fails.
    let adminFailures = 0;
    let adminChecks = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const r = await tryGet(`${server.adminUrl}/healthz`);
        adminChecks++;
        if (!("status" in r) || r.status !== 200) adminFailures++;
        await new Promise((res) => setTimeout(res, 20));
      }
    })();

    const r = await tryGet(`${server.url}/crash`, "crasher.localhost");
    const crashedAt = Date.now();
    expect(r).toHaveProperty("error");
    // A healthy app answers again within a second (the other process never stopped serving).
    await until(
      async () => {
        const h = await healthy();
        return "status" in h && h.status === 200;
      },
      "the healthy app to answer",
      1_000,
    );
    expect(Date.now() - crashedAt).toBeLessThan(1_000);

    // The dead process is back; every request started after that succeeds.
    await until(async () => (await runtimeProcesses(server)).some((p) => p.restarts === 1), "a restart");
    const list = await allReady(server);
    expect(list).toHaveLength(2);
    const results = await Promise.all(Array.from({ length: 40 }, () => healthy()));
    expect(results.map((x) => ("status" in x ? x.status : x.error))).toEqual(Array(40).fill(200));
    polling = false;
    await poller;
    expect(adminChecks).toBeGreaterThan(0);
    expect(adminFailures).toBe(0);

    // One structured record names the app and the signal; the app's own log says so too.
    expect(server.output()).toMatch(/"event":"runtime-crash".*"signal":"SIG[A-Z]+".*"apps":\["crasher"\]/);
    const logs = await cli(server, ["logs", "crasher", "--json"]);
    expect(logs.stdout).toMatch(/a runtime process died \(SIG[A-Z]+\) while running this app/);
    expect(await metrics()).toMatch(/nano_runtime_restarts_total\{reason="SIG[A-Z]+"\} 1/);
    expect(await metrics()).toMatch(/nano_runtime_processes 2/);
    expect(await tryGet(`${server.adminUrl}/readyz`)).toMatchObject({ status: 200 });
    const ready = await tryGet(`${server.adminUrl}/readyz`);
    expect(JSON.parse((ready as { body: string }).body)).toMatchObject({ status: "ready", processes: 2 });
  });
});

describe("quarantine", () => {
  it("quarantines an app that keeps crashing its processes; every process answers 503 with Retry-After", async () => {
    await crashOnce();
    await crashOnce(); // the third crash within 60 s (the first was above)
    const r = await tryGet(`${server.url}/`, "crasher.localhost");
    expect(r).toMatchObject({ status: 503 });
    if (!("status" in r)) throw new Error("no answer");
    expect(JSON.parse(r.body).error.code).toBe("NANO_ERR_APP_QUARANTINED");
    expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
    // Both processes know: new connections land on either.
    const many = await Promise.all(Array.from({ length: 20 }, () => tryGet(`${server.url}/`, "crasher.localhost")));
    expect(many.map((x) => ("status" in x ? x.status : x.error))).toEqual(Array(20).fill(503));
    expect((await healthy()) as { status: number }).toMatchObject({ status: 200 });

    const ls = await cli(server, ["apps", "ls"]);
    expect(ls.stdout).toMatch(/crasher\s+1\s+-\s+-\s+quarantined until \d{4}-/);
    expect((await cli(server, ["apps", "info", "crasher"])).stdout).toMatch(
      /quarantined until .*3 crashes of its runtime processes within 60 s/,
    );
    expect(await metrics()).toMatch(/nano_quarantined_apps 1/);
    expect(server.output()).toMatch(/"event":"quarantine","app":"crasher"/);
  });

  it("a new version lifts the quarantine", async () => {
    const d = await cli(server, ["deploy", crasherDir("crasher v2")]);
    expect(d.stdout).toMatch(/^deployed crasher version 2/);
    expect(await tryGet(`${server.url}/`, "crasher.localhost")).toMatchObject({ status: 200, body: "crasher v2" });
    expect(await metrics()).toMatch(/nano_quarantined_apps 0/);
  });

  it("`nano apps unquarantine` lifts it too", async () => {
    for (let i = 0; i < 3; i++) await crashOnce();
    expect(await tryGet(`${server.url}/`, "crasher.localhost")).toMatchObject({ status: 503 });
    const u = await cli(server, ["apps", "unquarantine", "crasher"]);
    expect(u).toMatchObject({ code: 0, stdout: "crasher: quarantine lifted\n" });
    expect(await tryGet(`${server.url}/`, "crasher.localhost")).toMatchObject({ status: 200, body: "crasher v2" });
    expect((await cli(server, ["apps", "unquarantine", "crasher"])).stdout).toBe("crasher was not quarantined\n");
  });
});

describe("deploy checks run in a process of their own", () => {
  const topLevel = (name: string, code: string) => {
    const dir = mkdtempSync(join(tmpdir(), "nano-check-"));
    writeFileSync(join(dir, "nano.json"), JSON.stringify({ name }));
    writeFileSync(join(dir, "index.js"), `${code}\nexport default { fetch() { return new Response("x") } };\n`);
    return dir;
  };

  it("a bundle that kills V8 at its top level fails its deploy with a clear error; nothing else notices", async () => {
    const pids = (await runtimeProcesses(server)).map((p) => p.pid);
    const d = await cli(server, ["deploy", topLevel("fatal", `globalThis.n = "x".repeat(2 ** 27).split("").length;`)]);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/crashed the process that checked it .*\[NANO_ERR_APP_CHECK_CRASHED\]/);
    expect((await cli(server, ["apps", "info", "fatal"])).stderr).toMatch(/NANO_ERR_NOT_FOUND/);
    expect((await runtimeProcesses(server)).map((p) => p.pid)).toEqual(pids);
    expect((await healthy()) as { status: number }).toMatchObject({ status: 200 });
    // The next deploy gets a new checker.
    const ok = await cli(server, ["deploy", appDir({ name: "after-fatal" }, "fine")]);
    expect(ok.stdout).toMatch(/^deployed after-fatal version 1/);
  });

  it("a top-level infinite loop fails its deploy while every app keeps answering", async () => {
    const deploying = cli(server, ["deploy", topLevel("spin", "for (;;) {}")]);
    const during: number[] = [];
    const end = Date.now() + 800;
    while (Date.now() < end) {
      const r = await healthy();
      during.push("status" in r ? r.status : 0);
    }
    const d = await deploying;
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/NANO_ERR_APP_LOAD/);
    expect(during.length).toBeGreaterThan(5);
    expect(during.every((s) => s === 200)).toBe(true);
  });
});
