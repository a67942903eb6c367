// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://w3c.github.io/webcrypto/#subtlecrypto-interface — SubtleCrypto. Each method runs its
 * synchronous steps here (WebIDL argument conversion, algorithm normalization) and its "in parallel"
 * steps in one host call (packages/worker/src/isolate/crypto-bridge.ts), which checks the key's
 * algorithm, usages, type and extractability against the host's own record of the key. Methods are
 * async, so every error (brand checks and argument conversions included) rejects the promise.
 */
import { type CryptoOp, KEY_USAGES } from "../../bridge-contract.js";
import {
  ArrayBuffer as ArrayBufferCtor,
  ArrayBufferIsView,
  ArrayPrototypeIncludes,
  ArrayPrototypePush,
  isArrayBuffer,
  isInstanceOf,
  JSONParse,
  JSONStringify,
  MathTrunc,
  Number as NumberCtor,
  NumberIsFinite,
  nullProto,
  ObjectKeys,
  SafeSet,
  SymbolCreate,
  SymbolIterator,
  TypeError,
} from "../primordials.js";
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

const TOKEN = SymbolCreate("SubtleCrypto");
const FORMATS = ["raw", "spki", "pkcs8", "jwk"];
const USAGES: readonly KeyUsage[] = KEY_USAGES;
/** https://w3c.github.io/webcrypto/#JsonWebKey-dictionary — members in conversion order. */
const JWK_STRINGS = ["alg", "crv", "d", "dp", "dq", "e", "k", "kty", "n", "p", "q", "qi", "use", "x", "y"];

type Host = { call: HostCrypto; keys: KeyFactory };
type JsonWebKey = Record<string, unknown>;

function toFormat(value: unknown): string {
  const format = toDOMString(value);
  if (!ArrayPrototypeIncludes(FORMATS, format)) throw new TypeError(`"${format}" is not a valid KeyFormat`);
  return format;
}

function toKey(value: unknown, what: string): CryptoKey {
  if (!isCryptoKey(value)) throw new TypeError(`${what} is not a CryptoKey`);
  return value;
}

/** sequence<KeyUsage>, then the normalized value: no duplicates, in the spec's order. */
function toUsages(value: unknown): KeyUsage[] {
  if (typeof value !== "object" || value === null || typeof (value as Iterable<unknown>)[SymbolIterator] !== "function")
    throw new TypeError("keyUsages must be a sequence");
  const given = new SafeSet<string>();
  // WebIDL sequence<KeyUsage>: the app's iterable, iterated as it made it.
  for (const u of value as Iterable<unknown>) {
    const s = toDOMString(u);
    if (!ArrayPrototypeIncludes(USAGES, s)) throw new TypeError(`"${s}" is not a valid KeyUsage`);
    given.add(s);
  }
  const usages: KeyUsage[] = [];
  for (let i = 0; i < USAGES.length; i++)
    if (given.has(USAGES[i] as KeyUsage)) ArrayPrototypePush(usages, USAGES[i] as KeyUsage);
  return usages;
}

function isBufferSource(value: unknown): boolean {
  return ArrayBufferIsView(value) || isArrayBuffer(value);
}

/** https://w3c.github.io/webcrypto/#JsonWebKey-dictionary — the WebIDL dictionary conversion. */
function toJsonWebKey(value: unknown): JsonWebKey {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" && typeof value !== "function") throw new TypeError("keyData is not a JsonWebKey");
  const src = value as Record<string, unknown>;
  const out: JsonWebKey = {};
  for (let i = 0; i < JWK_STRINGS.length; i++) {
    const member = JWK_STRINGS[i] as string;
    const v = src[member];
    if (v !== undefined) out[member] = toDOMString(v);
    if (member === "e" && src.ext !== undefined) out.ext = Boolean(src.ext);
    if (member === "k" && src.key_ops !== undefined) out.key_ops = toStrings(src.key_ops, "key_ops");
    if (member === "n" && src.oth !== undefined) out.oth = toOtherPrimes(src.oth);
  }
  return out;
}

