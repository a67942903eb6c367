/**
 * Rows as both registry stores read them: an app (one query, the same SQL in SQLite and PostgreSQL,
 * joining the active version's manifest and the quarantine) and a version, and their conversions.
 */
import type { Manifest } from "../manifest.js";
import type { AppRecord, VersionRecord } from "./store.js";

export interface AppRow {
  name: string;
  created_at: string;
  updated_at: string;
  active_version: number | null;
  manifest: string | null;
  /** A number from SQLite, a string from PostgreSQL's BIGINT. */
  q_until: number | string | null;
  q_level: number | null;
  q_reason: string | null;
  q_since: string | null;
}

export const APP_SELECT = `SELECT a.name, a.created_at, a.updated_at, a.active_version, v.manifest,
    q.until_ms AS q_until, q.level AS q_level, q.reason AS q_reason, q.since AS q_since
  FROM apps a LEFT JOIN versions v ON v.app = a.name AND v.version = a.active_version
  LEFT JOIN quarantines q ON q.app = a.name`;

export function toApp(row: AppRow): AppRecord {
  const manifest = row.manifest ? (JSON.parse(row.manifest) as Manifest) : {};
  return {
    name: row.name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    activeVersion: row.active_version,
    routes: manifest.routes ?? [],
    port: manifest.port ?? null,
    quarantine:
      row.q_until === null
        ? null
        : {
            untilMs: Number(row.q_until),
            level: row.q_level as number,
            reason: row.q_reason as string,
            since: row.q_since as string,
          },
  };
}

export interface VersionRow {
  app: string;
  version: number;
  hash: string;
  code: string;
  manifest: string;
  cached_data: Buffer | null;
  created_at: string;
}

export function toVersion(row: VersionRow): VersionRecord {
  return {
    app: row.app,
    version: row.version,
    hash: row.hash,
    code: row.code,
    manifest: JSON.parse(row.manifest) as Manifest,
    cachedData: row.cached_data ? new Uint8Array(row.cached_data) : null,
    createdAt: row.created_at,
  };
}
