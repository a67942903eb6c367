/** https://w3c.github.io/webcrypto/#hmac */
import * as nc from "node:crypto";
import { fail } from "./crypto-error.js";
import { HASHES, hashOf, nodeHash } from "./digest.js";
import { b64u, checkJwkCommon, JWK_HASH_ALG } from "./jwk.js";
import {
  ALLOWED,
  checkUsages,
  type Format,
  type Jwk,
  type KeyAlgorithm,
  type Params,
  type StoredKey,
  secretKey,
  type Usage,
} from "./key.js";
import { MAX_HMAC_GENERATE_BITS } from "./limits.js";
import { optNum } from "./params.js";

/** generateKey's algorithm for a new key: its `length` is the random bits to draw. */
export function generateHmacAlgorithm(alg: Params): KeyAlgorithm {
  const hash = hashOf(alg);
  const requested = optNum(alg, "length");
  const length = requested ?? (HASHES[hash] as { block: number }).block;
  if (length === 0) fail("OperationError", "HMAC key length must not be zero");
  if (length > MAX_HMAC_GENERATE_BITS) fail("OperationError", `HMAC key length above ${MAX_HMAC_GENERATE_BITS}`);
  return { name: "HMAC", hash: { name: hash }, length };
}

export function importHmacKey(
  format: Format,
  keyData: Buffer | Jwk,
  alg: Params,
  extractable: boolean,
  usages: Usage[],
): StoredKey {
  checkUsages(usages, ALLOWED.HMAC?.secret as Usage[]);
  const hash = hashOf(alg);
  let raw: Buffer;
  if (format === "raw") raw = keyData as Buffer;
  else if (format === "jwk") {
    const jwk = keyData as Jwk;
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
  return secretKey(raw, extractable, usages, { name: "HMAC", length, hash: { name: hash } });
}

/** The MAC, or (given a signature) whether it matches, compared in constant time. */
export function hmacSign(k: StoredKey, data: Buffer, signature?: Buffer): Buffer | boolean {
  const mac = nc
    .createHmac(nodeHash(hashOf(k.algorithm)), k.key)
    .update(data)
    .digest();
  if (signature === undefined) return mac;
  return mac.length === signature.length && nc.timingSafeEqual(mac, signature);
}

/** https://w3c.github.io/webcrypto/#hmac-operations-get-key-length */
export function hmacKeyLength(alg: Params): number {
  const length = optNum(alg, "length");
  if (length === undefined) return (HASHES[hashOf(alg)] as { block: number }).block;
  if (length === 0) throw new TypeError("HMAC length must not be zero");
  return length;
}
