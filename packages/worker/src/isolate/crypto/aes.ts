/** https://w3c.github.io/webcrypto/ — AES-CTR, AES-CBC, AES-GCM and AES-KW. */
import * as nc from "node:crypto";
import { fail, runCipher } from "./crypto-error.js";
import { b64u, checkJwkCommon, JWK_AES_SUFFIX } from "./jwk.js";
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
import { bytes, num, optBytes, optNum } from "./params.js";

const GCM_TAG_BITS = new Set([32, 64, 96, 104, 112, 120, 128]);
/** RFC 3394's default initial value. */
const KW_IV = Buffer.from("A6A6A6A6A6A6A6A6", "hex");

/** The `length` member of an AES algorithm, for generateKey and for deriveKey's key length. */
export function aesLength(alg: Params): number {
  const length = num(alg, "length");
  if (length !== 128 && length !== 192 && length !== 256)
    fail("OperationError", "AES key length must be 128, 192 or 256");
  return length;
}

/** generateKey's algorithm for a new key: its `length` is the random bits to draw. */
export function generateAesAlgorithm(name: string, alg: Params): KeyAlgorithm {
  return { name, length: aesLength(alg) };
}

export function importAesKey(
  name: string,
  format: Format,
  keyData: Buffer | Jwk,
  extractable: boolean,
  usages: Usage[],
): StoredKey {
  checkUsages(usages, ALLOWED[name]?.secret as Usage[]);
  let raw: Buffer;
  if (format === "raw") raw = keyData as Buffer;
  else if (format === "jwk") {
    const jwk = keyData as Jwk;
    if (jwk.kty !== "oct") fail("DataError", 'JWK kty must be "oct"');
    if (jwk.k === undefined) fail("DataError", "JWK k is missing");
    raw = b64u(jwk, "k");
    const expected = `A${raw.length * 8}${JWK_AES_SUFFIX[name]}`;
    if (![16, 24, 32].includes(raw.length)) fail("DataError", "AES key data must be 128, 192 or 256 bits");
    if (jwk.alg !== undefined && jwk.alg !== expected) fail("DataError", `JWK alg must be ${expected}`);
    checkJwkCommon(jwk, usages, extractable, "enc");
  } else return fail("NotSupportedError", `AES keys cannot be imported as ${format}`);
  if (![16, 24, 32].includes(raw.length)) fail("DataError", "AES key data must be 128, 192 or 256 bits");
  return secretKey(raw, extractable, usages, { name, length: raw.length * 8 });
}

/** Encrypt or decrypt in the key's mode; AES-KW is reached only from wrapKey/unwrapKey. */
export function aesCipher(
  alg: Params,
  k: StoredKey,
  input: Buffer,
  decrypting: boolean,
  data: readonly unknown[],
): Buffer {
  const name = k.algorithm.name;
  const bits = k.algorithm.length as number;
  if (name === "AES-CBC") {
    const iv = bytes(alg, "iv", data);
    if (iv.length !== 16) fail("OperationError", "AES-CBC iv must be 16 bytes");
    return runCipher(() => {
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
      return runCipher(() => {
        const d = nc.createDecipheriv(mode, k.key, iv, { authTagLength: tagBytes });
        d.setAuthTag(input.subarray(input.length - tagBytes));
        if (aad) d.setAAD(aad);
        return Buffer.concat([d.update(input.subarray(0, input.length - tagBytes)), d.final()]);
      });
    }
    return runCipher(() => {
      const c = nc.createCipheriv(mode, k.key, iv, { authTagLength: tagBytes });
      if (aad) c.setAAD(aad);
      return Buffer.concat([c.update(input), c.final(), c.getAuthTag()]);
    });
  }
  if (name === "AES-KW") {
    if (input.length % 8 !== 0 || input.length < (decrypting ? 24 : 16))
      fail("OperationError", "AES-KW data must be a multiple of 8 bytes");
    return runCipher(() => {
      const c = decrypting
        ? nc.createDecipheriv(`id-aes${bits}-wrap`, k.key, KW_IV)
        : nc.createCipheriv(`id-aes${bits}-wrap`, k.key, KW_IV);
      return Buffer.concat([c.update(input), c.final()]);
    });
  }
  return fail("NotSupportedError", `${name} cannot encrypt`);
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
