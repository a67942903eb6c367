import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteCronStore } from "./cron-sqlite-store.js";
import { SecretBox } from "./secret-box.js";
import { SqliteStore } from "./sqlite-store.js";

function registry(): string {
  const dir = mkdtempSync(join(tmpdir(), "nano-cron-"));
  new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key"))).close();
  return join(dir, "registry.db");
}

describe("SqliteCronStore", () => {
  it("lets exactly one of several nodes claim an occurrence", () => {
    const path = registry();
    const nodes = [new SqliteCronStore(path), new SqliteCronStore(path), new SqliteCronStore(path)];
    const claims = nodes.map((n, i) => n.claim("app", "* * * * *", 60_000, `node-${i}`, 60_001));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(nodes[1]?.claim("app", "* * * * *", 120_000, "node-1", 120_001)).toBe(true);
    for (const n of nodes) n.close();
  });

  it("keeps the last run of each cron with its outcome", () => {
    const runs = new SqliteCronStore(registry());
    expect(runs.lastRuns("app")).toEqual([]);
    runs.claim("app", "a", 1_000, "n", 1_001);
    runs.finish("app", "a", 1_000, "ok", null);
    runs.claim("app", "a", 2_000, "n", 2_001);
    runs.finish("app", "a", 2_000, "error", "NANO_ERR_APP_EXCEPTION: boom");
    runs.claim("app", "b", 1_500, "n", 1_501);
    runs.claim("other", "a", 9_000, "n", 9_001);
    expect(runs.lastRuns("app")).toEqual([
      {
        cron: "a",
        scheduledMs: 2_000,
        startedMs: 2_001,
        finishedMs: expect.any(Number),
        outcome: "error",
        error: "NANO_ERR_APP_EXCEPTION: boom",
      },
      { cron: "b", scheduledMs: 1_500, startedMs: 1_501, finishedMs: null, outcome: null, error: null },
    ]);
    runs.close();
  });
});
