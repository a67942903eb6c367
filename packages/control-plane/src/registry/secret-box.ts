/**
 * Secrets at rest: AES-256-GCM with a key kept in the data directory (mode 0600), a fresh nonce per
 * value, and the app and key name bound as associated data so a sealed value cannot be moved. The
 * registry keeps a MAC of a fixed string under the key (`keyCheck`), never the key, so a replaced
 * key is recognised before any secret fails to open.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { NanoError } from "@nano/worker";

const KEY_CHECK_INPUT = "nano secret-key check v1";

export class SecretBox {
  readonly #key: Buffer;
  /** The key file, when the key came from one (for error messages). */
  readonly path: string | null;
  /** True when `fromFile` made a new key because there was none. */
  readonly created: boolean;

  constructor(key: Buffer, source: { path?: string; created?: boolean } = {}) {
    this.path = source.path ?? null;
    this.created = source.created ?? false;
    if (key.length !== 32) {
      const what = this.path === null ? "the secret key" : `the secret key file ${this.path}`;
      throw new NanoError(
        "NANO_ERR_CONFIG",
        `${what} holds ${key.length} bytes, not 32: restore the original key file` +
          (this.path === null ? "" : `, or remove it if the registry holds no secrets (a new key is made)`),
      );
    }
    this.#key = key;
  }

  /**
   * Loads the key file. A missing file is created (0600) with a new key, unless `create` is false
   * (a serving process, or a registry that already holds secrets sealed under some key): then it is
   * a NANO_ERR_CONFIG error naming the file.
   */
  static fromFile(path: string, opts: { create?: boolean } = {}): SecretBox {
    try {
      return new SecretBox(readFileSync(path), { path });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      if (opts.create === false) {
        throw new NanoError("NANO_ERR_CONFIG", `the secret key file ${path} is missing`, { cause: err });
      }
      const key = randomBytes(32);
      writeFileSync(path, key, { mode: 0o600, flag: "wx" });
      return new SecretBox(key, { path, created: true });
    }
  }

  /** HMAC-SHA256 under the key of a fixed string: tells keys apart without revealing one. */
  keyCheck(): string {
    return createHmac("sha256", this.#key).update(KEY_CHECK_INPUT).digest("hex");
  }

  seal(plaintext: string, context: string): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, nonce);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer, context: string): string {
    const decipher = createDecipheriv("aes-256-gcm", this.#key, sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString("utf8");
  }
}
