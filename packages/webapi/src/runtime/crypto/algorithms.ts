/**
 * https://w3c.github.io/webcrypto/#algorithm-normalization — the registered algorithms per operation
 * and "normalize an algorithm": the name matched ASCII case-insensitively (NotSupportedError if it
 * is not registered for the operation), then the object converted to that algorithm's params
 * dictionary (TypeErrors per WebIDL; BufferSource members copied, hashes normalized as digests).
 */
import { type CryptoKey, isCryptoKey } from "./crypto-key.js";
import { bufferSourceCopy, domException, toDOMString, typedArrayName } from "./util.js";

export type Operation =
  | "digest"
  | "sign"
  | "verify"
  | "encrypt"
  | "decrypt"
  | "generateKey"
  | "importKey"
  | "deriveBits"
  | "get key length"
  | "wrapKey"
  | "unwrapKey";

/** A normalized algorithm: `name` as registered, members converted (bytes as ArrayBuffer copies). */
export interface Normalized {
  name: string;
  [member: string]: unknown;
}

type MemberType =
  | "BufferSource"
  | "BigInteger"
  | "HashAlgorithmIdentifier"
  | "DOMString"
  | "CryptoKey"
  | "octet"
  | "unsigned short"
  | "unsigned long";

/** Members in WebIDL's conversion order (inherited dictionaries first, then lexicographic). */
type Dictionary = readonly (readonly [name: string, type: MemberType, required: boolean])[];

const HASH = ["hash", "HashAlgorithmIdentifier", true] as const;

const DICTIONARIES: Readonly<Record<string, Dictionary>> = {
  AesCbcParams: [["iv", "BufferSource", true]],
  AesCtrParams: [
    ["counter", "BufferSource", true],
    ["length", "octet", true],
  ],
  AesGcmParams: [
    ["additionalData", "BufferSource", false],
    ["iv", "BufferSource", true],
    ["tagLength", "octet", false],
  ],
  AesKeyGenParams: [["length", "unsigned short", true]],
  AesDerivedKeyParams: [["length", "unsigned short", true]],
  HmacKeyGenParams: [HASH, ["length", "unsigned long", false]],
  HmacImportParams: [HASH, ["length", "unsigned long", false]],
  RsaHashedKeyGenParams: [["modulusLength", "unsigned long", true], ["publicExponent", "BigInteger", true], HASH],
  RsaHashedImportParams: [HASH],
  RsaPssParams: [["saltLength", "unsigned long", true]],
  RsaOaepParams: [["label", "BufferSource", false]],
  EcdsaParams: [HASH],
  EcKeyGenParams: [["namedCurve", "DOMString", true]],
  EcKeyImportParams: [["namedCurve", "DOMString", true]],
  EcdhKeyDeriveParams: [["public", "CryptoKey", true]],
  HkdfParams: [HASH, ["info", "BufferSource", true], ["salt", "BufferSource", true]],
  Pbkdf2Params: [HASH, ["iterations", "unsigned long", true], ["salt", "BufferSource", true]],
};

const RSA_GEN = "RsaHashedKeyGenParams";
const RSA_IMPORT = "RsaHashedImportParams";

