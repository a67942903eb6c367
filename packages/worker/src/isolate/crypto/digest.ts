/** https://w3c.github.io/webcrypto/#sha — the SHA family, for digest and for every algorithm's `hash`. */
import * as nc from "node:crypto";
import { fail } from "./crypto-error.js";
import type { KeyAlgorithm, Params } from "./key.js";
import { asBuffer } from "./params.js";

/** WebCrypto names → node:crypto names, block sizes (bits) and output sizes (bytes). */
export const HASHES: Readonly<Record<string, { node: string; block: number; bytes: number }>> = {
  "SHA-1": { node: "sha1", block: 512, bytes: 20 },
  "SHA-256": { node: "sha256", block: 512, bytes: 32 },
  "SHA-384": { node: "sha384", block: 1024, bytes: 48 },
  "SHA-512": { node: "sha512", block: 1024, bytes: 64 },
};

/** The WebCrypto name of an algorithm's `hash` member. */
export function hashOf(alg: Params | KeyAlgorithm): string {
  const h = (alg as Params).hash;
  const name = typeof h === "object" && h !== null ? (h as Params).name : undefined;
  if (typeof name !== "string" || !Object.hasOwn(HASHES, name)) fail("NotSupportedError", "unsupported hash");
  return name as string;
}

export function nodeHash(name: string): string {
  return (HASHES[name] ?? fail("NotSupportedError", `unsupported hash ${name}`)).node;
}

export function digest(name: string, data: unknown): Buffer {
  return nc.hash(nodeHash(name), asBuffer(data), "buffer");
}
