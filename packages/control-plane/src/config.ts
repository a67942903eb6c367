/**
 * Server configuration with one precedence order: command-line flags, then environment variables
 * (NANO_*), then the config file (--config, NANO_CONFIG, or <data-dir>/config.json), then defaults.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { NanoError } from "@nano/worker";

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
};

function bad(where: string, message: string): never {
  throw new NanoError("NANO_ERR_CONFIG", `${where}: ${message}`);
}

function coerce(key: keyof ServerConfig, value: unknown, where: string): unknown {
  switch (key) {
    case "port":
    case "adminPort":
    case "threads": {
      const n = typeof value === "string" ? Number(value) : value;
      const min = key === "threads" ? 1 : 0;
      if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > 65535)
        bad(where, `${key} must be an integer`);
      return n;
    }
    case "publicMetrics":
    case "allowPrivateFetch":
      if (typeof value === "boolean") return value;
      if (value === "1" || value === "true") return true;
      if (value === "0" || value === "false") return false;
      return bad(where, `${key} must be true or false`);
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
  return out as unknown as ServerConfig;
}
