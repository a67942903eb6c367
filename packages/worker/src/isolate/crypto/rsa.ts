/**
 * https://w3c.github.io/webcrypto/ — RSASSA-PKCS1-v1_5, RSA-PSS and RSA-OAEP: key generation and
 * OAEP; signing shares node's sign/verify with ECDSA and Ed25519 (operations.ts).
 */
import * as nc from "node:crypto";
import { fail, runCipher } from "./crypto-error.js";
import { hashOf, nodeHash } from "./digest.js";
import { type KeyAlgorithm, type Params, requireType, type StoredKey } from "./key.js";
import { MAX_RSA_GENERATE_BITS } from "./limits.js";
import { bytes, num, optBytes } from "./params.js";

/** A big-endian byte list, as KeyAlgorithm's publicExponent. */
export function bigEndian(n: bigint): number[] {
  const out: number[] = [];
  for (let v = n; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn));
  return out;
}

export function generateRsaPair(
  name: string,
  alg: Params,
  data: readonly unknown[],
): { pair: nc.KeyPairKeyObjectResult; algorithm: KeyAlgorithm } {
  const hash = hashOf(alg);
  const modulusLength = num(alg, "modulusLength");
  const e = bytes(alg, "publicExponent", data);
  const exponent = e.length === 0 || e.length > 4 ? 0 : e.readUIntBE(0, e.length);
  if (exponent < 3 || exponent % 2 === 0) fail("OperationError", "the public exponent is invalid");
  if (modulusLength < 512 || modulusLength > MAX_RSA_GENERATE_BITS || modulusLength % 8)
    fail("OperationError", `modulusLength must be a multiple of 8 from 512 to ${MAX_RSA_GENERATE_BITS}`);
  let pair: nc.KeyPairKeyObjectResult;
  try {
    pair = nc.generateKeyPairSync("rsa", { modulusLength, publicExponent: exponent });
  } catch (err) {
    return fail("OperationError", (err as Error).message);
  }
  return {
    pair,
    algorithm: { name, modulusLength, publicExponent: bigEndian(BigInt(exponent)), hash: { name: hash } },
  };
}

/** RSA-OAEP encrypts with the public key and decrypts with the private one. */
export function rsaOaep(
  alg: Params,
  k: StoredKey,
  input: Buffer,
  decrypting: boolean,
  data: readonly unknown[],
): Buffer {
  requireType(k, decrypting ? "private" : "public");
  const label = optBytes(alg, "label", data);
  const opts: nc.RsaPublicKey | nc.RsaPrivateKey = {
    key: k.key,
    padding: nc.constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: nodeHash(hashOf(k.algorithm)),
    ...(label && label.length > 0 ? { oaepLabel: label } : {}),
  };
  return runCipher(() => (decrypting ? nc.privateDecrypt(opts, input) : nc.publicEncrypt(opts, input)));
}
