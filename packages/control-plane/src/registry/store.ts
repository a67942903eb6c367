/**
 * The registry as an interface: apps, their immutable versions, the active version, secrets. One
 * SQLite file serves one node (sqlite-store.ts); PostgreSQL serves several (postgres-store.ts), each
 * node keeping its SQLite file as a local copy for serving (sqlite-mirror.ts). Both run the same
 * shared test suite (store.case.ts) through the asynchronous `RegistryStore`.
 */
import type { Manifest } from "../manifest.js";

export interface VersionInput {
  /** Content hash of bundle + manifest: a deploy with identical content is a no-op. */
  hash: string;
  code: string;
  manifest: Manifest;
  /** V8 code cache produced by the deploy check, for the serving isolates. */
  cachedData: Uint8Array | null;
}

export interface VersionRecord extends VersionInput {
  app: string;
  version: number;
  createdAt: string;
}

export interface VersionSummary {
  version: number;
  hash: string;
  createdAt: string;
  active: boolean;
}

export interface AppRecord {
  name: string;
  createdAt: string;
  activeVersion: number | null;
  /** Routes and port of the active version's manifest. */
  routes: string[];
  port: number | null;
  updatedAt: string;
  /** The app's last quarantine; it is in force while `untilMs` is in the future. */
  quarantine: Quarantine | null;
}

export interface Quarantine {
  /** Epoch milliseconds when the cool-off ends. */
  untilMs: number;
  /** How many quarantines in a row (the cool-off doubles with each). */
  level: number;
  reason: string;
  since: string;
}

/**
 * A route/port check a write runs inside its transaction, on every app as that transaction reads them
 * (after a registry-wide lock in PostgreSQL): it throws (NANO_ERR_ROUTE_CONFLICT) to refuse, and the
 * write is rolled back. Checked there, two nodes cannot both activate overlapping claims.
 */
export type ConflictCheck = (apps: AppRecord[]) => void;

export interface Activation {
  version: number;
  at: string;
  by: string;
}

/**
 * The registry as the admin side sees it (admin API, deploy pipeline, supervisor): every call is
 * asynchronous, because a PostgreSQL registry cannot answer synchronously. SQLite implements it
 * through `asyncStore` (async-store.ts), PostgreSQL as `PostgresStore`.
 */
export interface RegistryStore {
  listApps(): Promise<AppRecord[]>;
  getApp(name: string): Promise<AppRecord | null>;
  /** Stores a version (creating the app on first deploy); returns the existing one for a known hash. */
  putVersion(app: string, input: VersionInput): Promise<{ version: number; created: boolean }>;
  getVersion(app: string, version: number): Promise<VersionRecord | null>;
  listVersions(app: string): Promise<VersionSummary[]>;
  /**
   * Makes `version` the app's active version, atomically, recording who did it; `conflicts` runs in
   * the same transaction, on the apps as it reads them, and refuses by throwing.
   */
  activate(app: string, version: number, by: string, conflicts?: ConflictCheck): Promise<void>;
  /**
   * A deploy's write, in one transaction: stores the version (creating the app on first deploy; the
   * existing one for a known hash), makes it active and lifts the app's quarantine. A crash leaves
   * all of it or none: never an app whose only version is stored but not active. A known version
   * that is already active is left as it is. Two concurrent deploys of one app (from two nodes) get
   * distinct consecutive versions, and the later one is active. `conflicts` runs in the same
   * transaction (see ConflictCheck): of two nodes claiming one route or port at once, one is refused.
   */
  putVersionAndActivate(
    app: string,
    input: VersionInput,
    by: string,
    conflicts?: ConflictCheck,
  ): Promise<{ version: number; created: boolean }>;
  activations(app: string): Promise<Activation[]>;
  deleteApp(name: string): Promise<boolean>;
  setSecret(app: string, key: string, value: string): Promise<void>;
  deleteSecret(app: string, key: string): Promise<boolean>;
  listSecretNames(app: string): Promise<string[]>;
  /** Decrypted secrets, for the serving side only; never returned by the API. */
  getSecrets(app: string): Promise<Record<string, string>>;
  /** Quarantines an app (or extends its quarantine) until `untilMs`. */
  quarantine(app: string, q: Omit<Quarantine, "since">): Promise<void>;
  /** Lifts and forgets an app's quarantine (a new version, or the operator); false if it had none. */
  liftQuarantine(app: string): Promise<boolean>;
  /** Increases on every change a serving process must see (deploy, activation, delete, secret, quarantine). */
  generation(): Promise<number>;
  close(): Promise<void>;
}

/** The same registry, synchronous: what one SQLite file answers (SqliteStore). */
export type SyncRegistryStore = {
  [K in keyof RegistryStore]: RegistryStore[K] extends (...args: infer A) => Promise<infer R>
    ? (...args: A) => R
    : never;
};

/**
 * What the serving side reads, synchronously, 4 times a second (ServingState) and the supervisor's
 * cron scheduler and KV routes read: the node's local SQLite file (in PostgreSQL mode, its mirror).
 */
export type RegistryReader = Pick<
  SyncRegistryStore,
  "generation" | "listApps" | "getApp" | "getVersion" | "getSecrets"
>;
