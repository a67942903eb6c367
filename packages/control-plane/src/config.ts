/**
 * Server configuration with one precedence order: command-line flags, then environment variables
 * (NANO_*), then the config file (--config, NANO_CONFIG, or <data-dir>/config.json), then defaults.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type AppLimits, NanoError } from "@nano/worker";
import { type AssetLimits, DEFAULT_ASSET_LIMITS } from "./assets/asset-index.js";
import { type CfHeaderMap, parseCfHeaders } from "./request-cf.js";

export interface ServerConfig {
  port: number;
  host: string;
  adminPort: number;
  adminHost: string;
  dataDir: string;
  /** Admin token; when unset, read from or generated into <data-dir>/admin-token. */
  token: string | null;
  publicMetrics: boolean;
  threads: number | null;
  /** Let apps fetch loopback and private addresses (local development only). */
  allowPrivateFetch: boolean;
  /** Runtime processes (ingress + worker pool each); null: at least 2, more on larger machines. */
  processes: number | null;
  /** Fatal crashes of an app's runtime processes within the window that quarantine it. */
  quarantineCrashes: number;
  quarantineWindowS: number;
  /** First quarantine's cool-off; it doubles with each quarantine in a row (up to an hour). */
  quarantineCooloffS: number;
  /** CPU-limit kills of an app within the window (per runtime process) that throttle it. */
  throttleKills: number;
  throttleWindowS: number;
  /** CPU time a throttled app may use per second, per runtime process. */
  throttleCpuMsPerS: number;
  /** Requests of one app in flight or queued per runtime process; more answer 503. */
  appMaxInflight: number;
  /** How long SIGTERM waits for requests in flight before the processes exit. */
  drainTimeoutS: number;
  /** The most `limits.cpuMs` an app may have; a deploy over it is refused. */
  maxCpuMs: number;
  /** The most `limits.memoryMb` an app may have. */
  maxMemoryMb: number;
  /** The most `limits.wallMs` an app may have. */
  maxWallMs: number;
  /** The most `limits.subrequests` an app may have. */
  maxSubrequests: number;
  /** `request.cf` fields a trusted front proxy sends as request headers: field → header. */
  cfHeaders: CfHeaderMap;
  /** The heap warm isolates may hold in the whole server, split across processes and threads. */
  warmMemoryMb: number;
  /** A warm isolate unused this long is disposed. */
  warmIdleS: number;
  /** Static-asset files one app version may have (Workers: 20,000). */
  assetMaxFiles: number;
  /** Bytes of all of one app version's static assets, in MiB. */
  assetMaxTotalMb: number;
  /** The asset blobs each runtime process keeps in memory (a bytes-bounded LRU), in MiB. */
  assetCacheMb: number;
  /** A PostgreSQL URL: the registry shared by several nodes (null: SQLite in the data directory). */
  databaseUrl: string | null;
  /** The secret-sealing key as 64 hex characters; every node of a PostgreSQL registry needs the same. */
  secretKey: string | null;
  /** A file holding that key (64 hex characters, or 32 bytes); instead of `secretKey`. */
  secretKeyFile: string | null;
}

export const DEFAULTS: ServerConfig = {
  port: 8080,
  host: "0.0.0.0",
  adminPort: 8788,
  adminHost: "127.0.0.1",
  dataDir: ".nano-data",
  token: null,
  publicMetrics: false,
  threads: null,
  allowPrivateFetch: false,
  processes: null,
  quarantineCrashes: 3,
  quarantineWindowS: 60,
  quarantineCooloffS: 60,
  throttleKills: 3,
  throttleWindowS: 10,
  throttleCpuMsPerS: 100,
  appMaxInflight: 128,
  drainTimeoutS: 10,
  // The manifest's own upper bounds (manifest.ts): no further restriction by default.
  maxCpuMs: 300_000,
  maxMemoryMb: 4_096,
  maxWallMs: 900_000,
  maxSubrequests: 10_000,
  cfHeaders: {},
  warmMemoryMb: 512,
  warmIdleS: 900,
  assetMaxFiles: 20_000,
  assetMaxTotalMb: 500,
  assetCacheMb: 64,
  databaseUrl: null,
  secretKey: null,
  secretKeyFile: null,
};

type Source = Partial<Record<keyof ServerConfig, unknown>>;

const ENV: Record<keyof ServerConfig, string> = {
  port: "NANO_PORT",
  host: "NANO_HOST",
  adminPort: "NANO_ADMIN_PORT",
  adminHost: "NANO_ADMIN_HOST",
  dataDir: "NANO_DATA_DIR",
  token: "NANO_TOKEN",
  publicMetrics: "NANO_PUBLIC_METRICS",
  threads: "NANO_THREADS",
  allowPrivateFetch: "NANO_ALLOW_PRIVATE_FETCH",
  processes: "NANO_PROCESSES",
  quarantineCrashes: "NANO_QUARANTINE_CRASHES",
  quarantineWindowS: "NANO_QUARANTINE_WINDOW_S",
  quarantineCooloffS: "NANO_QUARANTINE_COOLOFF_S",
  throttleKills: "NANO_THROTTLE_KILLS",
  throttleWindowS: "NANO_THROTTLE_WINDOW_S",
  throttleCpuMsPerS: "NANO_THROTTLE_CPU_MS_PER_S",
  appMaxInflight: "NANO_APP_MAX_INFLIGHT",
  drainTimeoutS: "NANO_DRAIN_TIMEOUT_S",
  maxCpuMs: "NANO_MAX_CPU_MS",
  maxMemoryMb: "NANO_MAX_MEMORY_MB",
  maxWallMs: "NANO_MAX_WALL_MS",
  maxSubrequests: "NANO_MAX_SUBREQUESTS",
  cfHeaders: "NANO_CF_HEADERS",
  warmMemoryMb: "NANO_WARM_MEMORY_MB",
  warmIdleS: "NANO_WARM_IDLE_S",
  assetMaxFiles: "NANO_ASSET_MAX_FILES",
  assetMaxTotalMb: "NANO_ASSET_MAX_TOTAL_MB",
  assetCacheMb: "NANO_ASSET_CACHE_MB",
  databaseUrl: "NANO_DATABASE_URL",
  secretKey: "NANO_SECRET_KEY",
  secretKeyFile: "NANO_SECRET_KEY_FILE",
};

