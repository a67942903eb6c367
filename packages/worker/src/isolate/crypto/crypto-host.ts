/**
 * https://w3c.github.io/webcrypto/ — the host half of `crypto` for one isolate.
 *
 * The isolate runs the synchronous steps of each SubtleCrypto method (WebIDL conversions, algorithm
 * normalization) and then calls the one bridge function `crypto(op, params, ...data)`; this module runs
 * the steps the spec does "in parallel", synchronously with node:crypto primitives (a Callback cannot
 * return a promise, and these calls take microseconds). Keys live here as KeyObjects in a table owned by
 * one RuntimeIsolate; the isolate holds only an opaque handle. The checks that guard key material
 * (algorithm, usages, key type, extractable) are made here, so runtime code the app tampers with inside
 * its isolate can never get more out of a key than its CryptoKey allows, and never another isolate's key.
 *
 * Wire format: `params` is a JSON object for the structured ops (a bare string for `random`, `digest`
 * and `release`); byte members of a normalized algorithm (iv, salt, info, label, counter, ...) travel
 * in `data` and are named in `params` by their index. Results are ArrayBuffers, JSON strings or
 * booleans. Errors cross as `Error("<DOMException name>\u001f<message>")` (isolated-vm keeps only the
 * message of a custom error); the runtime rethrows them as DOMExceptions or TypeErrors.
 */
import * as nc from "node:crypto";
import { CRYPTO_ERROR_SEPARATOR, type CryptoOp } from "@nano/webapi";
import { CryptoError, fail } from "./crypto-error.js";
import { digest } from "./digest.js";
import { toJsonWebKey } from "./jwk.js";
import { type Jwk, type Params, type StoredKey, type Usage, usable } from "./key.js";
import { exportKey, importKey } from "./key-formats.js";
import { importId, KeyTable } from "./key-table.js";
import { DEFAULT_MAX_KEY_BYTES, DEFAULT_MAX_KEYS, MAX_RANDOM_BYTES } from "./limits.js";
import { cipher, deriveBits, generateKey, keyLength, signOrVerify } from "./operations.js";
import { asBuffer, formatOf, member, obj, optNum, str, usagesOf } from "./params.js";

export interface CryptoHostOptions {
  /** Distinct live keys one isolate may hold (host memory outside its heap limit). */
  maxKeys?: number;
  /** Host memory those keys may hold together (default DEFAULT_MAX_KEY_BYTES). */
  maxBytes?: number;
}

export interface CryptoHost {
  /** The bridge function (BridgeFunctions["crypto"]). */
  crypto(op: CryptoOp, params: string, ...data: ArrayBuffer[]): ArrayBuffer | string | boolean | undefined;
  /** Distinct live keys in this isolate's table. */
  readonly size: number;
  /** Estimated host memory they hold. */
  readonly bytes: number;
  /** Host time spent in crypto operations so far: it runs outside the isolate's CPU clock and timeout. */
  readonly hostNs: bigint;
  /** Allows `ns` more host time from now; past it, operations throw QuotaExceededError until the next budget. */
  budget(ns: bigint): void;
  /** Drops every key: the isolate is gone. */
  clear(): void;
}

