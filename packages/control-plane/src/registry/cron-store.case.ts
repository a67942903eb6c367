/** The conformance suite every CronStore runs (SQLite and PostgreSQL), as store.case.ts for registries. */
import { describe, expect, it } from "vitest";
import type { CronStore } from "./cron-store.js";

/** `open(n)` gives n stores (n nodes) on one fresh database. */
export function runCronStoreSuite(name: string, open: (n: number) => Promise<CronStore[]>): void {
  describe(`${name}: CronStore contract`, () => {
    it("lets exactly one of several nodes claim an occurrence", async () => {
      const nodes = await open(3);
      const claims = await Promise.all(nodes.map((n, i) => n.claim("app", "* * * * *", 60_000, `node-${i}`, 60_001)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await nodes[1]?.claim("app", "* * * * *", 120_000, "node-1", 120_001)).toBe(true);
      for (const n of nodes) await n.close();
    });

    it("keeps the last run of each cron with its outcome", async () => {
      const [runs] = (await open(1)) as [CronStore];
      expect(await runs.lastRuns("app")).toEqual([]);
      await runs.claim("app", "a", 1_000, "n", 1_001);
      await runs.finish("app", "a", 1_000, "ok", null);
      await runs.claim("app", "a", 2_000, "n", 2_001);
      await runs.finish("app", "a", 2_000, "error", "NANO_ERR_APP_EXCEPTION: boom");
      await runs.claim("app", "b", 1_500, "n", 1_501);
      await runs.claim("other", "a", 9_000, "n", 9_001);
      expect(await runs.lastRuns("app")).toEqual([
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
      await runs.close();
    });

    it("keeps the last 20 runs of a cron", async () => {
      const [runs] = (await open(1)) as [CronStore];
      for (let i = 1; i <= 25; i++) await runs.claim("app", "a", i * 1_000, "n", i * 1_000 + 1);
      expect(await runs.lastRuns("app")).toMatchObject([{ cron: "a", scheduledMs: 25_000 }]);
      await runs.close();
    });
  });
}
