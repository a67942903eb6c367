/**
 * The runtime snapshot blob every isolate starts from (DESIGN.md §6). Made once per V8 version,
 * isolated-vm version and runtime script, cached on disk: a blob from another V8 aborts the process,
 * so the key includes the V8 version and a stale blob is simply never looked up.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import { RUNTIME_FILENAME, RUNTIME_HASH, RUNTIME_SCRIPT, WARMUP_SCRIPT } from "@nano/webapi";
import ivm from "isolated-vm";

const require = createRequire(import.meta.url);
const IVM_VERSION: string = require("isolated-vm/package.json").version;

export function snapshotCacheDir(): string {
  if (process.env.NANO_CACHE_DIR) return process.env.NANO_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "nano");
}

export function snapshotKey(): string {
  return createHash("sha256")
    .update(`${process.versions.v8}\0${IVM_VERSION}\0${RUNTIME_HASH}`)
    .digest("hex")
    .slice(0, 24);
}

/** Creates the blob in this process (~hundreds of ms); no cache. */
export function createRuntimeSnapshot(): ArrayBuffer {
  const blob = ivm.Isolate.createSnapshot([{ code: RUNTIME_SCRIPT, filename: RUNTIME_FILENAME }], WARMUP_SCRIPT);
  return blob.copy();
}

/**
 * The blob as shared memory, from the disk cache or made now and cached (written atomically, so
 * processes racing on a fresh machine never read half a file).
 */
export function loadRuntimeSnapshot(cacheDir = snapshotCacheDir()): SharedArrayBuffer {
  const file = join(cacheDir, `runtime-${snapshotKey()}.bin`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    bytes = new Uint8Array(createRuntimeSnapshot());
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
    } catch {
      // A read-only cache only costs the creation time on the next start.
    }
  }
  const shared = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(shared).set(bytes);
  return shared;
}

/** isolated-vm wants the blob as an ExternalCopy; one per thread is enough. */
export function snapshotCopy(shared: SharedArrayBuffer): ivm.ExternalCopy<ArrayBuffer> {
  return new ivm.ExternalCopy(new Uint8Array(shared).slice().buffer);
}
