/**
 * Cron triggers under a real `nano start`: the module and service-worker handlers, `nano cron trigger`,
 * failures logged and counted, the app's limits, next and last runs in `nano apps info`, a deploy
 * that swaps the schedule, invalid expressions refused, and a real every-minute trigger writing to KV.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, get, type Server, startServer, until } from "./start-helpers.js";

let server: Server;

const MODULE_APP = `
export default {
  async fetch(request, env) {
    const runs = await env.KV.list({ prefix: "run:" });
    const out = [];
    for (const k of runs.keys) out.push({ at: Number(k.name.slice(4)), cron: await env.KV.get(k.name) });
    return Response.json(out);
  },
  async scheduled(controller, env, ctx) {
    console.log("tick", controller.cron, typeof controller.scheduledTime);
    if (controller.cron === "5 4 * * 0") {
      controller.noRetry();
      throw new Error("boom at " + controller.cron);
    }
    if (controller.cron === "0 12 * * *") while (true) {}
    ctx.waitUntil(env.KV.put("run:" + controller.scheduledTime, controller.cron));
  },
};
`;

/** The service-worker form; bindings come from cloudflare:workers' env, as on Workers. */
const SERVICE_WORKER_APP = `
import { env } from "cloudflare:workers";
addEventListener("fetch", (e) => e.respondWith(show()));
async function show() { return new Response(String(await env.KV.get("sw"))); }
addEventListener("scheduled", (e) => {
  e.waitUntil(env.KV.put("sw", e.cron + " " + (e.scheduledTime > 0)));
});
`;

function app(manifest: Record<string, unknown>, code: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-cron-"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "nano.json"), JSON.stringify(manifest));
  writeFileSync(join(dir, "src", "index.js"), code);
  return dir;
}

const runs = async (name: string) => {
  const r = await get(`${server.url}/`, `${name}.localhost`);
  expect(r.status).toBe(200);
  return JSON.parse(r.body) as { at: number; cron: string }[];
};