function toStrings(value: unknown, what: string): string[] {
  if (typeof value !== "object" || value === null || typeof (value as Iterable<unknown>)[SymbolIterator] !== "function")
    throw new TypeError(`${what} must be a sequence`);
  const out: string[] = [];
  for (const item of value as Iterable<unknown>) ArrayPrototypePush(out, toDOMString(item));
  return out;
}

function toOtherPrimes(value: unknown): Record<string, string>[] {
  if (typeof value !== "object" || value === null || typeof (value as Iterable<unknown>)[SymbolIterator] !== "function")
    throw new TypeError("oth must be a sequence");
  const primes: Record<string, string>[] = [];
  for (const info of value as Iterable<unknown>) {
    const o = (info ?? {}) as Record<string, unknown>;
    const out: Record<string, string> = {};
    if (o.d !== undefined) out.d = toDOMString(o.d);
    if (o.r !== undefined) out.r = toDOMString(o.r);
    if (o.t !== undefined) out.t = toDOMString(o.t);
    ArrayPrototypePush(primes, out);
  }
  return primes;
}

/** A normalized algorithm as JSON for the host: bytes move to `data` (by index), keys to handles. */
function encodeAlgorithm(alg: Normalized, data: ArrayBuffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = nullProto({});
  const keys = ObjectKeys(alg);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = alg[k];
    // The values are the normalizer's own (copies it made): the prototype chain tells a buffer.
    if (isInstanceOf(v, ArrayBufferCtor)) out[k] = ArrayPrototypePush(data, v as ArrayBuffer) - 1;
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
    return callHost(host.call, "verify", JSONStringify(params), buffers) as boolean;
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-digest */
  async digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "SubtleCrypto.digest");
    const bytes = bufferSourceForHost(data, "data");
    const { name } = normalizeAlgorithm(algorithm, "digest");
    return callHost(host.call, "digest", name, [bytes]) as ArrayBuffer;
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
    return host.keys.fromHost(callHost(host.call, "generateKey", JSONStringify(params), data) as string);
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
    return host.keys.fromHost(callHost(host.call, "deriveKey", JSONStringify(params), data) as string) as CryptoKey;
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
      const n = MathTrunc(NumberCtor(length));
      bits = NumberIsFinite(n) ? ((n % 2 ** 32) + 2 ** 32) % 2 ** 32 : 0;
    }
    const alg = normalizeAlgorithm(algorithm, "deriveBits");
    const data: ArrayBuffer[] = [];
    const params = { algorithm: encodeAlgorithm(alg, data), key: keyHandle(k), length: bits };
    return callHost(host.call, "deriveBits", JSONStringify(params), data) as ArrayBuffer;
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
    return host.keys.fromHost(callHost(host.call, "importKey", JSONStringify(params), data) as string) as CryptoKey;
  }

  /** https://w3c.github.io/webcrypto/#SubtleCrypto-method-exportKey */
  async exportKey(format: unknown, key: unknown): Promise<ArrayBuffer | JsonWebKey> {
    const host = hostOf(this);
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "SubtleCrypto.exportKey");
    const f = toFormat(format);
    const k = toKey(key, "key");
    const out = callHost(host.call, "exportKey", JSONStringify({ format: f, key: keyHandle(k) }));
    return typeof out === "string" ? (JSONParse(out) as JsonWebKey) : (out as ArrayBuffer);
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
    return callHost(host.call, "wrapKey", JSONStringify(params), data) as ArrayBuffer;
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
    return host.keys.fromHost(callHost(host.call, "unwrapKey", JSONStringify(params), data) as string) as CryptoKey;
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
  return callHost(host.call, op as CryptoOp, JSONStringify(params), buffers) as ArrayBuffer;
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
