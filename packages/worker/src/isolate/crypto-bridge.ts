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

type KeyType = "secret" | "public" | "private";
type Usage = "encrypt" | "decrypt" | "sign" | "verify" | "deriveKey" | "deriveBits" | "wrapKey" | "unwrapKey";
type Format = "raw" | "spki" | "pkcs8" | "jwk";

const USAGES: readonly Usage[] = [
  "encrypt",
  "decrypt",
  "sign",
  "verify",
  "deriveKey",
  "deriveBits",
  "wrapKey",
  "unwrapKey",
];

/** https://w3c.github.io/webcrypto/#dfn-KeyAlgorithm and its subtypes, as JSON (publicExponent as bytes). */
interface KeyAlgorithm {
  name: string;
  length?: number;
  hash?: { name: string };
  namedCurve?: string;
  modulusLength?: number;
  publicExponent?: number[];
}

interface StoredKey {
  key: nc.KeyObject;
  type: KeyType;
  extractable: boolean;
  usages: Usage[];
  algorithm: KeyAlgorithm;
}

/** A table entry: several CryptoKeys share one when the same key was imported again. */
interface Entry extends StoredKey {
  refs: number;
  /** Identity of the importKey call that made it (see `importId`). */
  importId?: string;
}

/** What the isolate needs to build a CryptoKey. */
interface KeyInfo extends Omit<StoredKey, "key"> {
  handle: number;
}

type Jwk = Record<string, unknown>;
type Params = Record<string, unknown>;

export interface CryptoHostOptions {
  /** Distinct live keys one isolate may hold (host memory outside its heap limit). */
  maxKeys?: number;
}

/** Measured: a KeyObject with its table entry costs about 1.2 KB of host memory. */
const BYTES_PER_KEY = 1200;
/**
 * Work limits for one call, which runs synchronously on the worker thread (as Cloudflare Workers caps
 * PBKDF2 at 100 000 iterations): the budget check can only refuse the next call, not stop this one.
 */
const MAX_PBKDF2_ITERATIONS = 100_000;
/** PBKDF2 costs iterations × output blocks: 100 000 iterations for up to 8 hash-sized blocks. */
const MAX_PBKDF2_WORK = 800_000;
const MAX_RSA_GENERATE_BITS = 4096;
/** HMAC keys longer than the hash's block size are hashed first; 64 Kibit keeps a random key cheap. */
const MAX_HMAC_GENERATE_BITS = 65_536;

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

class CryptoError extends Error {
  constructor(
    readonly domName: string,
    message: string,
  ) {
    super(message);
  }
}

const fail = (name: string, message: string): never => {
  throw new CryptoError(name, message);
};

/** https://w3c.github.io/webcrypto/#sha — names, node:crypto names and block sizes (bits). */
const HASHES: Readonly<Record<string, { node: string; block: number; bytes: number }>> = {
  "SHA-1": { node: "sha1", block: 512, bytes: 20 },
  "SHA-256": { node: "sha256", block: 512, bytes: 32 },
  "SHA-384": { node: "sha384", block: 1024, bytes: 48 },
  "SHA-512": { node: "sha512", block: 1024, bytes: 64 },
};

const CURVES: Readonly<Record<string, string>> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };
const CURVE_BY_NODE: Readonly<Record<string, string>> = {
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521",
};
const POINT_BYTES: Readonly<Record<string, number>> = { "P-256": 32, "P-384": 48, "P-521": 66 };

const AES = new Set(["AES-CTR", "AES-CBC", "AES-GCM", "AES-KW"]);
const RSA = new Set(["RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP"]);
const EC = new Set(["ECDSA", "ECDH"]);
const OKP = new Set(["Ed25519", "X25519"]);
const KDF = new Set(["PBKDF2", "HKDF"]);
const GCM_TAG_BITS = new Set([32, 64, 96, 104, 112, 120, 128]);
const KW_IV = Buffer.from("A6A6A6A6A6A6A6A6", "hex");

/** The usages each algorithm allows on a secret key, or on the public and private halves of a pair. */
const ALLOWED: Readonly<Record<string, { secret?: Usage[]; public?: Usage[]; private?: Usage[] }>> = {
  HMAC: { secret: ["sign", "verify"] },
  "AES-CTR": { secret: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] },
  "AES-CBC": { secret: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] },
  "AES-GCM": { secret: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] },
  "AES-KW": { secret: ["wrapKey", "unwrapKey"] },
  PBKDF2: { secret: ["deriveKey", "deriveBits"] },
  HKDF: { secret: ["deriveKey", "deriveBits"] },
  "RSASSA-PKCS1-v1_5": { public: ["verify"], private: ["sign"] },
  "RSA-PSS": { public: ["verify"], private: ["sign"] },
  "RSA-OAEP": { public: ["encrypt", "wrapKey"], private: ["decrypt", "unwrapKey"] },
  ECDSA: { public: ["verify"], private: ["sign"] },
  Ed25519: { public: ["verify"], private: ["sign"] },
  ECDH: { public: [], private: ["deriveKey", "deriveBits"] },
  X25519: { public: [], private: ["deriveKey", "deriveBits"] },
};

