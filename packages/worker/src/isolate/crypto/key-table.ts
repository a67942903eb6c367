/**
 * One isolate's keys. The isolate holds only an opaque handle, which names a key in this table and in
 * no other, so one isolate can never reach another's key.
 */
import * as nc from "node:crypto";
import { fail } from "./crypto-error.js";
import type { Params, StoredKey } from "./key.js";
import { BYTES_PER_KEY } from "./limits.js";
import { asBuffer, num } from "./params.js";

/** A table entry: several CryptoKeys share one when the same key was imported again. */
interface Entry extends StoredKey {
  refs: number;
  /** Host memory it holds (estimated: the entry plus the key material). */
  bytes: number;
  /** Identity of the importKey call that made it (see `importId`). */
  importId?: string;
}

/** What the isolate needs to build a CryptoKey. */
export interface KeyInfo extends Omit<StoredKey, "key"> {
  handle: number;
}

const info = (handle: number, k: StoredKey): KeyInfo => ({
  handle,
  type: k.type,
  extractable: k.extractable,
  usages: k.usages,
  algorithm: k.algorithm,
});

/** A key's material in bytes: secret keys exactly, asymmetric ones from their size (RSA: ~5 numbers of n's size). */
function materialBytes(key: nc.KeyObject): number {
  if (key.type === "secret") return key.symmetricKeySize ?? 0;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return bits ? (bits / 8) * 5 : 256;
}

export class KeyTable {
  readonly #maxKeys: number;
  readonly #maxBytes: number;
  #bytes = 0;
  readonly #entries = new Map<number, Entry>();
  /**
   * importKey calls by identity → handle. Apps commonly import the same secret on every request; the
   * isolate drops those CryptoKeys but frees their handles only when its GC gets round to them, so
   * sharing one entry keeps the host's cost per repeat import at a reference count.
   */
  readonly #imported = new Map<string, number>();
  #nextHandle = 1;

  constructor(maxKeys: number, maxBytes = Number.POSITIVE_INFINITY) {
    this.#maxKeys = maxKeys;
    this.#maxBytes = maxBytes;
  }

  store(k: StoredKey, importId?: string): KeyInfo {
    if (this.#entries.size >= this.#maxKeys)
      fail("QuotaExceededError", `more than ${this.#maxKeys} live CryptoKeys in this isolate`);
    const bytes = BYTES_PER_KEY + materialBytes(k.key);
    if (this.#bytes + bytes > this.#maxBytes)
      fail(
        "QuotaExceededError",
        `this isolate's live CryptoKeys would hold more than ${Math.round(this.#maxBytes / 1048576)} MiB of memory`,
      );
    this.#bytes += bytes;
    const handle = this.#nextHandle++;
    this.#entries.set(handle, { ...k, refs: 1, importId, bytes });
    if (importId) this.#imported.set(importId, handle);
    return info(handle, k);
  }

  /** The key an importKey call made before gives a repeat of that call: one more reference to it. */
  reuse(importId: string): KeyInfo | undefined {
    const known = this.#imported.get(importId);
    const shared = known === undefined ? undefined : this.#entries.get(known);
    if (!shared || known === undefined) return undefined;
    shared.refs++;
    return info(known, shared);
  }

  release(handle: number): void {
    const e = this.#entries.get(handle);
    if (!e || --e.refs > 0) return;
    this.#entries.delete(handle);
    this.#bytes -= e.bytes;
    if (e.importId) this.#imported.delete(e.importId);
  }

  /** The key whose handle is the params member `name`. */
  entry(p: Params, name: string): StoredKey {
    const k = this.#entries.get(num(p, name));
    // Released (or never issued here): other isolates' handles are meaningless in this table.
    if (!k) return fail("InvalidAccessError", "the key is not valid in this isolate");
    return k;
  }

  /** Distinct live keys. */
  get size(): number {
    return this.#entries.size;
  }

  /** Estimated host memory they hold. */
  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#bytes = 0;
    this.#entries.clear();
    this.#imported.clear();
  }
}

/** Identifies an importKey call by everything it was given: the same call gives the same key. */
export function importId(params: string, data: readonly unknown[]): string {
  const h = nc.createHash("sha256").update(params);
  for (const d of data) {
    const b = asBuffer(d);
    h.update(`\0${b.length}\0`).update(b);
  }
  return h.digest("base64");
}
