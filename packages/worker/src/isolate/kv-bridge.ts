/**
 * The host half of KV for one isolate: the `kv` bridge function (runtime/kv.ts is the other half).
 * Everything the isolate passes is checked here against Cloudflare's limits, since the runtime shares
 * its realm with the app; the binding name is resolved to a namespace through the app's own bindings,
 * so an app reaches only the namespaces its manifest binds. Each operation counts against the
 * invocation's `limits.kvOperations`; host time is measured and charged like crypto's.
 */
import { CRYPTO_ERROR_SEPARATOR, type KvOp } from "@nano/webapi";
import { KV_LIMITS, type KvStore } from "../kv/kv-store.js";

/** Operations outside any request (a timer's, a late continuation's) share this allowance per second. */
const BACKGROUND_WINDOW_MS = 1_000;

function fail(name: "TypeError" | "RangeError", message: string): never {
  throw new Error(`${name}${CRYPTO_ERROR_SEPARATOR}${message}`);
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

function checkKey(op: string, key: unknown): string {
  if (typeof key !== "string") fail("TypeError", `KV ${op}: the key must be a string`);
  if (key === "") fail("TypeError", `KV ${op}: the key must not be empty`);
  if (key === "." || key === "..") fail("TypeError", `KV ${op}: "${key}" is not allowed as a key`);
  const n = utf8Length(key);
  if (n > KV_LIMITS.keyBytes) {
    fail("RangeError", `KV ${op}: the key is ${n} bytes in UTF-8, over the limit of ${KV_LIMITS.keyBytes}`);
  }
  return key;
}

function parseOptions(op: string, options: unknown): Record<string, unknown> {
  if (options === "") return {};
  if (typeof options !== "string") fail("TypeError", `KV ${op}: malformed options`);
  try {
    const parsed = JSON.parse(options) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {}
  return fail("TypeError", `KV ${op}: malformed options`);
}

/** Expiration in epoch seconds from put's options, or null; Cloudflare's rule: at least 60 s ahead. */
function expirationOf(o: Record<string, unknown>, nowS: number): number | null {
  if (o.expirationTtl !== undefined) {
    const ttl = o.expirationTtl;
    if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < KV_LIMITS.minTtlS) {
      fail(
        "RangeError",
        `KV put: invalid expirationTtl ${String(ttl)}: it must be at least ${KV_LIMITS.minTtlS} seconds`,
      );
    }
    return nowS + Math.floor(ttl);
  }
  if (o.expiration !== undefined) {
    const at = o.expiration;
    if (typeof at !== "number" || !Number.isFinite(at) || at < nowS + KV_LIMITS.minTtlS) {
      fail(
        "RangeError",
        `KV put: invalid expiration ${String(at)}: it must be seconds since the epoch at least ${KV_LIMITS.minTtlS} seconds from now`,
      );
    }
    return Math.floor(at);
  }
  return null;
}

/** get's answer: a 4-byte big-endian header length, the header (the metadata as JSON text), the value. */
function pack(value: Uint8Array, metadata: string | null): ArrayBuffer {
  const header = Buffer.from(JSON.stringify({ m: metadata }), "utf8");
  const out = new Uint8Array(4 + header.length + value.byteLength);
  new DataView(out.buffer).setUint32(0, header.length);
  out.set(header, 4);
  out.set(value, 4 + header.length);
  return out.buffer;
}

export interface KvBridgeOptions {
  store: KvStore | null;
  /** The request the isolate is running for now (null: background work). */
  owner: () => number | null;
}

export class KvBridge {
  readonly #store: KvStore | null;
  readonly #owner: () => number | null;
  /** The app's bindings: binding name → namespace. */
  #bindings = new Map<string, string>();
  /** Operations left per pending request. */
  readonly #left = new Map<number, number>();
  #limit: number = KV_LIMITS.operations;
  #background = { left: 0, windowStart: 0 };
  /** Operations by kind since the last take(), for metrics. */
  #counts: Record<string, number> = {};
  #hostNs = 0n;
  /** Host time past which operations throw until the next entry's budget (like crypto's). */
  #limitNs: bigint | null = null;

  constructor(opts: KvBridgeOptions) {
    this.#store = opts.store;
    this.#owner = opts.owner;
  }

  /** Host time spent in KV operations so far (outside the isolate's CPU clock). */
  get hostNs(): bigint {
    return this.#hostNs;
  }

  /**
   * Allows `ns` more host time from now (the entry's remaining CPU budget): the isolate's timeout does
   * not run during host calls, so a loop of slow operations is stopped here.
   */
  budget(ns: bigint): void {
    this.#limitNs = this.#hostNs + ns;
  }

  /** The app's bindings and its per-invocation operation limit. */
  bind(bindings: Record<string, string>, limit: number): void {
    this.#bindings = new Map(Object.entries(bindings));
    this.#limit = limit;
  }

  begin(id: number): void {
    this.#left.set(id, this.#limit);
  }

  end(id: number): void {
    this.#left.delete(id);
  }

  /** Operations by kind since the last call. */
  take(): Record<string, number> {
    const counts = this.#counts;
    this.#counts = {};
    return counts;
  }

  readonly kv = (op: KvOp, binding: string, key: string, options: string, value?: ArrayBuffer) => {
    const started = process.hrtime.bigint();
    try {
      return this.#run(op, binding, key, options, value);
    } finally {
      this.#hostNs += process.hrtime.bigint() - started;
    }
  };

  #run(op: KvOp, binding: unknown, key: unknown, options: unknown, value: unknown): ArrayBuffer | string | null {
    if (op !== "get" && op !== "put" && op !== "delete" && op !== "list") fail("TypeError", "KV: unknown operation");
    const namespace = typeof binding === "string" ? this.#bindings.get(binding) : undefined;
    if (namespace === undefined)
      fail("TypeError", `KV ${op}: "${String(binding)}" is not a KV namespace bound to this app`);
    const store = this.#store;
    if (store === null)
      fail("TypeError", `KV ${op}: no KV storage in this process (\`nano serve\` has none; use \`nano start\`)`);
    const o = parseOptions(op, options);
    let call: () => ArrayBuffer | string | null;
    if (op === "get") {
      const k = checkKey(op, key);
      call = () => {
        const entry = store.get(namespace, k);
        return entry === null ? null : pack(entry.value, entry.metadata);
      };
    } else if (op === "put") {
      const k = checkKey(op, key);
      if (!(value instanceof ArrayBuffer)) fail("TypeError", "KV put: the value must be bytes");
      if (value.byteLength > KV_LIMITS.valueBytes) {
        fail("RangeError", `KV put: the value is ${value.byteLength} bytes, over the limit of ${KV_LIMITS.valueBytes}`);
      }
      const expiration = expirationOf(o, Math.floor(Date.now() / 1000));
      let metadata: string | null = null;
      if (o.metadata !== undefined) {
        if (typeof o.metadata !== "string") fail("TypeError", "KV put: malformed metadata");
        const n = utf8Length(o.metadata);
        if (n > KV_LIMITS.metadataBytes) {
          fail(
            "RangeError",
            `KV put: the metadata is ${n} bytes as JSON, over the limit of ${KV_LIMITS.metadataBytes}`,
          );
        }
        try {
          JSON.parse(o.metadata);
        } catch {
          fail("TypeError", "KV put: the metadata must be JSON");
        }
        metadata = o.metadata;
      }
      call = () => {
        try {
          store.put(namespace, k, new Uint8Array(value), metadata, expiration);
        } catch (err) {
          // The namespace's quota (the store checks it inside the write's transaction).
          if (err instanceof RangeError) fail("RangeError", err.message);
          throw err;
        }
        return null;
      };
    } else if (op === "delete") {
      const k = checkKey(op, key);
      call = () => {
        store.delete(namespace, k);
        return null;
      };
    } else {
      const prefix = o.prefix ?? "";
      if (typeof prefix !== "string" || utf8Length(prefix) > KV_LIMITS.keyBytes) {
        fail("RangeError", `KV list: the prefix must be a string of at most ${KV_LIMITS.keyBytes} bytes`);
      }
      const limit = o.limit ?? KV_LIMITS.listLimit;
      if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > KV_LIMITS.listLimit) {
        fail(
          "RangeError",
          `KV list: the limit must be an integer from 1 to ${KV_LIMITS.listLimit}, got ${String(limit)}`,
        );
      }
      const cursor = o.cursor ?? null;
      if (cursor !== null && typeof cursor !== "string") fail("TypeError", "KV list: invalid cursor");
      call = () => {
        try {
          return JSON.stringify(store.list(namespace, { prefix, limit, cursor }));
        } catch (err) {
          if (err instanceof TypeError) fail("TypeError", err.message);
          throw err;
        }
      };
    }
    if (this.#limitNs !== null && this.#hostNs >= this.#limitNs) {
      fail("RangeError", `KV ${op}: the CPU time limit was reached in KV operations`);
    }
    this.#take(op);
    try {
      return call();
    } catch (err) {
      if (err instanceof Error && err.message.includes(CRYPTO_ERROR_SEPARATOR)) throw err;
      // The storage failed (a lock held past busy_timeout, a full disk): the app gets a plain Error.
      throw new Error(`KV ${op} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Counts one operation against the invocation's limit (or the background allowance). */
  #take(op: string): void {
    const owner = this.#owner();
    const left = owner === null ? undefined : this.#left.get(owner);
    if (left !== undefined && owner !== null) {
      if (left <= 0) this.#tooMany();
      this.#left.set(owner, left - 1);
    } else {
      const now = Date.now();
      if (now - this.#background.windowStart >= BACKGROUND_WINDOW_MS) {
        this.#background = { left: this.#limit, windowStart: now };
      }
      if (this.#background.left <= 0) this.#tooMany();
      this.#background.left--;
    }
    this.#counts[op] = (this.#counts[op] ?? 0) + 1;
  }

  #tooMany(): never {
    return fail("RangeError", `KV: too many operations in one invocation (limits.kvOperations is ${this.#limit})`);
  }
}
