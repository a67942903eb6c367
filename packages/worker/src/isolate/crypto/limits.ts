/** Host-side limits: key memory lives outside the isolate's heap limit, and each call runs to completion. */

/** Distinct live keys one isolate may hold unless CryptoHostOptions.maxKeys says otherwise. */
export const DEFAULT_MAX_KEYS = 50_000;
/** Measured: a KeyObject with its table entry costs about 1.2 KB of host memory, plus its key material. */
export const BYTES_PER_KEY = 1200;
/** Host memory one isolate's keys may hold unless CryptoHostOptions.maxBytes says otherwise. */
export const DEFAULT_MAX_KEY_BYTES = 32 * 1024 * 1024;
/** getRandomValues' quota (https://w3c.github.io/webcrypto/#Crypto-method-getRandomValues). */
export const MAX_RANDOM_BYTES = 65536;
/**
 * Work limits for one call, which runs synchronously on the worker thread (as Cloudflare Workers caps
 * PBKDF2 at 100 000 iterations): the budget check can only refuse the next call, not stop this one.
 */
export const MAX_PBKDF2_ITERATIONS = 100_000;
/** PBKDF2 costs iterations × output blocks: 100 000 iterations for up to 8 hash-sized blocks. */
export const MAX_PBKDF2_WORK = 800_000;
export const MAX_RSA_GENERATE_BITS = 4096;
/** HMAC keys longer than the hash's block size are hashed first; 64 Kibit keeps a random key cheap. */
export const MAX_HMAC_GENERATE_BITS = 65_536;
