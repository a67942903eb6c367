/**
 * The conformance suite every RegistryStore runs (after hono's common.case.test.ts for routers): a
 * store test file calls `runStoreSuite` with a factory for its implementation.
 */
import { describe, expect, it } from "vitest";
import type { Manifest } from "../manifest.js";
import { checkConflicts } from "../router.js";
import type { AppRecord, RegistryStore, VersionInput } from "./store.js";

export const version = (n: number, extra: Partial<VersionInput> = {}): VersionInput => ({
  hash: `hash-${n}`,
  code: `code ${n}`,
  manifest: { routes: [`v${n}.example.com`] },
  cachedData: new Uint8Array([n, n + 1]),
  ...extra,
});

/** The deploy pipeline's route/port check, as the store runs it inside a write. */
const claims = (app: string, manifest: Manifest) => (apps: AppRecord[]) => checkConflicts(app, manifest, apps, []);

/**
 * `open` gives a store on a fresh registry; `openTwo` two stores (two connections, as two nodes
 * have) on one fresh registry.
 */
export function runStoreSuite(
  name: string,
  open: () => Promise<RegistryStore>,
  openTwo: () => Promise<[RegistryStore, RegistryStore]>,
): void {
  describe(`${name}: RegistryStore contract`, () => {
    it("gives concurrent deploys of one app through two stores distinct consecutive versions, one active", async () => {
      const [a, b] = await openTwo();
      const deploys = Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? a : b).putVersionAndActivate("app", version(i + 1), i % 2 === 0 ? "node-a" : "node-b"),
      );
      const results = await Promise.all(deploys);
      expect(results.every((r) => r.created)).toBe(true);
      expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      const versions = await b.listVersions("app");
      expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 16 }, (_, i) => 16 - i));
      expect(versions.filter((v) => v.active)).toHaveLength(1);
      // The active version is the one activated last; each stored version was activated once.
      const history = await a.activations("app");
      expect(history).toHaveLength(16);
      expect((await a.getApp("app"))?.activeVersion).toBe(history[0]?.version);
      expect(versions.find((v) => v.active)?.version).toBe(history[0]?.version);
      // The same content deployed through both at once is stored once.
      const same = await Promise.all([a, b].map((s) => s.putVersionAndActivate("twin", version(99), "both")));
      expect(same.map((r) => r.version)).toEqual([1, 1]);
      expect(same.filter((r) => r.created)).toHaveLength(1);
      expect(await a.listVersions("twin")).toMatchObject([{ version: 1, active: true }]);
      await a.close();
      await b.close();
    });

    it("lets only one of two stores activate the same route or port at the same moment", async () => {
      const [a, b] = await openTwo();
      const manifests: Manifest[] = [
        { routes: ["example.com/*"] },
        { routes: ["shop.example.com/api/*"] },
        { routes: ["*.example.org"] },
        { port: 9000 },
      ];
      for (const [i, manifest] of manifests.entries()) {
        const deploys = (["x", "y"] as const).map((who, n) => {
          const app = `${who}${i}`;
          return (n === 0 ? a : b).putVersionAndActivate(
            app,
            version(i + 1, { manifest }),
            `node-${who}`,
            claims(app, manifest),
          );
        });
        const results = await Promise.allSettled(deploys);
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const refused = results.find((r) => r.status === "rejected");
        expect(refused?.reason).toMatchObject({
          code: "NANO_ERR_ROUTE_CONFLICT",
          message: expect.stringMatching(/already (served|used) by app "[xy]\d"/),
        });
        const claimants = (await b.listApps()).filter((x) => x.name.endsWith(`${i}`) && x.activeVersion !== null);
        expect(claimants).toHaveLength(1);
        expect(claimants[0]).toMatchObject({ routes: manifest.routes ?? [], port: manifest.port ?? null });
      }
      await a.close();
      await b.close();
    });

    it("refuses to activate again a version whose routes another app has claimed since", async () => {
      const s = await open();
      const shop: Manifest = { routes: ["shop.example.com/*"] };
      await s.putVersionAndActivate("a", version(1, { manifest: shop }), "t", claims("a", shop));
      const moved: Manifest = { routes: ["a.example.com"] };
      await s.putVersionAndActivate("a", version(2, { manifest: moved }), "t", claims("a", moved));
      const taken: Manifest = { routes: ["shop.example.com/cart"] };
      await s.putVersionAndActivate("b", version(3, { manifest: taken }), "t", claims("b", taken));
      const err = await s.activate("a", 1, "rollback", claims("a", shop)).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: "NANO_ERR_ROUTE_CONFLICT",
        message: 'route "shop.example.com/*" overlaps route "shop.example.com/cart", already served by app "b"',
      });
      expect(await s.getApp("a")).toMatchObject({ activeVersion: 2, routes: ["a.example.com"] });
      expect((await s.activations("a")).map((x) => x.version)).toEqual([2, 1]);
      // Once b lets go of the route, the same rollback goes through.
      await s.deleteApp("b");
      await s.activate("a", 1, "rollback", claims("a", shop));
      expect(await s.getApp("a")).toMatchObject({ activeVersion: 1, routes: ["shop.example.com/*"] });
      await s.close();
    });

    it("stores versions numbered from 1, idempotent by content hash", async () => {
      const s = await open();
      expect(await s.putVersion("a", version(1))).toEqual({ version: 1, created: true });
      expect(await s.putVersion("a", version(2))).toEqual({ version: 2, created: true });
      expect(await s.putVersion("a", version(1))).toEqual({ version: 1, created: false });
      expect(await s.putVersion("b", version(1))).toEqual({ version: 1, created: true });
      const v = await s.getVersion("a", 2);
      expect(v).toMatchObject({
        app: "a",
        version: 2,
        hash: "hash-2",
        code: "code 2",
        manifest: { routes: ["v2.example.com"] },
      });
      expect([...(v?.cachedData ?? [])]).toEqual([2, 3]);
      expect(await s.getVersion("a", 9)).toBeNull();
      await s.close();
    });

    it("has no active version until one is activated, then switches atomically and keeps history", async () => {
      const s = await open();
      await s.putVersion("a", version(1));
      expect((await s.getApp("a"))?.activeVersion).toBeNull();
      await s.activate("a", 1, "tester");
      await s.putVersion("a", version(2));
      expect(await s.getApp("a")).toMatchObject({ activeVersion: 1, routes: ["v1.example.com"] });
      await s.activate("a", 2, "tester");
      expect(await s.getApp("a")).toMatchObject({ activeVersion: 2, routes: ["v2.example.com"] });
      expect((await s.activations("a")).map((x) => x.version)).toEqual([2, 1]);
      expect((await s.listVersions("a")).map((x) => [x.version, x.active])).toEqual([
        [2, true],
        [1, false],
      ]);
      await expect(s.activate("a", 7, "tester")).rejects.toThrow(/does not exist/);
      expect((await s.getApp("a"))?.activeVersion).toBe(2);
      await s.close();
    });

    it("stores, activates and lifts a quarantine in one call (a deploy), recording who did it", async () => {
      const s = await open();
      const g0 = await s.generation();
      expect(await s.putVersionAndActivate("a", version(1), "deployer")).toEqual({ version: 1, created: true });
      expect(await s.generation()).toBeGreaterThan(g0);
      expect(await s.getApp("a")).toMatchObject({ activeVersion: 1, routes: ["v1.example.com"] });
      expect(await s.activations("a")).toMatchObject([{ version: 1, by: "deployer" }]);
      await s.quarantine("a", { untilMs: Date.now() + 60_000, level: 1, reason: "crashes" });
      expect(await s.putVersionAndActivate("a", version(2), "deployer")).toEqual({ version: 2, created: true });
      expect(await s.getApp("a")).toMatchObject({ activeVersion: 2, quarantine: null });
      // Known content that is not active: activated again (and the quarantine lifted), nothing stored.
      await s.quarantine("a", { untilMs: Date.now() + 60_000, level: 1, reason: "crashes" });
      expect(await s.putVersionAndActivate("a", version(1, { code: "ignored" }), "again")).toEqual({
        version: 1,
        created: false,
      });
      expect(await s.getApp("a")).toMatchObject({ activeVersion: 1, quarantine: null });
      expect((await s.getVersion("a", 1))?.code).toBe("code 1");
      expect((await s.activations("a")).map((x) => [x.version, x.by])).toEqual([
        [1, "again"],
        [2, "deployer"],
        [1, "deployer"],
      ]);
      // Known content that is active already: nothing changes, not even a quarantine.
      await s.quarantine("a", { untilMs: Date.now() + 60_000, level: 1, reason: "crashes" });
      const g1 = await s.generation();
      expect(await s.putVersionAndActivate("a", version(1), "third")).toEqual({ version: 1, created: false });
      expect(await s.generation()).toBe(g1);
      expect(await s.activations("a")).toHaveLength(3);
      expect((await s.getApp("a"))?.quarantine).toMatchObject({ reason: "crashes" });
      await s.close();
    });

    it("keeps secrets readable only through getSecrets, and lists names", async () => {
      const s = await open();
      await s.putVersion("a", version(1));
      await s.setSecret("a", "TOKEN", "s3cr3t-value");
      await s.setSecret("a", "API", "one");
      await s.setSecret("a", "API", "two");
      expect(await s.listSecretNames("a")).toEqual(["API", "TOKEN"]);
      expect(await s.getSecrets("a")).toEqual({ API: "two", TOKEN: "s3cr3t-value" });
      expect(await s.deleteSecret("a", "API")).toBe(true);
      expect(await s.deleteSecret("a", "API")).toBe(false);
      expect(await s.getSecrets("a")).toEqual({ TOKEN: "s3cr3t-value" });
      await s.close();
    });

    it("deletes an app with its versions and secrets", async () => {
      const s = await open();
      await s.putVersion("a", version(1));
      await s.activate("a", 1, "t");
      await s.setSecret("a", "K", "v");
      expect(await s.deleteApp("a")).toBe(true);
      expect(await s.getApp("a")).toBeNull();
      expect(await s.getVersion("a", 1)).toBeNull();
      expect(await s.listSecretNames("a")).toEqual([]);
      expect(await s.deleteApp("a")).toBe(false);
      await s.close();
    });

    it("quarantines an app, extends it, lifts it, and forgets it with the app", async () => {
      const s = await open();
      await s.putVersion("a", version(1));
      expect((await s.getApp("a"))?.quarantine).toBeNull();
      const g0 = await s.generation();
      await s.quarantine("a", { untilMs: 1_000, level: 1, reason: "3 crashes" });
      expect((await s.getApp("a"))?.quarantine).toMatchObject({ untilMs: 1_000, level: 1, reason: "3 crashes" });
      expect(await s.generation()).toBeGreaterThan(g0);
      await s.quarantine("a", { untilMs: 5_000, level: 2, reason: "again" });
      expect((await s.listApps())[0]?.quarantine).toMatchObject({ untilMs: 5_000, level: 2, reason: "again" });
      expect(await s.liftQuarantine("a")).toBe(true);
      expect(await s.liftQuarantine("a")).toBe(false);
      expect((await s.getApp("a"))?.quarantine).toBeNull();
      await s.quarantine("a", { untilMs: 9_000, level: 1, reason: "x" });
      await s.deleteApp("a");
      await s.putVersion("a", version(1));
      expect((await s.getApp("a"))?.quarantine).toBeNull();
      await s.close();
    });

    it("raises the generation on every change a serving process must see", async () => {
      const s = await open();
      const g0 = await s.generation();
      await s.putVersion("a", version(1));
      const g1 = await s.generation();
      await s.activate("a", 1, "t");
      const g2 = await s.generation();
      await s.setSecret("a", "K", "v");
      const g3 = await s.generation();
      expect(g1).toBeGreaterThan(g0);
      expect(g2).toBeGreaterThan(g1);
      expect(g3).toBeGreaterThan(g2);
      await s.putVersion("a", version(1));
      expect(await s.generation()).toBe(g3);
      await s.close();
    });
  });
}