/** JWK `alg` values by hash (https://www.rfc-editor.org/rfc/rfc7518#section-3.1). */
const JWK_HASH_ALG: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  HMAC: { "SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512" },
  "RSASSA-PKCS1-v1_5": { "SHA-1": "RS1", "SHA-256": "RS256", "SHA-384": "RS384", "SHA-512": "RS512" },
  "RSA-PSS": { "SHA-1": "PS1", "SHA-256": "PS256", "SHA-384": "PS384", "SHA-512": "PS512" },
  "RSA-OAEP": {
    "SHA-1": "RSA-OAEP",
    "SHA-256": "RSA-OAEP-256",
    "SHA-384": "RSA-OAEP-384",
    "SHA-512": "RSA-OAEP-512",
  },
};
const JWK_AES_SUFFIX: Readonly<Record<string, string>> = {
  "AES-CTR": "CTR",
  "AES-CBC": "CBC",
  "AES-GCM": "GCM",
  "AES-KW": "KW",
};
const JWK_EC_ALG: Readonly<Record<string, string>> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

// ---------------------------------------------------------------------------------------------------
// Reading the isolate's params: the isolate is untrusted, so every member is checked for its type.

function member(p: Params, name: string): unknown {
  return Object.hasOwn(p, name) ? p[name] : undefined;
}

function str(p: Params, name: string): string {
  const v = member(p, name);
  if (typeof v !== "string") throw new TypeError(`${name} must be a string`);
  return v;
}

function optNum(p: Params, name: string): number | undefined {
  const v = member(p, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new TypeError(`${name} must be an integer`);
  return v;
}

function num(p: Params, name: string): number {
  const v = optNum(p, name);
  if (v === undefined) throw new TypeError(`${name} is required`);
  return v;
}

function obj(p: Params, name: string): Params {
  const v = member(p, name);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TypeError(`${name} must be an object`);
  return v as Params;
}

function asBuffer(v: unknown): Buffer {
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError("expected bytes");
}

/** A byte member of the params, carried in `data` at the index the params name. */
function bytes(p: Params, name: string, data: readonly unknown[]): Buffer {
  const i = num(p, name);
  if (i >= data.length) throw new TypeError(`${name}: no such data argument`);
  return asBuffer(data[i]);
}

function optBytes(p: Params, name: string, data: readonly unknown[]): Buffer | undefined {
  return member(p, name) === undefined || member(p, name) === null ? undefined : bytes(p, name, data);
}

function hashOf(alg: Params | KeyAlgorithm): string {
  const h = (alg as Params).hash;
  const name = typeof h === "object" && h !== null ? (h as Params).name : undefined;
  if (typeof name !== "string" || !Object.hasOwn(HASHES, name)) fail("NotSupportedError", "unsupported hash");
  return name as string;
}

function nodeHash(name: string): string {
  return (HASHES[name] ?? fail("NotSupportedError", `unsupported hash ${name}`)).node;
}

function usagesOf(p: Params): Usage[] {
  const v = member(p, "usages");
  if (!Array.isArray(v) || !v.every((u) => USAGES.includes(u as Usage))) throw new TypeError("invalid key usages");
  return USAGES.filter((u) => v.includes(u));
}

function toArrayBuffer(buf: Buffer | Uint8Array): ArrayBuffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer)
    return buf.buffer;
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

// ---------------------------------------------------------------------------------------------------
// JWK helpers.

function b64u(jwk: Jwk, name: string): Buffer {
  const v = jwk[name];
  if (typeof v !== "string" || !/^[A-Za-z0-9_-]*$/.test(v)) return fail("DataError", `JWK member ${name} is invalid`);
  return Buffer.from(v, "base64url");
}

/** https://w3c.github.io/webcrypto/#dfn-JsonWebKey — the dictionary conversion, for JWKs parsed here. */
function toJsonWebKey(value: unknown): Jwk {
  if (typeof value !== "object" || value === null) return fail("DataError", "the JWK is not an object");
  const src = value as Jwk;
  const out: Jwk = {};
  for (const k of ["kty", "use", "alg", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "k"]) {
    if (src[k] !== undefined) out[k] = String(src[k]);
  }
  if (src.ext !== undefined) out.ext = Boolean(src.ext);
  if (src.key_ops !== undefined) {
    if (!Array.isArray(src.key_ops)) return fail("DataError", "JWK key_ops must be a list");
    out.key_ops = src.key_ops.map(String);
  }
  if (src.oth !== undefined) out.oth = src.oth;
  if (typeof out.kty !== "string") return fail("DataError", "the JWK has no kty");
  return out;
}

/** The checks every JWK import shares: use, key_ops, ext. */
function checkJwkCommon(jwk: Jwk, usages: Usage[], extractable: boolean, use: "sig" | "enc" | null): void {
  if (use && usages.length > 0 && jwk.use !== undefined && jwk.use !== use)
    fail("DataError", `JWK use must be "${use}"`);
  if (jwk.key_ops !== undefined) {
    const ops = jwk.key_ops as string[];
    if (new Set(ops).size !== ops.length) fail("DataError", "JWK key_ops has duplicates");
    if (!usages.every((u) => ops.includes(u))) fail("DataError", "JWK key_ops does not allow the requested usages");
  }
  if (jwk.ext === false && extractable) fail("DataError", "JWK ext is false but the key was asked extractable");
}

function checkUsages(usages: Usage[], allowed: readonly Usage[]): void {
  for (const u of usages) if (!allowed.includes(u)) fail("SyntaxError", `usage "${u}" is not allowed for this key`);
}

function bigEndian(n: bigint): number[] {
  const out: number[] = [];
  for (let v = n; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn));
  return out;
}

// ---------------------------------------------------------------------------------------------------

