/**
 * The secret-sealing key as the configuration gives it (NANO_SECRET_KEY, or a key file made by the
 * operator): required with a PostgreSQL registry, where every node must seal and open with the same
 * key and the database never holds it. Without either, a node keeps its key in <data-dir>/secret.key.
 */
import { readFileSync } from "node:fs";
import { NanoError } from "@nano/worker";
import { SecretBox } from "./secret-box.js";

/** 64 hex characters (what `openssl rand -hex 32` prints), or a file of exactly 32 bytes. */
export function keyFromFile(path: string): SecretBox {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new NanoError("NANO_ERR_CONFIG", `cannot read the secret key file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const text = bytes.toString("latin1").trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return new SecretBox(Buffer.from(text, "hex"), { path });
  return new SecretBox(bytes, { path });
}

/** The configured key, or null when the node keeps its own key file in the data directory. */
export function configuredKey(config: { secretKey: string | null; secretKeyFile: string | null }): SecretBox | null {
  if (config.secretKey !== null) return new SecretBox(Buffer.from(config.secretKey, "hex"));
  if (config.secretKeyFile !== null) return keyFromFile(config.secretKeyFile);
  return null;
}
