/** https://w3c.github.io/webcrypto/#pbkdf2 and https://w3c.github.io/webcrypto/#hkdf */
import * as nc from "node:crypto";
import { fail } from "./crypto-error.js";
import { HASHES, hashOf, nodeHash } from "./digest.js";
import { ALLOWED, checkUsages, type Format, type Params, type StoredKey, secretKey, type Usage } from "./key.js";
import { MAX_PBKDF2_ITERATIONS, MAX_PBKDF2_WORK } from "./limits.js";
import { bytes, num } from "./params.js";

/** A KDF key is only ever raw secret input: never extractable. */
export function importKdfKey(
  name: string,
  format: Format,
  keyData: Buffer,
  extractable: boolean,
  usages: Usage[],
): StoredKey {
  if (format !== "raw") fail("NotSupportedError", `${name} keys can only be imported raw`);
  checkUsages(usages, ALLOWED[name]?.secret as Usage[]);
  if (extractable) fail("SyntaxError", `${name} keys cannot be extractable`);
  return secretKey(keyData, extractable, usages, { name });
}

export function deriveKdfBits(
  name: string,
  alg: Params,
  k: StoredKey,
  length: number | null,
  data: readonly unknown[],
): Buffer {
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
