// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://w3c.github.io/webcrypto/#algorithm-normalization — the registered algorithms per operation
 * and "normalize an algorithm": the name matched ASCII case-insensitively (NotSupportedError if it
 * is not registered for the operation), then the object converted to that algorithm's params
 * dictionary (TypeErrors per WebIDL; BufferSource members copied, hashes normalized as digests).
 */
import {
  MathTrunc,
  Number as NumberCtor,
  NumberIsFinite,
  nullProto,
  ObjectKeys,
  regExpReplaceAll,
  SafeMap,
  StringFromCharCode,
  StringPrototypeCharCodeAt,
  TypeError,
} from "../primordials.js";
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

const ASCII_UPPER = /[A-Z]/g;
/** ASCII lowercase only: "ſha-256" must not match "SHA-256" the way toUpperCase would make it. */
const asciiLower = (s: string) =>
  regExpReplaceAll(ASCII_UPPER, s, (c) => StringFromCharCode(StringPrototypeCharCodeAt(c, 0) + 32));

/** Per operation: lowercased name → [registered name, dictionary]. Built at load (pure JS, snapshot-safe). */
const LOOKUP = {} as Record<Operation, SafeMap<string, readonly [string, string | null]>>;
{
  const ops = ObjectKeys(REGISTERED) as Operation[];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as Operation;
    const algs = REGISTERED[op];
    const map = new SafeMap<string, readonly [string, string | null]>();
    const names = ObjectKeys(algs);
    for (let j = 0; j < names.length; j++) {
      const name = names[j] as string;
      map.set(asciiLower(name), [name, algs[name] as string | null]);
    }
    LOOKUP[op] = map;
  }
}

const RANGES: Readonly<Record<string, number>> = { octet: 0xff, "unsigned short": 0xffff, "unsigned long": 0xffffffff };

/** https://webidl.spec.whatwg.org/#EnforceRange */
function enforceRange(value: unknown, type: string, what: string): number {
  if (typeof value === "bigint" || typeof value === "symbol") throw new TypeError(`${what} is not a number`);
  const n = MathTrunc(NumberCtor(value));
  if (!NumberIsFinite(n) || n < 0 || n > (RANGES[type] as number))
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
  const name = found[0];
  const dictName = found[1];
  // Null prototype: members are set below, and a setter an app put on Object.prototype must not see them.
  const out = nullProto({ name }) as Normalized;
  if (dictName === null) return out;
  if (isObject) toDOMString(source.name); // the params dictionary converts `name` again (getters run twice)
  const members = DICTIONARIES[dictName] as Dictionary;
  for (let i = 0; i < members.length; i++) {
    const entry = members[i] as Dictionary[number];
    const member = entry[0];
    const type = entry[1];
    const required = entry[2];
    const value = source[member];
    if (value === undefined) {
      if (required) throw new TypeError(`${dictName}: ${member} is required`);
      continue;
    }
    out[member] = convertMember(value, type, `${dictName}.${member}`);
  }
  return out;
}