export function createCryptoHost(opts: CryptoHostOptions = {}): CryptoHost {
  const maxKeys = opts.maxKeys ?? 50_000;
  const table = new Map<number, Entry>();
  /**
   * importKey calls by identity → handle. Apps commonly import the same secret on every request; the
   * isolate drops those CryptoKeys but frees their handles only when its GC gets round to them, so
   * sharing one entry keeps the host's cost per repeat import at a reference count.
   */
  const imported = new Map<string, number>();
  let nextHandle = 1;
  let spentNs = 0n;
  let limitNs: bigint | null = null;

  const info = (handle: number, k: StoredKey): KeyInfo => ({
    handle,
    type: k.type,
    extractable: k.extractable,
    usages: k.usages,
    algorithm: k.algorithm,
  });

  function store(k: StoredKey, importId?: string): KeyInfo {
    if (table.size >= maxKeys) fail("QuotaExceededError", `more than ${maxKeys} live CryptoKeys in this isolate`);
    const handle = nextHandle++;
    table.set(handle, { ...k, refs: 1, importId });
    if (importId) imported.set(importId, handle);
    return info(handle, k);
  }

  function release(handle: number): void {
    const e = table.get(handle);
    if (!e || --e.refs > 0) return;
    table.delete(handle);
    if (e.importId) imported.delete(e.importId);
  }

  function entry(p: Params, name: string): StoredKey {
    const k = table.get(num(p, name));
    // Released (or never issued here): other isolates' handles are meaningless in this table.
    if (!k) return fail("InvalidAccessError", "the key is not valid in this isolate");
    return k;
  }

  /** The checks every keyed method makes before its operation (name, then usage). */
  function usable(k: StoredKey, algName: string, usage: Usage): StoredKey {
    if (k.algorithm.name !== algName) fail("InvalidAccessError", `the key is for ${k.algorithm.name}, not ${algName}`);
    if (!k.usages.includes(usage)) fail("InvalidAccessError", `the key does not allow "${usage}"`);
    return k;
  }

  const requireType = (k: StoredKey, type: KeyType) => {
    if (k.type !== type) fail("InvalidAccessError", `a ${type} key is required`);
  };

  // ---- generate key ------------------------------------------------------------------------------

  function generateKey(
    alg: Params,
    extractable: boolean,
    usages: Usage[],
    data: readonly unknown[],
  ): StoredKey | [StoredKey, StoredKey] {
    const name = str(alg, "name");
    const allowed = ALLOWED[name] ?? fail("NotSupportedError", `cannot generate ${name} keys`);
    if (allowed.secret) {
      checkUsages(usages, allowed.secret);
      let length: number;
      let algorithm: KeyAlgorithm;
      if (name === "HMAC") {
        const hash = hashOf(alg);
        const requested = optNum(alg, "length");
        length = requested ?? (HASHES[hash] as { block: number }).block;
        if (length === 0) fail("OperationError", "HMAC key length must not be zero");
        if (length > MAX_HMAC_GENERATE_BITS) fail("OperationError", `HMAC key length above ${MAX_HMAC_GENERATE_BITS}`);
        algorithm = { name, hash: { name: hash }, length };
      } else if (AES.has(name)) {
        length = num(alg, "length");
        if (length !== 128 && length !== 192 && length !== 256)
          fail("OperationError", "AES key length must be 128, 192 or 256");
        algorithm = { name, length };
      } else {
        return fail("NotSupportedError", `cannot generate ${name} keys`);
      }
      const raw = nc.randomBytes(Math.ceil(length / 8));
      if (length % 8) raw[raw.length - 1] = (raw[raw.length - 1] as number) & (0xff << (8 - (length % 8)));
      return { key: nc.createSecretKey(raw), type: "secret", extractable, usages, algorithm };
    }
    checkUsages(usages, [...(allowed.public ?? []), ...(allowed.private ?? [])]);
    let pair: nc.KeyPairKeyObjectResult;
    let algorithm: KeyAlgorithm;
    if (RSA.has(name)) {
      const hash = hashOf(alg);
      const modulusLength = num(alg, "modulusLength");
      const e = bytes(alg, "publicExponent", data);
      const exponent = e.length === 0 || e.length > 4 ? 0 : e.readUIntBE(0, e.length);
      if (exponent < 3 || exponent % 2 === 0) fail("OperationError", "the public exponent is invalid");
      if (modulusLength < 512 || modulusLength > MAX_RSA_GENERATE_BITS || modulusLength % 8)
        fail("OperationError", `modulusLength must be a multiple of 8 from 512 to ${MAX_RSA_GENERATE_BITS}`);
      try {
        pair = nc.generateKeyPairSync("rsa", { modulusLength, publicExponent: exponent });
      } catch (err) {
        return fail("OperationError", (err as Error).message);
      }
      algorithm = { name, modulusLength, publicExponent: bigEndian(BigInt(exponent)), hash: { name: hash } };
    } else if (EC.has(name)) {
      const namedCurve = str(alg, "namedCurve");
      const curve = CURVES[namedCurve] ?? fail("NotSupportedError", `unsupported curve ${namedCurve}`);
      pair = nc.generateKeyPairSync("ec", { namedCurve: curve });
      algorithm = { name, namedCurve };
    } else if (name === "Ed25519") {
      pair = nc.generateKeyPairSync("ed25519");
      algorithm = { name };
    } else if (name === "X25519") {
      pair = nc.generateKeyPairSync("x25519");
      algorithm = { name };
    } else {
      return fail("NotSupportedError", `cannot generate ${name} keys`);
    }
    const pub: StoredKey = {
      key: pair.publicKey,
      type: "public",
      extractable: true,
      usages: usages.filter((u) => allowed.public?.includes(u)),
      algorithm,
    };
    const priv: StoredKey = {
      key: pair.privateKey,
      type: "private",
      extractable,
      usages: usages.filter((u) => allowed.private?.includes(u)),
      algorithm: structuredClone(algorithm),
    };
    return [pub, priv];
  }

  // ---- import key --------------------------------------------------------------------------------

  function importKey(
    format: Format,
    keyData: Buffer | Jwk,
    alg: Params,
    extractable: boolean,
    usages: Usage[],
  ): StoredKey {
    const name = str(alg, "name");
    const allowed = ALLOWED[name] ?? fail("NotSupportedError", `cannot import ${name} keys`);
    const asBytes = () => keyData as Buffer;
    const asJwk = () => keyData as Jwk;
    const secret = (raw: Buffer, algorithm: KeyAlgorithm): StoredKey => ({
      key: nc.createSecretKey(raw),
      type: "secret",
      extractable,
      usages,
      algorithm,
    });

    if (name === "HMAC") {
      checkUsages(usages, allowed.secret as Usage[]);
      const hash = hashOf(alg);
      let raw: Buffer;
      if (format === "raw") raw = asBytes();
      else if (format === "jwk") {
        const jwk = asJwk();
        if (jwk.kty !== "oct") fail("DataError", 'JWK kty must be "oct"');
        if (jwk.k === undefined) fail("DataError", "JWK k is missing");
        raw = b64u(jwk, "k");
        const expected = JWK_HASH_ALG.HMAC?.[hash];
        if (jwk.alg !== undefined && jwk.alg !== expected) fail("DataError", `JWK alg must be ${expected}`);
        checkJwkCommon(jwk, usages, extractable, "sig");
      } else return fail("NotSupportedError", `HMAC keys cannot be imported as ${format}`);
      let length = raw.length * 8;
      if (length === 0) fail("DataError", "HMAC key data must not be empty");
      const requested = optNum(alg, "length");
      if (requested !== undefined) {
        if (requested > length) fail("DataError", "length is longer than the key data");
        if (requested <= length - 8) fail("DataError", "length is too short for the key data");
        length = requested;
      }
      return secret(raw, { name, length, hash: { name: hash } });
    }

    if (AES.has(name)) {
      checkUsages(usages, allowed.secret as Usage[]);
      let raw: Buffer;
      if (format === "raw") raw = asBytes();
      else if (format === "jwk") {
        const jwk = asJwk();
        if (jwk.kty !== "oct") fail("DataError", 'JWK kty must be "oct"');
        if (jwk.k === undefined) fail("DataError", "JWK k is missing");
        raw = b64u(jwk, "k");
        const expected = `A${raw.length * 8}${JWK_AES_SUFFIX[name]}`;
        if (![16, 24, 32].includes(raw.length)) fail("DataError", "AES key data must be 128, 192 or 256 bits");
        if (jwk.alg !== undefined && jwk.alg !== expected) fail("DataError", `JWK alg must be ${expected}`);
        checkJwkCommon(jwk, usages, extractable, "enc");
      } else return fail("NotSupportedError", `AES keys cannot be imported as ${format}`);
      if (![16, 24, 32].includes(raw.length)) fail("DataError", "AES key data must be 128, 192 or 256 bits");
      return secret(raw, { name, length: raw.length * 8 });
    }

    if (KDF.has(name)) {
      if (format !== "raw") fail("NotSupportedError", `${name} keys can only be imported raw`);
      checkUsages(usages, allowed.secret as Usage[]);
      if (extractable) fail("SyntaxError", `${name} keys cannot be extractable`);
      return secret(asBytes(), { name });
    }

    // Asymmetric keys.
    const pubUsages = allowed.public as Usage[];
    const privUsages = allowed.private as Usage[];
    let key: nc.KeyObject;
    let type: KeyType;
    const parse = <T>(make: () => T): T => {
      try {
        return make();
      } catch (err) {
        return fail("DataError", `invalid key data: ${(err as Error).message}`);
      }
    };
    const expectKind = (k: nc.KeyObject, kind: string) => {
      if (k.asymmetricKeyType !== kind) fail("DataError", `the key is not a ${name} key`);
    };
    const kind = RSA.has(name) ? "rsa" : EC.has(name) ? "ec" : OKP.has(name) ? name.toLowerCase() : "";
    if (!kind) return fail("NotSupportedError", `cannot import ${name} keys`);

    if (format === "spki") {
      checkUsages(usages, pubUsages);
      key = parse(() => nc.createPublicKey({ key: asBytes(), format: "der", type: "spki" }));
      expectKind(key, kind);
      type = "public";
    } else if (format === "pkcs8") {
      checkUsages(usages, privUsages);
      key = parse(() => nc.createPrivateKey({ key: asBytes(), format: "der", type: "pkcs8" }));
      expectKind(key, kind);
      type = "private";
    } else if (format === "jwk") {
      const jwk = asJwk();
      type = jwk.d !== undefined ? "private" : "public";
      checkUsages(usages, type === "private" ? privUsages : pubUsages);
      const use = name === "ECDH" || name === "X25519" || name === "RSA-OAEP" ? "enc" : "sig";
      if (RSA.has(name)) {
        if (jwk.kty !== "RSA") fail("DataError", 'JWK kty must be "RSA"');
        checkJwkCommon(jwk, usages, extractable, use);
        const expected = JWK_HASH_ALG[name]?.[hashOf(alg)];
        if (jwk.alg !== undefined && jwk.alg !== expected) fail("DataError", `JWK alg must be ${expected}`);
      } else if (EC.has(name)) {
        if (jwk.kty !== "EC") fail("DataError", 'JWK kty must be "EC"');
        checkJwkCommon(jwk, usages, extractable, use);
        if (name === "ECDSA" && jwk.alg !== undefined) {
          const algCurve = JWK_EC_ALG[jwk.alg as string];
          if (algCurve !== undefined && algCurve !== str(alg, "namedCurve"))
            fail("DataError", "JWK alg does not match the curve");
        }
        if (jwk.crv !== str(alg, "namedCurve")) fail("DataError", "JWK crv does not match namedCurve");
      } else {
        if (jwk.kty !== "OKP") fail("DataError", 'JWK kty must be "OKP"');
        if (jwk.crv !== name) fail("DataError", `JWK crv must be ${name}`);
        if (name === "Ed25519" && jwk.alg !== undefined && jwk.alg !== "Ed25519" && jwk.alg !== "EdDSA")
          fail("DataError", "JWK alg must be Ed25519 or EdDSA");
        checkJwkCommon(jwk, usages, extractable, use);
        if (jwk.x === undefined) fail("DataError", "JWK x is missing");
      }
      const { ext: _e, key_ops: _k, use: _u, alg: _a, ...material } = jwk;
      key = parse(() =>
        type === "private"
          ? nc.createPrivateKey({ key: material as nc.JsonWebKey, format: "jwk" })
          : nc.createPublicKey({ key: material as nc.JsonWebKey, format: "jwk" }),
      );
      expectKind(key, kind);
      // node derives an OKP public key from d alone: the x the JWK claims must be the real one.
      if (OKP.has(name) && type === "private") {
        const x = nc.createPublicKey(key).export({ format: "jwk" }).x;
        if (x !== jwk.x) fail("DataError", "JWK x does not match d");
      }
    } else if (format === "raw" && (EC.has(name) || OKP.has(name))) {
      checkUsages(usages, pubUsages);
      const raw = asBytes();
      if (EC.has(name)) {
        const namedCurve = str(alg, "namedCurve");
        const curve = CURVES[namedCurve] ?? fail("DataError", `unsupported curve ${namedCurve}`);
        const size = POINT_BYTES[namedCurve] as number;
        if (raw.length !== 1 + 2 * size && raw.length !== 1 + size) fail("DataError", "invalid EC point");
        // convertKey validates the point (and decompresses a compressed one).
        const point = parse(() => asBuffer(nc.ECDH.convertKey(raw, curve, undefined, undefined, "uncompressed")));
        key = parse(() =>
          nc.createPublicKey({
            key: {
              kty: "EC",
              crv: namedCurve,
              x: point.subarray(1, 1 + size).toString("base64url"),
              y: point.subarray(1 + size).toString("base64url"),
            },
            format: "jwk",
          }),
        );
      } else {
        if (raw.length !== 32) fail("DataError", `${name} public keys are 32 bytes`);
        key = parse(() =>
          nc.createPublicKey({ key: { kty: "OKP", crv: name, x: raw.toString("base64url") }, format: "jwk" }),
        );
      }
      type = "public";
    } else {
      return fail("NotSupportedError", `${name} keys cannot be imported as ${format}`);
    }

    let algorithm: KeyAlgorithm;
    if (RSA.has(name)) {
      const d = key.asymmetricKeyDetails as { modulusLength: number; publicExponent: bigint };
      algorithm = {
        name,
        modulusLength: d.modulusLength,
        publicExponent: bigEndian(d.publicExponent),
        hash: { name: hashOf(alg) },
      };
    } else if (EC.has(name)) {
      const namedCurve = str(alg, "namedCurve");
      if (!Object.hasOwn(CURVES, namedCurve)) fail("DataError", `unsupported curve ${namedCurve}`);
      const actual = CURVE_BY_NODE[(key.asymmetricKeyDetails as { namedCurve: string }).namedCurve];
      if (actual !== namedCurve) fail("DataError", "the key's curve does not match namedCurve");
      algorithm = { name, namedCurve };
    } else {
      algorithm = { name };
    }
    return { key, type, extractable, usages, algorithm };
  }

  // ---- export key --------------------------------------------------------------------------------

  function exportKey(format: Format, k: StoredKey): Buffer | Jwk {
    const name = k.algorithm.name;
    if (KDF.has(name)) fail("NotSupportedError", `${name} keys cannot be exported`);
    if (!k.extractable) fail("InvalidAccessError", "the key is not extractable");
    const withOps = (jwk: Jwk): Jwk => ({ ...jwk, key_ops: [...k.usages], ext: k.extractable });
    if (k.type === "secret") {
      const raw = k.key.export();
      if (format === "raw") return raw;
      if (format !== "jwk") return fail("NotSupportedError", `${name} keys cannot be exported as ${format}`);
      const alg =
        name === "HMAC" ? JWK_HASH_ALG.HMAC?.[hashOf(k.algorithm)] : `A${k.algorithm.length}${JWK_AES_SUFFIX[name]}`;
      return withOps({ kty: "oct", k: raw.toString("base64url"), alg });
    }
    switch (format) {
      case "spki":
        requireType(k, "public");
        return k.key.export({ format: "der", type: "spki" });
      case "pkcs8":
        requireType(k, "private");
        return k.key.export({ format: "der", type: "pkcs8" });
      case "jwk": {
        const { kty, crv, x, y, d, n, e, p, q, dp, dq, qi } = k.key.export({ format: "jwk" });
        const jwk: Jwk = RSA.has(name)
          ? { kty, n, e, d, p, q, dp, dq, qi, alg: JWK_HASH_ALG[name]?.[hashOf(k.algorithm)] }
          : { kty, crv, x, y, d };
        for (const key of Object.keys(jwk)) if (jwk[key] === undefined) delete jwk[key];
        return withOps(jwk);
      }
      case "raw": {
        if (RSA.has(name)) return fail("NotSupportedError", "RSA keys cannot be exported raw");
        requireType(k, "public");
        const { x, y } = k.key.export({ format: "jwk" });
        const xb = Buffer.from(x as string, "base64url");
        return EC.has(name) ? Buffer.concat([Buffer.of(4), xb, Buffer.from(y as string, "base64url")]) : xb;
      }
      default:
        return fail("NotSupportedError", `unknown format ${format}`);
    }
  }

  // ---- sign / verify -----------------------------------------------------------------------------

  function signOrVerify(alg: Params, k: StoredKey, data: Buffer, signature?: Buffer): Buffer | boolean {
    const name = k.algorithm.name;
    const verifying = signature !== undefined;
    if (name === "HMAC") {
      const mac = nc
        .createHmac(nodeHash(hashOf(k.algorithm)), k.key)
        .update(data)
        .digest();
      if (!verifying) return mac;
      return mac.length === signature.length && nc.timingSafeEqual(mac, signature);
    }
    requireType(k, verifying ? "public" : "private");
    let hash: string | null = null;
    const opts: nc.SignKeyObjectInput = { key: k.key };
    if (name === "RSASSA-PKCS1-v1_5") {
      hash = nodeHash(hashOf(k.algorithm));
      opts.padding = nc.constants.RSA_PKCS1_PADDING;
    } else if (name === "RSA-PSS") {
      hash = nodeHash(hashOf(k.algorithm));
      opts.padding = nc.constants.RSA_PKCS1_PSS_PADDING;
      opts.saltLength = num(alg, "saltLength");
    } else if (name === "ECDSA") {
      hash = nodeHash(hashOf(alg));
      opts.dsaEncoding = "ieee-p1363";
    } else if (name !== "Ed25519") {
      return fail("NotSupportedError", `${name} cannot sign`);
    }
    if (!verifying) {
      try {
        return nc.sign(hash, data, opts);
      } catch (err) {
        return fail("OperationError", (err as Error).message);
      }
    }
    if (name === "ECDSA" && signature.length !== 2 * (POINT_BYTES[k.algorithm.namedCurve as string] as number))
      return false;
    if (name === "Ed25519" && signature.length !== 64) return false;
    try {
      return nc.verify(hash, data, opts, signature);
    } catch {
      return false;
    }
  }

  // ---- encrypt / decrypt -------------------------------------------------------------------------

  function cipher(alg: Params, k: StoredKey, input: Buffer, decrypting: boolean, data: readonly unknown[]): Buffer {
    const name = k.algorithm.name;
    const run = (f: () => Buffer): Buffer => {
      try {
        return f();
      } catch (err) {
        return err instanceof CryptoError
          ? fail(err.domName, err.message)
          : fail("OperationError", "the operation failed");
      }
    };
    if (name === "RSA-OAEP") {
      requireType(k, decrypting ? "private" : "public");
      const label = optBytes(alg, "label", data);
      const opts: nc.RsaPublicKey | nc.RsaPrivateKey = {
        key: k.key,
        padding: nc.constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: nodeHash(hashOf(k.algorithm)),
        ...(label && label.length > 0 ? { oaepLabel: label } : {}),
      };
      return run(() => (decrypting ? nc.privateDecrypt(opts, input) : nc.publicEncrypt(opts, input)));
    }
    const bits = k.algorithm.length as number;
    if (name === "AES-CBC") {
      const iv = bytes(alg, "iv", data);
      if (iv.length !== 16) fail("OperationError", "AES-CBC iv must be 16 bytes");
      return run(() => {
        const c = decrypting
          ? nc.createDecipheriv(`aes-${bits}-cbc`, k.key, iv)
          : nc.createCipheriv(`aes-${bits}-cbc`, k.key, iv);
        return Buffer.concat([c.update(input), c.final()]);
      });
    }
    if (name === "AES-CTR") {
      const counter = bytes(alg, "counter", data);
      const length = num(alg, "length");
      if (counter.length !== 16) fail("OperationError", "AES-CTR counter must be 16 bytes");
      if (length === 0 || length > 128) fail("OperationError", "AES-CTR length must be 1 to 128 bits");
      return aesCtr(k.key, bits, counter, length, input);
    }
    if (name === "AES-GCM") {
      const iv = bytes(alg, "iv", data);
      const aad = optBytes(alg, "additionalData", data);
      const tagBits = optNum(alg, "tagLength") ?? 128;
      if (!GCM_TAG_BITS.has(tagBits)) fail("OperationError", "invalid AES-GCM tagLength");
      if (iv.length === 0) fail("OperationError", "AES-GCM iv must not be empty");
      const tagBytes = tagBits / 8;
      const mode = `aes-${bits}-gcm` as nc.CipherGCMTypes;
      if (decrypting) {
        if (input.length < tagBytes) fail("OperationError", "the data is shorter than the tag");
        return run(() => {
          const d = nc.createDecipheriv(mode, k.key, iv, { authTagLength: tagBytes });
          d.setAuthTag(input.subarray(input.length - tagBytes));
          if (aad) d.setAAD(aad);
          return Buffer.concat([d.update(input.subarray(0, input.length - tagBytes)), d.final()]);
        });
      }
      return run(() => {
        const c = nc.createCipheriv(mode, k.key, iv, { authTagLength: tagBytes });
        if (aad) c.setAAD(aad);
        return Buffer.concat([c.update(input), c.final(), c.getAuthTag()]);
      });
    }
    if (name === "AES-KW") {
      // Reached only from wrapKey/unwrapKey: AES-KW has no encrypt/decrypt operation.
      if (input.length % 8 !== 0 || input.length < (decrypting ? 24 : 16))
        fail("OperationError", "AES-KW data must be a multiple of 8 bytes");
      return run(() => {
        const c = decrypting
          ? nc.createDecipheriv(`id-aes${bits}-wrap`, k.key, KW_IV)
          : nc.createCipheriv(`id-aes${bits}-wrap`, k.key, KW_IV);
        return Buffer.concat([c.update(input), c.final()]);
      });
    }
    return fail("NotSupportedError", `${name} cannot encrypt`);
  }

  // ---- derive bits -------------------------------------------------------------------------------

  function deriveBits(alg: Params, k: StoredKey, length: number | null, data: readonly unknown[]): Buffer {
    const name = k.algorithm.name;
    if (name === "PBKDF2" || name === "HKDF") {
      if (length === null || length % 8 !== 0) fail("OperationError", "length must be a multiple of 8");
      const len = (length as number) / 8;
      const hash = nodeHash(hashOf(alg));
      const salt = bytes(alg, "salt", data);
      if (name === "PBKDF2") {
        const iterations = num(alg, "iterations");
        if (iterations === 0) fail("OperationError", "iterations must not be zero");
        if (iterations > MAX_PBKDF2_ITERATIONS)
          fail("NotSupportedError", `iteration counts above ${MAX_PBKDF2_ITERATIONS} are not supported`);
        if (len === 0) return Buffer.alloc(0);
        const blocks = Math.ceil(len / (HASHES[hashOf(alg)] as { bytes: number }).bytes);
        if (iterations * blocks > MAX_PBKDF2_WORK) fail("NotSupportedError", "the PBKDF2 output is too long");
        return nc.pbkdf2Sync(k.key.export(), salt, iterations, len, hash);
      }
      if (len === 0) return Buffer.alloc(0);
      const info = bytes(alg, "info", data);
      if (len > 255 * (HASHES[hashOf(alg)] as { bytes: number }).bytes) fail("OperationError", "length is too long");
      return Buffer.from(nc.hkdfSync(hash, k.key, salt, info, len));
    }
    if (name === "ECDH" || name === "X25519") {
      requireType(k, "private");
      const pub = entry(alg, "public");
      if (pub.type !== "public") fail("InvalidAccessError", "the public member must be a public key");
      if (pub.algorithm.name !== name) fail("InvalidAccessError", "the public key is for another algorithm");
      if (pub.algorithm.namedCurve !== k.algorithm.namedCurve)
        fail("InvalidAccessError", "the public key is on another curve");
      let secret: Buffer;
      try {
        secret = nc.diffieHellman({ privateKey: k.key, publicKey: pub.key });
      } catch (err) {
        return fail("OperationError", (err as Error).message);
      }
      if (name === "X25519" && secret.every((b) => b === 0)) fail("OperationError", "the shared secret is zero");
      if (length === null) return secret;
      if (length > secret.length * 8) fail("OperationError", "length is longer than the shared secret");
      const out = Buffer.from(secret.subarray(0, Math.ceil(length / 8)));
      if (length % 8) out[out.length - 1] = (out[out.length - 1] as number) & (0xff << (8 - (length % 8)));
      return out;
    }
    return fail("NotSupportedError", `${name} cannot derive bits`);
  }

  /** https://w3c.github.io/webcrypto/#dfn-get-key-length — for deriveKey's derivedKeyType. */
  function keyLength(alg: Params): number | null {
    const name = str(alg, "name");
    if (AES.has(name)) {
      const length = num(alg, "length");
      if (length !== 128 && length !== 192 && length !== 256)
        fail("OperationError", "AES key length must be 128, 192 or 256");
      return length;
    }
    if (name === "HMAC") {
      const length = optNum(alg, "length");
      if (length === undefined) return (HASHES[hashOf(alg)] as { block: number }).block;
      if (length === 0) throw new TypeError("HMAC length must not be zero");
      return length;
    }
    if (KDF.has(name)) return null;
    return fail("NotSupportedError", `${name} keys cannot be derived`);
  }

  function finish(result: StoredKey | [StoredKey, StoredKey], importId?: string): string {
    if (Array.isArray(result)) {
      const [pub, priv] = result;
      if (priv.usages.length === 0) fail("SyntaxError", "the key pair would have no private usages");
      return JSON.stringify({ publicKey: store(pub), privateKey: store(priv) });
    }
    if (result.type !== "public" && result.usages.length === 0) fail("SyntaxError", "usages must not be empty");
    return JSON.stringify(store(result, importId));
  }

  function format(p: Params): Format {
    const f = str(p, "format");
    if (f !== "raw" && f !== "spki" && f !== "pkcs8" && f !== "jwk") throw new TypeError(`unknown key format ${f}`);
    return f;
  }

  function dispatch(op: string, raw: string, data: readonly unknown[]): ArrayBuffer | string | boolean | undefined {
    switch (op) {
      case "random": {
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 0 || n > 65536) throw new TypeError("random: bad length");
        return toArrayBuffer(nc.randomBytes(n));
      }
      case "digest":
        return toArrayBuffer(nc.hash(nodeHash(raw), asBuffer(data[0]), "buffer"));
      case "release":
        for (const h of raw.split(",")) release(Number(h));
        return undefined;
    }
    const p = JSON.parse(raw) as Params;
    const alg = () => obj(p, "algorithm");
    switch (op) {
      case "generateKey":
        return finish(generateKey(alg(), member(p, "extractable") === true, usagesOf(p), data));
      case "importKey": {
        const id = importId(raw, data);
        const known = imported.get(id);
        const shared = known === undefined ? undefined : table.get(known);
        if (shared && known !== undefined) {
          shared.refs++;
          return JSON.stringify(info(known, shared));
        }
        const f = format(p);
        const keyData = f === "jwk" ? toJsonWebKey(member(p, "jwk")) : asBuffer(data[0]);
        return finish(importKey(f, keyData, alg(), member(p, "extractable") === true, usagesOf(p)), id);
      }
      case "exportKey": {
        const out = exportKey(format(p), entry(p, "key"));
        return Buffer.isBuffer(out) ? toArrayBuffer(out) : JSON.stringify(out);
      }
      case "sign":
      case "verify": {
        const a = alg();
        const k = usable(entry(p, "key"), str(a, "name"), op as Usage);
        const r = signOrVerify(a, k, asBuffer(data[0]), op === "verify" ? asBuffer(data[1]) : undefined);
        return typeof r === "boolean" ? r : toArrayBuffer(r);
      }
      case "encrypt":
      case "decrypt": {
        const a = alg();
        const k = usable(entry(p, "key"), str(a, "name"), op as Usage);
        return toArrayBuffer(cipher(a, k, asBuffer(data[0]), op === "decrypt", data));
      }
      case "deriveBits": {
        const a = alg();
        const k = usable(entry(p, "key"), str(a, "name"), "deriveBits");
        return toArrayBuffer(deriveBits(a, k, optNum(p, "length") ?? null, data));
      }
      case "deriveKey": {
        const a = alg();
        const k = usable(entry(p, "key"), str(a, "name"), "deriveKey");
        const length = keyLength(obj(p, "lengthAlgorithm"));
        const secret = deriveBits(a, k, length, data);
        const extractable = member(p, "extractable") === true;
        return finish(importKey("raw", secret, obj(p, "importAlgorithm"), extractable, usagesOf(p)));
      }
      case "wrapKey": {
        const a = alg();
        const wrapping = usable(entry(p, "wrappingKey"), str(a, "name"), "wrapKey");
        const exported = exportKey(format(p), entry(p, "key"));
        const plain = Buffer.isBuffer(exported) ? exported : Buffer.from(JSON.stringify(exported));
        return toArrayBuffer(cipher(a, wrapping, plain, false, data));
      }
      case "unwrapKey": {
        const a = alg();
        const unwrapping = usable(entry(p, "unwrappingKey"), str(a, "name"), "unwrapKey");
        const plain = cipher(a, unwrapping, asBuffer(data[0]), true, data);
        const f = format(p);
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
      return table.size;
    },
    get bytes() {
      return table.size * BYTES_PER_KEY;
    },
    clear() {
      table.clear();
      imported.clear();
    },
  };
}

