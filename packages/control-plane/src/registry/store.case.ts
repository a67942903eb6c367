/**
 * The conformance suite every RegistryStore runs (after hono's common.case.test.ts for routers): a
 * store test file calls `runStoreSuite` with a factory for its implementation.
 */
import { describe, expect, it } from "vitest";
import type { RegistryStore, VersionInput } from "./store.js";

export const version = (n: number, extra: Partial<VersionInput> = {}): VersionInput => ({
  hash: `hash-${n}`,
  code: `code ${n}`,
  manifest: { routes: [`v${n}.example.com`] },
  cachedData: new Uint8Array([n, n + 1]),
  ...extra,
});

export function runStoreSuite(name: string, open: () => RegistryStore): void {
  describe(`${name}: RegistryStore contract`, () => {
    it("stores versions numbered from 1, idempotent by content hash", () => {
      const s = open();
      expect(s.putVersion("a", version(1))).toEqual({ version: 1, created: true });
      expect(s.putVersion("a", version(2))).toEqual({ version: 2, created: true });
      expect(s.putVersion("a", version(1))).toEqual({ version: 1, created: false });
      expect(s.putVersion("b", version(1))).toEqual({ version: 1, created: true });
      const v = s.getVersion("a", 2);
      expect(v).toMatchObject({
        app: "a",
        version: 2,
        hash: "hash-2",
        code: "code 2",
        manifest: { routes: ["v2.example.com"] },
      });
      expect([...(v?.cachedData ?? [])]).toEqual([2, 3]);
      expect(s.getVersion("a", 9)).toBeNull();
      s.close();
    });

    it("has no active version until one is activated, then switches atomically and keeps history", () => {
      const s = open();
      s.putVersion("a", version(1));
      expect(s.getApp("a")?.activeVersion).toBeNull();
      s.activate("a", 1, "tester");
      s.putVersion("a", version(2));
      expect(s.getApp("a")).toMatchObject({ activeVersion: 1, routes: ["v1.example.com"] });
      s.activate("a", 2, "tester");
      expect(s.getApp("a")).toMatchObject({ activeVersion: 2, routes: ["v2.example.com"] });
      expect(s.activations("a").map((x) => x.version)).toEqual([2, 1]);
      expect(s.listVersions("a").map((x) => [x.version, x.active])).toEqual([
        [2, true],
        [1, false],
      ]);
      expect(() => s.activate("a", 7, "tester")).toThrow(/does not exist/);
      expect(s.getApp("a")?.activeVersion).toBe(2);
      s.close();
    });

    it("stores, activates and lifts a quarantine in one call (a deploy), recording who did it", () => {
      const s = open();
      const g0 = s.generation();
      expect(s.putVersionAndActivate("a", version(1), "deployer")).toEqual({ version: 1, created: true });
      expect(s.generation()).toBeGreaterThan(g0);
      expect(s.getApp("a")).toMatchObject({ activeVersion: 1, routes: ["v1.example.com"] });
      expect(s.activations("a")).toMatchObject([{ version: 1, by: "deployer" }]);
      s.quarantine("a", { untilMs: Date.now() + 60_000, level: 1, reason: "crashes" });
      expect(s.putVersionAndActivate("a", version(2), "deployer")).toEqual({ version: 2, created: true });
      expect(s.getApp("a")).toMatchObject({ activeVersion: 2, quarantine: null });
      // Known content that is not active: activated again (and the quarantine lifted), nothing stored.
      s.quarantine("a", { untilMs: Date.now() + 60_000, level: 1, reason: "crashes" });
      expect(s.putVersionAndActivate("a", version(1, { code: "ignored" }), "again")).toEqual({
        version: 1,
        created: false,
      });
      expect(s.getApp("a")).toMatchObject({ activeVersion: 1, quarantine: null });
      expect(s.getVersion("a", 1)?.code).toBe("code 1");
      expect(s.activations("a").map((x) => [x.version, x.by])).toEqual([
        [1, "again"],
        [2, "deployer"],
        [1, "deployer"],
      ]);
      // Known content that is active already: nothing changes, not even a quarantine.
      s.quarantine("a", { untilMs: Date.now() + 60_000, level: 1, reason: "crashes" });
      const g1 = s.generation();
      expect(s.putVersionAndActivate("a", version(1), "third")).toEqual({ version: 1, created: false });
      expect(s.generation()).toBe(g1);
      expect(s.activations("a")).toHaveLength(3);
      expect(s.getApp("a")?.quarantine).toMatchObject({ reason: "crashes" });
      s.close();
    });

    it("keeps secrets readable only through getSecrets, and lists names", () => {
      const s = open();
      s.putVersion("a", version(1));
      s.setSecret("a", "TOKEN", "s3cr3t-value");
      s.setSecret("a", "API", "one");
      s.setSecret("a", "API", "two");
      expect(s.listSecretNames("a")).toEqual(["API", "TOKEN"]);
      expect(s.getSecrets("a")).toEqual({ API: "two", TOKEN: "s3cr3t-value" });
      expect(s.deleteSecret("a", "API")).toBe(true);
      expect(s.deleteSecret("a", "API")).toBe(false);
      expect(s.getSecrets("a")).toEqual({ TOKEN: "s3cr3t-value" });
      s.close();
    });

    it("deletes an app with its versions and secrets", () => {
      const s = open();
      s.putVersion("a", version(1));
      s.activate("a", 1, "t");
      s.setSecret("a", "K", "v");
      expect(s.deleteApp("a")).toBe(true);
      expect(s.getApp("a")).toBeNull();
      expect(s.getVersion("a", 1)).toBeNull();
      expect(s.listSecretNames("a")).toEqual([]);
      expect(s.deleteApp("a")).toBe(false);
      s.close();
    });

    it("quarantines an app, extends it, lifts it, and forgets it with the app", () => {
      const s = open();
      s.putVersion("a", version(1));
      expect(s.getApp("a")?.quarantine).toBeNull();
      const g0 = s.generation();
      s.quarantine("a", { untilMs: 1_000, level: 1, reason: "3 crashes" });
      expect(s.getApp("a")?.quarantine).toMatchObject({ untilMs: 1_000, level: 1, reason: "3 crashes" });
      expect(s.generation()).toBeGreaterThan(g0);
      s.quarantine("a", { untilMs: 5_000, level: 2, reason: "again" });
      expect(s.listApps()[0]?.quarantine).toMatchObject({ untilMs: 5_000, level: 2, reason: "again" });
      expect(s.liftQuarantine("a")).toBe(true);
      expect(s.liftQuarantine("a")).toBe(false);
      expect(s.getApp("a")?.quarantine).toBeNull();
      s.quarantine("a", { untilMs: 9_000, level: 1, reason: "x" });
      s.deleteApp("a");
      s.putVersion("a", version(1));
      expect(s.getApp("a")?.quarantine).toBeNull();
      s.close();
    });

    it("raises the generation on every change a serving process must see", () => {
      const s = open();
      const g0 = s.generation();
      s.putVersion("a", version(1));
      const g1 = s.generation();
      s.activate("a", 1, "t");
      const g2 = s.generation();
      s.setSecret("a", "K", "v");
      const g3 = s.generation();
      expect(g1).toBeGreaterThan(g0);
      expect(g2).toBeGreaterThan(g1);
      expect(g3).toBeGreaterThan(g2);
      s.putVersion("a", version(1));
      expect(s.generation()).toBe(g3);
      s.close();
    });
  });
}