/** Integer settings and their allowed ranges. */
const INTEGERS: Partial<Record<keyof ServerConfig, [number, number]>> = {
  port: [0, 65535],
  adminPort: [0, 65535],
  threads: [1, 256],
  processes: [1, 64],
  quarantineCrashes: [1, 1_000],
  quarantineWindowS: [1, 86_400],
  quarantineCooloffS: [1, 86_400],
  throttleKills: [1, 1_000],
  throttleWindowS: [1, 3_600],
  throttleCpuMsPerS: [1, 100_000],
  appMaxInflight: [1, 1_000_000],
  drainTimeoutS: [0, 3_600],
  maxCpuMs: [1, 300_000],
  maxMemoryMb: [8, 4_096],
  maxWallMs: [1, 900_000],
  maxSubrequests: [0, 10_000],
  warmMemoryMb: [1, 1_048_576],
  warmIdleS: [1, 604_800],
  assetMaxFiles: [1, 1_000_000],
  assetMaxTotalMb: [1, 1_048_576],
  assetCacheMb: [1, 1_048_576],
};

function bad(where: string, message: string): never {
  throw new NanoError("NANO_ERR_CONFIG", `${where}: ${message}`);
}

function coerce(key: keyof ServerConfig, value: unknown, where: string): unknown {
  const range = INTEGERS[key];
  if (range) {
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    const [min, max] = range;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max)
      bad(where, `${key} must be an integer from ${min} to ${max}`);
    return n;
  }
  switch (key) {
    case "publicMetrics":
    case "allowPrivateFetch":
      if (typeof value === "boolean") return value;
      if (value === "1" || value === "true") return true;
      if (value === "0" || value === "false") return false;
      return bad(where, `${key} must be true or false`);
    case "cfHeaders":
      return parseCfHeaders(value, where);
    case "databaseUrl":
      if (typeof value !== "string" || !/^postgres(ql)?:\/\/./.test(value))
        bad(where, `${key} must be a postgres:// or postgresql:// URL`);
      return value;
    case "secretKey":
      // Never echo the value: it is the key.
      if (typeof value !== "string" || !/^[0-9a-fA-F]{64}$/.test(value.trim()))
        bad(where, `${key} must be 64 hex characters (32 bytes; e.g. openssl rand -hex 32)`);
      return value.trim().toLowerCase();
    default:
      if (typeof value !== "string" || value === "") bad(where, `${key} must be a non-empty string`);
      return value;
  }
}

function readConfigFile(path: string): Source {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    bad(path, `cannot read the config file (${(err as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad(path, "must be a JSON object");
  for (const k of Object.keys(raw)) if (!(k in DEFAULTS)) bad(path, `unknown field "${k}"`);
  return raw as Source;
}

export function resolveConfig(flags: Source & { config?: string }, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const fromEnv: Source = {};
  for (const [key, name] of Object.entries(ENV) as [keyof ServerConfig, string][]) {
    if (env[name] !== undefined && env[name] !== "") fromEnv[key] = env[name];
  }
  const dataDirGuess = (flags.dataDir ?? fromEnv.dataDir ?? DEFAULTS.dataDir) as string;
  const filePath =
    flags.config ??
    env.NANO_CONFIG ??
    (existsSync(join(dataDirGuess, "config.json")) ? join(dataDirGuess, "config.json") : null);
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const out = { ...DEFAULTS } as Record<keyof ServerConfig, unknown>;
  for (const key of Object.keys(DEFAULTS) as (keyof ServerConfig)[]) {
    for (const [src, where] of [
      [flags, "flag"],
      [fromEnv, ENV[key]],
      [fromFile, filePath ?? ""],
    ] as [Source, string][]) {
      if (src[key] !== undefined) {
        out[key] = coerce(key, src[key], where);
        break;
      }
    }
  }
  out.dataDir = resolve(out.dataDir as string);
  if (out.secretKeyFile !== null) out.secretKeyFile = resolve(out.secretKeyFile as string);
  if (out.secretKey !== null && out.secretKeyFile !== null)
    bad("secretKey", "give the key once: NANO_SECRET_KEY or a key file (--secret-key-file), not both");
  if (out.databaseUrl !== null && out.secretKey === null && out.secretKeyFile === null)
    bad(
      "databaseUrl",
      "a PostgreSQL registry needs the secret-sealing key, the same on every node: set NANO_SECRET_KEY (64 hex characters) or --secret-key-file",
    );
  return out as unknown as ServerConfig;
}

/** The per-app asset limits (the file size is Workers' 25 MiB, fixed). */
export function assetLimits(config: ServerConfig): AssetLimits {
  return {
    fileBytes: DEFAULT_ASSET_LIMITS.fileBytes,
    files: config.assetMaxFiles,
    totalBytes: config.assetMaxTotalMb * 1024 * 1024,
  };
}

/** The operator's maximums for an app's limits, as the deploy pipeline takes them. */
export function maxLimits(config: ServerConfig): Partial<AppLimits> {
  return {
    cpuMs: config.maxCpuMs,
    memoryMb: config.maxMemoryMb,
    wallMs: config.maxWallMs,
    subrequests: config.maxSubrequests,
  };
}