const metrics = async () =>
  (await fetch(`${server.adminUrl}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();

const cronsOf = async (name: string) => {
  const info = await cli(server, ["apps", "info", name, "--json"]);
  return (JSON.parse(info.stdout) as { crons: { cron: string; next: string | null; last: unknown }[] }).crons;
};

beforeAll(async () => {
  server = await startServer();
  const manifest = {
    name: "ticker",
    kv: { KV: "ticks" },
    triggers: { crons: ["* * * * *", "5 4 * * 0", "0 12 * * *"] },
  };
  const r = await cli(server, ["deploy", app(manifest, MODULE_APP)]);
  expect(r.stderr).toBe("");
}, 120_000);
afterAll(async () => {
  await server?.stop("SIGKILL");
});

describe("cron triggers", () => {
  it("refuses an invalid expression at deploy, naming it", async () => {
    const bad = await cli(server, [
      "deploy",
      app({ name: "badcron", triggers: { crons: ["61 * * * *"] } }, MODULE_APP),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^nano: nano\.json: triggers\.crons: "61 \* \* \* \*" is not a valid cron expression/);
    const six = await cli(server, [
      "deploy",
      app({ name: "badcron", triggers: { crons: ["0 * * * * *"] } }, MODULE_APP),
    ]);
    expect(six.code).toBe(1);
    expect(six.stderr).toMatch(/"0 \* \* \* \* \*" must have 5 fields .* it has 6/);
  });

  it("runs the module handler with nano cron trigger, with env and ctx.waitUntil", async () => {
    const r = await cli(server, ["cron", "trigger", "ticker"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^ran the scheduled handler of ticker \("\* \* \* \* \*"\): ok in \d+ ms\n$/);
    expect((await runs("ticker")).map((x) => x.cron)).toContain("* * * * *");
    const logs = await cli(server, ["logs", "ticker", "--json"]);
    const records = logs.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; event?: string; outcome?: string });
    expect(records.some((x) => x.msg === "tick * * * * * number")).toBe(true);
    expect(records).toContainEqual(
      expect.objectContaining({
        event: "scheduled",
        outcome: "ok",
        msg: expect.stringMatching(/^scheduled "\* \* \* \* \*" \(nano cron trigger\) ok in \d+ ms$/),
      }),
    );
  });

  it("logs and counts a failing handler, and exits 1 with one line", async () => {
    const r = await cli(server, ["cron", "trigger", "ticker", "--cron", "5 4 * * 0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "nano: the scheduled handler of ticker failed: Error: boom at 5 4 * * 0 [NANO_ERR_APP_EXCEPTION]\n",
    );
    const json = await cli(server, ["cron", "trigger", "ticker", "--cron", "5 4 * * 0", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      outcome: "error",
      noRetry: true,
      error: { code: "NANO_ERR_APP_EXCEPTION" },
    });
    const logs = await cli(server, ["logs", "ticker"]);
    expect(logs.stdout).toMatch(
      /scheduled "5 4 \* \* 0" \(nano cron trigger\) error in \d+ ms: NANO_ERR_APP_EXCEPTION Error: boom/,
    );
    let text = "";
    await until(async () => {
      text = await metrics();
      return /nano_scheduled_runs_total\{app="ticker",result="error"\} 2/.test(text);
    }, "the failed runs in the metrics");
    expect(text).toMatch(/nano_scheduled_runs_total\{app="ticker",result="ok"\} [1-9]/);
  });

  it("stops a handler over its CPU limit like a request", async () => {
    const r = await cli(server, ["cron", "trigger", "ticker", "--cron", "0 12 * * *"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^nano: the scheduled handler of ticker failed: .*\[NANO_ERR_CPU_LIMIT\]\n$/);
    // The app still serves.
    expect((await get(`${server.url}/`, "ticker.localhost")).status).toBe(200);
  });

  it("refuses an invalid --cron and an unknown app", async () => {
    const r = await cli(server, ["cron", "trigger", "ticker", "--cron", "nonsense"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/must have 5 fields.*\[NANO_ERR_BAD_REQUEST\]\n$/);
    const missing = await cli(server, ["cron", "trigger", "nobody"]);
    expect(missing).toMatchObject({ code: 1, stderr: 'nano: no app named "nobody" [NANO_ERR_NOT_FOUND]\n' });
  });

  it("runs the service-worker form's scheduled listeners", async () => {
    const r = await cli(server, [
      "deploy",
      app({ name: "swcron", kv: { KV: "sw" }, triggers: { crons: ["0 0 * * *"] } }, SERVICE_WORKER_APP),
    ]);
    expect(r.stderr).toBe("");
    const t = await cli(server, ["cron", "trigger", "swcron"]);
    expect(t.code).toBe(0);
    expect(await get(`${server.url}/`, "swcron.localhost")).toEqual({ status: 200, body: "0 0 * * * true" });
  });

  it("deploys a cron-only worker: its handler runs, its requests are refused", async () => {
    const code = `export default { async scheduled(controller, env) { await env.KV.put("only", controller.cron); } };\n`;
    const r = await cli(server, [
      "deploy",
      app({ name: "cronly", kv: { KV: "ticks" }, triggers: { crons: ["0 3 * * *"] } }, code),
    ]);
    expect(r.stderr).toBe("");
    expect((await cli(server, ["cron", "trigger", "cronly"])).code).toBe(0);
    expect((await cli(server, ["kv", "get", "ticks", "only"])).stdout).toBe("0 3 * * *");
    const res = await get(`${server.url}/`, "cronly.localhost");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("NANO_ERR_NO_FETCH_HANDLER");
  });

  it("runs examples/counter (KV and a cron trigger, Workers code unchanged)", async () => {
    expect((await cli(server, ["deploy", "examples/counter"])).code).toBe(0);
    expect(JSON.parse((await get(`${server.url}/`, "counter.localhost")).body)).toEqual({ visits: 1, lastTick: null });
    expect((await cli(server, ["cron", "trigger", "counter"])).code).toBe(0);
    const second = JSON.parse((await get(`${server.url}/`, "counter.localhost")).body);
    expect(second).toMatchObject({ visits: 2, lastTick: { cron: "*/5 * * * *", at: expect.any(Number) } });
  });

  it("shows next and last runs, and a deploy swaps the schedule", async () => {
    const crons = await cronsOf("ticker");
    expect(crons.map((c) => c.cron)).toEqual(["* * * * *", "5 4 * * 0", "0 12 * * *"]);
    const next = Date.parse(crons[0]?.next as string);
    expect(next % 60_000).toBe(0);
    expect(next - Date.now()).toBeLessThanOrEqual(60_000);
    expect(crons[1]?.last).toMatchObject({
      outcome: "error",
      error: expect.stringMatching(/^NANO_ERR_APP_EXCEPTION: Error: boom/),
    });
    const text = await cli(server, ["apps", "info", "ticker"]);
    expect(text.stdout).toMatch(/cron "\* \* \* \* \*": next \d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z, last \S+ ok\n/);

    await cli(server, ["deploy", app({ name: "swap", triggers: { crons: ["0 0 1 1 *"] } }, MODULE_APP)]);
    expect((await cronsOf("swap")).map((c) => c.cron)).toEqual(["0 0 1 1 *"]);
    await cli(server, ["deploy", app({ name: "swap", triggers: { crons: ["30 6 * * *"] } }, MODULE_APP)]);
    const swapped = await cronsOf("swap");
    expect(swapped.map((c) => c.cron)).toEqual(["30 6 * * *"]);
    expect(swapped[0]?.next).toMatch(/T06:30:00\.000Z$/);
    const rolled = await cli(server, ["apps", "rollback", "swap"]);
    expect(rolled.code).toBe(0);
    expect((await cronsOf("swap")).map((c) => c.cron)).toEqual(["0 0 1 1 *"]);
  }, 60_000);

  it("fires on its schedule, once per occurrence, and the handler writes to KV", async () => {
    let fired: { at: number; cron: string }[] = [];
    await until(
      async () => {
        fired = (await runs("ticker")).filter((x) => x.cron === "* * * * *" && x.at % 60_000 === 0);
        return fired.length > 0;
      },
      "the every-minute trigger to fire",
      75_000,
    );
    const at = fired[0]?.at as number;
    expect(Math.abs(Date.now() - at)).toBeLessThan(75_000);
    const records = (await cli(server, ["logs", "ticker", "--json"])).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string });
    expect(records.filter((r) => /^scheduled "\* \* \* \* \*" ok in/.test(r.msg))).toHaveLength(fired.length);
    const last = (await cronsOf("ticker"))[0]?.last as { scheduledMs: number; outcome: string };
    expect(last).toMatchObject({ scheduledMs: fired[fired.length - 1]?.at, outcome: "ok" });
  }, 90_000);
});
