/**
 * importKey and exportKey across the raw, spki, pkcs8 and jwk formats. Secret-key imports are their
 * algorithm's (hmac.ts, aes.ts, kdf.ts); the asymmetric ones share node's parsers, so they are here.
 */
import * as nc from "node:crypto";
import { importAesKey } from "./aes.js";
import { fail } from "./crypto-error.js";
import { hashOf } from "./digest.js";
import { CURVE_BY_NODE, CURVES, POINT_BYTES } from "./ec.js";
import { importHmacKey } from "./hmac.js";
import { checkJwkCommon, JWK_AES_SUFFIX, JWK_EC_ALG, JWK_HASH_ALG } from "./jwk.js";
import { importKdfKey } from "./kdf.js";
import {
  AES,
  ALLOWED,
  checkUsages,
  EC,
  type Format,
  type Jwk,
  KDF,
  type KeyAlgorithm,
  type KeyType,
  OKP,
  type Params,
  RSA,
  requireType,
  type StoredKey,
  type Usage,
} from "./key.js";
import { asBuffer, str } from "./params.js";
import { bigEndian } from "./rsa.js";

export function importKey(
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

  if (name === "HMAC") return importHmacKey(format, keyData, alg, extractable, usages);
  if (AES.has(name)) return importAesKey(name, format, keyData, extractable, usages);
  if (KDF.has(name)) return importKdfKey(name, format, asBytes(), extractable, usages);

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

export function exportKey(format: Format, k: StoredKey): Buffer | Jwk {
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
