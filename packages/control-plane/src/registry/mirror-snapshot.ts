/**
 * What a node's local mirror copies from the PostgreSQL registry: what serving needs (apps, their
 * versions with code and code cache, secrets still sealed, quarantines) and the generation it is
 * as of. Read in one REPEATABLE READ transaction, so it is one consistent moment; the code of
 * versions the mirror holds already is not read again.
 */
import type postgres from "postgres";

export interface MirrorApp {
  name: string;
  created_at: string;
  updated_at: string;
  active_version: number | null;
}

export interface MirrorVersion {
  app: string;
  version: number;
  hash: string;
  created_at: string;
  /** Null for a version the mirror already holds (same app, version and hash). */
  body: { code: string; manifest: string; cached_data: Buffer | null } | null;
}

export interface MirrorSnapshot {
  generation: number;
  apps: MirrorApp[];
  versions: MirrorVersion[];
  secrets: { app: string; key: string; sealed: Buffer }[];
  quarantines: { app: string; until_ms: number; level: number; reason: string; since: string }[];
}

/** `app\0version\0hash` of a version: how the mirror says which ones it holds. */
export const versionKey = (app: string, version: number, hash: string) => `${app}\0${version}\0${hash}`;

export async function readSnapshot(sql: postgres.Sql, held: ReadonlySet<string>): Promise<MirrorSnapshot> {
  return (await sql.begin("isolation level repeatable read read only", async (tx) => {
    const [gen] = await tx<{ value: string }[]>`SELECT value FROM meta WHERE key = 'generation'`;
    const apps = await tx<MirrorApp[]>`SELECT name, created_at, updated_at, active_version FROM apps`;
    const list = await tx<{ app: string; version: number; hash: string; created_at: string }[]>`
      SELECT app, version, hash, created_at FROM versions`;
    const missing = list.filter((v) => !held.has(versionKey(v.app, v.version, v.hash)));
    const bodies = new Map<string, MirrorVersion["body"]>();
    // Fetched a few at a time: a node that starts empty may have many bundles to copy.
    for (let i = 0; i < missing.length; i += 50) {
      const chunk = missing.slice(i, i + 50);
      const rows = await tx<
        { app: string; version: number; code: string; manifest: string; cached_data: Buffer | null }[]
      >`SELECT app, version, code, manifest, cached_data FROM versions
        WHERE (app, version) IN (SELECT * FROM unnest(${tx.array(chunk.map((v) => v.app))}::text[], ${tx.array(chunk.map((v) => v.version))}::int[]))`;
      for (const r of rows) bodies.set(`${r.app}\0${r.version}`, r);
    }
    const secrets = await tx<{ app: string; key: string; sealed: Buffer }[]>`SELECT app, key, sealed FROM secrets`;
    const quarantines = await tx<{ app: string; until_ms: string; level: number; reason: string; since: string }[]>`
      SELECT app, until_ms, level, reason, since FROM quarantines`;
    return {
      generation: Number(gen?.value ?? 0),
      apps: [...apps],
      versions: list.map((v) => ({
        app: v.app,
        version: v.version,
        hash: v.hash,
        created_at: v.created_at,
        body: bodies.get(`${v.app}\0${v.version}`) ?? null,
      })),
      secrets: [...secrets],
      quarantines: quarantines.map((q) => ({ ...q, until_ms: Number(q.until_ms) })),
    };
  })) as MirrorSnapshot;
}
