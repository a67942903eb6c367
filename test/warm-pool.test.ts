/**
 * `nano start` with a warm-isolate memory budget (--warm-memory): apps keep answering when the budget
 * holds fewer isolates than there are apps, the metrics show what is warm, spare and evicted, and a
 * deploy drains the old version's isolates.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNano } from "./helpers.js";
import { appDir, cli, get, type Server, startServer, until } from "./start-helpers.js";

let server: Server;
const APPS = ["w0", "w1", "w2", "w3", "w4", "w5"];

const metrics = async () =>
  (await fetch(`${server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();
const metric = (text: string, name: string) => {
  const m = new RegExp(`^${name.replace(/[{}]/g, "\\$&")} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)$`, "m").exec(text);
  return m ? Number(m[1]) : null;
};

beforeAll(async () => {
  // 4 MiB for the whole server: about one warm isolate.
  server = await startServer(undefined, { args: ["--warm-memory", "4", "--processes", "1", "--threads", "1"] });
  for (const app of APPS) {
    const d = await cli(server, ["deploy", appDir({ name: app }, `${app} v1`)]);
    expect(d.code).toBe(0);
  }
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("warm isolates under a memory budget", () => {
  it("keeps every app answering its own answer while evicting the least recently used", async () => {
    for (let round = 0; round < 2; round++) {
      for (const app of APPS) {
        expect(await get(`${server.url}/r${round}`, `${app}.localhost`)).toEqual({
          status: 200,
          body: `${app} v1 /r${round}`,
        });
      }
    }
    let text = "";
    await until(async () => {
      text = await metrics();
      return (metric(text, 'nano_isolate_evictions_total{reason="memory"}') ?? 0) >= 10;
    }, "memory evictions in /metrics");
    // Twelve requests, each app's first one cold, and its second one cold again (evicted in between).
    expect(text).toMatch(/^nano_isolate_starts_total\{app="w0",kind="cold"\} 2$/m);
    expect(metric(text, 'nano_isolates{state="warm"}')).toBe(1);
    expect(metric(text, 'nano_isolates{state="spare"}')).toBeGreaterThanOrEqual(1);
    const heap = metric(text, "nano_isolate_heap_bytes") ?? 0;
    expect(heap).toBeGreaterThan(1048576);
    expect(heap).toBeLessThan(64 * 1048576);
  });

  it("drains the old version's isolate when a new version is deployed", async () => {
    const dir = appDir({ name: "w0" }, "w0 v1");
    const file = join(dir, "src", "index.js");
    writeFileSync(file, readFileSync(file, "utf8").replace('"w0 v1"', '"w0 v2"'));
    // A server with the default budget: the old version's isolate would stay warm but for the deploy.
    const server2 = await startServer(undefined, { args: ["--processes", "1", "--threads", "1"] });
    try {
      expect((await cli(server2, ["deploy", appDir({ name: "w0" }, "w0 v1")])).code).toBe(0);
      expect((await get(`${server2.url}/`, "w0.localhost")).body).toBe("w0 v1 /");
      expect((await cli(server2, ["deploy", dir])).code).toBe(0);
      expect((await get(`${server2.url}/`, "w0.localhost")).body).toBe("w0 v2 /");
      let text = "";
      await until(async () => {
        text = await (
          await fetch(`${server2.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server2.token}` } })
        ).text();
        return metric(text, 'nano_isolate_evictions_total{reason="replaced"}') === 1;
      }, "the replaced isolate in /metrics");
      expect(metric(text, 'nano_isolates{state="warm"}')).toBe(1);
    } finally {
      await server2.stop("SIGKILL");
    }
  });

  it("refuses a warm-memory budget that is not a positive integer, in one line", async () => {
    const r = await runNano(["start", "--warm-memory", "0", "--port", "0", "--admin-port", "0"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/warmMemoryMb must be an integer from 1/);
  });
});
