/**
 * A looping neighbour: one app's requests run `for (;;) {}` while a healthy app on the same server
 * serves. The healthy app loses no request; the looping app is stopped at its CPU budget and then
 * throttled (503 NANO_ERR_APP_THROTTLED with Retry-After) instead of holding threads.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appDir, cli, type Server, startServer, tryGet } from "./start-helpers.js";

let server: Server;

beforeAll(async () => {
  server = await startServer(undefined, { args: ["--processes", "2"] });
  const looper = mkdtempSync(join(tmpdir(), "nano-looper-"));
  writeFileSync(join(looper, "nano.json"), JSON.stringify({ name: "looper" }));
  writeFileSync(join(looper, "index.js"), `export default { fetch() { for (;;) {} } };\n`);
  expect((await cli(server, ["deploy", looper])).code).toBe(0);
  expect((await cli(server, ["deploy", appDir({ name: "healthy" }, "healthy")])).code).toBe(0);
});
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("a looping neighbour", () => {
  it("stops a runaway request at its CPU budget (a coarse bound: well under a second)", async () => {
    const started = Date.now();
    const r = await tryGet(`${server.url}/`, "looper.localhost");
    expect(Date.now() - started).toBeLessThan(1_000);
    if (!("status" in r)) throw new Error(r.error);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body).error.code).toBe("NANO_ERR_CPU_LIMIT");
  });

  it("costs the healthy app no request, and gets throttled", async () => {
    const end = Date.now() + 4_000;
    const looperCodes: Record<string, number> = {};
    let retryAfter: string | undefined;
    const loopClient = async () => {
      while (Date.now() < end) {
        const r = await tryGet(`${server.url}/`, "looper.localhost");
        const code = "status" in r ? (JSON.parse(r.body).error?.code as string) : r.error;
        looperCodes[code] = (looperCodes[code] ?? 0) + 1;
        if (code === "NANO_ERR_APP_THROTTLED" && "status" in r) retryAfter = r.headers["retry-after"] as string;
      }
    };
    const healthy: (number | string)[] = [];
    const healthyClient = async () => {
      while (Date.now() < end) {
        const r = await tryGet(`${server.url}/`, "healthy.localhost");
        healthy.push("status" in r ? r.status : r.error);
      }
    };
    await Promise.all([loopClient(), loopClient(), loopClient(), loopClient(), healthyClient(), healthyClient()]);
    expect(healthy.length).toBeGreaterThan(20);
    expect(healthy.filter((s) => s !== 200)).toEqual([]);
    expect(Object.keys(looperCodes).sort()).toEqual(["NANO_ERR_APP_THROTTLED", "NANO_ERR_CPU_LIMIT"]);
    expect(looperCodes.NANO_ERR_APP_THROTTLED).toBeGreaterThan(looperCodes.NANO_ERR_CPU_LIMIT as number);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const metrics = await (
      await fetch(`${server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })
    ).text();
    expect(metrics).toMatch(/nano_throttled_requests_total\{app="looper"\} [1-9]/);
    expect(metrics).toMatch(/nano_limit_kills_total\{app="looper",reason="cpu"\} [1-9]/);
    expect(metrics).not.toMatch(/nano_requests_total\{app="healthy",status="5/);
  });
});
