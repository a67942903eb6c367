/** JSON Web Keys (RFC 7517): parsing one from the isolate, the checks every import shares, `alg` names. */
import { fail } from "./crypto-error.js";
import type { Jwk, Usage } from "./key.js";

/** JWK `alg` values by hash (https://www.rfc-editor.org/rfc/rfc7518#section-3.1). */
export const JWK_HASH_ALG: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  HMAC: { "SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512" },
  "RSASSA-PKCS1-v1_5": { "SHA-1": "RS1", "SHA-256": "RS256", "SHA-384": "RS384", "SHA-512": "RS512" },
  "RSA-PSS": { "SHA-1": "PS1", "SHA-256": "PS256", "SHA-384": "PS384", "SHA-512": "PS512" },
  "RSA-OAEP": {
    "SHA-1": "RSA-OAEP",
    "SHA-256": "RSA-OAEP-256",
    "SHA-384": "RSA-OAEP-384",
    "SHA-512": "RSA-OAEP-512",
  },
};
export const JWK_AES_SUFFIX: Readonly<Record<string, string>> = {
  "AES-CTR": "CTR",
  "AES-CBC": "CBC",
  "AES-GCM": "GCM",
  "AES-KW": "KW",
};
export const JWK_EC_ALG: Readonly<Record<string, string>> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

export function b64u(jwk: Jwk, name: string): Buffer {
  const v = jwk[name];
  if (typeof v !== "string" || !/^[A-Za-z0-9_-]*$/.test(v)) return fail("DataError", `JWK member ${name} is invalid`);
  return Buffer.from(v, "base64url");
}

/** https://w3c.github.io/webcrypto/#dfn-JsonWebKey — the dictionary conversion, for JWKs parsed here. */
export function toJsonWebKey(value: unknown): Jwk {
  if (typeof value !== "object" || value === null) return fail("DataError", "the JWK is not an object");
  const src = value as Jwk;
  const out: Jwk = {};
  for (const k of ["kty", "use", "alg", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "k"]) {
    if (src[k] !== undefined) out[k] = String(src[k]);
  }
  if (src.ext !== undefined) out.ext = Boolean(src.ext);
  if (src.key_ops !== undefined) {
    if (!Array.isArray(src.key_ops)) return fail("DataError", "JWK key_ops must be a list");
    out.key_ops = src.key_ops.map(String);
  }
  if (src.oth !== undefined) out.oth = src.oth;
  if (typeof out.kty !== "string") return fail("DataError", "the JWK has no kty");
  return out;
}

/** The checks every JWK import shares: use, key_ops, ext. */
export function checkJwkCommon(jwk: Jwk, usages: Usage[], extractable: boolean, use: "sig" | "enc" | null): void {
  if (use && usages.length > 0 && jwk.use !== undefined && jwk.use !== use)
    fail("DataError", `JWK use must be "${use}"`);
  if (jwk.key_ops !== undefined) {
    const ops = jwk.key_ops as string[];
    if (new Set(ops).size !== ops.length) fail("DataError", "JWK key_ops has duplicates");
    if (!usages.every((u) => ops.includes(u))) fail("DataError", "JWK key_ops does not allow the requested usages");
  }
  if (jwk.ext === false && extractable) fail("DataError", "JWK ext is false but the key was asked extractable");
}
