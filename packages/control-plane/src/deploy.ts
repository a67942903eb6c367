/**
 * The deploy pipeline: validate the manifest and bundle, refuse route/port conflicts, load the bundle
 * in a throwaway isolate (syntax, top-level errors, fetch handler, memory and time limits; produces the
 * code cache), store the version, and only then switch the active version. Any failure leaves the
 * previous version serving. Identical content returns the existing version. The check runs tenant
 * code, so under `nano start` it runs in a checker process of its own (checker.ts), never here.
 * Storing the version, activating it and lifting a quarantine are one registry transaction: a crash
 * leaves the old state or the new one, never a stored version with nothing active. The route/port
 * checks before the write fail early; the one that counts runs inside that transaction, so two nodes
 * deploying overlapping claims at once cannot both succeed.
 */
import { createHash } from "node:crypto";
import { type AppLimits, DEFAULT_LIMITS, NanoError } from "@nano/worker";
import type { CheckedApp } from "./app-check.js";
import { buildAssetIndex } from "./assets/asset-deploy.js";
import type { AssetLimits } from "./assets/asset-index.js";
import { MAX_BUNDLE_BYTES } from "./bundler.js";
import { APP_NAME, parseManifest } from "./manifest.js";
import type { AssetStore } from "./registry/asset-store.js";
import type { AppRecord, RegistryStore } from "./registry/store.js";
import { checkConflicts } from "./router.js";

/** Loads a bundle in a throwaway isolate: resolves with its code cache or rejects with a NanoError. */
export type AppChecker = (
  code: string,
  opts: { name: string; vars: Record<string, string>; limits: Partial<AppLimits>; kv?: Record<string, string> },
) => Promise<CheckedApp>;

export interface DeployContext {
  store: RegistryStore;
  check: AppChecker;
  /** The server's own ports, which no app may claim. */
  reservedPorts: number[];
  /** The operator's maximums for an app's limits (`maxCpuMs`, … in the configuration). */
  maxLimits?: Partial<AppLimits>;
  /**
   * Whether the server could listen on a dedicated port (the supervisor binds it briefly). Asked only
   * for a port no active app has — the runtime processes already hold those — so a port another
   * process holds is refused rather than acknowledged and never served.
   */
  portAvailable?(port: number): Promise<boolean>;
  /** Where asset files are stored; none: a manifest with `assets` is refused. */
  assets?: AssetStore;
  /** Per-app asset limits (default DEFAULT_ASSET_LIMITS). */
  assetLimits?: AssetLimits;
}

export interface DeployResult {
  app: string;
  version: number;
  hash: string;
  /** False when identical content was already stored. */
  created: boolean;
}

export function checkAppName(name: string): void {
  if (!APP_NAME.test(name)) {
    throw new NanoError(
      "NANO_ERR_BAD_REQUEST",
      `invalid app name "${name.slice(0, 80)}": use 1-63 lowercase letters, digits or dashes`,
    );
  }
}

/**
 * Refuses limits above the operator's maximums. A limit the manifest leaves out counts at its default,
 * which is what the app would run with.
 */
export function checkMaxLimits(limits: Partial<AppLimits>, max: Partial<AppLimits>): void {
  for (const k of Object.keys(DEFAULT_LIMITS) as (keyof AppLimits)[]) {
    const most = max[k];
    if (most === undefined) continue;
    const value = limits[k] ?? DEFAULT_LIMITS[k];
    if (value > most) {
      const which = limits[k] === undefined ? " (the default; set a lower one)" : "";
      throw new NanoError(
        "NANO_ERR_MANIFEST",
        `nano.json: limits.${k} is ${value}${which} but this server allows at most ${most}`,
      );
    }
  }
}

export async function deployVersion(
  ctx: DeployContext,
  app: string,
  bundle: string,
  rawManifest: unknown,
  by: string,
  /** The asset files (path → SHA-256), already uploaded; they become the version's index. */
  assetList?: unknown,
): Promise<DeployResult> {
  checkAppName(app);
  const manifest = parseManifest(rawManifest ?? {});
  if (ctx.maxLimits) checkMaxLimits(manifest.limits ?? {}, ctx.maxLimits);
  if (manifest.name !== undefined && manifest.name !== app) {
    throw new NanoError("NANO_ERR_MANIFEST", `nano.json: "name" is "${manifest.name}" but the deploy is for "${app}"`);
  }
  if (Buffer.byteLength(bundle) > MAX_BUNDLE_BYTES) {
    throw new NanoError("NANO_ERR_PAYLOAD_TOO_LARGE", `the bundle is larger than ${MAX_BUNDLE_BYTES / 1048576} MiB`);
  }
  checkConflicts(app, manifest, await ctx.store.listApps(), ctx.reservedPorts);
  if (manifest.port !== undefined && ctx.portAvailable) {
    const port = manifest.port;
    if (!(await ctx.store.listApps()).some((a) => a.port === port) && !(await ctx.portAvailable(port))) {
      throw new NanoError(
        "NANO_ERR_ROUTE_CONFLICT",
        `port ${port} is held by another process on this machine: the server cannot listen on it`,
      );
    }
    // Other deploys may have landed while the port was probed.
    checkConflicts(app, manifest, await ctx.store.listApps(), ctx.reservedPorts);
  }
  // The index goes into the stored manifest, so the content hash below covers every file.
  const assets = await buildAssetIndex(
    manifest.assets,
    assetList as Record<string, string> | undefined,
    ctx.assets,
    ctx.assetLimits,
  );
  if (assets) manifest.assets = assets;
  const hash = createHash("sha256")
    .update(JSON.stringify([bundle, manifest]))
    .digest("hex");
  // Run again inside the write's transaction, on the apps as it reads them (see ConflictCheck).
  const conflicts = (apps: AppRecord[]) => checkConflicts(app, manifest, apps, ctx.reservedPorts);
  const known = (await ctx.store.listVersions(app)).find((v) => v.hash === hash);
  if (known) {
    // Known content: activated again (lifting a quarantine) unless it is the active version already.
    const { version } = await ctx.store.putVersionAndActivate(
      app,
      { hash, code: bundle, manifest, cachedData: null },
      by,
      conflicts,
    );
    return { app, version, hash, created: false };
  }
  const checked = await ctx.check(bundle, {
    name: app,
    vars: manifest.vars ?? {},
    limits: manifest.limits ?? {},
    // Bound without storage: the app's top level sees its bindings, and a KV call there rejects.
    ...(manifest.kv ? { kv: manifest.kv } : {}),
  });
  // One transaction: the conflict check (other deploys, on any node, may have landed while this one
  // was checked), the version, its activation, and the end of a quarantine (a quarantine is about
  // the code that crashed: a new version starts with a clean record).
  const { version, created } = await ctx.store.putVersionAndActivate(
    app,
    { hash, code: bundle, manifest, cachedData: checked.cachedData ? new Uint8Array(checked.cachedData) : null },
    by,
    conflicts,
  );
  return { app, version, hash, created };
}
