/** A key as the host holds it, the usages each algorithm allows, and the checks made before using one. */
import * as nc from "node:crypto";
import { KEY_USAGES, type KeyUsage } from "@nano/webapi";
import { fail } from "./crypto-error.js";

export type KeyType = "secret" | "public" | "private";
export type Usage = KeyUsage;
export type Format = "raw" | "spki" | "pkcs8" | "jwk";
export type Jwk = Record<string, unknown>;
export type Params = Record<string, unknown>;

export const USAGES: readonly Usage[] = KEY_USAGES;

/** https://w3c.github.io/webcrypto/#dfn-KeyAlgorithm and its subtypes, as JSON (publicExponent as bytes). */
export interface KeyAlgorithm {
  name: string;
  length?: number;
  hash?: { name: string };
  namedCurve?: string;
  modulusLength?: number;
  publicExponent?: number[];
}

export interface StoredKey {
  key: nc.KeyObject;
  type: KeyType;
  extractable: boolean;
  usages: Usage[];
  algorithm: KeyAlgorithm;
}

export const AES = new Set(["AES-CTR", "AES-CBC", "AES-GCM", "AES-KW"]);
export const RSA = new Set(["RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP"]);
export const EC = new Set(["ECDSA", "ECDH"]);
export const OKP = new Set(["Ed25519", "X25519"]);
export const KDF = new Set(["PBKDF2", "HKDF"]);

/** The usages each algorithm allows on a secret key, or on the public and private halves of a pair. */
export const ALLOWED: Readonly<Record<string, { secret?: Usage[]; public?: Usage[]; private?: Usage[] }>> = {
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

export function checkUsages(usages: Usage[], allowed: readonly Usage[]): void {
  for (const u of usages) if (!allowed.includes(u)) fail("SyntaxError", `usage "${u}" is not allowed for this key`);
}

/** The checks every keyed method makes before its operation (name, then usage). */
export function usable(k: StoredKey, algName: string, usage: Usage): StoredKey {
  if (k.algorithm.name !== algName) fail("InvalidAccessError", `the key is for ${k.algorithm.name}, not ${algName}`);
  if (!k.usages.includes(usage)) fail("InvalidAccessError", `the key does not allow "${usage}"`);
  return k;
}

export const requireType = (k: StoredKey, type: KeyType) => {
  if (k.type !== type) fail("InvalidAccessError", `a ${type} key is required`);
};

/** A secret key as importKey makes it. */
export const secretKey = (raw: Buffer, extractable: boolean, usages: Usage[], algorithm: KeyAlgorithm): StoredKey => ({
  key: nc.createSecretKey(raw),
  type: "secret",
  extractable,
  usages,
  algorithm,
});
