import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CronOutcome, CronScheduler } from "./cron-scheduler.js";
import type { ScheduledReport } from "./ipc.js";
import { SqliteCronStore } from "./registry/cron-sqlite-store.js";
import { SecretBox } from "./registry/secret-box.js";
import { SqliteStore } from "./registry/sqlite-store.js";
import { version } from "./registry/store.case.js";

const ok: ScheduledReport = { error: null, noRetry: false, logs: [], cpuMs: 1, coldStart: false, version: "1" };

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "nano-sched-"));
  const path = join(dir, "registry.db");
  const store = new SqliteStore(path, SecretBox.fromFile(join(dir, "secret.key")));
  const deploy = (n: number, crons: string[]) =>
    store.putVersionAndActivate("app", version(n, { manifest: { triggers: { crons } } }), "test");
  const node = (name: string) => {
    const run = vi.fn(async (_app: string, _cron: string, _at: number) => ok);
    const outcomes: CronOutcome[] = [];
    const runs = new SqliteCronStore(path);
    const scheduler = new CronScheduler({ store, runs, node: name, run, onOutcome: (o) => outcomes.push(o) });
    return { scheduler, run, outcomes, runs };
  };
  return { store, deploy, node };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(new Date("2026-03-01T10:00:30Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("CronScheduler", () => {
  it("runs each occurrence once, on one of two nodes sharing the database", async () => {
    const { deploy, node } = setup();
    deploy(1, ["* * * * *"]);
    const a = node("a");
    const b = node("b");
    a.scheduler.reload();
    b.scheduler.reload();
    expect(await a.scheduler.describe("app")).toEqual([
      { cron: "* * * * *", next: "2026-03-01T10:01:00.000Z", last: null },
    ]);
    await vi.advanceTimersByTimeAsync(30_000);
    await vi.advanceTimersByTimeAsync(60_000);
    const calls = [...a.run.mock.calls, ...b.run.mock.calls].map((c) => c[2]);
    expect(calls.sort()).toEqual([Date.parse("2026-03-01T10:01:00Z"), Date.parse("2026-03-01T10:02:00Z")]);
    expect((await a.scheduler.describe("app"))[0]?.last).toMatchObject({
      scheduledMs: Date.parse("2026-03-01T10:02:00Z"),
      outcome: "ok",
    });
    a.scheduler.stop();
    b.scheduler.stop();
  });

  it("swaps the schedule with the active version", async () => {
    const { deploy, node, store } = setup();
    deploy(1, ["* * * * *"]);
    const a = node("a");
    a.scheduler.reload();
    // The new version is active before the scheduler hears of it: the old cron no longer runs.
    deploy(2, ["0 0 * * *"]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(a.run).not.toHaveBeenCalled();
    a.scheduler.reload();
    expect(await a.scheduler.describe("app")).toEqual([
      { cron: "0 0 * * *", next: "2026-03-02T00:00:00.000Z", last: null },
    ]);
    store.activate("app", 1, "rollback");
    a.scheduler.reload();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(a.run.mock.calls.map((c) => c[1])).toEqual(["* * * * *"]);
    a.scheduler.stop();
  });

  it("runs a manual trigger with the app's first cron, or every minute without one", async () => {
    const { deploy, node } = setup();
    deploy(1, ["5 4 * * 0", "* * * * *"]);
    const a = node("a");
    a.scheduler.reload();
    const manual = await a.scheduler.trigger("app");
    expect(manual).toMatchObject({ cron: "5 4 * * 0", manual: true, report: ok });
    deploy(2, []);
    a.scheduler.reload();
    expect((await a.scheduler.trigger("app")).cron).toBe("* * * * *");
    expect(a.outcomes).toHaveLength(2);
    a.scheduler.stop();
  });
});