/** Identifies an importKey call by everything it was given: the same call gives the same key. */
function importId(params: string, data: readonly unknown[]): string {
  const h = nc.createHash("sha256").update(params);
  for (const d of data) {
    const b = asBuffer(d);
    h.update(`\0${b.length}\0`).update(b);
  }
  return h.digest("base64");
}

/**
 * AES-CTR where only the low `length` bits of the counter block count (SP 800-38A B.2): node's
 * aes-ctr carries into the whole 128-bit block, so a message that wraps the counter is split there.
 */
function aesCtr(key: nc.KeyObject, bits: number, counter: Buffer, length: number, input: Buffer): Buffer {
  const blocks = BigInt(Math.ceil(input.length / 16));
  const mask = (1n << BigInt(length)) - 1n;
  const start = BigInt(`0x${counter.toString("hex")}`);
  const low = start & mask;
  if (blocks > mask + 1n) fail("OperationError", "the counter would repeat");
  const run = (block: bigint, part: Buffer) => {
    const iv = Buffer.from(block.toString(16).padStart(32, "0"), "hex");
    const c = nc.createCipheriv(`aes-${bits}-ctr`, key, iv);
    return Buffer.concat([c.update(part), c.final()]);
  };
  const before = mask + 1n - low; // blocks until the counter wraps
  if (blocks <= before) return run(start, input);
  const split = Number(before) * 16;
  return Buffer.concat([run(start, input.subarray(0, split)), run(start & ~mask, input.subarray(split))]);
}