function toArrayBuffer(buf: Buffer | Uint8Array): ArrayBuffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer)
    return buf.buffer;
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export function createCryptoHost(opts: CryptoHostOptions = {}): CryptoHost {
  const keys = new KeyTable(opts.maxKeys ?? DEFAULT_MAX_KEYS, opts.maxBytes ?? DEFAULT_MAX_KEY_BYTES);
  let spentNs = 0n;
  let limitNs: bigint | null = null;

  /** The checks on a new key (or pair) the spec makes last, then its handle(s) as JSON. */
  function finish(result: StoredKey | [StoredKey, StoredKey], id?: string): string {
    if (Array.isArray(result)) {
      const [pub, priv] = result;
      if (priv.usages.length === 0) fail("SyntaxError", "the key pair would have no private usages");
      return JSON.stringify({ publicKey: keys.store(pub), privateKey: keys.store(priv) });
    }
    if (result.type !== "public" && result.usages.length === 0) fail("SyntaxError", "usages must not be empty");
    return JSON.stringify(keys.store(result, id));
  }

  function dispatch(op: string, raw: string, data: readonly unknown[]): ArrayBuffer | string | boolean | undefined {
    switch (op) {
      case "random": {
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 0 || n > MAX_RANDOM_BYTES) throw new TypeError("random: bad length");
        return toArrayBuffer(nc.randomBytes(n));
      }
      case "digest":
        return toArrayBuffer(digest(raw, data[0]));
      case "release":
        for (const h of raw.split(",")) keys.release(Number(h));
        return undefined;
    }
    const p = JSON.parse(raw) as Params;
    const alg = () => obj(p, "algorithm");
    switch (op) {
      case "generateKey":
        return finish(generateKey(alg(), member(p, "extractable") === true, usagesOf(p), data));
      case "importKey": {
        const id = importId(raw, data);
        const shared = keys.reuse(id);
        if (shared) return JSON.stringify(shared);
        const f = formatOf(p);
        const keyData = f === "jwk" ? toJsonWebKey(member(p, "jwk")) : asBuffer(data[0]);
        return finish(importKey(f, keyData, alg(), member(p, "extractable") === true, usagesOf(p)), id);
      }
      case "exportKey": {
        const out = exportKey(formatOf(p), keys.entry(p, "key"));
        return Buffer.isBuffer(out) ? toArrayBuffer(out) : JSON.stringify(out);
      }
      case "sign":
      case "verify": {
        const a = alg();
        const k = usable(keys.entry(p, "key"), str(a, "name"), op as Usage);
        const r = signOrVerify(a, k, asBuffer(data[0]), op === "verify" ? asBuffer(data[1]) : undefined);
        return typeof r === "boolean" ? r : toArrayBuffer(r);
      }
      case "encrypt":
      case "decrypt": {
        const a = alg();
        const k = usable(keys.entry(p, "key"), str(a, "name"), op as Usage);
        return toArrayBuffer(cipher(a, k, asBuffer(data[0]), op === "decrypt", data));
      }
      case "deriveBits": {
        const a = alg();
        const k = usable(keys.entry(p, "key"), str(a, "name"), "deriveBits");
        return toArrayBuffer(deriveBits(a, k, optNum(p, "length") ?? null, data, keys));
      }
      case "deriveKey": {
        const a = alg();
        const k = usable(keys.entry(p, "key"), str(a, "name"), "deriveKey");
        const length = keyLength(obj(p, "lengthAlgorithm"));
        const secret = deriveBits(a, k, length, data, keys);
        const extractable = member(p, "extractable") === true;
        return finish(importKey("raw", secret, obj(p, "importAlgorithm"), extractable, usagesOf(p)));
      }
      case "wrapKey": {
        const a = alg();
        const wrapping = usable(keys.entry(p, "wrappingKey"), str(a, "name"), "wrapKey");
        const exported = exportKey(formatOf(p), keys.entry(p, "key"));
        const plain = Buffer.isBuffer(exported) ? exported : Buffer.from(JSON.stringify(exported));
        return toArrayBuffer(cipher(a, wrapping, plain, false, data));
      }
      case "unwrapKey": {
        const a = alg();
        const unwrapping = usable(keys.entry(p, "unwrappingKey"), str(a, "name"), "unwrapKey");
        const plain = cipher(a, unwrapping, asBuffer(data[0]), true, data);
        const f = formatOf(p);
        let keyData: Buffer | Jwk = plain;
        if (f === "jwk") {
          let json: unknown;
          try {
            json = JSON.parse(plain.toString("utf8"));
          } catch {
            return fail("DataError", "the unwrapped key is not JSON");
          }
          keyData = toJsonWebKey(json);
        }
        const extractable = member(p, "extractable") === true;
        return finish(importKey(f, keyData, obj(p, "importAlgorithm"), extractable, usagesOf(p)));
      }
      default:
        throw new TypeError(`unknown crypto op ${op}`);
    }
  }

  return {
    crypto(op, params, ...data) {
      const start = process.hrtime.bigint();
      try {
        if (limitNs !== null && spentNs >= limitNs && op !== "release")
          fail("QuotaExceededError", "the CPU time limit was reached in crypto operations");
        return dispatch(String(op), String(params), data);
      } catch (err) {
        // Our own argument checks throw plain TypeErrors; node's (with a code) are failed operations.
        const name =
          err instanceof CryptoError
            ? err.domName
            : err instanceof TypeError && !("code" in err)
              ? "TypeError"
              : "OperationError";
        throw new Error(`${name}${CRYPTO_ERROR_SEPARATOR}${err instanceof Error ? err.message : String(err)}`);
      } finally {
        spentNs += process.hrtime.bigint() - start;
      }
    },
    get hostNs() {
      return spentNs;
    },
    budget(ns) {
      limitNs = spentNs + ns;
    },
    get size() {
      return keys.size;
    },
    get bytes() {
      return keys.bytes;
    },
    clear() {
      keys.clear();
    },
  };
}