/** https://w3c.github.io/webcrypto/#algorithm-overview — algorithm name → params dictionary (null: none). */
const REGISTERED: Readonly<Record<Operation, Readonly<Record<string, string | null>>>> = {
  digest: { "SHA-1": null, "SHA-256": null, "SHA-384": null, "SHA-512": null },
  sign: { "RSASSA-PKCS1-v1_5": null, "RSA-PSS": "RsaPssParams", ECDSA: "EcdsaParams", Ed25519: null, HMAC: null },
  verify: { "RSASSA-PKCS1-v1_5": null, "RSA-PSS": "RsaPssParams", ECDSA: "EcdsaParams", Ed25519: null, HMAC: null },
  encrypt: {
    "RSA-OAEP": "RsaOaepParams",
    "AES-CTR": "AesCtrParams",
    "AES-CBC": "AesCbcParams",
    "AES-GCM": "AesGcmParams",
  },
  decrypt: {
    "RSA-OAEP": "RsaOaepParams",
    "AES-CTR": "AesCtrParams",
    "AES-CBC": "AesCbcParams",
    "AES-GCM": "AesGcmParams",
  },
  generateKey: {
    "RSASSA-PKCS1-v1_5": RSA_GEN,
    "RSA-PSS": RSA_GEN,
    "RSA-OAEP": RSA_GEN,
    ECDSA: "EcKeyGenParams",
    ECDH: "EcKeyGenParams",
    Ed25519: null,
    X25519: null,
    "AES-CTR": "AesKeyGenParams",
    "AES-CBC": "AesKeyGenParams",
    "AES-GCM": "AesKeyGenParams",
    "AES-KW": "AesKeyGenParams",
    HMAC: "HmacKeyGenParams",
  },
  importKey: {
    "RSASSA-PKCS1-v1_5": RSA_IMPORT,
    "RSA-PSS": RSA_IMPORT,
    "RSA-OAEP": RSA_IMPORT,
    ECDSA: "EcKeyImportParams",
    ECDH: "EcKeyImportParams",
    Ed25519: null,
    X25519: null,
    "AES-CTR": null,
    "AES-CBC": null,
    "AES-GCM": null,
    "AES-KW": null,
    HMAC: "HmacImportParams",
    HKDF: null,
    PBKDF2: null,
  },
  deriveBits: {
    ECDH: "EcdhKeyDeriveParams",
    X25519: "EcdhKeyDeriveParams",
    HKDF: "HkdfParams",
    PBKDF2: "Pbkdf2Params",
  },
  "get key length": {
    "AES-CTR": "AesDerivedKeyParams",
    "AES-CBC": "AesDerivedKeyParams",
    "AES-GCM": "AesDerivedKeyParams",
    "AES-KW": "AesDerivedKeyParams",
    HMAC: "HmacImportParams",
    HKDF: null,
    PBKDF2: null,
  },
  wrapKey: { "AES-KW": null },
  unwrapKey: { "AES-KW": null },
};

/** ASCII lowercase only: "ſha-256" must not match "SHA-256" the way toUpperCase would make it. */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/** Per operation: lowercased name → [registered name, dictionary]. Built at load (pure JS, snapshot-safe). */
const LOOKUP = Object.fromEntries(
  Object.entries(REGISTERED).map(([op, algs]) => [
    op,
    new Map(Object.entries(algs).map(([name, dict]) => [asciiLower(name), [name, dict] as const])),
  ]),
) as Record<Operation, Map<string, readonly [string, string | null]>>;

const RANGES: Readonly<Record<string, number>> = { octet: 0xff, "unsigned short": 0xffff, "unsigned long": 0xffffffff };

/** https://webidl.spec.whatwg.org/#EnforceRange */
function enforceRange(value: unknown, type: string, what: string): number {
  if (typeof value === "bigint" || typeof value === "symbol") throw new TypeError(`${what} is not a number`);
  const n = Math.trunc(Number(value));
  if (!Number.isFinite(n) || n < 0 || n > (RANGES[type] as number))
    throw new TypeError(`${what} is outside the range of ${type}`);
  return n + 0; // -0 → 0
}

function convertMember(value: unknown, type: MemberType, what: string): unknown {
  switch (type) {
    case "BufferSource":
      return bufferSourceCopy(value, what);
    case "BigInteger":
      if (typedArrayName(value) !== "Uint8Array") throw new TypeError(`${what} must be a Uint8Array`);
      return bufferSourceCopy(value, what);
    case "HashAlgorithmIdentifier":
      return normalizeAlgorithm(value, "digest");
    case "DOMString":
      return toDOMString(value);
    case "CryptoKey":
      if (!isCryptoKey(value)) throw new TypeError(`${what} must be a CryptoKey`);
      return value satisfies CryptoKey;
    default:
      return enforceRange(value, type, what);
  }
}

/** https://w3c.github.io/webcrypto/#dfn-normalize-an-algorithm */
export function normalizeAlgorithm(algorithm: unknown, op: Operation): Normalized {
  // AlgorithmIdentifier = (object or DOMString): anything but an object becomes a string.
  const isObject = (typeof algorithm === "object" && algorithm !== null) || typeof algorithm === "function";
  const source = (isObject ? algorithm : { name: toDOMString(algorithm) }) as Record<string, unknown>;
  const rawName = source.name;
  if (rawName === undefined) throw new TypeError("Algorithm: name is required");
  const found = LOOKUP[op].get(asciiLower(toDOMString(rawName)));
  if (!found) throw domException(`Unrecognized algorithm name for ${op}`, "NotSupportedError");
  const [name, dictName] = found;
  const out: Normalized = { name };
  if (dictName === null) return out;
  if (isObject) toDOMString(source.name); // the params dictionary converts `name` again (getters run twice)
  for (const [member, type, required] of DICTIONARIES[dictName] as Dictionary) {
    const value = source[member];
    if (value === undefined) {
      if (required) throw new TypeError(`${dictName}: ${member} is required`);
      continue;
    }
    out[member] = convertMember(value, type, `${dictName}.${member}`);
  }
  return out;
}
