/**
 * https://w3c.github.io/webcrypto/#subtlecrypto-interface — SubtleCrypto. Each method runs its
 * synchronous steps here (WebIDL argument conversion, algorithm normalization) and its "in parallel"
 * steps in one host call (packages/worker/src/isolate/crypto-bridge.ts), which checks the key's
 * algorithm, usages, type and extractability against the host's own record of the key. Methods are
 * async, so every error (brand checks and argument conversions included) rejects the promise.
 */
import { type CryptoOp, KEY_USAGES } from "../../bridge-contract.js";
import { type Normalized, normalizeAlgorithm } from "./algorithms.js";
import { type CryptoKey, isCryptoKey, type KeyFactory, type KeyUsage, keyHandle } from "./crypto-key.js";
import {
  bufferSourceForHost,
  callHost,
  type HostCrypto,
  illegalConstructor,
  requireArgs,
  toDOMString,
  webidlInterface,
} from "./util.js";

const TOKEN = Symbol("SubtleCrypto");
const FORMATS = ["raw", "spki", "pkcs8", "jwk"];
const USAGES: readonly KeyUsage[] = KEY_USAGES;
/** https://w3c.github.io/webcrypto/#JsonWebKey-dictionary — members in conversion order. */
const JWK_STRINGS = ["alg", "crv", "d", "dp", "dq", "e", "k", "kty", "n", "p", "q", "qi", "use", "x", "y"];

type Host = { call: HostCrypto; keys: KeyFactory };
type JsonWebKey = Record<string, unknown>;

function toFormat(value: unknown): string {
  const format = toDOMString(value);
  if (!FORMATS.includes(format)) throw new TypeError(`"${format}" is not a valid KeyFormat`);
  return format;
}

function toKey(value: unknown, what: string): CryptoKey {
  if (!isCryptoKey(value)) throw new TypeError(`${what} is not a CryptoKey`);
  return value;
}

/** sequence<KeyUsage>, then the normalized value: no duplicates, in the spec's order. */
function toUsages(value: unknown): KeyUsage[] {
  if (
    typeof value !== "object" ||
    value === null ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function"
  )
    throw new TypeError("keyUsages must be a sequence");
  const given = new Set<string>();
  for (const u of value as Iterable<unknown>) {
    const s = toDOMString(u);
    if (!USAGES.includes(s as KeyUsage)) throw new TypeError(`"${s}" is not a valid KeyUsage`);
    given.add(s);
  }
  return USAGES.filter((u) => given.has(u));
}

function isBufferSource(value: unknown): boolean {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/** https://w3c.github.io/webcrypto/#JsonWebKey-dictionary — the WebIDL dictionary conversion. */
function toJsonWebKey(value: unknown): JsonWebKey {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" && typeof value !== "function") throw new TypeError("keyData is not a JsonWebKey");
  const src = value as Record<string, unknown>;
  const out: JsonWebKey = {};
  for (const member of JWK_STRINGS) {
    const v = src[member];
    if (v !== undefined) out[member] = toDOMString(v);
    if (member === "e" && src.ext !== undefined) out.ext = Boolean(src.ext);
    if (member === "k" && src.key_ops !== undefined) out.key_ops = toStrings(src.key_ops, "key_ops");
    if (member === "n" && src.oth !== undefined) out.oth = toOtherPrimes(src.oth);
  }
  return out;
}

function toStrings(value: unknown, what: string): string[] {
  if (
    typeof value !== "object" ||
    value === null ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function"
  )
    throw new TypeError(`${what} must be a sequence`);
  return Array.from(value as Iterable<unknown>, toDOMString);
}

function toOtherPrimes(value: unknown): Record<string, string>[] {
  if (
    typeof value !== "object" ||
    value === null ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function"
  )
    throw new TypeError("oth must be a sequence");
  return Array.from(value as Iterable<unknown>, (info) => {
    const o = (info ?? {}) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const m of ["d", "r", "t"]) if (o[m] !== undefined) out[m] = toDOMString(o[m]);
    return out;
  });
}

/** A normalized algorithm as JSON for the host: bytes move to `data` (by index), keys to handles. */
function encodeAlgorithm(alg: Normalized, data: ArrayBuffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(alg)) {
    if (v instanceof ArrayBuffer) out[k] = data.push(v) - 1;
    else if (isCryptoKey(v)) out[k] = keyHandle(v);
    else out[k] = v;
  }
  return out;
}

let hostOf: (self: unknown) => Host;

export class SubtleCrypto {
  #host: Host;

  constructor(...args: unknown[]) {
    if (args[0] !== TOKEN) illegalConstructor();
    this.#host = args[1] as Host;
  }

