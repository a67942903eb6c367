/**
 * The deploy pipeline against a real registry, with a stand-in check (no isolate): the operator's
 * maximums for an app's limits, route takeovers refused before anything is stored, and the asset index.
 */
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppLimits } from "@nano/worker";
import { afterAll, describe, expect, it } from "vitest";
import { type AppChecker, type DeployContext, deployVersion } from "./deploy.js";
import { SqliteAssetStore } from "./registry/asset-sqlite-store.js";
import { asyncStore } from "./registry/async-store.js";
import { SecretBox } from "./registry/secret-box.js";
import { SqliteStore } from "./registry/sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "nano-deploy-"));
const store = new SqliteStore(join(dir, "registry.db"), SecretBox.fromFile(join(dir, "secret.key")));
afterAll(() => store.close());

const checked: string[] = [];
const check: AppChecker = async (_code, opts) => {
  checked.push(opts.name);
  return { kind: "module", cachedData: null };
};
const ctx = (maxLimits?: Partial<AppLimits>): DeployContext => ({
  store: asyncStore(store),
  check,
  reservedPorts: [8080],
  ...(maxLimits ? { maxLimits } : {}),
});
const bundle = (n: number) => `export default { fetch() { return new Response("${n}") } };`;

async function refusal(p: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).not.toBeNull();
  return err as { code: string; status: number; message: string };
}

describe("operator maximums", () => {
  const max = { cpuMs: 1000, memoryMb: 256, wallMs: 30_000, subrequests: 50 };

  it.each<[keyof AppLimits, number, number]>([
    ["cpuMs", 5000, 1000],
    ["memoryMb", 512, 256],
    ["wallMs", 60_000, 30_000],
    ["subrequests", 51, 50],
  ])("refuses limits.%s = %i over a maximum of %i, naming the field and the limit", async (field, value, most) => {
    const err = await refusal(deployVersion(ctx(max), "greedy", bundle(1), { limits: { [field]: value } }, "test"));
    expect(err).toMatchObject({ code: "NANO_ERR_MANIFEST", status: 400 });
    expect(err.message).toContain(`limits.${field} is ${value} but this server allows at most ${most}`);
    expect(store.getApp("greedy")).toBeNull();
    expect(checked).not.toContain("greedy");
  });

  it("accepts limits at or under the maximums", async () => {
    const r = await deployVersion(ctx(max), "modest", bundle(1), { limits: max }, "test");
    expect(r).toMatchObject({ app: "modest", version: 1, created: true });
    expect(store.getApp("modest")?.activeVersion).toBe(1);
  });

  it("counts a limit the manifest leaves out at its default", async () => {
    const err = await refusal(deployVersion(ctx({ cpuMs: 10 }), "defaults", bundle(1), {}, "test"));
    expect(err.message).toMatch(/limits\.cpuMs is 50 \(the default.*\) but this server allows at most 10/);
    const r = await deployVersion(ctx({ cpuMs: 10 }), "defaults", bundle(1), { limits: { cpuMs: 10 } }, "test");
    expect(r.created).toBe(true);
  });

  it("refuses even content that is already stored (a redeploy under a lowered maximum)", async () => {
    await deployVersion(ctx(), "again", bundle(2), { limits: { cpuMs: 5000 } }, "test");
    const err = await refusal(deployVersion(ctx(max), "again", bundle(2), { limits: { cpuMs: 5000 } }, "test"));
    expect(err.message).toContain("limits.cpuMs is 5000 but this server allows at most 1000");
  });

  it("has no maximum beyond the manifest's own without maxLimits", async () => {
    const limits = { cpuMs: 300_000, memoryMb: 4096, wallMs: 900_000, subrequests: 10_000 };
    expect((await deployVersion(ctx(), "biggest", bundle(3), { limits }, "test")).created).toBe(true);
  });
});

describe("route takeover", () => {
  it("refuses another app's host by a path route, before checking or storing anything", async () => {
    await deployVersion(ctx(), "owner", bundle(4), { routes: ["conflict.test"] }, "test");
    for (const routes of [["conflict.test/*"], ["conflict.test/"], ["owner.localhost"], ["*.localhost"]]) {
      const err = await refusal(deployVersion(ctx(), "taker", bundle(5), { routes }, "test"));
      expect(err).toMatchObject({ code: "NANO_ERR_ROUTE_CONFLICT", status: 409 });
    }
    expect(store.getApp("taker")).toBeNull();
    expect(checked).not.toContain("taker");
  });
});

