/**
 * The steps of each SubtleCrypto operation that all its algorithms share, and the choice of algorithm
 * family. The asymmetric signature algorithms share one path through node's sign/verify, so it is here.
 */
import * as nc from "node:crypto";
import { aesCipher, aesLength, generateAesAlgorithm } from "./aes.js";
import { fail } from "./crypto-error.js";
import { hashOf, nodeHash } from "./digest.js";
import { deriveSharedBits, generateEcPair, POINT_BYTES } from "./ec.js";
import { generateHmacAlgorithm, hmacKeyLength, hmacSign } from "./hmac.js";
import { deriveKdfBits } from "./kdf.js";
import {
  AES,
  ALLOWED,
  checkUsages,
  EC,
  KDF,
  type KeyAlgorithm,
  OKP,
  type Params,
  RSA,
  requireType,
  type StoredKey,
  type Usage,
} from "./key.js";
import type { KeyTable } from "./key-table.js";
import { num, str } from "./params.js";
import { generateRsaPair, rsaOaep } from "./rsa.js";

export function generateKey(
  alg: Params,
  extractable: boolean,
  usages: Usage[],
  data: readonly unknown[],
): StoredKey | [StoredKey, StoredKey] {
  const name = str(alg, "name");
  const allowed = ALLOWED[name] ?? fail("NotSupportedError", `cannot generate ${name} keys`);
  if (allowed.secret) {
    checkUsages(usages, allowed.secret);
    let algorithm: KeyAlgorithm;
    if (name === "HMAC") algorithm = generateHmacAlgorithm(alg);
    else if (AES.has(name)) algorithm = generateAesAlgorithm(name, alg);
    else return fail("NotSupportedError", `cannot generate ${name} keys`);
    const length = algorithm.length as number;
    const raw = nc.randomBytes(Math.ceil(length / 8));
    if (length % 8) raw[raw.length - 1] = (raw[raw.length - 1] as number) & (0xff << (8 - (length % 8)));
    return { key: nc.createSecretKey(raw), type: "secret", extractable, usages, algorithm };
  }
  checkUsages(usages, [...(allowed.public ?? []), ...(allowed.private ?? [])]);
  let generated: { pair: nc.KeyPairKeyObjectResult; algorithm: KeyAlgorithm };
  if (RSA.has(name)) generated = generateRsaPair(name, alg, data);
  else if (EC.has(name) || OKP.has(name)) generated = generateEcPair(name, alg);
  else return fail("NotSupportedError", `cannot generate ${name} keys`);
  const { pair, algorithm } = generated;
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

/** sign, or (given a signature) verify. */
export function signOrVerify(alg: Params, k: StoredKey, data: Buffer, signature?: Buffer): Buffer | boolean {
  const name = k.algorithm.name;
  const verifying = signature !== undefined;
  if (name === "HMAC") return hmacSign(k, data, signature);
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

/** encrypt/decrypt, and the cipher step of wrapKey/unwrapKey. */
export function cipher(
  alg: Params,
  k: StoredKey,
  input: Buffer,
  decrypting: boolean,
  data: readonly unknown[],
): Buffer {
  const name = k.algorithm.name;
  if (name === "RSA-OAEP") return rsaOaep(alg, k, input, decrypting, data);
  if (AES.has(name)) return aesCipher(alg, k, input, decrypting, data);
  return fail("NotSupportedError", `${name} cannot encrypt`);
}

/** deriveBits, and the first step of deriveKey; `keys` resolves ECDH's public key. */
export function deriveBits(
  alg: Params,
  k: StoredKey,
  length: number | null,
  data: readonly unknown[],
  keys: KeyTable,
): Buffer {
  const name = k.algorithm.name;
  if (KDF.has(name)) return deriveKdfBits(name, alg, k, length, data);
  if (name === "ECDH" || name === "X25519") return deriveSharedBits(name, alg, k, length, keys);
  return fail("NotSupportedError", `${name} cannot derive bits`);
}

/** https://w3c.github.io/webcrypto/#dfn-get-key-length — for deriveKey's derivedKeyType. */
export function keyLength(alg: Params): number | null {
  const name = str(alg, "name");
  if (AES.has(name)) return aesLength(alg);
  if (name === "HMAC") return hmacKeyLength(alg);
  if (KDF.has(name)) return null;
  return fail("NotSupportedError", `${name} keys cannot be derived`);
}