  static {
    hostOf = (self) => {
      if (typeof self !== "object" || self === null || !(#host in self))
        throw new TypeError("Illegal invocation: not a SubtleCrypto");
      return (self as SubtleCrypto).#host;
    };
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-encrypt */
  async encrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    return cipher(this, "encrypt", arguments.length, algorithm, key, data);
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-decrypt */
  async decrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    return cipher(this, "decrypt", arguments.length, algorithm, key, data);
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-sign */
  async sign(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    return cipher(this, "sign", arguments.length, algorithm, key, data);
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-verify */
  async verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): Promise<boolean> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 4, "SubtleCrypto.verify");
    const k = toKey(key, "key");
    const sig = bufferSourceForHost(signature, "signature");
    const bytes = bufferSourceForHost(data, "data");
    const alg = normalizeAlgorithm(algorithm, "verify");
    const buffers = [bytes, sig];
    const params = { algorithm: encodeAlgorithm(alg, buffers), key: keyHandle(k) };
    return callHost(host.call, "verify", JSON.stringify(params), ...buffers) as boolean;
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-digest */
  async digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "SubtleCrypto.digest");
    const bytes = bufferSourceForHost(data, "data");
    const { name } = normalizeAlgorithm(algorithm, "digest");
    return callHost(host.call, "digest", name, bytes) as ArrayBuffer;
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-generateKey */
  async generateKey(
    algorithm: unknown,
    extractable: unknown,
    keyUsages: unknown,
  ): Promise<CryptoKey | { publicKey: CryptoKey; privateKey: CryptoKey }> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 3, "SubtleCrypto.generateKey");
    const ext = Boolean(extractable);
    const usages = toUsages(keyUsages);
    const alg = normalizeAlgorithm(algorithm, "generateKey");
    const data: ArrayBuffer[] = [];
    const params = { algorithm: encodeAlgorithm(alg, data), extractable: ext, usages };
    return host.keys.fromHost(callHost(host.call, "generateKey", JSON.stringify(params), ...data) as string);
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-deriveKey */
  async deriveKey(
    algorithm: unknown,
    baseKey: unknown,
    derivedKeyType: unknown,
    extractable: unknown,
    keyUsages: unknown,
  ): Promise<CryptoKey> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 5, "SubtleCrypto.deriveKey");
    const k = toKey(baseKey, "baseKey");
    const ext = Boolean(extractable);
    const usages = toUsages(keyUsages);
    const alg = normalizeAlgorithm(algorithm, "deriveBits");
    const importAlg = normalizeAlgorithm(derivedKeyType, "importKey");
    const lengthAlg = normalizeAlgorithm(derivedKeyType, "get key length");
    const data: ArrayBuffer[] = [];
    const params = {
      algorithm: encodeAlgorithm(alg, data),
      key: keyHandle(k),
      importAlgorithm: encodeAlgorithm(importAlg, data),
      lengthAlgorithm: encodeAlgorithm(lengthAlg, data),
      extractable: ext,
      usages,
    };
    return host.keys.fromHost(callHost(host.call, "deriveKey", JSON.stringify(params), ...data) as string) as CryptoKey;
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-deriveBits */
  async deriveBits(algorithm: unknown, baseKey: unknown, length: unknown = null): Promise<ArrayBuffer> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "SubtleCrypto.deriveBits");
    const k = toKey(baseKey, "baseKey");
    // `optional unsigned long? length = null`: ToNumber, then modulo 2^32 (no [EnforceRange]).
    let bits: number | null = null;
    if (length !== null && length !== undefined) {
      if (typeof length === "bigint" || typeof length === "symbol") throw new TypeError("length is not a number");
      const n = Math.trunc(Number(length));
      bits = Number.isFinite(n) ? ((n % 2 ** 32) + 2 ** 32) % 2 ** 32 : 0;
    }
    const alg = normalizeAlgorithm(algorithm, "deriveBits");
    const data: ArrayBuffer[] = [];
    const params = { algorithm: encodeAlgorithm(alg, data), key: keyHandle(k), length: bits };
    return callHost(host.call, "deriveBits", JSON.stringify(params), ...data) as ArrayBuffer;
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-importKey */
  async importKey(
    format: unknown,
    keyData: unknown,
    algorithm: unknown,
    extractable: unknown,
    keyUsages: unknown,
  ): Promise<CryptoKey> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 5, "SubtleCrypto.importKey");
    const f = toFormat(format);
    // (BufferSource or JsonWebKey): a buffer or view is the first, any other object the second.
    const bytes = isBufferSource(keyData) ? bufferSourceForHost(keyData, "keyData") : null;
    const jwk = bytes === null ? toJsonWebKey(keyData) : null;
    const ext = Boolean(extractable);
    const usages = toUsages(keyUsages);
    const alg = normalizeAlgorithm(algorithm, "importKey");
    if (f === "jwk" && jwk === null) throw new TypeError('keyData must be a JsonWebKey for the "jwk" format');
    if (f !== "jwk" && bytes === null) throw new TypeError(`keyData must be a BufferSource for the "${f}" format`);
    const data: ArrayBuffer[] = bytes ? [bytes] : [];
    const params = { format: f, algorithm: encodeAlgorithm(alg, data), extractable: ext, usages, jwk };
    return host.keys.fromHost(callHost(host.call, "importKey", JSON.stringify(params), ...data) as string) as CryptoKey;
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-exportKey */
  async exportKey(format: unknown, key: unknown): Promise<ArrayBuffer | JsonWebKey> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "SubtleCrypto.exportKey");
    const f = toFormat(format);
    const k = toKey(key, "key");
    const out = callHost(host.call, "exportKey", JSON.stringify({ format: f, key: keyHandle(k) }));
    return typeof out === "string" ? (JSON.parse(out) as JsonWebKey) : (out as ArrayBuffer);
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-wrapKey */
  async wrapKey(format: unknown, key: unknown, wrappingKey: unknown, wrapAlgorithm: unknown): Promise<ArrayBuffer> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 4, "SubtleCrypto.wrapKey");
    const f = toFormat(format);
    const k = toKey(key, "key");
    const wrapping = toKey(wrappingKey, "wrappingKey");
    const alg = normalizeWrap(wrapAlgorithm, "wrapKey", "encrypt");
    const data: ArrayBuffer[] = [];
    const params = {
      format: f,
      key: keyHandle(k),
      wrappingKey: keyHandle(wrapping),
      algorithm: encodeAlgorithm(alg, data),
    };
    return callHost(host.call, "wrapKey", JSON.stringify(params), ...data) as ArrayBuffer;
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-unwrapKey */
  async unwrapKey(
    format: unknown,
    wrappedKey: unknown,
    unwrappingKey: unknown,
    unwrapAlgorithm: unknown,
    unwrappedKeyAlgorithm: unknown,
    extractable: unknown,
    keyUsages: unknown,
  ): Promise<CryptoKey> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 7, "SubtleCrypto.unwrapKey");
    const f = toFormat(format);
    const wrapped = bufferSourceForHost(wrappedKey, "wrappedKey");
    const unwrapping = toKey(unwrappingKey, "unwrappingKey");
    const ext = Boolean(extractable);
    const usages = toUsages(keyUsages);
    const alg = normalizeWrap(unwrapAlgorithm, "unwrapKey", "decrypt");
    const importAlg = normalizeAlgorithm(unwrappedKeyAlgorithm, "importKey");
    const data: ArrayBuffer[] = [wrapped];
    const params = {
      format: f,
      unwrappingKey: keyHandle(unwrapping),
      algorithm: encodeAlgorithm(alg, data),
      importAlgorithm: encodeAlgorithm(importAlg, data),
      extractable: ext,
      usages,
    };
    return host.keys.fromHost(callHost(host.call, "unwrapKey", JSON.stringify(params), ...data) as string) as CryptoKey;
  }
}
webidlInterface(SubtleCrypto, "SubtleCrypto");

