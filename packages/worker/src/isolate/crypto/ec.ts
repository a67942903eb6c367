/**
 * https://w3c.github.io/webcrypto/ — ECDSA and ECDH on the NIST curves, Ed25519 and X25519: curves,
 * key generation and ECDH/X25519 key agreement. Signing shares node's sign/verify (operations.ts).
 */
import * as nc from "node:crypto";
import { fail } from "./crypto-error.js";
import { EC, type KeyAlgorithm, type Params, requireType, type StoredKey } from "./key.js";
import type { KeyTable } from "./key-table.js";
import { str } from "./params.js";

export const CURVES: Readonly<Record<string, string>> = {
  "P-256": "prime256v1",
  "P-384": "secp384r1",
  "P-521": "secp521r1",
};
export const CURVE_BY_NODE: Readonly<Record<string, string>> = {
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521",
};
/** Bytes in one coordinate (and in each half of an ECDSA signature). */
export const POINT_BYTES: Readonly<Record<string, number>> = { "P-256": 32, "P-384": 48, "P-521": 66 };

/** A key pair for ECDSA, ECDH, Ed25519 or X25519. */
export function generateEcPair(
  name: string,
  alg: Params,
): { pair: nc.KeyPairKeyObjectResult; algorithm: KeyAlgorithm } {
  if (EC.has(name)) {
    const namedCurve = str(alg, "namedCurve");
    const curve = CURVES[namedCurve] ?? fail("NotSupportedError", `unsupported curve ${namedCurve}`);
    return { pair: nc.generateKeyPairSync("ec", { namedCurve: curve }), algorithm: { name, namedCurve } };
  }
  if (name === "Ed25519") return { pair: nc.generateKeyPairSync("ed25519"), algorithm: { name } };
  if (name === "X25519") return { pair: nc.generateKeyPairSync("x25519"), algorithm: { name } };
  return fail("NotSupportedError", `cannot generate ${name} keys`);
}

/** ECDH or X25519: the shared secret with the params' `public` key, cut to `length` bits if given. */
export function deriveSharedBits(
  name: string,
  alg: Params,
  k: StoredKey,
  length: number | null,
  keys: KeyTable,
): Buffer {
  requireType(k, "private");
  const pub = keys.entry(alg, "public");
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
