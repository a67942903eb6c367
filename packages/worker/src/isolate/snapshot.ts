/**
 * The runtime snapshot blob every isolate starts from (DESIGN.md §6). Made once per V8 version,
 * isolated-vm version and runtime script, cached on disk: a blob from another V8 aborts the process,
 * so the key includes the V8 version and a stale blob is simply never looked up. A blob V8 cannot use
 * aborts the process too, and so would every start after it: each cache file carries a header (the
 * V8 and isolated-vm versions, the runtime hash, the blob's size and SHA-256), checked before the
 * blob reaches isolated-vm. A file that fails the check (garbage, flipped bits, truncated, empty) is
 * made again and rewritten.
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

/** A cache file: MAGIC, the header's length (u32 LE), the header (JSON), the blob. */
const MAGIC = Buffer.from("NANOSNP1");

interface SnapshotHeader {
  v8: string;
  ivm: string;
  runtime: string;
  size: number;
  sha256: string;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function identity(): Pick<SnapshotHeader, "v8" | "ivm" | "runtime"> {
  return { v8: process.versions.v8, ivm: IVM_VERSION, runtime: RUNTIME_HASH };
}

/** The bytes of a cache file holding `blob`. */
export function encodeSnapshotFile(blob: Uint8Array): Buffer {
  const header: SnapshotHeader = { ...identity(), size: blob.byteLength, sha256: sha256(blob) };
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.byteLength);
  return Buffer.concat([MAGIC, length, json, blob]);
}

/**
 * The blob in a cache file's bytes, or null unless its header names this V8, isolated-vm and runtime
 * and the blob has the header's size and SHA-256.
 */
export function decodeSnapshotFile(bytes: Buffer): Uint8Array | null {
  const start = MAGIC.byteLength + 4;
  if (bytes.byteLength < start || !bytes.subarray(0, MAGIC.byteLength).equals(MAGIC)) return null;
  const end = start + bytes.readUInt32LE(MAGIC.byteLength);
  if (end > bytes.byteLength) return null;
  let header: Partial<SnapshotHeader>;
  try {
    header = JSON.parse(bytes.toString("utf8", start, end)) as Partial<SnapshotHeader>;
  } catch {
    return null;
  }
  if (typeof header !== "object" || header === null) return null;
  const want = identity();
  if (header.v8 !== want.v8 || header.ivm !== want.ivm || header.runtime !== want.runtime) return null;
  const blob = bytes.subarray(end);
  if (blob.byteLength !== header.size || sha256(blob) !== header.sha256) return null;
  return blob;
}

/** The cache file of this V8, isolated-vm and runtime under `cacheDir`. */
export function snapshotFile(cacheDir = snapshotCacheDir()): string {
  return join(cacheDir, `runtime-${snapshotKey()}.bin`);
}

/**
 * The blob as shared memory, from the disk cache or made now and cached (written atomically, so
 * processes racing on a fresh machine never read half a file). A cached file that fails its header
 * check is made again and replaced, never handed to V8.
 */
export function loadRuntimeSnapshot(cacheDir = snapshotCacheDir()): SharedArrayBuffer {
  const file = snapshotFile(cacheDir);
  let bytes: Uint8Array | null = null;
  try {
    bytes = decodeSnapshotFile(readFileSync(file));
  } catch {
    // Missing or unreadable: made below.
  }
  if (!bytes) {
    bytes = new Uint8Array(createRuntimeSnapshot());
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, encodeSnapshotFile(bytes));
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