/** encrypt, decrypt and sign share their shape: (algorithm, key, data) → bytes. */
function cipher(
  self: unknown,
  op: "encrypt" | "decrypt" | "sign",
  argc: number,
  algorithm: unknown,
  key: unknown,
  data: unknown,
): ArrayBuffer {
  const host = hostOf(self);
  requireArgs(argc, 3, `SubtleCrypto.${op}`);
  const k = toKey(key, "key");
  const bytes = bufferSourceForHost(data, "data");
  const alg = normalizeAlgorithm(algorithm, op);
  const buffers = [bytes];
  const params = { algorithm: encodeAlgorithm(alg, buffers), key: keyHandle(k) };
  return callHost(host.call, op as CryptoOp, JSON.stringify(params), ...buffers) as ArrayBuffer;
}

/** wrapKey/unwrapKey fall back to encrypt/decrypt when the algorithm has no wrap operation. */
function normalizeWrap(algorithm: unknown, op: "wrapKey" | "unwrapKey", fallback: "encrypt" | "decrypt"): Normalized {
  try {
    return normalizeAlgorithm(algorithm, op);
  } catch {
    return normalizeAlgorithm(algorithm, fallback);
  }
}

export function createSubtle(call: HostCrypto, keys: KeyFactory): SubtleCrypto {
  return new SubtleCrypto(TOKEN, { call, keys });
}
