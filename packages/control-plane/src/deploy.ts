/**
 * The deploy pipeline: validate the manifest and bundle, refuse route/port conflicts, load the bundle
 * in a throwaway isolate (syntax, top-level errors, fetch handler, memory and time limits; produces the
 * code cache), store the version, and only then switch the active version. Any failure leaves the
 * previous version serving. Identical content returns the existing version.
 */
import { createHash } from "node:crypto";
import { NanoError } from "@nano/worker";
import { checkApp } from "./app-check.js";
import { MAX_BUNDLE_BYTES } from "./bundler.js";
import { APP_NAME, parseManifest } from "./manifest.js";
import type { RegistryStore } from "./registry/store.js";
import { checkConflicts } from "./router.js";

export interface DeployContext {
  store: RegistryStore;
  snapshot: SharedArrayBuffer;
  /** The server's own ports, which no app may claim. */
  reservedPorts: number[];
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

export function deployVersion(
  ctx: DeployContext,
  app: string,
  bundle: string,
  rawManifest: unknown,
  by: string,
): DeployResult {
  checkAppName(app);
  const manifest = parseManifest(rawManifest ?? {});
  if (manifest.name !== undefined && manifest.name !== app) {
    throw new NanoError("NANO_ERR_MANIFEST", `nano.json: "name" is "${manifest.name}" but the deploy is for "${app}"`);
  }
  if (Buffer.byteLength(bundle) > MAX_BUNDLE_BYTES) {
    throw new NanoError("NANO_ERR_PAYLOAD_TOO_LARGE", `the bundle is larger than ${MAX_BUNDLE_BYTES / 1048576} MiB`);
  }
  checkConflicts(app, manifest, ctx.store.listApps(), ctx.reservedPorts);
  const hash = createHash("sha256")
    .update(JSON.stringify([bundle, manifest]))
    .digest("hex");
  const known = ctx.store.listVersions(app).find((v) => v.hash === hash);
  if (known) {
    if (!known.active) ctx.store.activate(app, known.version, by);
    return { app, version: known.version, hash, created: false };
  }
  const checked = checkApp(ctx.snapshot, bundle, {
    name: app,
    vars: manifest.vars ?? {},
    limits: manifest.limits ?? {},
  });
  const { version, created } = ctx.store.putVersion(app, {
    hash,
    code: bundle,
    manifest,
    cachedData: checked.cachedData ? new Uint8Array(checked.cachedData) : null,
  });
  ctx.store.activate(app, version, by);
  return { app, version, hash, created };
}
