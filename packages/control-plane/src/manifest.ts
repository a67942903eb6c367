/**
 * `nano.json`, the optional app manifest (DESIGN.md §3). Validated strictly: an unknown field or a
 * wrong type is an error naming the field, never silently ignored.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type AppLimits, NanoError } from "@nano/worker";
import type { AssetFile, AssetsConfig } from "./assets/asset-index.js";
import { parseAssetsConfig } from "./assets/assets-manifest.js";
import { parseCron } from "./cron.js";

export interface Manifest {
  name?: string;
  main?: string;
  routes?: string[];
  port?: number;
  vars?: Record<string, string>;
  /** KV bindings: binding name (in `env`) → namespace. */
  kv?: Record<string, string>;
  limits?: Partial<AppLimits>;
  /** Cron triggers: 5-field expressions in UTC that run the app's scheduled handler. */
  triggers?: { crons: string[] };
  compatibilityDate?: string;
  /** Static assets; in a stored version, with the index of its files (the server adds `files` at deploy). */
  assets?: AssetsConfig & { files?: Record<string, AssetFile> };
}

/** Cron triggers one app may have. */
export const MAX_CRONS = 10;

export const APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const LIMIT_RANGES: Record<keyof AppLimits, [number, number]> = {
  memoryMb: [8, 4096],
  cpuMs: [1, 300_000],
  wallMs: [1, 900_000],
  subrequests: [0, 10_000],
  kvOperations: [0, 1_000_000],
  websockets: [0, 100_000],
};

/** A binding is a JavaScript identifier; a namespace a short name the CLI can type. */
const BINDING_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
export const KV_NAMESPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const FIELDS = [
  "name",
  "main",
  "routes",
  "port",
  "vars",
  "kv",
  "limits",
  "triggers",
  "compatibilityDate",
  "assets",
  "$schema",
];

function fail(message: string): never {
  throw new NanoError("NANO_ERR_MANIFEST", `nano.json: ${message}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `YYYY-MM-DD` naming a day that exists (month 1-12, the month's days, February 29 in leap years). */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}

export function parseManifest(raw: unknown): Manifest {
  if (!isObject(raw)) fail("must be a JSON object");
  for (const key of Object.keys(raw)) if (!FIELDS.includes(key)) fail(`unknown field "${key}"`);
  const m: Manifest = {};
  if (raw.name !== undefined) {
    if (typeof raw.name !== "string" || !APP_NAME.test(raw.name)) {
      fail(`"name" must be 1-63 lowercase letters, digits or dashes, got ${JSON.stringify(raw.name)}`);
    }
    m.name = raw.name;
  }
  if (raw.main !== undefined) {
    if (typeof raw.main !== "string" || raw.main.length === 0) fail(`"main" must be a file path`);
    m.main = raw.main;
  }
  if (raw.routes !== undefined) {
    if (!Array.isArray(raw.routes) || raw.routes.some((r) => typeof r !== "string" || r.length === 0)) {
      fail(`"routes" must be an array of host or host/path patterns`);
    }
    m.routes = raw.routes as string[];
  }
  if (raw.port !== undefined) {
    if (!Number.isInteger(raw.port) || (raw.port as number) < 1 || (raw.port as number) > 65535) {
      fail(`"port" must be an integer from 1 to 65535`);
    }
    m.port = raw.port as number;
  }
  if (raw.vars !== undefined) {
    if (!isObject(raw.vars)) fail(`"vars" must be an object of strings`);
    for (const [k, v] of Object.entries(raw.vars)) if (typeof v !== "string") fail(`vars.${k} must be a string`);
    m.vars = raw.vars as Record<string, string>;
  }
  if (raw.kv !== undefined) {
    if (!isObject(raw.kv)) fail(`"kv" must be an object of binding names to namespace names`);
    for (const [k, v] of Object.entries(raw.kv)) {
      if (!BINDING_NAME.test(k)) fail(`kv: the binding name ${JSON.stringify(k)} is not a JavaScript identifier`);
      if (typeof v !== "string" || !KV_NAMESPACE_NAME.test(v)) {
        fail(
          `kv.${k} must be a namespace name: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
        );
      }
      if (m.vars && Object.hasOwn(m.vars, k)) fail(`kv.${k}: "${k}" is also a var`);
    }
    m.kv = raw.kv as Record<string, string>;
  }
  if (raw.limits !== undefined) {
    if (!isObject(raw.limits)) fail(`"limits" must be an object`);
    const limits: Partial<AppLimits> = {};
    for (const [k, v] of Object.entries(raw.limits)) {
      const range = LIMIT_RANGES[k as keyof AppLimits];
      if (!range) fail(`unknown limit "${k}" (known: ${Object.keys(LIMIT_RANGES).join(", ")})`);
      if (typeof v !== "number" || !Number.isInteger(v) || v < range[0] || v > range[1]) {
        fail(`limits.${k} must be an integer from ${range[0]} to ${range[1]}`);
      }
      limits[k as keyof AppLimits] = v;
    }
    m.limits = limits;
  }
  if (raw.triggers !== undefined) {
    if (!isObject(raw.triggers)) fail(`"triggers" must be an object like {"crons": ["*/5 * * * *"]}`);
    for (const key of Object.keys(raw.triggers)) if (key !== "crons") fail(`unknown field "triggers.${key}"`);
    const crons = raw.triggers.crons ?? [];
    if (!Array.isArray(crons) || crons.some((c) => typeof c !== "string")) {
      fail(`"triggers.crons" must be an array of cron expressions`);
    }
    if (crons.length > MAX_CRONS) fail(`"triggers.crons" may hold at most ${MAX_CRONS} expressions`);
    for (const c of crons as string[]) {
      try {
        parseCron(c);
      } catch (err) {
        fail(`triggers.crons: ${(err as Error).message}`);
      }
    }
    if (new Set(crons).size !== crons.length) fail(`"triggers.crons" lists an expression twice`);
    m.triggers = { crons: crons as string[] };
  }
  if (raw.compatibilityDate !== undefined) {
    if (typeof raw.compatibilityDate !== "string" || !isCalendarDate(raw.compatibilityDate)) {
      fail(`"compatibilityDate" must be a date like "2026-11-01", got ${JSON.stringify(raw.compatibilityDate)}`);
    }
    m.compatibilityDate = raw.compatibilityDate;
  }
  if (raw.assets !== undefined) {
    m.assets = parseAssetsConfig(raw.assets, fail);
    const b = m.assets.binding;
    if ((m.vars && Object.hasOwn(m.vars, b)) || (m.kv && Object.hasOwn(m.kv, b))) {
      fail(`assets.binding: "${b}" is also a var or a KV binding`);
    }
  }
  return m;
}

/** Reads `dir/nano.json`; a missing file is an empty manifest, a broken one an error. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, "nano.json"), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(`not valid JSON: ${(err as Error).message}`);
  }
  return parseManifest(raw);
}