describe("a dedicated port another process holds", () => {
  const probed: number[] = [];
  const held = new Set<number>();
  const probing = (): DeployContext => ({
    ...ctx(),
    portAvailable: async (port) => {
      probed.push(port);
      return !held.has(port);
    },
  });

  it("is refused with 409 naming the port, before checking or storing anything", async () => {
    held.add(9100);
    const err = await refusal(deployVersion(probing(), "portless", bundle(6), { port: 9100 }, "test"));
    expect(err).toMatchObject({ code: "NANO_ERR_ROUTE_CONFLICT", status: 409 });
    expect(err.message).toContain("port 9100 is held by another process");
    expect(probed).toEqual([9100]);
    expect(store.getApp("portless")).toBeNull();
    expect(checked).not.toContain("portless");
  });

  it("is probed only when it is new to the app: the ports of active apps are the server's own", async () => {
    probed.length = 0;
    expect((await deployVersion(probing(), "porty", bundle(7), { port: 9101 }, "test")).version).toBe(1);
    expect(probed).toEqual([9101]);
    // Now the runtime processes hold 9101 themselves: a probe would fail, so none is made.
    held.add(9101);
    expect((await deployVersion(probing(), "porty", bundle(8), { port: 9101 }, "test")).version).toBe(2);
    expect((await deployVersion(probing(), "porty", bundle(7), { port: 9101 }, "test")).version).toBe(1);
    expect(probed).toEqual([9101]);
    // Moving to a port another process holds is refused; the active version stays.
    held.add(9102);
    const err = await refusal(deployVersion(probing(), "porty", bundle(9), { port: 9102 }, "test"));
    expect(err).toMatchObject({ code: "NANO_ERR_ROUTE_CONFLICT", message: expect.stringContaining("port 9102") });
    expect(store.getApp("porty")).toMatchObject({ activeVersion: 1, port: 9101 });
    // Another app's port is its conflict, named as such, without a probe.
    probed.length = 0;
    const taken = await refusal(deployVersion(probing(), "other", bundle(10), { port: 9101 }, "test"));
    expect(taken.message).toContain('port 9101 is already used by app "porty"');
    expect(probed).toEqual([]);
  });

  it("is not probed without a probe (nano serve, tests)", async () => {
    held.add(9103);
    expect((await deployVersion(ctx(), "unprobed", bundle(11), { port: 9103 }, "test")).created).toBe(true);
  });
});

describe("static assets", () => {
  const assets = new SqliteAssetStore(join(dir, "registry.db"));
  afterAll(() => assets.close());
  const withAssets: DeployContext = { store: asyncStore(store), check, reservedPorts: [8080], assets };
  const put = async (text: string) => {
    const bytes = new TextEncoder().encode(text);
    const hash = createHash("sha256").update(bytes).digest("hex");
    await assets.put(hash, bytes, {});
    return hash;
  };

  it("stores the index in the version's manifest; a changed file alone makes a new version, the same files none", async () => {
    const [a, b, b2] = [await put("a"), await put("b"), await put("b2")];
    const manifest = { assets: "./public" };
    const v1 = await deployVersion(withAssets, "files", bundle(1), manifest, "test", { "/a.txt": a, "/b.txt": b });
    const again = await deployVersion(withAssets, "files", bundle(1), manifest, "test", { "/b.txt": b, "/a.txt": a });
    expect([v1.created, again.created, again.version]).toEqual([true, false, v1.version]);
    const v2 = await deployVersion(withAssets, "files", bundle(1), manifest, "test", { "/a.txt": a, "/b.txt": b2 });
    expect([v2.created, v2.version]).toEqual([true, v1.version + 1]);
    expect(store.getVersion("files", v1.version)?.manifest.assets?.files?.["/b.txt"]).toEqual({
      hash: b,
      size: 1,
      type: "text/plain; charset=utf-8",
    });
  });

  it("refuses a version naming a blob the store lacks, and assets on a server without a store", async () => {
    const err = await refusal(
      deployVersion(withAssets, "files", bundle(2), { assets: "./public" }, "test", { "/x": "0".repeat(64) }),
    );
    expect(err).toMatchObject({ code: "NANO_ERR_ASSET_MISSING", status: 409 });
    const none = await refusal(deployVersion(ctx(), "files", bundle(2), { assets: "./public" }, "test", {}));
    expect(none.message).toMatch(/does not store assets/);
  });
});
